/*
 * sim/blkback/options.h - what winpv-blkback offers, from its command line.
 *
 * Every protocol feature can be switched off, so tests can run a frontend
 * against each combination; and the backend can break the rules on
 * purpose (a wrong answer, nodes that make no sense: misbehave.h), so they
 * can run it against a hostile one. The device itself (image, mode,
 * device type) is not here: the toolstack writes it into the backend's
 * xenstore directory, as Xen's does for a vbd.
 */
#ifndef WINPV_BLKBACK_OPTIONS_H
#define WINPV_BLKBACK_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "misbehave.h"

/* Limits of what the options may ask for. */
#define BLKBACK_MAX_QUEUES          16
#define BLKBACK_MAX_RING_PAGE_ORDER 4    /* 16 pages a ring */
#define BLKBACK_MAX_INDIRECT_SEGS   4096 /* BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST pages of 512 */
#define BLKBACK_MAX_INFLIGHT        1024
#define BLKBACK_MAX_NODES           8 /* --node overrides */

struct blkback_options {
    const char *backend_path;       /* /local/domain/0/backend/vbd/D/V */
    uint32_t max_queues;            /* 1: multi-queue not offered */
    uint32_t max_ring_page_order;   /* 0: multi-page rings not offered */
    uint32_t max_indirect_segments; /* 0: BLKIF_OP_INDIRECT not offered */
    bool persistent;                /* feature-persistent */
    uint32_t max_persistent_grants; /* mapped at once, per queue */
    bool flush;                     /* feature-flush-cache */
    bool barrier;                   /* feature-barrier */
    bool discard;                   /* feature-discard */
    bool discard_secure;            /* discard-secure */
    uint32_t discard_granularity;   /* bytes; 0: the sector size */
    uint32_t discard_alignment;     /* bytes */
    uint32_t sector_size;           /* logical, bytes: 512..4096, a power of two */
    uint32_t physical_sector_size;  /* bytes; 0: the sector size */
    uint32_t max_inflight;          /* requests being served at once, all queues */
    uint32_t poll_us;               /* looking for requests before sleeping (device_idle) */
    /* A backend that breaks the rules, for a frontend's tests (misbehave.h): */
    enum misbehaviour misbehave; /* what goes wrong ... */
    uint32_t misbehave_after;    /* ... after this many proper answers */
    /*
     * "NAME=VALUE": node NAME of our directory holds VALUE, whatever we
     * would write there (written with the features, and in place of each
     * write of ours); nonsense too.
     */
    const char *nodes[BLKBACK_MAX_NODES];
    uint32_t nr_nodes;
};

/* The value --node gives node @name, or NULL when none does. */
const char *options_node(const struct blkback_options *opt, const char *name);

/*
 * Fill @opt from argv (see usage in options.c). Returns 0, or -1 after
 * printing what is wrong and the usage to stderr.
 */
int options_parse(struct blkback_options *opt, int argc, char **argv);

#endif /* WINPV_BLKBACK_OPTIONS_H */
