/*
 * tests/sim/nt/xenvbd_dump_test.c - XENVBD's dump mode through the shipped
 * xenvbd.sys (windows/xenvbd/dump.c, core/vbd/dump.c): `dump` on the
 * control socket asks xenvbd.sys for its dump pointers, loads it again as
 * dump_xenvbd.sys or hiber_xenvbd.sys, freezes the machine and drives the
 * copy at HIGH_LEVEL by polling (sim/nt/storport_dump.c). The file's bytes
 * are then found in the disk's image at the offset, written in requests of
 * 1 MiB on the live ring, against Debian's QEMU xen-disk and against
 * winpv-blkback with and without persistent grants and indirect segments.
 * A context that does not describe a live ring (the device broken by its
 * backend) finds no adapter: the dump is refused and nothing is written;
 * a backend that never answers is given up after a count of stalls.
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
#include "ntsim_blkback.h"
#include "ntsim_fixture.h"

#define WAIT_MS  20000
#define PACKAGES "ntsim-disk-packages"
#define DISK_MIB 8
#define OFFSET   (1u << 20) /* where the file goes: past block 0's pattern */

static struct ntsim_run run;
static char socket_path[64], image[512], file[64];

static const char *const *ntsim_args(void)
{
    static const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path,
                                 NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-dump-%d.sock", (int)getpid());
    return args;
}

/* One disk of DISK_MIB from QEMU (@cfg NULL) or from winpv-blkback with @cfg; its image path. */
static void start_disk(const struct blkback_disk *cfg)
{
    const unsigned int mib[] = {DISK_MIB};

    if (cfg) {
        ntsim_blkback_start_with_disks(&run, PACKAGES, ntsim_args(), mib, cfg, 1);
        snprintf(image, sizeof(image), "%s", ntsim_blkback(0)->image);
    } else {
        ntsim_start_with_disks(&run, PACKAGES, ntsim_args(), mib, 1);
        ntsim_disk_image(&run, 0, image, sizeof(image));
    }
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 1, WAIT_MS);
    /* The disk class's first read answered: no request of the normal path left on the ring. */
    ntsim_require_nth(&run, "disk: unit 0:0:0: block 0 read, ", 1, WAIT_MS);
}

/* Dump @bytes of a keyed file at OFFSET in @mode; the answer, then the machine ended. */
static uint8_t *dump_and_end(const char *mode, size_t bytes, char *answer, size_t size)
{
    char request[160];
    uint8_t *data;
    int fd;

    snprintf(file, sizeof(file), "/tmp/ntsim-xenvbd-dump-file-%d", (int)getpid());
    data = disk_file_of(file, bytes, 9);
    snprintf(request, sizeof(request), "dump 0 %s %u %s\n", file, OFFSET, mode);
    fd = disk_ask_guest_send(socket_path, request);
    ntsim_finish(&run);
    disk_ask_guest_answer(fd, answer, size);
    unlink(file);
    return data; /* the caller frees it */
}

/*
 * A dump of 2.5 MiB and 100 bytes in @mode on a disk of @block-byte
 * blocks: written in three 1 MiB requests at most (the last block padded
 * with zeros), found in the image.
 */
static void dump_lands_in_blocks(const char *mode, unsigned int block)
{
    const size_t bytes = (5u << 19) + 100;
    char answer[256], want[64];
    uint8_t *data = dump_and_end(mode, bytes, answer, sizeof(answer)), *disk;

    snprintf(want, sizeof(want), "ok %zu 6 1048576\n", (bytes + block - 1) / block * block);
    assert_string_equal(answer, want);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "winpv: xenvbd: vbd 51712: dump pointers given\n");
    ntsim_assert_contains(run.log, "dump: HwFindAdapter -> 1\n");
    assert_null(strstr(run.log, "*** STOP"));
    assert_null(strstr(run.log, "BUGCHECK"));
    disk = disk_image_read(image, DISK_MIB << 20);
    assert_memory_equal(disk + OFFSET, data, bytes);
    for (size_t i = bytes; i < (bytes + block - 1) / block * block; i++)
        assert_int_equal(disk[OFFSET + i], 0);
    for (unsigned int i = 0; i < 4096; i++) /* block 0's pattern untouched */
        assert_int_equal(disk[i], ntsim_disk_pattern(0, i));
    free(disk);
    free(data);
}

static void dump_lands(const char *mode)
{
    dump_lands_in_blocks(mode, 512);
}

static void test_crash_dump_on_qemu(void **state)
{
    start_disk(NULL);
    dump_lands("crash");
    ntsim_assert_contains(run.log, "dump: dump_xenvbd.sys: DriverEntry -> 0\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: dump mode 1: vbd 51712's ring of ");
}

