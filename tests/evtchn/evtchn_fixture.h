/*
 * tests/evtchn/evtchn_fixture.h - the event-channel engine on winpv-simd: a
 * 2-vCPU domain with this process as its guest (tests/support/sim/sim_fixture), its
 * shared_info page, and an engine whose evtchn_upcall runs for every upcall
 * the simulator delivers. Each group runs twice: with the hypervisor
 * refusing FIFO ($WINPV_SIMD_NO_FIFO, so the engine uses 2-level) and with
 * FIFO.
 */
#ifndef WINPV_TESTS_EVTCHN_FIXTURE_H
#define WINPV_TESTS_EVTCHN_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtchn/evtchn.h"
#include "support/sim/sim_fixture.h"

#define TEST_VCPUS 2

extern struct evtchn_engine *engine;
extern struct hv_shared_info *shared;

struct CMUnitTest;

/*
 * Run @tests as two groups, "@name 2-level" and "@name FIFO", the FIFO group
 * followed by @fifo_only (tests of what 2-level does not have: they are not
 * in the 2-level group at all). Each group ends with a test that destroys
 * the engine and finds every page given back. Returns the failures.
 */
int evtchn_run_groups(const char *name, const struct CMUnitTest *tests, size_t count,
                      const struct CMUnitTest *fifo_only, size_t fifo_only_count);

/* The ABI the running group expects the engine to use. */
enum evtchn_abi_kind expected_abi(void);

/* What a channel's callback saw. */
struct recorder {
    uint32_t calls;
    uint32_t on_vcpu[TEST_VCPUS];
    uint32_t last_vcpu;
};

/* A callback that records into the struct recorder it is given. */
void record(void *ctx, unsigned int vcpu);
uint32_t calls(const struct recorder *r);

/* Wait up to @ms until @r has seen at least @n calls; returns whether it did. */
bool wait_calls(const struct recorder *r, uint32_t n, int ms);

/* Whether @r's count stays at @n for @ms (no extra call). */
bool stays_at(const struct recorder *r, uint32_t n, int ms);

/*
 * A channel to dom0: an unbound port of ours that dom0's event handle bound
 * (dom0's port in *dom0_port, its binding event drained and unmasked).
 */
struct evtchn_channel *open_dom0_channel(struct recorder *r, uint32_t *dom0_port);

/* The same, with callback @fn(@ctx). */
struct evtchn_channel *open_dom0_channel_fn(evtchn_fn fn, void *ctx, uint32_t *dom0_port);

#endif /* WINPV_TESTS_EVTCHN_FIXTURE_H */
