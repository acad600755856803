/*
 * tests/sim/nt/xenbus_agent_test.c - the toolstack's power-off, reboot
 * and halt through the shipped xenbus.sys and the guest's user-mode agent
 * in the simulated Windows kernel, on winpv-simd and Debian's C xenstored:
 * with the agent connected the guest offers them, takes the request out
 * of control/shutdown, and Windows shuts down as it would (IRP_MJ_SHUTDOWN
 * to xenbus.sys, then S5 to the device stack) before the domain ends with
 * the reason the toolstack asked for. Without the agent nothing is
 * offered and a request stays where the toolstack wrote it, logged once;
 * the agent leaves when the device stops and comes back when it starts;
 * only SYSTEM and administrators may open the device (xenbus.inf's
 * security); garbage gets a log line and nothing else.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/sched.h>

#include "ntsim_fixture.h"

#define WAIT_MS 20000

static struct ntsim_run run;

static const char *const agent_here = "winpv: xenbus: the agent is here: power-off and reboot "
                                      "offered\n";

static void assert_node(const char *relative, const char *value)
{
    char *got = ntsim_store_read(&run, relative);

    assert_string_equal(got, value);
    free(got);
}

/* Where @what first shows in the log (the test fails if it does not). */
static size_t position(const char *what)
{
    const char *at = strstr(run.log, what);

    if (at == NULL)
        fail_msg("\"%s\" not in the kernel log", what);
    return (size_t)(at - run.log);
}

/*
 * The drivers bound by their INFs (NULL), or @driver alone, with the
 * agent, serving until the toolstack asks.
 */
static void start_with_agent_on(const char *driver, const char *sequence)
{
    const char *args[] = {"--sequence", sequence, "--agent", NULL};

    ntsim_start(&run, driver, args);
    ntsim_require_nth(&run, agent_here, 1, WAIT_MS);
    assert_node("control/feature-poweroff", "1");
    assert_node("control/feature-reboot", "1");
    assert_node("control/feature-suspend", "1");
}

/*
 * The toolstack writes @request; Windows shuts down in order and the
 * domain ends with @reason; the kernel exits 0 without removing the
 * drivers, as a machine that is off.
 */
static void start_with_agent(const char *sequence)
{
    start_with_agent_on(NULL, sequence);
}

static void shut_down_by(const char *request, const char *handed, unsigned int reason,
                         const char *s5, const char *hypercall)
{
    struct sim_domain_info info;

    start_with_agent("start,serve,remove");
    ntsim_store_write(&run, "control/shutdown", request);
    ntsim_require_nth(&run, hypercall, 1, WAIT_MS);
    ntsim_domain_info(&run, &info);
    assert_true(info.flags & SIM_DOMINFO_SHUTDOWN);
    assert_int_equal(info.shutdown_reason, reason);
    assert_node("control/shutdown", "");
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, handed);
    /* Windows's order: user mode ends, IRP_MJ_SHUTDOWN, S5, then the platform. */
    assert_true(position("agent: stopped\n") < position("io: IRP_MJ_SHUTDOWN to device"));
    assert_true(position("winpv: xenbus: Windows shuts down: no request offered from now on\n") <
                position(s5));
    assert_true(position("system: IRP_MJ_SHUTDOWN sent to 1 device(s)\n") < position(s5));
    /* Every stack told, children first: the XENIFACE child's driver, then the bus. */
    assert_true(position("&DEV_IFACE: set S5") < position(s5));
    assert_true(position(s5) < position(hypercall));
    assert_int_equal(ntsim_count(run.log, "pnp: remove:"), 0);
    assert_null(strstr(run.log, "BUGCHECK"));
}

static void test_poweroff(void **state)
{
    shut_down_by("poweroff", "winpv: xenbus: poweroff handed to the agent\n", SHUTDOWN_poweroff,
                 "po: platform device: set S5 -> 0\n",
                 "system: the platform powers off: SCHEDOP_shutdown(poweroff) -> 0\n");
}

static void test_reboot(void **state)
{
    shut_down_by("reboot", "winpv: xenbus: reboot handed to the agent\n", SHUTDOWN_reboot,
                 "po: platform device: set S5 (restart) -> 0\n",
                 "system: the platform resets: SCHEDOP_shutdown(reboot) -> 0\n");
}

/* XAPI's clean shutdown writes "halt": a power-off. */
static void test_halt_is_a_poweroff(void **state)
{
    shut_down_by("halt", "winpv: xenbus: halt handed to the agent\n", SHUTDOWN_poweroff,
                 "po: platform device: set S5 -> 0\n",
                 "system: the platform powers off: SCHEDOP_shutdown(poweroff) -> 0\n");
}

