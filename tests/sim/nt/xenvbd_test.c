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
 * Disks that come, go and change size while the guest runs:
 * xenvbd_hotplug_test.c.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "disk_fixture.h"
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

static void test_adapter_connects_every_disk(void **state)
{
    const unsigned int mib[] = {8, 16};

    start_with_disks(mib, 2);
    ntsim_require_nth(&run, "storport: adapter ", 2, WAIT_MS); /* added, then started */
    ntsim_require_nth(&run, "winpv: xenvbd: target 1 is", 1, WAIT_MS);
    /* XENVBD asks for Windows 8's SRBs: every SRB of the test reached it in that form. */
    ntsim_assert_contains(run.log, "storport: SRBs sent as STORAGE_REQUEST_BLOCK to adapter ");
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

        disk_block0_line(line, sizeof(line), t, t);
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

/*
 * winpv-sim io's request: the guest reads a disk whole through the disk
 * class, Storport, xenvbd.sys and the ring (READ(16) of 64 KiB, each cut
 * into ring pieces), and its SHA-256 is the image's; a disk it does not
 * have, and a request it does not know, get an error.
 */
static void test_whole_disk_read_through_the_guest(void **state)
{
    const unsigned int mib[] = {4, 2};
    char socket_path[64], expected[65], want[160], answer[256];
    const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path, NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-%d.sock", (int)getpid());
    ntsim_start_with_disks(&run, PACKAGES, args, mib, 2);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 2 disk(s)\n", 1, WAIT_MS);
    for (unsigned int d = 0; d < 2; d++) {
        char request[32];

        disk_image_sha256(d, mib[d], expected);
        snprintf(request, sizeof(request), "sha256 %u\n", d);
        snprintf(want, sizeof(want), "ok %s %u\n", expected, mib[d] << 20);
        disk_ask_guest(socket_path, request, answer, sizeof(answer));
        assert_string_equal(answer, want);
    }
    disk_ask_guest(socket_path, "sha256 2\n", answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 2\n");
    disk_ask_guest(socket_path, "md5 0\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "error ", 6) == 0);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_adapter_connects_every_disk, ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_whole_disk_read_through_the_guest, ntsim_abandon_teardown),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
