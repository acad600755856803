/*
 * tests/sim/nt/xenvbd_blkback_test.c - the shipped xenvbd.sys in the
 * simulated kernel against winpv-blkback with each feature it can switch
 * off, alone, and with all of them off: what the disk class finds on its
 * start is what the backend offers (a write cache to flush with flush or
 * barrier, unmap with discard; the rings, queues and segments the
 * frontend took), random writes at a queue depth land whole and aligned,
 * a file written onto the disk lands byte for byte, a trim (the disk
 * class's UNMAP) leaves zeros in the image where it unmapped and nothing
 * else changed, or is refused where the backend does not discard, and the
 * guest's read of the whole disk has the image's SHA-256. A read-only disk says it is
 * write-protected, refuses writes with DATA PROTECT and changes nothing,
 * and reads as the image. A disk hot-plugged while the guest runs is
 * connected and found.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "ntsim_blkback.h"
#include "disk_fixture.h"

#define WAIT_MS   20000
#define PACKAGES  "ntsim-disk-packages"
#define DISK_MIB  4
#define DISK_SIZE (DISK_MIB << 20)
#define UNIT      "disk: unit 0:0:0: "

/*
 * winpv-blkback's options, and what the guest must find with them: left 0,
 * what a backend offering everything gives (a queue for each of the
 * domain's two vCPUs, rings of 16 pages, 256 indirect segments).
 */
struct combination {
    const char *name;
    const char *args[12];
    bool no_persistent;  /* the frontend grants each request's pages instead of copying */
    bool no_write_cache; /* neither flush nor barrier: MODE SENSE's WCE clear */
    bool no_unmap;       /* no discard: neither VPD page 0xB2's LBPU nor READ CAPACITY's LBPME */
    unsigned int queues, ring_pages, segments;
    unsigned int sector_size; /* --sector-size; 0: 512 */
};

static const struct combination combinations[] = {
    {.name = "everything offered", .args = {NULL}},
    {.name = "no persistent grants", .args = {"--no-persistent", NULL}, .no_persistent = true},
    {.name = "no flush", .args = {"--no-flush", NULL}},
    {.name = "no barrier", .args = {"--no-barrier", NULL}},
    {.name = "neither flush nor barrier",
     .args = {"--no-flush", "--no-barrier", NULL},
     .no_write_cache = true},
    {.name = "no discard", .args = {"--no-discard", NULL}, .no_unmap = true},
    {.name = "no secure discard", .args = {"--no-discard-secure", NULL}},
    {.name = "one queue", .args = {"--max-queues", "1", NULL}, .queues = 1},
    {.name = "one-page rings", .args = {"--max-ring-page-order", "0", NULL}, .ring_pages = 1},
    {.name = "no indirect segments",
     .args = {"--max-indirect-segments", "0", NULL},
     .segments = 11},
    {.name = "sectors of 4096 bytes", .args = {"--sector-size", "4096", NULL}, .sector_size = 4096},
    {.name = "everything off",
     .args = {"--no-persistent", "--no-flush", "--no-barrier", "--no-discard",
              "--no-discard-secure", "--max-queues", "1", "--max-ring-page-order", "0",
              "--max-indirect-segments", "0", NULL},
     .no_persistent = true,
     .no_write_cache = true,
     .no_unmap = true,
     .queues = 1,
     .ring_pages = 1,
     .segments = 11},
};

static struct ntsim_run run;
static char socket_path[64], image[512];

/*
 * The guest on one disk of DISK_MIB served as @cfg says, with blocks of
 * @block bytes, the disk class's start on it done.
 */
static void start_on(const struct blkback_disk *cfg, unsigned int block)
{
    char line[96];
    const unsigned int mib[] = {DISK_MIB};
    const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path, NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-blkback-%d.sock", (int)getpid());
    ntsim_blkback_start_with_disks(&run, PACKAGES, args, mib, cfg, 1);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 1, WAIT_MS);
    snprintf(line, sizeof(line), UNIT "block 0 read, %u bytes", block);
    ntsim_require_nth(&run, line, 1, WAIT_MS);
    ntsim_disk_image(&run, 0, image, sizeof(image));
}

/* The guest's SHA-256 of disk 0 is the image's. */
static void assert_guest_reads_the_image(void)
{
    char answer[256], want[160], hex[65];
    uint8_t *disk = disk_image_read(image, DISK_SIZE);

    disk_sha256_hex(disk, DISK_SIZE, hex);
    free(disk);
    snprintf(want, sizeof(want), "ok %s %u\n", hex, DISK_SIZE);
    disk_ask_guest(socket_path, "sha256 0\n", answer, sizeof(answer));
    assert_string_equal(answer, want);
}

