/* libyaml's allocator in the static CLI (cli/yaml_alloc.c): every size keeps its bytes through
 * realloc, freed blocks are handed back, and blocks freed on other threads than their own are
 * kept and released without a race (CI runs this under ThreadSanitizer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>

#include "yaml_alloc.h"

static void fill(unsigned char *p, size_t n, unsigned char seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static void check(const unsigned char *p, size_t n, unsigned char seed)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            fail_msg("byte %zu of %zu changed", i, n);
}

/* Sizes on both sides of every class boundary, up to past the largest class. */
static const size_t sizes[] = {0,    1,    15,   16,   17,    31,    32,    33,    100,
                               1023, 1024, 1025, 4096, 16384, 16385, 49152, 65536, 65537,
                               200000};
#define NSIZES (sizeof sizes / sizeof *sizes)

static void test_sizes_keep_their_bytes(void **state)
{
    (void)state;
    unsigned char *p[NSIZES];
    for (size_t i = 0; i < NSIZES; i++) {
        p[i] = kr_yaml_malloc(sizes[i]);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % 16, 0);
        fill(p[i], sizes[i], (unsigned char)i);
    }
    for (size_t i = 0; i < NSIZES; i++) /* no block overlaps another */
        check(p[i], sizes[i], (unsigned char)i);
    for (size_t i = 0; i < NSIZES; i++) {
        /* grown past its class (or its malloc'd size), then shrunk: the bytes stay */
        size_t grown = sizes[i] * 3 + 5;
        unsigned char *q = kr_yaml_realloc(p[i], grown);
        assert_non_null(q);
        check(q, sizes[i], (unsigned char)i);
        fill(q, grown, (unsigned char)(i + 1));
        unsigned char *r = kr_yaml_realloc(q, sizes[i] / 2 + 1);
        assert_non_null(r);
        check(r, sizes[i] / 2 + 1, (unsigned char)(i + 1));
        kr_yaml_free(r);
    }
    kr_yaml_free(NULL);
    unsigned char *n = kr_yaml_realloc(NULL, 40);
    assert_non_null(n);
    kr_yaml_free(n);
    char *s = kr_yaml_strdup("apiVersion: v1");
    assert_string_equal(s, "apiVersion: v1");
    kr_yaml_free(s);
}

/* What libyaml does for every plain scalar: a freed block of a class is the next one given. */
static void test_freed_blocks_come_back(void **state)
{
    (void)state;
    void *a = kr_yaml_malloc(16), *b = kr_yaml_malloc(16), *c = kr_yaml_malloc(48);
    kr_yaml_free(a);
    kr_yaml_free(b);
    kr_yaml_free(c);
    assert_ptr_equal(kr_yaml_malloc(10), b);
    assert_ptr_equal(kr_yaml_malloc(1), a);
    assert_ptr_equal(kr_yaml_malloc(64), c);
    void *big = kr_yaml_malloc(49152);
    kr_yaml_free(big);
    assert_ptr_equal(kr_yaml_malloc(40000), big);
    /* a realloc within its class stays in place */
    void *g = kr_yaml_malloc(20);
    assert_ptr_equal(kr_yaml_realloc(g, 32), g);
    kr_yaml_free(g);
    kr_yaml_free(a);
    kr_yaml_free(b);
    kr_yaml_free(c);
    kr_yaml_free(big);
}

/* Blocks allocated by one thread and freed by others, every thread ending with blocks kept. */
#define THREADS 4
#define BLOCKS 2000

typedef struct handoff {
    unsigned char *blocks[BLOCKS];
    size_t sizes[BLOCKS];
} handoff;

static void *make(void *arg)
{
    handoff *h = arg;
    for (size_t i = 0; i < BLOCKS; i++) {
        h->sizes[i] = (i * 37) % 3000;
        h->blocks[i] = kr_yaml_malloc(h->sizes[i]);
        if (h->blocks[i])
            fill(h->blocks[i], h->sizes[i], (unsigned char)i);
    }
    return NULL;
}

static void *take(void *arg)
{
    handoff *h = arg;
    for (size_t i = 0; i < BLOCKS; i++) {
        if (!h->blocks[i])
            return (void *)1;
        check(h->blocks[i], h->sizes[i], (unsigned char)i);
        kr_yaml_free(h->blocks[i]);
        /* and some churn of this thread's own */
        kr_yaml_free(kr_yaml_strdup("metadata"));
    }
    return NULL;
}

static void test_blocks_cross_threads(void **state)
{
    (void)state;
    static handoff h[THREADS];
    pthread_t t[THREADS];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < THREADS; i++)
            assert_int_equal(pthread_create(&t[i], NULL, make, &h[i]), 0);
        for (int i = 0; i < THREADS; i++)
            assert_int_equal(pthread_join(t[i], NULL), 0);
        /* each thread frees the blocks another one made */
        for (int i = 0; i < THREADS; i++)
            assert_int_equal(pthread_create(&t[i], NULL, take, &h[(i + 1) % THREADS]), 0);
        for (int i = 0; i < THREADS; i++) {
            void *rc;
            assert_int_equal(pthread_join(t[i], &rc), 0);
            assert_null(rc);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_keep_their_bytes),
        cmocka_unit_test(test_freed_blocks_come_back),
        cmocka_unit_test(test_blocks_cross_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
