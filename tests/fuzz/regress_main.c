/* Replays inputs through a harness' LLVMFuzzerTestOneInput without libFuzzer, so the saved
 * reproducers (tests/fuzz/regressions/<harness>/) and seeds run in every `meson test`, with
 * any compiler. Arguments: files or directories (their regular files, not recursive); a
 * missing argument is an error so a renamed directory cannot silently test nothing.
 * A crash is the failure; on success it prints how many inputs ran. */
#include "fuzz.h" /* first: it sets _GNU_SOURCE */

#include <dirent.h>

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0, got;
    do {
        if (len == cap) {
            uint8_t *grown = realloc(data, cap = cap ? cap * 2 : 4096);
            if (!grown)
                break;
            data = grown;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    int bad = ferror(f);
    fclose(f);
    if (!bad)
        LLVMFuzzerTestOneInput(data ? data : (const uint8_t *)"", len);
    free(data);
    return bad ? -1 : 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir, in name order (reproducible). Returns the count or -1. */
static long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        if (asprintf(&names[n], "%s/%s", dir, e->d_name) >= 0)
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    long count = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (run_file(names[i]))
                count = -1;
            else if (count >= 0)
                count++;
        }
        free(names[i]);
    }
    free(names);
    return count;
}

int main(int argc, char **argv)
{
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n = stat(argv[i], &st) ? -1 : S_ISDIR(st.st_mode) ? run_dir(argv[i])
                                                               : run_file(argv[i]) ? -1 : 1;
        if (n < 0) {
            fprintf(stderr, "cannot read %s\n", argv[i]);
            return 1;
        }
        total += n;
    }
    printf("%ld inputs ran\n", total);
    return 0;
}