/* The guest stopped: it ended cleanly, nothing leaked, no verifier finding. */
static void stop_cleanly(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "BUGCHECK"));
}

static void test_feature_combination(void **state)
{
    const struct combination *c = *state;
    const struct blkback_disk cfg = {.args = c->args};
    unsigned long long ios, bytes, ns, cpu;
    char line[160], file[64], request[96], answer[256];
    const size_t fill = (1u << 20) + 300;
    uint8_t *data, *disk, *before;

    unsigned int block = c->sector_size ? c->sector_size : 512;

    start_on(&cfg, block);
    /* What the frontend took, and what the disk class found. */
    snprintf(line, sizeof(line),
             "winpv: vbd: device/vbd/51712: %u queue(s) of %u page(s), %u segments, persistent "
             "%d, sectors of %u\n",
             c->queues ? c->queues : 2, c->ring_pages ? c->ring_pages : 16,
             c->segments ? c->segments : 256, !c->no_persistent, block);
    ntsim_assert_contains(run.log, line);
    ntsim_assert_contains(run.log, c->no_write_cache ? UNIT "writable, write cache disabled\n"
                                                     : UNIT "writable, write cache enabled\n");
    snprintf(line, sizeof(line), "winpv: xenvbd: target 0 is vbd 51712: %u sectors of %u bytes\n",
             DISK_SIZE / block, block);
    ntsim_assert_contains(run.log, line);
    snprintf(line, sizeof(line), UNIT "%u blocks of %u bytes (physical %u), non-rotating, %s",
             DISK_SIZE / block, block, block, c->no_unmap ? "no unmap\n" : "unmap up to");
    ntsim_assert_contains(run.log, line);

    /* Random 4 KiB writes, 8 at once: each lands whole, aligned. */
    disk_ask_guest(socket_path, "run 0 randwrite 4096 8 1\n", answer, sizeof(answer));
    assert_int_equal(sscanf(answer, "ok %llu %llu %llu %llu", &ios, &bytes, &ns, &cpu), 4);
    assert_true(ios > 8 && bytes == ios * 4096);
    disk = disk_image_read(image, DISK_SIZE);
    assert_true(disk_random_writes_whole(disk, DISK_SIZE, 0, 8) > 0);

    /* A file over them: its bytes from byte 0, the rest of its last block as it was. */
    snprintf(file, sizeof(file), "/tmp/ntsim-xenvbd-blkback-fill-%d", (int)getpid());
    snprintf(request, sizeof(request), "fill 0 %s\n", file);
    data = disk_file_of(file, fill, 7);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    unlink(file);
    snprintf(line, sizeof(line), "ok %zu\n", fill);
    assert_string_equal(answer, line);
    before = disk;
    disk = disk_image_read(image, DISK_SIZE);
    assert_memory_equal(disk, data, fill);
    assert_memory_equal(disk + fill, before + fill, DISK_SIZE - fill);
    free(before);
    free(data);

    /* A trim of 1 MiB from 2 MiB: zeros there, nothing else changed; or refused. */
    disk_ask_guest(socket_path, "trim 0 2097152 1048576\n", answer, sizeof(answer));
    before = disk;
    disk = disk_image_read(image, DISK_SIZE);
    if (c->no_unmap) {
        assert_string_equal(answer, "error disk 0 does not unmap (VPD page 0xB2: no LBPU)\n");
        assert_memory_equal(disk, before, DISK_SIZE);
    } else {
        bool had_data = false;

        for (unsigned int i = 2u << 20; i < 3u << 20 && !had_data; i++)
            had_data = before[i] != 0; /* the random writes left some there to unmap */
        assert_true(had_data);
        assert_true(strncmp(answer, "ok 1048576 ", 11) == 0);
        assert_memory_equal(disk, before, 2u << 20);
        for (unsigned int i = 2u << 20; i < 3u << 20; i++)
            assert_int_equal(disk[i], 0);
        assert_memory_equal(disk + (3u << 20), before + (3u << 20), DISK_SIZE - (3u << 20));
    }
    disk_ask_guest(socket_path, "trim 0 100 4096\n", answer, sizeof(answer));
    assert_non_null(strstr(answer, "not whole"));
    free(before);
    free(disk);

    assert_guest_reads_the_image();
    stop_cleanly();
}

