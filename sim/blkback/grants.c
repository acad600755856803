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
    g->refs = calloc(max_segments, sizeof(*g->refs));
    g->index = calloc(max_segments, sizeof(*g->index));
    if (persistent && max_persistent > 0) {
        g->max = max_persistent;
        /* At most half full, so a probe always ends at an empty slot. */
        g->capacity = 16;
        while (g->capacity < 2 * max_persistent)
            g->capacity *= 2;
        g->table = calloc(g->capacity, sizeof(*g->table));
    }
    if (g->refs == NULL || g->index == NULL || (g->max > 0 && g->table == NULL)) {
        grants_release(g);
        return -ENOMEM;
    }
    return 0;
}

void grants_release(struct grants *g)
{
    for (uint32_t i = 0; i < g->capacity && g->table; i++)
        if (g->table[i].page)
            dom0_unmap(g->dom0, g->table[i].page, 1);
    free(g->table);
    free(g->refs);
    free(g->index);
    g->table = NULL;
    g->refs = g->index = NULL;
    g->count = g->capacity = 0;
}

static struct persistent_grant *slot_of(const struct grants *g, uint32_t gref)
{
    uint32_t i = (gref * 2654435761u) & (g->capacity - 1);

    while (g->table[i].page && g->table[i].gref != gref)
        i = (i + 1) & (g->capacity - 1);
    return &g->table[i];
}

/* The persistently mapped page of @gref, mapping it if there is room; NULL if not kept. */
static uint8_t *persistent_page(struct grants *g, uint32_t gref)
{
    struct persistent_grant *slot;

    if (g->table == NULL)
        return NULL;
    slot = slot_of(g, gref);
    if (slot->page || g->count == g->max)
        return slot->page;
    /* Writable whatever this request does: later ones may read into it (blkif.h note 8). */
    slot->page = dom0_map(g->dom0, g->domid, &gref, 1, true);
    if (slot->page == NULL)
        return NULL;
    slot->gref = gref;
    g->count++;
    return slot->page;
}

int grants_get(struct grants *g, const struct blk_op *op, bool writable, uint8_t **pages,
               struct request_maps *maps)
{
    uint32_t rest = 0;

    maps->pages = NULL;
    maps->count = 0;
    for (uint32_t i = 0; i < op->nr_segments; i++) {
        pages[i] = persistent_page(g, op->segs[i].gref);
        if (pages[i] == NULL) {
            g->refs[rest] = op->segs[i].gref;
            g->index[rest++] = i;
        }
    }
    if (rest == 0)
        return 0;
    maps->pages = dom0_map(g->dom0, g->domid, g->refs, rest, writable);
    if (maps->pages == NULL)
        return -EFAULT;
    maps->count = rest;
    for (uint32_t j = 0; j < rest; j++)
        pages[g->index[j]] = maps->pages + (size_t)j * BLK_PAGE_SIZE;
    return 0;
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
    uint32_t rest = 0;
    uint8_t *mapped;

    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *page = persistent_page(g, refs[i]);

        if (page)
            memcpy(dst + (size_t)i * BLK_PAGE_SIZE, page, BLK_PAGE_SIZE);
        else {
            g->refs[rest] = refs[i];
            g->index[rest++] = i;
        }
    }
    if (rest == 0)
        return 0;
    mapped = dom0_map(g->dom0, g->domid, g->refs, rest, false);
    if (mapped == NULL)
        return -EFAULT;
    for (uint32_t j = 0; j < rest; j++)
        memcpy(dst + (size_t)g->index[j] * BLK_PAGE_SIZE, mapped + (size_t)j * BLK_PAGE_SIZE,
               BLK_PAGE_SIZE);
    dom0_unmap(g->dom0, mapped, rest);
    return 0;
}
