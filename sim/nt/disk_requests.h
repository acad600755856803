/*
 * sim/nt/disk_requests.h - what the disk class's requests for a program
 * (disk_io.c, disk_run.c) share: sets of requests kept with the miniport,
 * how one that came back is judged (a unit attention retried, as the class
 * driver does), and a workload's checks and places. Context: PASSIVE_LEVEL.
 */
#ifndef WINPV_SIM_NT_DISK_REQUESTS_H
#define WINPV_SIM_NT_DISK_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "disk_class.h"

#define DISK_QD_MAX 256 /* requests a workload keeps out at most */

/* @n requests of @length bytes each on @d at @r: 0, or -1 (none left made). */
int disk_requests_new(struct disk_use *d, struct storport_request *r, unsigned int n,
                      uint32_t length);
/* Take back every one of the @n requests at @r still out, then free them all. */
void disk_requests_free(struct storport_request *r, struct storport_request **ptrs, unsigned int n);

/* A workload's requests, and pointers to each for storport_request_wait. */
struct disk_request_set {
    struct storport_request *r, **ptrs;
    unsigned int n;
};

/* @n requests of @length bytes each on @d in @s: 0, or -1 with the reason in @answer. */
int disk_request_set_new(struct disk_use *d, struct disk_request_set *s, unsigned int n,
                         uint32_t length, char *answer, size_t size);
/* Those of @s still out taken back (and not counted), then every one freed. */
void disk_request_set_free(struct disk_request_set *s);

/* Whether @r, taken back, moved all it was started with; the reason in @why when not. */
bool disk_request_done(const struct disk_use *d, const struct storport_request *r, char *why,
                       size_t size);
/*
 * Whether @r, taken back with a unit attention, was started again with the
 * same command, as the disk class retries it (DISK_CLASS_RETRIES times).
 */
bool disk_request_restarted(struct disk_use *d, struct storport_request *r);

uint64_t disk_now_ns(clockid_t clock);

/* A first block for @count blocks anywhere in @span blocks, aligned to @count (xorshift of *@seed). */
uint64_t disk_random_lba(uint64_t span, uint32_t count, uint64_t *seed);

/*
 * The next request's first block of @count, in a span of @span blocks: in
 * turn from *@cursor, or anywhere aligned to its size (disk_random_lba).
 */
uint64_t disk_next_lba(const struct disk_workload *w, uint64_t span, uint32_t count,
                       uint64_t *cursor, uint64_t *seed);

/* Whether @w suits @d: 0, or -1 with the reason in @answer. */
int disk_workload_checked(const struct disk_use *d, const struct disk_workload *w, char *answer,
                          size_t size);

#endif /* WINPV_SIM_NT_DISK_REQUESTS_H */
