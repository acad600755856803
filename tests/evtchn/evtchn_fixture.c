/* tests/evtchn/evtchn_fixture.c - see evtchn_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "evtchn_fixture.h"
#include "support/sim/guest_events.h"
#include "guest.h"
#include "hv/shared_info.h"
#include "os_posix.h"

struct evtchn_engine *engine;
struct hv_shared_info *shared;
static struct guest_events events; /* engine and shared are its */

static enum evtchn_abi_kind group_abi;
static size_t pages_at_start;

static int teardown(void **state);

static int setup(enum evtchn_abi_kind abi)
{
    int rc;

    group_abi = abi;
    if (abi == EVTCHN_ABI_2L)
        setenv("WINPV_SIMD_NO_FIFO", "1", 1); /* read by the daemon the fixture starts */
    rc = sim_fixture_setup(NULL);
    unsetenv("WINPV_SIMD_NO_FIFO");
    if (rc)
        return rc;
    pages_at_start = os_posix_guest_pages_in_use();
    rc = guest_events_start(&events, TEST_VCPUS);
    engine = events.engine;
    shared = events.shared;
    if (rc == 0 && evtchn_abi(engine) != abi) {
        fprintf(stderr, "evtchn fixture: engine chose ABI %d, expected %d\n", evtchn_abi(engine),
                abi);
        rc = -1;
    }
    if (rc) {
        teardown(NULL);
        return -1;
    }
    return 0;
}

static int setup_2l(void **state)
{
    return setup(EVTCHN_ABI_2L);
}

static int setup_fifo(void **state)
{
    return setup(EVTCHN_ABI_FIFO);
}

static void destroy_engine(void)
{
    guest_events_stop(&events);
    engine = NULL;
    shared = NULL;
}

static int teardown(void **state)
{
    destroy_engine();
    return sim_fixture_teardown(state);
}

/* Last test of a group: destroy the engine and shared_info; every page is back. */
static void test_destroy_gives_every_page_back(void **state)
{
    destroy_engine();
    assert_int_equal(os_posix_guest_pages_in_use(), pages_at_start);
}

/* Run "@name @abi_name": @tests, then @more, then the page check. */
static int run_group(const char *name, const char *abi_name, int (*setup)(void **),
                     const struct CMUnitTest *tests, size_t count, const struct CMUnitTest *more,
                     size_t more_count)
{
    struct CMUnitTest *list = calloc(count + more_count + 1, sizeof(*list));
    struct CMUnitTest last = cmocka_unit_test(test_destroy_gives_every_page_back);
    char group[128];
    int failed;

    if (!list)
        return 1;
    for (size_t i = 0; i < count; i++)
        list[i] = tests[i];
    for (size_t i = 0; i < more_count; i++)
        list[count + i] = more[i];
    list[count + more_count] = last;
    snprintf(group, sizeof(group), "%s %s", name, abi_name);
    failed = _cmocka_run_group_tests(group, list, count + more_count + 1, setup, teardown);
    free(list);
    return failed;
}

int evtchn_run_groups(const char *name, const struct CMUnitTest *tests, size_t count,
                      const struct CMUnitTest *fifo_only, size_t fifo_only_count)
{
    int failed = run_group(name, "2-level", setup_2l, tests, count, NULL, 0);

    return failed + run_group(name, "FIFO", setup_fifo, tests, count, fifo_only, fifo_only_count);
}

enum evtchn_abi_kind expected_abi(void)
{
    return group_abi;
}

void record(void *ctx, unsigned int vcpu)
{
    struct recorder *r = ctx;

    if (vcpu < TEST_VCPUS)
        __atomic_fetch_add(&r->on_vcpu[vcpu], 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&r->last_vcpu, vcpu, __ATOMIC_SEQ_CST);
    __atomic_fetch_add(&r->calls, 1, __ATOMIC_SEQ_CST);
}

uint32_t calls(const struct recorder *r)
{
    return __atomic_load_n(&r->calls, __ATOMIC_SEQ_CST);
}

bool wait_calls(const struct recorder *r, uint32_t n, int ms)
{
    for (int i = 0; i < ms && calls(r) < n; i++)
        usleep(1000);
    return calls(r) >= n;
}

bool stays_at(const struct recorder *r, uint32_t n, int ms)
{
    usleep((useconds_t)ms * 1000);
    return calls(r) == n;
}

struct evtchn_channel *open_dom0_channel(struct recorder *r, uint32_t *dom0_port)
{
    return open_dom0_channel_fn(record, r, dom0_port);
}

struct evtchn_channel *open_dom0_channel_fn(evtchn_fn fn, void *ctx, uint32_t *dom0_port)
{
    struct evtchn_bind how = {.kind = EVTCHN_UNBOUND, .remote_domid = 0};
    struct evtchn_channel *ch;

    assert_int_equal(evtchn_open(engine, &how, fn, ctx, &ch), 0);
    *dom0_port = dom0_bind_to_guest(evtchn_port(ch));
    return ch;
}
