/* Moving a base's resources out of its scratch arena (compact.h): what lay in the scratch arena
 * is copied, what lay elsewhere stays where it was, and nothing points into the scratch arena
 * afterwards (it is freed before the checks, so a stale pointer fails under ASan/valgrind). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "compact.h"
#include "emit.h"
#include "render_fixture.h"

typedef struct fixture {
    kr_render r;
    kr_err err;
    kr_scope *scope;
    kr_arena *cache; /* stands for the file cache: outlives the render, never written */
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || tu_render_init(&f->r, &f->err, &f->scope) || !(f->cache = kr_arena_new()))
        return -1;
    f->r.life = f->r.arena;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kr_arena_free(f->cache);
    tu_render_fini(&f->r, &f->err, f->scope);
    free(f);
    return 0;
}

static char *yaml_of(const kr_node *doc)
{
    kr_buf b = {0};
    kr_err e = {0};
    assert_int_equal(kr_emit_document(doc, &b, &e), 0);
    char *s = strndup(b.data, b.len);
    kr_buf_free(&b);
    return s;
}

static void moves_what_lies_in_scratch_and_keeps_the_rest(void **state)
{
    fixture *f = *state;
    kr_render *r = &f->r;
    /* the cache's tree: a labels map and a shared key, read-only from here on */
    kr_node *cached_labels = kr_node_map(f->cache, 2);
    kr_node *cached_key = kr_node_str(f->cache, "app");
    assert_true(kr_map_put(f->cache, cached_labels, cached_key, kr_node_str(f->cache, "web")));
    kr_node *cached_image = kr_node_str(f->cache, "nginx:1.27");
    const kr_pair *cached_pairs = cached_labels->u.pairs;

    /* a render-owned map made before the base (in the render's arena) */
    kr_node *owned = kr_node_map(r->life, 4);
    const char *keys[] = {"a", "b", "c", "d"};
    for (size_t i = 0; i < 4; i++) /* full: the next entry moves its array */
        assert_true(kr_map_set(r->life, owned, keys[i], kr_node_str(r->life, "yes")));

    kr_arena *scratch = kr_arena_new();
    r->arena = scratch;
    kr_node *doc = kr_node_map(scratch, 4), *meta = kr_node_map(scratch, 2);
    assert_true(kr_map_set(scratch, doc, "apiVersion", kr_node_str(scratch, "v1")));
    assert_true(kr_map_set(scratch, doc, "kind", kr_node_str(scratch, "Pod")));
    assert_true(kr_map_set(scratch, meta, "name", kr_node_str(scratch, "web-0")));
    assert_true(kr_map_set(scratch, meta, "labels", cached_labels)); /* shared with the cache */
    assert_true(kr_map_set(scratch, doc, "metadata", meta));
    kr_node *containers = kr_node_seq(scratch, 1);
    kr_node *c0 = kr_node_map(scratch, 1);
    assert_true(kr_map_set(scratch, c0, "image", cached_image));
    assert_true(kr_seq_append(scratch, containers, c0));
    assert_true(kr_map_set(scratch, doc, "spec", containers));
    /* the owned map grows while the base builds: its new array lies in the scratch arena */
    assert_true(kr_map_set(scratch, owned, "during", kr_node_str(scratch, "too")));
    assert_true(kr_map_set(scratch, doc, "owned", owned));
    kr_resource *res = kr_resource_new(r, doc, "pod.yaml");
    assert_non_null(res);
    assert_int_equal(kr_resource_push_prev(r, res), 0);
    const char *prefix = kr_arena_strdup(scratch, "p-");
    res->prefixes = kr_arena_alloc(scratch, sizeof *res->prefixes);
    res->prefixes[0] = prefix;
    res->nprefixes = 1;
    res->origin.path = kr_arena_strdup(scratch, "base/pod.yaml");
    char *before = yaml_of(doc);

    kr_accum ra = {0};
    r->arena = r->life;
    assert_int_equal(kr_resmap_append(r, &ra.res, res), 0);
    assert_int_equal(kr_accum_move_resources(r, &ra, scratch, r->life), 0);
    kr_resource *moved = ra.res.items[0];
    kr_arena_free(scratch); /* nothing may point into it now */

    assert_ptr_not_equal(moved, res);
    assert_true(kr_arena_owns(r->life, moved));
    assert_true(kr_arena_owns(r->life, moved->node));
    assert_true(kr_arena_owns(r->life, moved->prefixes));
    assert_true(kr_arena_owns(r->life, moved->prefixes[0]));
    assert_string_equal(moved->prefixes[0], "p-");
    assert_string_equal(moved->origin.path, "base/pod.yaml");
    assert_true(kr_arena_owns(r->life, moved->prev));
    assert_string_equal(moved->prev[0].name, "web-0");
    assert_string_equal(moved->id.kind, "Pod");
    /* the cache's nodes are shared, not copied, and were not written */
    const kr_node *m = kr_map_get(moved->node, "metadata");
    assert_ptr_equal(kr_map_get(m, "labels"), cached_labels);
    assert_ptr_equal(cached_labels->u.pairs, cached_pairs);
    assert_ptr_equal(cached_labels->u.pairs[0].key, cached_key);
    const kr_node *spec = kr_map_get(moved->node, "spec");
    assert_ptr_equal(kr_map_get(spec->u.items[0], "image"), cached_image);
    /* the render-owned map stayed itself; its grown array moved out of the scratch arena */
    assert_ptr_equal(kr_map_get(moved->node, "owned"), owned);
    assert_true(kr_arena_owns(r->life, owned->u.pairs));
    assert_string_equal(kr_map_get_str(owned, "during"), "too");
    char *after = yaml_of(moved->node);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(moves_what_lies_in_scratch_and_keeps_the_rest, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
