/*
 * tests/sim/nt/xenvbd_io_test.c - writes and workloads through the guest's
 * whole disk stack (the simulated disk class, Storport, the shipped
 * xenvbd.sys, the ring, Debian's QEMU xen-disk), as `winpv-sim io` asks
 * for them on the guest's control socket, checked in the image file:
 * a file written onto the disk lands there byte for byte (a partial last
 * block merged with what the disk had), a file larger than the disk
 * writes nothing, and random writes at a queue depth land whole, each at
 * an offset of its size; wrong requests are refused, saying why.
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
#define DISK_MIB 4

static struct ntsim_run run;
static char socket_path[64], image[512];

static void start_one_disk(void)
{
    const unsigned int mib[] = {DISK_MIB};
    const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path, NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-io-%d.sock", (int)getpid());
    ntsim_start_with_disks(&run, PACKAGES, args, mib, 1);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 1, WAIT_MS);
    ntsim_disk_image(&run, 0, image, sizeof(image));
}

static uint8_t *image_bytes(void)
{
    return disk_image_read(image, DISK_MIB << 20);
}

/*
 * fill: a file of a partial block, then one of 2 MiB and a partial block
 * (several requests out at once, the last block merged), land in the
 * image at the disk's first byte; the bytes after them in their last block
 * are what the disk had. The guest's read of the whole disk then has the
 * image's SHA-256. A file larger than the disk changes nothing; a file
 * that is not there is named.
 */
static void test_fill_lands_in_the_image(void **state)
{
    char file[64], request[160], answer[256], want[160], hex[65];
    const size_t small = 3996, large = (2u << 20) + 700;
    uint8_t *data, *disk;

    start_one_disk();
    snprintf(file, sizeof(file), "/tmp/ntsim-xenvbd-fill-%d", (int)getpid());
    snprintf(request, sizeof(request), "fill 0 %s\n", file);

    data = disk_file_of(file, small, 1);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, "ok 3996\n");
    disk = image_bytes();
    assert_memory_equal(disk, data, small);
    for (unsigned int i = small; i < 4096; i++) /* the rest of block 7 and block 7 only */
        assert_int_equal(disk[i], ntsim_disk_pattern(0, i));
    free(data);
    free(disk);

    data = disk_file_of(file, large, 2);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    snprintf(want, sizeof(want), "ok %zu\n", large);
    assert_string_equal(answer, want);
    disk = image_bytes();
    assert_memory_equal(disk, data, large);
    for (size_t i = large; i < (large + 511) / 512 * 512; i++)
        assert_int_equal(disk[i], 0);
    disk_sha256_hex(disk, DISK_MIB << 20, hex);
    snprintf(want, sizeof(want), "ok %s %u\n", hex, DISK_MIB << 20);
    disk_ask_guest(socket_path, "sha256 0\n", answer, sizeof(answer));
    assert_string_equal(answer, want);
    free(data);

    free(disk_file_of(file, (DISK_MIB << 20) + 1, 3));
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_non_null(strstr(answer, "larger than disk 0 (4194304 bytes): nothing written"));
    disk_ask_guest(socket_path, "sha256 0\n", answer, sizeof(answer));
    assert_string_equal(answer, want);
    unlink(file);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_true(strncmp(answer, "error ", 6) == 0 && strstr(answer, "No such file"));
    disk_ask_guest(socket_path, "fill 0 relative/path\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "error ", 6) == 0);
    free(disk);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
}

/*
 * run: random 4 KiB writes, 8 at once for a second, each land whole at a
 * 4 KiB offset (every 4 KiB of the image is as it was or one request's
 * data); sequential 1 MiB reads, 2 at once; the counts agree with the
 * sizes; a size, depth or kind the disk cannot take is refused, saying why.
 * The requests come from both of the guest's processors, and xenvbd.sys,
 * which takes Storport's concurrent channels, gets HwStartIo on both.
 */
static void test_workloads_through_the_guest(void **state)
{
    unsigned long long ios, bytes, ns, cpu;
    unsigned int written;
    char answer[256];
    uint8_t *disk;

    start_one_disk();
    disk_ask_guest(socket_path, "run 0 randwrite 4096 8 1\n", answer, sizeof(answer));
    assert_int_equal(sscanf(answer, "ok %llu %llu %llu %llu", &ios, &bytes, &ns, &cpu), 4);
    assert_true(ios > 8);
    assert_true(bytes == ios * 4096 && ns >= 1000000000ull && cpu > 0);
    disk = image_bytes();
    written = disk_random_writes_whole(disk, DISK_MIB << 20, 0, 8);
    assert_true(written > 0 && written <= ios);
    free(disk);

    disk_ask_guest(socket_path, "run 0 read 1048576 2 1\n", answer, sizeof(answer));
    assert_int_equal(sscanf(answer, "ok %llu %llu %llu %llu", &ios, &bytes, &ns, &cpu), 4);
    assert_true(ios > 2 && bytes == ios << 20);

    disk_ask_guest(socket_path, "run 0 read 1000 1 1\n", answer, sizeof(answer));
    assert_string_equal(answer,
                        "error --bs 1000: not a whole number of the disk's 512-byte blocks\n");
    disk_ask_guest(socket_path, "run 0 read 2097152 1 1\n", answer, sizeof(answer));
    assert_string_equal(
        answer, "error --bs 2097152: above the adapter's largest transfer (1048576 bytes)\n");
    disk_ask_guest(socket_path, "run 0 read 4096 0 1\n", answer, sizeof(answer));
    assert_string_equal(answer, "error --qd 0: from 1 to 256\n");
    disk_ask_guest(socket_path, "run 0 readall 4096 1 1\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "error run DISK", 14) == 0);
    disk_ask_guest(socket_path, "run 3 read 4096 1 1\n", answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 3\n");
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "winpv: xenvbd: HwStartIo on 2 processors at once\n");
    assert_non_null(strstr(run.log, ": HwStartIo ran on processor(s) 0 1, at most "));
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "BUGCHECK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fill_lands_in_the_image, ntsim_abandon_teardown),
        cmocka_unit_test_teardown(test_workloads_through_the_guest, ntsim_abandon_teardown),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
