/*
 * tests/ring/ring_fixture.h - a ring of test entries in its own heap block,
 * sized exactly, so ASan reports any access outside the ring.
 */
#ifndef WINPV_TESTS_RING_FIXTURE_H
#define WINPV_TESTS_RING_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>

#include "ring/ring.h"

/* A test protocol: requests carry a sequence number, responses echo it. */
union test_entry {
    struct {
        uint64_t seq;
        uint32_t payload;
    } req;
    struct {
        uint64_t seq;
        int32_t status;
    } rsp;
};

struct ring_pair {
    void *shared;
    size_t bytes;
    struct ring_front front;
    struct ring_back back;
};

/* A front and a back end on one ring of @bytes, both indices at @start. */
static inline void ring_pair_init(struct ring_pair *pair, size_t bytes, RING_IDX start)
{
    pair->bytes = bytes;
    pair->shared = calloc(1, bytes);
    if (pair->shared == NULL)
        abort();
    if (ring_front_init(&pair->front, pair->shared, bytes, sizeof(union test_entry)) != 0)
        abort();
    if (start != 0) {
        struct xen_sring_header *sring = pair->shared;

        sring->req_prod = sring->rsp_prod = start;
        sring->req_event = sring->rsp_event = start + 1;
        ring_front_attach(&pair->front, pair->shared, bytes, sizeof(union test_entry), start);
    }
    if (ring_back_attach(&pair->back, pair->shared, bytes, sizeof(union test_entry), start) != 0)
        abort();
}

static inline void ring_pair_fini(struct ring_pair *pair)
{
    free(pair->shared);
}

#endif /* WINPV_TESTS_RING_FIXTURE_H */
