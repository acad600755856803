/*
 * tests/sim/nt/xenvbd_test.c - the shipped xenvbd.sys in the simulated
 * Windows kernel, bound by its INF to XENBUS's disk class device, under
 * the simulated Storport, against Debian's QEMU xen-disk: the adapter
 * starts (HwFindAdapter takes XENBUS's interfaces, HwInitialize asks for
 * passive initialization, which connects every disk of the domain with
 * the size QEMU advertises), Storport's scan finds each disk, fixed, with
 * its capacity (INQUIRY and READ CAPACITY through HwStartIo and
 * core/vbd/scsi), and the adapter stops and is removed with every frontend
 * closed at PASSIVE_LEVEL, every interface given back and nothing leaked.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ntsim_fixture.h"

#define WAIT_MS  20000
#define PACKAGES "ntsim-disk-packages"

static struct ntsim_run run;

/* The drivers bound by their INFs on a domain that has its disks from the start. */
static void start_with_disks(const unsigned int *mib, unsigned int count)
{
    const char *args[] = {"--sequence", "start,serve,remove", NULL};

    ntsim_start_with_disks(&run, PACKAGES, args, mib, count);
    ntsim_require_nth(&run, "pnp: start: done", 1, WAIT_MS);
}

/* The log line the disk class writes for block 0 of the disk at @target, as the image holds it. */
static void block0_line(char *line, size_t size, unsigned int target)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (unsigned int i = 0; i < 512; i++)
        h = (h ^ ntsim_disk_pattern(target, i)) * 0x100000001b3ull;
    snprintf(line, size, "disk: unit 0:%u:0: block 0 read, 512 bytes, fnv1a %016llx\n", target,
             (unsigned long long)h);
}

static void test_adapter_connects_every_disk(void **state)
{
    const unsigned int mib[] = {8, 16};

    start_with_disks(mib, 2);
    ntsim_require_nth(&run, "storport: adapter ", 2, WAIT_MS); /* added, then started */
    ntsim_require_nth(&run, "winpv: xenvbd: target 1 is", 1, WAIT_MS);
    ntsim_assert_contains(run.log, "storport: HwFindAdapter -> 1\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: adapter found, XENBUS's interfaces held\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: target 0 is vbd 51712: 16384 sectors of 512 "
                                   "bytes\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: target 1 is vbd 51728: 32768 sectors of 512 "
                                   "bytes\n");
    assert_non_null(strstr(run.log, "started\n"));
    /* Storport's scan: INQUIRY and READ CAPACITY through HwStartIo and core/vbd/scsi. */
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 2 disk(s)\n", 1, WAIT_MS);
    ntsim_assert_contains(run.log, "storport: unit 0:0:0: type 0, fixed, XEN PV DISK, 16384 "
                                   "blocks of 512 bytes\n");
    ntsim_assert_contains(run.log, "storport: unit 0:1:0: type 0, fixed, XEN PV DISK, 32768 "
                                   "blocks of 512 bytes\n");
    /* Block 0 through READ(10), the ring and QEMU: the image's bytes. */
    for (unsigned int t = 0; t < 2; t++) {
        char line[128];

        block0_line(line, sizeof(line), t);
        ntsim_require_nth(&run, line, 1, WAIT_MS);
    }
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.out, "xenvbd.sys started");
    /* Closed at PASSIVE_LEVEL before Storport stops and removes the adapter. */
    assert_true(strstr(run.log, "winpv: xenvbd: vbd 51712 closed\n") <
                strstr(run.log, "stopped\n"));
    ntsim_assert_contains(run.log, "removed\n");
    assert_null(strstr(run.log, "left behind"));
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "BUGCHECK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adapter_connects_every_disk),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
