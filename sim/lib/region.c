/* sim/lib/region.c - consecutive addresses for pages of a domain's memory file. */
#include <errno.h>
#include <sys/mman.h>

#include "region.h"

void *region_reserve(void *hint, size_t pages, int flags)
{
    void *base;

    if (pages == 0 || pages > SIZE_MAX / SIMLIB_PAGE_SIZE) {
        errno = EINVAL;
        return NULL;
    }
    flags &= MAP_FIXED | MAP_FIXED_NOREPLACE;
    base =
        mmap(hint, pages * SIMLIB_PAGE_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
    return base == MAP_FAILED ? NULL : base;
}

int region_fill(void *base, const struct memfile *file, const uint64_t *offsets, size_t pages,
                int prot)
{
    size_t run;

    for (size_t i = 0; i < pages; i += run) {
        char *at = (char *)base + i * SIMLIB_PAGE_SIZE;

        run = 1;
        if (offsets[i] == SIM_NO_FRAME)
            continue;
        while (i + run < pages && offsets[i + run] == offsets[i] + run * SIMLIB_PAGE_SIZE)
            run++;
        if (mmap(at, run * SIMLIB_PAGE_SIZE, prot, MAP_SHARED | MAP_FIXED, file->fd,
                 (off_t)offsets[i]) == MAP_FAILED)
            return -1;
    }
    return 0;
}

void region_release(void *base, size_t pages)
{
    munmap(base, pages * SIMLIB_PAGE_SIZE);
}