static void test_hibernation_on_qemu(void **state)
{
    start_disk(NULL);
    dump_lands("hiber");
    ntsim_assert_contains(run.log, "dump: hiber_xenvbd.sys: DriverEntry -> 0\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: dump mode 2: vbd 51712's ring of ");
}

/* winpv-blkback with @args; the dump through the copy, which says how it sends a transfer (@how). */
static void dump_on_blkback(const char *const *args, const char *mode, const char *how)
{
    const struct blkback_disk cfg = {.args = args};

    start_disk(&cfg);
    dump_lands(mode);
    ntsim_assert_contains(run.log, how);
}

static void test_crash_dump_on_blkback_indirect_persistent(void **state)
{
    static const char *const args[] = {NULL};

    dump_on_blkback(args, "crash", "indirect, 256 segments a request\n");
}

static void test_hibernation_on_blkback_no_persistent(void **state)
{
    static const char *const args[] = {"--no-persistent", NULL};

    dump_on_blkback(args, "hiber", "indirect, 256 segments a request\n");
}

static void test_crash_dump_on_blkback_direct(void **state)
{
    static const char *const args[] = {
        "--no-persistent", "--max-indirect-segments", "0", "--max-ring-page-order", "0", NULL};

    dump_on_blkback(args, "crash", "direct, 11 segments a request\n");
}

static void test_crash_dump_on_blkback_persistent_direct(void **state)
{
    static const char *const args[] = {"--max-indirect-segments", "0", "--max-queues", "1", NULL};

    dump_on_blkback(args, "crash", "direct, 11 segments a request\n");
}

/* Sectors of 4096 bytes on the ring (feature-large-sector-size). */
static void test_crash_dump_on_blkback_4096_byte_sectors(void **state)
{
    static const char *const args[] = {"--sector-size", "4096", NULL};
    const struct blkback_disk cfg = {.args = args};

    start_disk(&cfg);
    dump_lands_in_blocks("crash", 4096);
}

/*
 * The backend broke the protocol: the device is broken, its dump context
 * invalid; the copy finds no adapter, the dump is refused and nothing of
 * the file reaches the disk.
 */
static void test_no_dump_through_a_broken_device(void **state)
{
    static const char *const args[] = {"--misbehave", "status", "--misbehave-after", "1", NULL};
    const struct blkback_disk cfg = {.args = args};
    char answer[256], request[96], fill[64];
    uint8_t *data, *disk;

    start_disk(&cfg);
    snprintf(fill, sizeof(fill), "/tmp/ntsim-xenvbd-dump-fill-%d", (int)getpid());
    snprintf(request, sizeof(request), "fill 0 %s\n", fill);
    free(disk_file_of(fill, 4096, 3));
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    unlink(fill);
    ntsim_require_nth(&run, ": the device is broken\n", 1, WAIT_MS);
    data = dump_and_end("crash", 1u << 20, answer, sizeof(answer));
    assert_string_equal(answer, "error the copy's HwFindAdapter found no adapter (0)\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: dump: the context is not usable (");
    assert_null(strstr(run.log, "*** STOP"));
    disk = disk_image_read(image, DISK_MIB << 20);
    for (unsigned int i = 0; i < (1u << 20); i++)
        if (disk[OFFSET + i] != 0)
            fail_msg("byte %u at the dump's offset written", i);
    free(disk);
    free(data);
}

/*
 * A backend that never answers (frozen): the copy gives up after its count
 * of stalled polls, the WRITE fails (MEDIUM ERROR), the dump with it.
 */
static void test_a_silent_backend_is_given_up(void **state)
{
    static const char *const args[] = {NULL};
    const struct blkback_disk cfg = {.args = args};
    char answer[256];

    start_disk(&cfg);
    ntsim_blkback_freeze(0);
    free(dump_and_end("crash", 1u << 20, answer, sizeof(answer)));
    assert_string_equal(answer, "error WRITE of 1048576 bytes at 1048576 in dump mode: SRB "
                                "status 0x84\n");
    ntsim_assert_contains(run.log, "winpv: xenvbd: dump: the backend did not answer\n");
    assert_null(strstr(run.log, "*** STOP"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_dump_on_qemu),
        cmocka_unit_test(test_hibernation_on_qemu),
        cmocka_unit_test(test_crash_dump_on_blkback_indirect_persistent),
        cmocka_unit_test(test_hibernation_on_blkback_no_persistent),
        cmocka_unit_test(test_crash_dump_on_blkback_direct),
        cmocka_unit_test(test_crash_dump_on_blkback_persistent_direct),
        cmocka_unit_test(test_crash_dump_on_blkback_4096_byte_sectors),
        cmocka_unit_test(test_no_dump_through_a_broken_device),
        cmocka_unit_test(test_a_silent_backend_is_given_up),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
