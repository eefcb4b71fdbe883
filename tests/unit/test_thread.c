/* The library's threads get the stack they need whatever the C library gives by default
 * (musl: 128 KiB), checked in a process whose default is made small the same way. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "krender.h"
#include "testutil.h"
#include "thread.h"

#define SMALL_STACK (128u * 1024u)

/* Gives every thread created without a stack size of its own SMALL_STACK; *saved receives
 * the default there was, for default_stacks_back. */
static void small_default_stacks(pthread_attr_t *saved)
{
    assert_int_equal(pthread_getattr_default_np(saved), 0);
    pthread_attr_t small;
    assert_int_equal(pthread_attr_init(&small), 0);
    assert_int_equal(pthread_attr_setstacksize(&small, SMALL_STACK), 0);
    assert_int_equal(pthread_setattr_default_np(&small), 0);
    pthread_attr_destroy(&small);
}

static void default_stacks_back(pthread_attr_t *saved)
{
    assert_int_equal(pthread_setattr_default_np(saved), 0);
    pthread_attr_destroy(saved);
}

static void *own_stack_size(void *arg)
{
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstacksize(&a, (size_t *)arg);
        pthread_attr_destroy(&a);
    }
    return NULL;
}

static void threads_get_their_stack(void **state)
{
    (void)state;
    pthread_attr_t saved;
    small_default_stacks(&saved);
    size_t plain = 0, ours = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, own_stack_size, &plain), 0);
    pthread_join(t, NULL);
    assert_int_equal(kr_thread_create(&t, own_stack_size, &ours), 0);
    pthread_join(t, NULL);
    default_stacks_back(&saved);
    assert_true(plain < KR_THREAD_STACK); /* the small default took */
    assert_true(ours >= KR_THREAD_STACK);
}

static void keep(void *userdata, size_t index, krender_result *result)
{
    ((krender_result **)userdata)[index] = result;
}

/* A document nested a thousand levels deep, rendered by krender_build_many (roots on the
 * library's threads besides the calling one) while threads get small stacks by default: its
 * parse and its output recurse that deep. */
static void deep_render_on_a_thread(void **state)
{
    (void)state;
    char *dir = tu_tmpdir();
    assert_non_null(dir);
    enum { DEPTH = 1000 };
    size_t cap = (size_t)DEPTH * (2 * DEPTH + 16) + 256, len = 0;
    char *doc = malloc(cap);
    assert_non_null(doc);
    len += (size_t)snprintf(doc, cap, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n"
                                      "nested:\n");
    for (int i = 0; i < DEPTH; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%*sk%d:\n", 2 * (i + 1), "", i);
    snprintf(doc + len, cap - len, "%*sv: 1\n", 2 * (DEPTH + 1), "");
    assert_int_equal(tu_write(dir, "root/cm.yaml", doc), 0);
    assert_int_equal(tu_write(dir, "root/kustomization.yaml",
                              "resources: [cm.yaml]\nnamePrefix: p-\n"), 0);
    free(doc);
    char root[4096];
    snprintf(root, sizeof root, "%s/root", dir);
    const char *roots[] = {root, root, root, root};
    krender_ctx *ctx = NULL;
    assert_int_equal(krender_ctx_new(&ctx), KRENDER_OK);
    krender_options o = KRENDER_OPTIONS_INIT;
    o.threads = 4;
    krender_result *res[4] = {NULL, NULL, NULL, NULL};
    pthread_attr_t saved;
    small_default_stacks(&saved);
    krender_build_many(ctx, roots, 4, &o, keep, res);
    default_stacks_back(&saved);
    for (int i = 0; i < 4; i++) {
        assert_non_null(res[i]);
        assert_null(krender_result_error(res[i]));
        assert_non_null(strstr(krender_result_yaml(res[i], NULL), "  name: p-deep\n"));
        krender_result_free(res[i]);
    }
    krender_ctx_free(ctx);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_get_their_stack),
        cmocka_unit_test(deep_render_on_a_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
