/* sim/blkback/grants.c - see grants.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grants.h"

int grants_init(struct grants *g, struct dom0 *dom0, uint32_t domid, bool persistent,
                uint32_t max_persistent, uint32_t max_segments)
{
    *g = (struct grants){.dom0 = dom0, .domid = domid, .persistent = persistent};
    /* Room for a request's segments, or an indirect request's pages. */
    g->scratch_room = max_segments > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST
                          ? max_segments
                          : BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST;
    g->refs = calloc(g->scratch_room, sizeof(*g->refs));
    g->index = calloc(g->scratch_room, sizeof(*g->index));
    g->found = calloc(g->scratch_room, sizeof(*g->found));
    g->segment_refs = calloc(g->scratch_room, sizeof(*g->segment_refs));
    if (persistent && max_persistent > 0) {
        g->max = max_persistent;
        /* At most half full, so a probe always ends at an empty slot. */
        g->capacity = 16;
        while (g->capacity < 2 * max_persistent)
            g->capacity *= 2;
        g->table = calloc(g->capacity, sizeof(*g->table));
    }
    if (g->refs == NULL || g->index == NULL || g->found == NULL || g->segment_refs == NULL ||
        (g->max > 0 && g->table == NULL)) {
        grants_release(g);
        return -ENOMEM;
    }
    return 0;
}

void grants_release(struct grants *g)
{
    for (uint32_t i = 0; i < g->nr_mappings; i++)
        dom0_unmap(g->dom0, g->mappings[i].pages, g->mappings[i].count);
    free(g->mappings);
    free(g->table);
    free(g->refs);
    free(g->index);
    free(g->found);
    free(g->segment_refs);
    g->mappings = NULL;
    g->table = NULL;
    g->refs = g->index = g->segment_refs = NULL;
    g->found = NULL;
    g->count = g->capacity = g->nr_mappings = g->mappings_room = 0;
}

static struct persistent_grant *slot_of(const struct grants *g, uint32_t gref)
{
    uint32_t i = (gref * 2654435761u) & (g->capacity - 1);

    while (g->table[i].page && g->table[i].gref != gref)
        i = (i + 1) & (g->capacity - 1);
    return &g->table[i];
}

/* The page of @gref if it is kept mapped, else NULL. */
static uint8_t *persistent_lookup(const struct grants *g, uint32_t gref)
{
    return g->table ? slot_of(g, gref)->page : NULL;
}

static bool note_mapping(struct grants *g, uint8_t *pages, uint32_t count)
{
    if (g->nr_mappings == g->mappings_room) {
        uint32_t room = g->mappings_room ? 2 * g->mappings_room : 64;
        struct persistent_mapping *more = realloc(g->mappings, room * sizeof(*more));

        if (more == NULL)
            return false;
        g->mappings = more;
        g->mappings_room = room;
    }
    g->mappings[g->nr_mappings++] = (struct persistent_mapping){pages, count};
    return true;
}

/*
 * Keep the @count grants @refs (none of them kept yet, no two alike)
 * mapped, in one call, as far as there is room: their pages in @pages[j],
 * NULL for those not kept. Writable whatever this request does: later ones
 * may read into them (blkif.h note 8).
 */
static void persistent_map(struct grants *g, const uint32_t *refs, uint32_t count, uint8_t **pages)
{
    uint32_t n = g->max - g->count < count ? g->max - g->count : count;
    uint8_t *mapped = n > 0 ? dom0_map(g->dom0, g->domid, refs, n, true) : NULL;

    if (mapped && !note_mapping(g, mapped, n)) {
        dom0_unmap(g->dom0, mapped, n);
        mapped = NULL;
    }
    for (uint32_t j = 0; j < count; j++)
        pages[j] = NULL;
    if (mapped == NULL && n > 1) {
        /* One of them would not map (granted read-only, say): the others one by one. */
        for (uint32_t j = 0; j < n; j++)
            persistent_map(g, &refs[j], 1, &pages[j]);
        return;
    }
    for (uint32_t j = 0; mapped && j < n; j++) {
        struct persistent_grant *slot = slot_of(g, refs[j]);

        pages[j] = mapped + (size_t)j * BLK_PAGE_SIZE;
        slot->gref = refs[j];
        slot->page = pages[j];
        g->count++;
    }
}

