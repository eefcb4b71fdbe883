/* Arena: alignment, growth from small chunks to huge-page mappings, reset and adoption; each
 * test runs on a plain arena and on a huge one (kr_arena_new_huge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "arena.h"

#define MiB (1024u * 1024u)

/* Fills every allocation with its own byte and checks none was overwritten by a later one. */
typedef struct block {
    unsigned char *p;
    size_t n;
    unsigned char fill;
} block;

static void check_blocks(const block *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < b[i].n; j += 4093)
            assert_int_equal(b[i].p[j], b[i].fill);
}

static kr_arena *new_arena(void **state)
{
    return *state ? kr_arena_new_huge() : kr_arena_new();
}

static int plain(void **state)
{
    *state = NULL;
    return 0;
}

static int huge(void **state)
{
    *state = (void *)1;
    return 0;
}

static void grows_through_mapped_chunks(void **state)
{
    kr_arena *a = new_arena(state);
    assert_non_null(a);
    static block b[4096];
    size_t n = 0, total = 0;
    /* 24 MiB in pieces of 24 B .. 96 KiB: the arena's chunks grow past the 2 MiB mark */
    for (size_t size = 24; total < 24 * MiB && n < 4096; size = size * 3 % 98304 + 24) {
        unsigned char *p = kr_arena_alloc(a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        b[n] = (block){p, size, (unsigned char)(n * 7 + 1)};
        memset(p, b[n].fill, size);
        total += (size + 7) & ~(size_t)7;
        n++;
    }
    check_blocks(b, n);
    assert_int_equal(kr_arena_used(a), total);
    kr_arena_free(a);
}

static void one_off_blocks_beyond_the_chunk_size(void **state)
{
    kr_arena *a = new_arena(state);
    block b[6];
    /* 5 and 9 MiB exceed the biggest chunk: each is a block of its own, the rest of the
     * current chunk stays in use for the small ones around them */
    size_t sizes[6] = {100, 5 * MiB + 3, 200, 9 * MiB, 4 * MiB - 64, 300};
    for (size_t i = 0; i < 6; i++) {
        b[i] = (block){kr_arena_alloc(a, sizes[i]), sizes[i], (unsigned char)(0x41 + i)};
        assert_non_null(b[i].p);
        memset(b[i].p, b[i].fill, sizes[i]);
    }
    check_blocks(b, 6);
    kr_arena_free(a);
}

static void reset_keeps_one_chunk_and_works_again(void **state)
{
    kr_arena *a = new_arena(state);
    for (int round = 0; round < 3; round++) {
        block b[64];
        for (size_t i = 0; i < 64; i++) {
            size_t size = (i % 8 + 1) * 128 * 1024; /* 4.5 MiB per round, in 64 blocks */
            b[i] = (block){kr_arena_alloc(a, size), size, (unsigned char)(round * 64 + i)};
            assert_non_null(b[i].p);
            memset(b[i].p, b[i].fill, size);
        }
        check_blocks(b, 64);
        kr_arena_reset(a);
        assert_int_equal(kr_arena_used(a), 0);
    }
    kr_arena_free(a);
}

static void adopted_chunks_live_with_the_adopter(void **state)
{
    kr_arena *dst = new_arena(state), *src = new_arena(state);
    unsigned char *small = kr_arena_alloc(dst, 64);
    unsigned char *big = kr_arena_alloc(src, 6 * MiB);
    assert_non_null(small);
    assert_non_null(big);
    memset(small, 1, 64);
    memset(big, 2, 6 * MiB);
    kr_arena_adopt(dst, src); /* frees src's handle, not its memory */
    assert_int_equal(kr_arena_used(dst), 64 + 6 * MiB);
    unsigned char *more = kr_arena_alloc(dst, 3 * MiB);
    assert_non_null(more);
    memset(more, 3, 3 * MiB);
    assert_int_equal(big[6 * MiB - 1], 2);
    assert_int_equal(small[63], 1);
    kr_arena_free(dst);
}

/* Releasing the unused end of the head chunk keeps what was allocated, and the arena goes on
 * allocating there. */
static void release_tail_keeps_data(void **state)
{
    kr_arena *a = new_arena(state);
    block b[40];
    for (size_t i = 0; i < 40; i++) { /* 5 MiB: the head chunk is a mapping in a huge arena */
        b[i] = (block){kr_arena_alloc(a, 128 * 1024 + i), 128 * 1024 + i, (unsigned char)(i + 1)};
        assert_non_null(b[i].p);
        memset(b[i].p, b[i].fill, b[i].n);
    }
    kr_arena_release_tail(a);
    check_blocks(b, 40);
    unsigned char *more = kr_arena_alloc(a, 300 * 1024);
    assert_non_null(more);
    memset(more, 0x5a, 300 * 1024);
    assert_int_equal(more[300 * 1024 - 1], 0x5a);
    check_blocks(b, 40);
    kr_arena_free(a);
}

/* A reserved arena's first chunk, made on the calling thread, takes every allocation up to its
 * size (another thread filling it mallocs nothing); beyond, the arena grows as any other. */
static void reserved_room_takes_the_first_allocations(void **state)
{
    (void)state;
    kr_arena *a = kr_arena_new_reserved(64 * 1024);
    assert_non_null(a);
    unsigned char *first = kr_arena_alloc(a, 512);
    assert_non_null(first);
    block b[230];
    for (size_t i = 0; i < 230; i++) {
        b[i] = (block){kr_arena_alloc(a, 300), 300, (unsigned char)(i + 1)};
        assert_non_null(b[i].p);
        memset(b[i].p, b[i].fill, b[i].n);
        if (512 + (i + 1) * 304 <= 64 * 1024) /* (300 rounded up to 8) */
            assert_true(b[i].p > first && b[i].p + 300 <= first + 64 * 1024);
    }
    assert_true(b[229].p < first || b[229].p >= first + 64 * 1024); /* 70 KB in: grown */
    check_blocks(b, 230);
    kr_arena *dst = kr_arena_new();
    assert_non_null(dst);
    kr_arena_adopt(dst, a); /* as par.c does with a helper's arena */
    assert_true(kr_arena_owns(dst, first) && kr_arena_owns(dst, b[229].p));
    check_blocks(b, 230);
    kr_arena_free(dst);
}

int main(void)
{
#define BOTH(t) cmocka_unit_test_setup(t, plain), cmocka_unit_test_setup(t, huge)
    const struct CMUnitTest tests[] = {
        BOTH(grows_through_mapped_chunks),
        BOTH(one_off_blocks_beyond_the_chunk_size),
        BOTH(reset_keeps_one_chunk_and_works_again),
        BOTH(adopted_chunks_live_with_the_adopter),
        BOTH(release_tail_keeps_data),
        cmocka_unit_test(reserved_room_takes_the_first_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
