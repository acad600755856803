/*
 * tests/sim/nt/xenvbd_hotplug_test.c - disks that come, go and change
 * size while the guest runs, through the shipped xenvbd.sys under the
 * simulated Storport, against Debian's QEMU xen-disk:
 *  - a disk the toolstack adds is given a free target (xenvbd.sys follows
 *    device/vbd, and says so in feature/hotplug/vbd), Storport enumerates the bus again on the miniport's
 *    BusChangeDetected and finds it, and the disk class reads its block 0;
 *    winpv-sim io reads it whole with the image's SHA-256;
 *  - a disk the toolstack removes loses its target: its frontend closed,
 *    the event channels and grants it held given back to Xen, Storport's
 *    enumeration logs it removed, and winpv-sim io no longer finds it; the
 *    next disk added takes the freed target;
 *  - a disk its administrator grows (QMP's block_resize: QEMU writes the
 *    new size and its state again) is seen by the disk class, at its next
 *    command, as capacity data changed with the new size, once, and read
 *    whole at that size.
 * Every run then stops cleanly: no leak, no verifier stop.
 */
#include <setjmp.h>
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
static char socket_path[64];

/* The disk drivers bound by their INFs on a domain given disks of @mib[i] MiB, all found. */
static void start_with_disks(const unsigned int *mib, unsigned int count)
{
    const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path, NULL};
    char scanned[64];

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-hotplug-%d.sock", (int)getpid());
    snprintf(scanned, sizeof(scanned), "storport: scan of 16 target(s): %u disk(s)\n", count);
    ntsim_start_with_disks(&run, PACKAGES, args, mib, count);
    ntsim_require_nth(&run, scanned, 1, WAIT_MS);
}

/* Guest disk @number reads whole as disk @disk's image of @mib MiB. */
static void assert_disk_reads_as(unsigned int number, unsigned int disk, unsigned int mib)
{
    char request[32], expected[65], want[160], answer[256];

    disk_image_sha256(disk, mib, expected);
    snprintf(request, sizeof(request), "sha256 %u\n", number);
    snprintf(want, sizeof(want), "ok %s %u\n", expected, mib << 20);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, want);
}

/* The run stopped cleanly: the adapter removed, nothing left behind, no verifier stop. */
static void stop_cleanly(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "storport: adapter ");
    ntsim_assert_contains(run.log, " removed\n");
    assert_null(strstr(run.log, "left behind"));
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "*** "));
}

static void test_disk_added_while_running(void **state)
{
    const unsigned int mib[] = {8};
    char line[128], *value;

    start_with_disks(mib, 1);
    /* What it tells the toolstack: a disk added comes online at once. */
    value = ntsim_store_read(&run, "feature/hotplug/vbd");
    assert_string_equal(value, "1");
    free(value);
    ntsim_disk_add(&run, 1, 4);
    ntsim_require_nth(&run, "winpv: xenvbd: target 1 is vbd 51728: 8192 sectors of 512 bytes\n", 1,
                      WAIT_MS);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 2 disk(s)\n", 1, WAIT_MS);
    /* Found by the enumeration the miniport asked for, after the first. */
    assert_true(strstr(run.log, "storport: the miniport reports a bus change: the bus is "
                                "enumerated again\n") >
                strstr(run.log, "storport: scan of 16 target(s): 1 disk(s)\n"));
    ntsim_assert_contains(run.log, "storport: unit 0:1:0: type 0, fixed, XEN PV DISK, 8192 blocks "
                                   "of 512 bytes\n");
    disk_block0_line(line, sizeof(line), 1, 1);
    ntsim_require_nth(&run, line, 1, WAIT_MS);
    assert_disk_reads_as(1, 1, 4);
    assert_disk_reads_as(0, 0, 8);
    stop_cleanly();
    ntsim_assert_contains(run.log, "winpv: xenvbd: vbd 51728 closed\n");
}

