/* sim/nt/disk_requests.c - see disk_requests.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_requests.h"
#include "scsi/bytes.h"

/* @n requests of @length bytes each on @d: 0, or -1 (none left made). */
int disk_requests_new(struct disk_use *d, struct storport_request *r, unsigned int n,
                      uint32_t length)
{
    for (unsigned int i = 0; i < n; i++) {
        if (storport_request_init(&r[i], d->a, length) == 0)
            continue;
        while (i > 0)
            storport_request_fini(&r[--i]);
        return -1;
    }
    return 0;
}

/* Take back every one of the @n requests still out, then free them all. */
void disk_requests_free(struct storport_request *r, struct storport_request **ptrs, unsigned int n)
{
    bool started = true;

    while (started) {
        started = false;
        for (unsigned int i = 0; i < n && !started; i++)
            started = r[i].started;
        if (started)
            storport_request_wait(ptrs, n);
    }
    for (unsigned int i = 0; i < n; i++)
        storport_request_fini(&r[i]);
}

/* @n requests of @length bytes each on @d in @s: 0, or -1 with the reason in @answer. */
int disk_request_set_new(struct disk_use *d, struct disk_request_set *s, unsigned int n,
                         uint32_t length, char *answer, size_t size)
{
    s->n = n;
    s->r = calloc(n, sizeof(*s->r));
    s->ptrs = calloc(n, sizeof(*s->ptrs));
    if (s->r == NULL || s->ptrs == NULL || disk_requests_new(d, s->r, n, length) != 0) {
        free(s->r);
        free(s->ptrs);
        s->r = NULL;
        s->ptrs = NULL;
        snprintf(answer, size, "disk %u: no memory for %u requests of %u bytes", d->number, n,
                 length);
        return -1;
    }
    for (unsigned int i = 0; i < n; i++)
        s->ptrs[i] = &s->r[i];
    return 0;
}

/* Those of @s still out taken back (and not counted), then every one freed. */
void disk_request_set_free(struct disk_request_set *s)
{
    if (s->r)
        disk_requests_free(s->r, s->ptrs, s->n);
    free(s->r);
    free(s->ptrs);
    s->r = NULL;
    s->ptrs = NULL;
}

/* Whether @r, taken back, moved all it was started with; the reason in @why when not. */
bool disk_request_done(const struct disk_use *d, const struct storport_request *r, char *why,
                       size_t size)
{
    struct srb_outcome out = storport_request_outcome(r);
    uint32_t asked = scsi_get32(r->spec.cdb + 10) * d->block_size; /* READ(16)/WRITE(16)'s count */

    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS && out.transferred == asked)
        return true;
    disk_outcome_text(&out, why, size);
    return false;
}

/*
 * Whether @r, taken back with a unit attention, was started again with the
 * same command, as the disk class retries it (DISK_CLASS_RETRIES times).
 */
bool disk_request_restarted(struct disk_use *d, struct storport_request *r)
{
    struct srb_outcome out = storport_request_outcome(r);
    enum srb_direction dir = r->spec.flags & SRB_FLAGS_DATA_OUT ? SRB_DIR_OUT : SRB_DIR_IN;
    uint8_t cdb[16];

    if (r->attentions >= DISK_CLASS_RETRIES ||
        !disk_class_retry(d->a, d->target, &out, r->spec.cdb[0])) {
        r->attentions = 0;
        return false;
    }
    r->attentions++;
    memcpy(cdb, r->spec.cdb, sizeof(cdb));
    /* READ(16) and WRITE(16) carry their block count at byte 10. */
    storport_request_start(r, d->target, cdb, r->spec.cdb_length, dir,
                           scsi_get32(cdb + 10) * d->block_size);
    return true;
}

uint64_t disk_now_ns(clockid_t clock)
{
    struct timespec t;

    clock_gettime(clock, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

uint64_t disk_random_lba(uint64_t span, uint32_t count, uint64_t *seed)
{
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    return (*seed % (span / count)) * count;
}

uint64_t disk_next_lba(const struct disk_workload *w, uint64_t span, uint32_t count,
                       uint64_t *cursor, uint64_t *seed)
{
    uint64_t lba;

    if (w->random)
        return disk_random_lba(span, count, seed);
    lba = *cursor;
    *cursor = *cursor + count > span - count ? 0 : *cursor + count;
    return lba;
}

int disk_workload_checked(const struct disk_use *d, const struct disk_workload *w, char *answer,
                          size_t size)
{
    if (w->bs == 0 || w->bs % d->block_size)
        snprintf(answer, size, "--bs %u: not a whole number of the disk's %u-byte blocks", w->bs,
                 d->block_size);
    else if (w->bs > d->max_transfer)
        snprintf(answer, size, "--bs %u: above the adapter's largest transfer (%u bytes)", w->bs,
                 d->max_transfer);
    else if (w->bs / d->block_size > d->blocks)
        snprintf(answer, size, "--bs %u: larger than the disk", w->bs);
    else if (w->qd == 0 || w->qd > DISK_QD_MAX)
        snprintf(answer, size, "--qd %u: from 1 to %u", w->qd, DISK_QD_MAX);
    else if (w->seconds == 0 || w->seconds > 3600)
        snprintf(answer, size, "--seconds %u: from 1 to 3600", w->seconds);
    else
        return 0;
    return -1;
}
