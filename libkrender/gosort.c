#include "gosort.h"

#include <stdint.h>

/* Written against Go's documented algorithm (pdqsort without BlockQuicksort, insertion sort
 * at <= 12 elements, heapsort when the bad-pivot budget is spent). Indices are ptrdiff_t like
 * Go's int, because several loops count down past zero. */
typedef struct sorter {
    void **v;
    bool (*less)(const void *, const void *, void *);
    void *arg;
} sorter;

typedef enum { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT } sorted_hint;

static inline bool lt(const sorter *s, ptrdiff_t i, ptrdiff_t j)
{
    return s->less(s->v[i], s->v[j], s->arg);
}

static inline void swap(const sorter *s, ptrdiff_t i, ptrdiff_t j)
{
    void *t = s->v[i];
    s->v[i] = s->v[j];
    s->v[j] = t;
}

static void insertion_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    for (ptrdiff_t i = a + 1; i < b; i++)
        for (ptrdiff_t j = i; j > a && lt(s, j, j - 1); j--)
            swap(s, j, j - 1);
}

static void sift_down(const sorter *s, ptrdiff_t lo, ptrdiff_t hi, ptrdiff_t first)
{
    ptrdiff_t root = lo;
    for (;;) {
        ptrdiff_t child = 2 * root + 1;
        if (child >= hi)
            return;
        if (child + 1 < hi && lt(s, first + child, first + child + 1))
            child++;
        if (!lt(s, first + root, first + child))
            return;
        swap(s, first + root, first + child);
        root = child;
    }
}

static void heap_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    ptrdiff_t hi = b - a;
    for (ptrdiff_t i = (hi - 1) / 2; i >= 0; i--)
        sift_down(s, i, hi, a);
    for (ptrdiff_t i = hi - 1; i >= 0; i--) {
        swap(s, a, a + i);
        sift_down(s, 0, i, a);
    }
}

static int bit_len(uint64_t x)
{
    return x ? 64 - __builtin_clzll(x) : 0;
}

static void break_patterns(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    ptrdiff_t length = b - a;
    if (length < 8)
        return;
    uint64_t random = (uint64_t)length; /* Go's xorshift seeded with the length */
    uint64_t modulus = (uint64_t)1 << bit_len((uint64_t)length);
    for (ptrdiff_t idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        ptrdiff_t other = (ptrdiff_t)(random & (modulus - 1));
        if (other >= length)
            other -= length;
        swap(s, idx, a + other);
    }
}

/* Returns the index of the median of v[a], v[b], v[c], counting swaps as Go does. */
static ptrdiff_t median(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t c, int *swaps)
{
    ptrdiff_t t;
    if (lt(s, b, a)) { t = a; a = b; b = t; (*swaps)++; }
    if (lt(s, c, b)) { t = b; b = c; c = t; (*swaps)++; }
    if (lt(s, b, a)) { t = a; a = b; b = t; (*swaps)++; }
    (void)c;
    return b;
}

static ptrdiff_t choose_pivot(const sorter *s, ptrdiff_t a, ptrdiff_t b, sorted_hint *hint)
{
    ptrdiff_t l = b - a;
    int swaps = 0;
    ptrdiff_t i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
    if (l >= 8) {
        if (l >= 50) { /* Tukey's ninther */
            i = median(s, i - 1, i, i + 1, &swaps);
            j = median(s, j - 1, j, j + 1, &swaps);
            k = median(s, k - 1, k, k + 1, &swaps);
        }
        j = median(s, i, j, k, &swaps);
    }
    *hint = swaps == 0 ? INCREASING_HINT : swaps == 12 ? DECREASING_HINT : UNKNOWN_HINT;
    return j;
}

static void reverse_range(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    for (ptrdiff_t i = a, j = b - 1; i < j; i++, j--)
        swap(s, i, j);
}

static bool partial_insertion_sort(const sorter *s, ptrdiff_t a, ptrdiff_t b)
{
    ptrdiff_t i = a + 1;
    for (int step = 0; step < 5; step++) {
        while (i < b && !lt(s, i, i - 1))
            i++;
        if (i == b)
            return true;
        if (b - a < 50)
            return false;
        swap(s, i, i - 1);
        if (i - a >= 2)
            for (ptrdiff_t j = i - 1; j >= 1 && lt(s, j, j - 1); j--)
                swap(s, j, j - 1);
        if (b - i >= 2)
            for (ptrdiff_t j = i + 1; j < b && lt(s, j, j - 1); j++)
                swap(s, j, j - 1);
    }
    return false;
}

static ptrdiff_t partition_equal(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot)
{
    swap(s, a, pivot);
    ptrdiff_t i = a + 1, j = b - 1;
    for (;;) {
        while (i <= j && !lt(s, a, i))
            i++;
        while (i <= j && lt(s, a, j))
            j--;
        if (i > j)
            return i;
        swap(s, i, j);
        i++;
        j--;
    }
}

static ptrdiff_t partition(const sorter *s, ptrdiff_t a, ptrdiff_t b, ptrdiff_t pivot,
                           bool *already)
{
    swap(s, a, pivot);
    ptrdiff_t i = a + 1, j = b - 1;
    while (i <= j && lt(s, i, a))
        i++;
    while (i <= j && !lt(s, j, a))
        j--;
    if (i > j) {
        swap(s, j, a);
        *already = true;
        return j;
    }
    swap(s, i, j);
    i++;
    j--;
    for (;;) {
        while (i <= j && lt(s, i, a))
            i++;
        while (i <= j && !lt(s, j, a))
            j--;
        if (i > j)
            break;
        swap(s, i, j);
        i++;
        j--;
    }
    swap(s, j, a);
    *already = false;
    return j;
}

static void pdqsort(const sorter *s, ptrdiff_t a, ptrdiff_t b, int limit)
{
    bool was_balanced = true, was_partitioned = true;
    for (;;) {
        ptrdiff_t length = b - a;
        if (length <= 12) {
            insertion_sort(s, a, b);
            return;
        }
        if (limit == 0) {
            heap_sort(s, a, b);
            return;
        }
        if (!was_balanced) {
            break_patterns(s, a, b);
            limit--;
        }
        sorted_hint hint;
        ptrdiff_t pivot = choose_pivot(s, a, b, &hint);
        if (hint == DECREASING_HINT) {
            reverse_range(s, a, b);
            pivot = (b - 1) - (pivot - a);
            hint = INCREASING_HINT;
        }
        if (was_balanced && was_partitioned && hint == INCREASING_HINT &&
            partial_insertion_sort(s, a, b))
            return;
        if (a > 0 && !lt(s, a - 1, pivot)) {
            a = partition_equal(s, a, b, pivot);
            continue;
        }
        bool already;
        ptrdiff_t mid = partition(s, a, b, pivot, &already);
        was_partitioned = already;
        ptrdiff_t left = mid - a, right = b - mid, threshold = length / 8;
        if (left < right) {
            was_balanced = left >= threshold;
            pdqsort(s, a, mid, limit);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(s, mid + 1, b, limit);
            b = mid;
        }
    }
}

void kr_go_sort(void **v, size_t n, bool (*less)(const void *, const void *, void *), void *arg)
{
    if (n <= 1)
        return;
    sorter s = {v, less, arg};
    pdqsort(&s, 0, (ptrdiff_t)n, bit_len((uint64_t)n));
}
