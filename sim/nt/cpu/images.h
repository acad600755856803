/*
 * sim/nt/cpu/images.h - the prepared images and their rewritten
 * instructions, as the signal handler looks them up. Internal to
 * sim/nt/cpu.
 *
 * Lookups run in a signal handler that may have interrupted anything, so
 * they take no lock: the table is an array of atomic pointers to records
 * that never change once published. Adding and removing records are
 * serialised by a mutex among themselves; a removed record is freed only
 * once no lookup that could have seen it is still running.
 */
#ifndef WINPV_SIM_NT_CPU_IMAGES_H
#define WINPV_SIM_NT_CPU_IMAGES_H

#include "insn.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many images may be prepared at once. */
#define NT_CPU_MAX_IMAGES 256

/* A rewritten instruction: where it was and what it was. */
struct nt_site {
    uint32_t rva;
    struct nt_insn insn;
};

/* One prepared image; sites sorted by rva, no two alike. */
struct nt_image {
    uintptr_t base;
    size_t size;
    size_t site_count;
    struct nt_site sites[];
};

/* What a lookup found: the image around an address and the site there. */
struct nt_image_hit {
    uintptr_t base;
    size_t size;
    bool has_site;
    struct nt_insn site; /* when has_site */
};

/*
 * Publishes @image (allocated with malloc; the table owns it from here on).
 * Returns 0, -EEXIST when it overlaps an image already there (nothing is
 * taken) or -ENOSPC when the table is full.
 */
int nt_images_add(struct nt_image *image);

/* Takes the image at @base out of the table and frees it. -ENOENT when
 * there is none. */
int nt_images_remove(uintptr_t base, size_t size);

/* Whether @address lies in a prepared image; @hit says which and whether a
 * rewritten instruction starts at @address. Lock-free: for signal handlers. */
bool nt_images_find(uintptr_t address, struct nt_image_hit *hit);

#endif /* WINPV_SIM_NT_CPU_IMAGES_H */