static void test_without_agent_nothing_offered_nothing_taken(void **state)
{
    const char *args[] = {"--sequence", "start,serve,remove", NULL};
    struct sim_domain_info info;

    ntsim_start(&run, NULL, args);
    ntsim_require_nth(&run, "winpv: xenbus: xenstore connected", 1, WAIT_MS);
    assert_true(ntsim_wait_for(&run, "io: interface", WAIT_MS));
    assert_node("control/feature-suspend", "1");
    /* The toolstack made the node, empty, for the guest to fill: it stays so. */
    assert_node("control/feature-poweroff", "");
    ntsim_store_write(&run, "control/shutdown", "poweroff");
    ntsim_require_nth(&run, "asks \"poweroff\", which this guest does not do\n", 1, WAIT_MS);
    assert_node("control/shutdown", "poweroff");
    ntsim_domain_info(&run, &info);
    assert_false(info.flags & SIM_DOMINFO_SHUTDOWN);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_int_equal(ntsim_count(run.log, "does not do\n"), 1);
    assert_null(strstr(run.log, "system:"));
}

/*
 * The agent closes its handle while the device stops and opens it again
 * once it starts: the offer follows it, and the request it then carries
 * out is the one written while it was away.
 */
static void test_agent_follows_the_device(void **state)
{
    /* XENBUS alone: a child driver holding its interfaces would refuse the stop. */
    start_with_agent_on("xenbus.sys", "start,serve,stop,start,serve,remove");
    assert_int_equal(kill(run.pid, SIGTERM), 0); /* the first serve ends: stop, start */
    ntsim_require_nth(&run,
                      "winpv: xenbus: the agent left: power-off and reboot no longer "
                      "offered\n",
                      1, WAIT_MS);
    ntsim_require_nth(&run, agent_here, 2, WAIT_MS);
    assert_node("control/feature-poweroff", "1");
    ntsim_store_write(&run, "control/shutdown", "reboot");
    ntsim_require_nth(&run, "SCHEDOP_shutdown(reboot) -> 0\n", 1, WAIT_MS);
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
    assert_int_equal(ntsim_count(run.log, "agent: connected to XENBUS\n"), 2);
}

/* Garbage is logged once and left; the agent and the offer stay; a request after it works. */
static void test_garbage_gets_a_log_line(void **state)
{
    start_with_agent("start,serve,remove");
    ntsim_store_write(&run, "control/shutdown", "power\x01off");
    ntsim_require_nth(&run, "control/shutdown holds \"power?off\", no request: ignored\n", 1,
                      WAIT_MS);
    assert_node("control/feature-poweroff", "1");
    ntsim_store_write(&run, "control/shutdown", "poweroff");
    ntsim_require_nth(&run, "SCHEDOP_shutdown(poweroff) -> 0\n", 1, WAIT_MS);
    ntsim_finish(&run);
    assert_int_equal(run.exit_status, 0);
}

/*
 * xenbus.inf lets only SYSTEM and administrators open the device: an agent
 * run as a user is refused, and nothing is offered to the toolstack; one
 * run by an administrator gets in.
 */
static void test_only_system_and_administrators_get_in(void **state)
{
    const char *as_user[] = {"--sequence", "start,serve,remove", "--agent=user", NULL};
    const char *as_admin[] = {"--sequence", "start,serve,remove", "--agent=admin", NULL};

    ntsim_start(&run, NULL, as_user);
    ntsim_require_nth(&run, "agent: XENBUS's interface not opened (0xc0000022)", 1, WAIT_MS);
    ntsim_assert_contains(run.log, "io: a user may not open");
    assert_node("control/feature-poweroff", "");
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_int_equal(ntsim_count(run.log, "agent: connected"), 0);
    assert_int_equal(ntsim_count(run.log, "XENBUS's interface not opened"), 1);

    ntsim_start(&run, NULL, as_admin);
    ntsim_require_nth(&run, agent_here, 1, WAIT_MS);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
}

/* Without a request, the agent's handle closes at removal and everything unloads clean. */
static void test_removed_with_agent_nothing_left(void **state)
{
    start_with_agent("start,serve,remove");
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "io: user mode closes its handle: cleanup 0, close 0\n");
    ntsim_assert_contains(run.log, "disabled (0)\n");
    assert_null(strstr(run.log, "left enabled at removal"));
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poweroff),
        cmocka_unit_test(test_reboot),
        cmocka_unit_test(test_halt_is_a_poweroff),
        cmocka_unit_test(test_without_agent_nothing_offered_nothing_taken),
        cmocka_unit_test(test_agent_follows_the_device),
        cmocka_unit_test(test_garbage_gets_a_log_line),
        cmocka_unit_test(test_only_system_and_administrators_get_in),
        cmocka_unit_test(test_removed_with_agent_nothing_left),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
