/* Starting the library's threads. */
#ifndef KR_THREAD_H
#define KR_THREAD_H
#include <pthread.h>

/* The stack every thread of the library gets: what glibc gives by default (the stack limit,
 * 8 MiB on most systems). Other C libraries give far less (musl 128 KiB), where a render on
 * another thread (krender_build_many, the read-ahead walk's path buffers, the output's nested
 * documents) could run out. Only the pages a thread touches are ever resident. */
#define KR_THREAD_STACK (8u * 1024u * 1024u)

/* pthread_create with that stack; returns as pthread_create does. */
int kr_thread_create(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
