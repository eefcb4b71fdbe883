/* Minimal embedding example: render a kustomization and list its resources.
 *   cc render.c $(pkg-config --cflags --libs krender) -o render && ./render guestbook/app */
#include <stdio.h>

#include <krender.h>

int main(int argc, char **argv)
{
    krender_ctx *ctx;
    krender_result *res;
    if (argc != 2 || krender_ctx_new(&ctx) != KRENDER_OK)
        return 2;
    krender_options opts = KRENDER_OPTIONS_INIT;
    int rc = krender_build(&res, ctx, argv[1], &opts);
    if (rc != KRENDER_OK) {
        const krender_error *e = krender_result_error(res);
        fprintf(stderr, "%s:%u:%u: %s\n", e->file ? e->file : argv[1], e->line, e->column,
                e->message);
    } else {
        for (size_t i = 0; i < krender_result_count(res); i++) {
            krender_resource r;
            krender_result_resource(res, i, &r);
            printf("%s/%s %s (%zu bytes of YAML)\n", r.namespace_[0] ? r.namespace_ : "-",
                   r.kind, r.name, r.yaml_len);
        }
    }
    krender_result_free(res);
    krender_ctx_free(ctx);
    return rc == KRENDER_OK ? 0 : 1;
}