static void test_disk_removed_while_running_then_target_reused(void **state)
{
    const unsigned int mib[] = {4, 2};
    struct sim_domain_info two, one, again;
    char answer[256], line[128];

    start_with_disks(mib, 2);
    ntsim_domain_info(&run, &two);
    ntsim_disk_remove(&run, 1);
    ntsim_require_nth(&run, "winpv: xenvbd: vbd 51728 is gone: target 1 freed\n", 1, WAIT_MS);
    ntsim_require_nth(&run, "storport: unit 0:1:0: removed (no device at the target any more)\n", 1,
                      WAIT_MS);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 1, WAIT_MS);
    disk_ask_guest(socket_path, "sha256 1\n", answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 1\n");
    assert_disk_reads_as(0, 0, 4);
    /* What the removed disk's frontend held of Xen is given back. */
    ntsim_domain_info(&run, &one);
    assert_true(one.ports_open < two.ports_open);
    assert_true(one.grants_active < two.grants_active);

    /* The next disk takes the freed target, and the guest's disk number 1. */
    ntsim_disk_add(&run, 2, 3);
    ntsim_require_nth(&run, "winpv: xenvbd: target 1 is vbd 51744: 6144 sectors of 512 bytes\n", 1,
                      WAIT_MS);
    ntsim_require_nth(&run,
                      "storport: unit 0:1:0: type 0, fixed, XEN PV DISK, 6144 blocks of 512 "
                      "bytes\n",
                      1, WAIT_MS);
    disk_block0_line(line, sizeof(line), 2, 1);
    ntsim_require_nth(&run, line, 1, WAIT_MS);
    assert_disk_reads_as(1, 2, 3);
    ntsim_domain_info(&run, &again);
    assert_int_equal(again.ports_open, two.ports_open);
    assert_int_equal(again.grants_active, two.grants_active);
    stop_cleanly();
    assert_int_equal(ntsim_count(run.log, " is gone: target "), 1);
    ntsim_assert_contains(run.log, "winpv: xenvbd: vbd 51744 closed\n");
    assert_null(strstr(run.log, "winpv: xenvbd: vbd 51728 closed\n"));
}

/*
 * The domain's last disk unplugged: XENBUS's disk class device goes with
 * it, and xenvbd.sys's adapter is stopped and removed amid its own
 * removal of the target, cleanly; a disk added later brings a new adapter,
 * whose disk 0 it is.
 */
static void test_last_disk_removed_then_another_added(void **state)
{
    const unsigned int mib[] = {4};

    start_with_disks(mib, 1);
    ntsim_disk_remove(&run, 0);
    ntsim_require_nth(&run, "pnp: child XENBUS\\VEN_WPV&DEV_VBD\\0 removed", 1, WAIT_MS);
    ntsim_assert_contains(run.log, "winpv: xenvbd: vbd 51712 ");
    ntsim_assert_contains(run.log, " removed\n");
    ntsim_disk_add(&run, 1, 2);
    ntsim_require_nth(&run, "winpv: xenvbd: target 0 is vbd 51728: 4096 sectors of 512 bytes\n", 1,
                      WAIT_MS);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 2, WAIT_MS);
    assert_disk_reads_as(0, 1, 2);
    stop_cleanly();
}

/*
 * A disk unplugged while the guest reads it whole: the read in progress
 * fails, its SRBs answered no device (not a medium error, and no verifier
 * stop), and the disk goes as any other.
 */
static void test_disk_removed_while_read(void **state)
{
    const unsigned int mib[] = {4, 1024}; /* a read of some seconds */
    const char *failed = " failed (SRB status 0x8, SCSI status 0)\n";
    char answer[256];
    int fd;

    start_with_disks(mib, 2);
    fd = disk_ask_guest_send(socket_path, "sha256 1\n");
    usleep(300 * 1000); /* its capacity read, its READs under way */
    ntsim_disk_remove(&run, 1);
    disk_ask_guest_answer(fd, answer, sizeof(answer));
    assert_true(strncmp(answer, "error disk 1: READ at block ", 28) == 0);
    assert_true(strlen(answer) > strlen(failed) &&
                strcmp(answer + strlen(answer) - strlen(failed), failed) == 0);
    ntsim_require_nth(&run, "storport: unit 0:1:0: removed (no device at the target any more)\n", 1,
                      WAIT_MS);
    assert_disk_reads_as(0, 0, 4);
    stop_cleanly();
}

static void test_disk_grown_while_running(void **state)
{
    const unsigned int mib[] = {4};

    start_with_disks(mib, 1);
    ntsim_disk_resize(&run, 0, 6);
    ntsim_require_nth(&run, "winpv: vbd: device/vbd/51712: now 12288 sectors\n", 1, WAIT_MS);
    /* The disk class's next command meets the unit attention, reads the capacity, goes on. */
    assert_disk_reads_as(0, 0, 6);
    ntsim_require_nth(&run,
                      "disk: unit 0:0:0: capacity data has changed: now 12288 blocks of 512 "
                      "bytes\n",
                      1, WAIT_MS);
    /* Reported once: the next reads find nothing new. */
    assert_disk_reads_as(0, 0, 6);
    stop_cleanly();
    assert_int_equal(ntsim_count(run.log, "capacity data has changed"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_disk_added_while_running, ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_disk_removed_while_running_then_target_reused,
                                  ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_last_disk_removed_then_another_added,
                                  ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_disk_removed_while_read, ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_disk_grown_while_running, ntsim_abandon_teardown),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
