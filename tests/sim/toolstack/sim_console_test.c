/*
 * tests/sim/toolstack/sim_console_test.c - Debian's xenconsoled logs what a guest
 * writes to its PV console ring, wrap-around included; and the hypervisor's
 * own console takes the guest's console_io writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/io/console.h>
#include <xen/xen.h>

#include "console.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "support/sim/sim_fixture.h"
#include "store.h"

static struct xenstore store;
static struct component consoled;
static struct guest_rings rings;
static char log_dir[320];

static int setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    if (xenstore_start(&fx.simd, &store, XENSTORED_C) != 0 ||
        xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 ||
        console_start(&fx.simd, &consoled, log_dir, sizeof(log_dir)) != 0) {
        fprintf(stderr, "console set-up failed; run directory %s\n", fx.simd.dir);
        xenstore_stop(&store);
        sim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    int consoled_stopped = component_stop(&consoled);
    int store_stopped = xenstore_stop(&store);

    return sim_fixture_teardown(state) == 0 && consoled_stopped == 0 && store_stopped == 0 ? 0 : -1;
}

/* Write @text to the console ring as a guest does, and notify. */
static void console_write(const char *text)
{
    struct xencons_interface *intf = os_posix_gfn_to_va(rings.console_gfn);
    struct evtchn_send send = {.port = rings.console_port};
    size_t len = strlen(text);

    assert_non_null(intf);
    for (size_t i = 0; i < len;) {
        XENCONS_RING_IDX prod = __atomic_load_n(&intf->out_prod, __ATOMIC_ACQUIRE);
        XENCONS_RING_IDX cons = __atomic_load_n(&intf->out_cons, __ATOMIC_ACQUIRE);

        if (prod - cons >= sizeof(intf->out)) {
            assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
            usleep(1000);
            continue;
        }
        intf->out[prod % sizeof(intf->out)] = text[i++];
        __atomic_store_n(&intf->out_prod, prod + 1, __ATOMIC_RELEASE);
    }
    assert_int_equal(evtchn_op(EVTCHNOP_send, &send), 0);
}

/* Whether @file comes to contain @text within five seconds. */
static bool file_gets(const char *file, const char *text)
{
    static char content[1 << 16];

    for (int i = 0; i < 500; i++) {
        FILE *f = fopen(file, "r");
        size_t n = f ? fread(content, 1, sizeof(content) - 1, f) : 0;

        if (f)
            fclose(f);
        content[n] = '\0';
        if (strstr(content, text))
            return true;
        usleep(10000);
    }
    return false;
}

static void guest_log(char *path, size_t size)
{
    snprintf(path, size, "%s/guest-guest%u.log", log_dir, fx.domid);
}

static void test_console_output_reaches_the_log(void **state)
{
    char path[400];

    console_write("hello from the guest console\n");
    guest_log(path, sizeof(path));
    assert_true(file_gets(path, "hello from the guest console"));
}

static void test_output_longer_than_the_ring_arrives_in_order(void **state)
{
    char path[400], line[64];
    static char text[8192];

    text[0] = '\0';
    for (int i = 0; i < 150; i++) {
        snprintf(line, sizeof(line), "line %03d of a long console stream\n", i);
        strcat(text, line);
    }
    assert_true(strlen(text) > 2 * sizeof(((struct xencons_interface *)0)->out));
    console_write(text);
    guest_log(path, sizeof(path));
    assert_true(file_gets(path, text));
}

static void test_hypervisor_console_takes_console_io(void **state)
{
    char path[400], expect[64];
    static const char message[] = "early boot message";

    assert_int_equal(os_hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, sizeof(message) - 1,
                                   (uint64_t)(uintptr_t)message),
                     0);
    snprintf(path, sizeof(path), "%s/hv-console.log", fx.simd.dir);
    snprintf(expect, sizeof(expect), "(d%u) %s", fx.domid, message);
    assert_true(file_gets(path, expect));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console_output_reaches_the_log),
        cmocka_unit_test(test_output_longer_than_the_ring_arrives_in_order),
        cmocka_unit_test(test_hypervisor_console_takes_console_io),
    };

    return cmocka_run_group_tests_name("sim_console", tests, setup, teardown);
}