/*
 * A disk served by winpv-blkback hot-plugged while the guest runs, with
 * one-page rings and no persistent grants beside a disk offering
 * everything: xenvbd.sys connects it as the next target, Storport finds
 * it, and the guest reads it as its image.
 */
static void test_hot_plugged_disk(void **state)
{
    const char *const args[] = {"--no-persistent", "--max-ring-page-order", "0", NULL};
    const struct blkback_disk everything = {0}, cfg = {.args = args};
    char answer[256], want[160], hex[65], second[512];
    uint8_t *disk;

    start_on(&everything, 512);
    ntsim_blkback_add(&run, 1, 2, &cfg);
    ntsim_require_nth(&run, "winpv: xenvbd: target 1 is vbd 51728: 4096 sectors of 512 bytes\n", 1,
                      WAIT_MS);
    ntsim_require_nth(&run,
                      "winpv: vbd: device/vbd/51728: 2 queue(s) of 1 page(s), 256 segments, "
                      "persistent 0, sectors of 512\n",
                      1, WAIT_MS);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 2 disk(s)\n", 1, WAIT_MS);
    ntsim_disk_image(&run, 1, second, sizeof(second));
    disk = disk_image_read(second, 2u << 20);
    disk_sha256_hex(disk, 2u << 20, hex);
    free(disk);
    snprintf(want, sizeof(want), "ok %s %u\n", hex, 2u << 20);
    disk_ask_guest(socket_path, "sha256 1\n", answer, sizeof(answer));
    assert_string_equal(answer, want);
    assert_guest_reads_the_image();
    stop_cleanly();
}

/*
 * Mode "r": the disk says it is write-protected (MODE SENSE's WP), offers
 * no write cache and no unmap; a file written onto it is refused with DATA
 * PROTECT / WRITE PROTECTED and so are random writes, the image unchanged;
 * the guest still reads it whole.
 */
static void test_read_only_disk(void **state)
{
    const struct blkback_disk cfg = {.readonly = true};
    char file[64], request[96], answer[256], hex[65], after[65];
    uint8_t *disk;

    start_on(&cfg, 512);
    ntsim_assert_contains(run.log, "winpv: xenvbd: target 0 is vbd 51712: 8192 sectors of 512 "
                                   "bytes, read-only\n");
    ntsim_assert_contains(run.log, UNIT "write-protected, write cache disabled\n");
    ntsim_assert_contains(run.log, UNIT "8192 blocks of 512 bytes (physical 512), non-rotating, "
                                        "no unmap\n");
    disk = disk_image_read(image, DISK_SIZE);
    disk_sha256_hex(disk, DISK_SIZE, hex);
    free(disk);

    snprintf(file, sizeof(file), "/tmp/ntsim-xenvbd-blkback-ro-%d", (int)getpid());
    snprintf(request, sizeof(request), "fill 0 %s\n", file);
    free(disk_file_of(file, 8192, 9));
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    unlink(file);
    assert_string_equal(answer, "error disk 0: WRITE at block 0 failed (SRB status 0x84, sense "
                                "key 0x7, ASC 0x27, ASCQ 0)\n");
    disk_ask_guest(socket_path, "run 0 randwrite 4096 4 1\n", answer, sizeof(answer));
    assert_non_null(strstr(answer, "sense key 0x7, ASC 0x27"));
    assert_true(strncmp(answer, "error disk 0: WRITE at block ", 29) == 0);

    disk = disk_image_read(image, DISK_SIZE);
    disk_sha256_hex(disk, DISK_SIZE, after);
    free(disk);
    assert_string_equal(after, hex);
    assert_guest_reads_the_image();
    stop_cleanly();
}

int main(void)
{
    struct CMUnitTest tests[sizeof(combinations) / sizeof(combinations[0]) + 2];
    size_t n = 0;

    for (; n < sizeof(combinations) / sizeof(combinations[0]); n++)
        tests[n] = (struct CMUnitTest){.name = combinations[n].name,
                                       .test_func = test_feature_combination,
                                       .teardown_func = ntsim_abandon_teardown,
                                       .initial_state = (void *)&combinations[n]};
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_read_only_disk, ntsim_abandon_teardown);
    tests[n++] =
        (struct CMUnitTest)cmocka_unit_test_teardown(test_hot_plugged_disk, ntsim_abandon_teardown);
    return _cmocka_run_group_tests("xenvbd.sys against winpv-blkback", tests, n,
                                   ntsim_fixture_setup, ntsim_fixture_teardown);
}