/*
 * The page of each of the @count grants @refs in @pages (@count at most
 * scratch_room): those kept, and those new to us kept from now on where
 * there is room. The rest (no room, or one of them cannot be mapped
 * writable) are NULL.
 */
static void persistent_pages(struct grants *g, const uint32_t *refs, uint32_t count,
                             uint8_t **pages)
{
    uint32_t fresh = 0;

    for (uint32_t i = 0; i < count; i++) {
        pages[i] = persistent_lookup(g, refs[i]);
        if (pages[i] || g->table == NULL)
            continue;
        /* The same grant twice in a request (two parts of one page): mapped once. */
        bool twice = false;

        for (uint32_t j = 0; j < fresh && !twice; j++)
            twice = g->refs[j] == refs[i];
        if (!twice) {
            g->refs[fresh] = refs[i];
            g->index[fresh++] = i;
        }
    }
    if (fresh == 0)
        return;
    persistent_map(g, g->refs, fresh, g->found);
    for (uint32_t j = 0; j < fresh; j++)
        pages[g->index[j]] = g->found[j];
    for (uint32_t i = 0; i < count; i++)
        if (pages[i] == NULL)
            pages[i] = persistent_lookup(g, refs[i]);
}

/*
 * Map the grants @refs[j] of the pages still NULL in @pages for the caller
 * alone, in one call. Returns the mapping (NULL: nothing to map, or -EFAULT
 * in *err), and how many in *mapped.
 */
static uint8_t *map_rest(struct grants *g, const uint32_t *refs, uint32_t count, bool writable,
                         uint8_t **pages, uint32_t *mapped, int *err)
{
    uint32_t rest = 0;
    uint8_t *region;

    *mapped = 0;
    *err = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (pages[i] == NULL) {
            g->refs[rest] = refs[i];
            g->index[rest++] = i;
        }
    }
    if (rest == 0)
        return NULL;
    region = dom0_map(g->dom0, g->domid, g->refs, rest, writable);
    if (region == NULL) {
        *err = -EFAULT;
        return NULL;
    }
    for (uint32_t j = 0; j < rest; j++)
        pages[g->index[j]] = region + (size_t)j * BLK_PAGE_SIZE;
    *mapped = rest;
    return region;
}

int grants_get(struct grants *g, const struct blk_op *op, bool writable, uint8_t **pages,
               struct request_maps *maps)
{
    int err;

    for (uint32_t i = 0; i < op->nr_segments; i++)
        g->segment_refs[i] = op->segs[i].gref;
    persistent_pages(g, g->segment_refs, op->nr_segments, pages);
    maps->pages =
        map_rest(g, g->segment_refs, op->nr_segments, writable, pages, &maps->count, &err);
    return err;
}

void grants_put(struct grants *g, struct request_maps *maps)
{
    if (maps->pages && dom0_unmap(g->dom0, maps->pages, maps->count) != 0)
        fprintf(stderr, "winpv-blkback: unmapping %u grants failed\n", maps->count);
    maps->pages = NULL;
    maps->count = 0;
}

int grants_copy_pages(struct grants *g, const uint32_t *refs, uint32_t count, uint8_t *dst)
{
    uint8_t *pages[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
    uint32_t mapped;
    uint8_t *region;
    int err;

    if (count > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
        return -EFAULT;
    persistent_pages(g, refs, count, pages);
    region = map_rest(g, refs, count, false, pages, &mapped, &err);
    if (err)
        return err;
    for (uint32_t i = 0; i < count; i++)
        memcpy(dst + (size_t)i * BLK_PAGE_SIZE, pages[i], BLK_PAGE_SIZE);
    if (region)
        dom0_unmap(g->dom0, region, mapped);
    return 0;
}
