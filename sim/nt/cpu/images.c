/*
 * sim/nt/cpu/images.c - the table of prepared images (see images.h).
 */
#include "images.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

static _Atomic(struct nt_image *) images[NT_CPU_MAX_IMAGES];
/* Lookups running now: a removed record waits for this to reach zero. */
static atomic_uint lookups;
static pthread_mutex_t writers = PTHREAD_MUTEX_INITIALIZER;

static bool overlaps(const struct nt_image *image, uintptr_t base, size_t size)
{
    return base < image->base + image->size && image->base < base + size;
}

int nt_images_add(struct nt_image *image)
{
    int free_slot = -1;

    pthread_mutex_lock(&writers);
    for (int i = 0; i < NT_CPU_MAX_IMAGES; i++) {
        struct nt_image *other = atomic_load(&images[i]);

        if (!other) {
            if (free_slot < 0)
                free_slot = i;
        } else if (overlaps(other, image->base, image->size)) {
            pthread_mutex_unlock(&writers);
            return -EEXIST;
        }
    }
    if (free_slot >= 0)
        atomic_store(&images[free_slot], image);
    pthread_mutex_unlock(&writers);
    return free_slot >= 0 ? 0 : -ENOSPC;
}

int nt_images_remove(uintptr_t base, size_t size)
{
    struct nt_image *found = NULL;

    pthread_mutex_lock(&writers);
    for (int i = 0; i < NT_CPU_MAX_IMAGES && !found; i++) {
        struct nt_image *image = atomic_load(&images[i]);

        if (image && image->base == base && image->size == size) {
            atomic_store(&images[i], NULL);
            found = image;
        }
    }
    pthread_mutex_unlock(&writers);
    if (!found)
        return -ENOENT;
    /* A lookup that began before the store may still read the record; one
     * that begins after cannot find it. Lookups are short (no callback runs
     * inside one), so wait for a moment with none. */
    while (atomic_load(&lookups) != 0)
        sched_yield();
    free(found);
    return 0;
}

static const struct nt_site *find_site(const struct nt_image *image, uint32_t rva)
{
    size_t low = 0, high = image->site_count;

    while (low < high) {
        size_t mid = low + (high - low) / 2;

        if (image->sites[mid].rva == rva)
            return &image->sites[mid];
        if (image->sites[mid].rva < rva)
            low = mid + 1;
        else
            high = mid;
    }
    return NULL;
}

bool nt_images_find(uintptr_t address, struct nt_image_hit *hit)
{
    bool found = false;

    atomic_fetch_add(&lookups, 1);
    for (int i = 0; i < NT_CPU_MAX_IMAGES && !found; i++) {
        const struct nt_image *image = atomic_load(&images[i]);
        const struct nt_site *site;

        if (!image || address < image->base || address - image->base >= image->size)
            continue;
        found = true;
        hit->base = image->base;
        hit->size = image->size;
        site = find_site(image, (uint32_t)(address - image->base));
        hit->has_site = site != NULL;
        if (site)
            hit->site = site->insn;
    }
    atomic_fetch_sub(&lookups, 1);
    return found;
}
