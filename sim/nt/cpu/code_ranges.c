/*
 * sim/nt/cpu/code_ranges.c - the code of an executable section as
 * nt_cpu_prepare_image needs it listed (nt_cpu_section_code): the .pdata
 * functions, and the gaps between them, where leaf functions live.
 */
#include "code_ranges.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int by_begin(const void *a, const void *b)
{
    const struct nt_code_range *x = a, *y = b;

    return (x->begin > y->begin) - (x->begin < y->begin);
}

struct nt_code_range *nt_code_ranges_sorted(const struct nt_code_range *ranges, size_t count)
{
    struct nt_code_range *sorted = malloc((count ? count : 1) * sizeof(*sorted));

    if (sorted && count) {
        memcpy(sorted, ranges, count * sizeof(*sorted));
        qsort(sorted, count, sizeof(*sorted), by_begin);
    }
    return sorted;
}

static bool inside(struct nt_code_range function, struct nt_code_range section)
{
    return function.begin >= section.begin && function.end <= section.end;
}

static bool outside(struct nt_code_range function, struct nt_code_range section)
{
    return function.end <= section.begin || function.begin >= section.end;
}

/* Appends [begin, end) to @out unless it is empty. */
static int append(struct nt_code_range *out, size_t max, size_t *n, uint32_t begin, uint32_t end)
{
    if (begin >= end)
        return 0;
    if (*n == max)
        return -ENOSPC;
    out[(*n)++] = (struct nt_code_range){.begin = begin, .end = end};
    return 0;
}

int nt_cpu_section_code(struct nt_code_range section, const struct nt_code_range *functions,
                        size_t count, struct nt_code_range *out, size_t max)
{
    struct nt_code_range *sorted;
    uint32_t covered = section.begin;
    size_t n = 0;
    int rc = 0;

    if (section.begin >= section.end || (count && !functions) || (max && !out))
        return -EINVAL;
    sorted = nt_code_ranges_sorted(functions, count);
    if (!sorted)
        return -ENOMEM;
    for (size_t i = 0; i < count && rc == 0; i++) {
        if (outside(sorted[i], section))
            continue;
        /* Straddling the section's edge, overlapping another or empty:
         * not something a linker writes. */
        if (!inside(sorted[i], section) || sorted[i].begin < covered ||
            sorted[i].begin >= sorted[i].end) {
            rc = -EINVAL;
            break;
        }
        rc = append(out, max, &n, covered, sorted[i].begin);
        if (rc == 0)
            rc = append(out, max, &n, sorted[i].begin, sorted[i].end);
        covered = sorted[i].end;
    }
    if (rc == 0)
        rc = append(out, max, &n, covered, section.end);
    free(sorted);
    return rc == 0 ? (int)n : rc;
}
