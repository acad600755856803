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

#include <openssl/evp.h>
#include <unistd.h>

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

/* The SHA-256 of a disk of @mib MiB as ntsim_disk_add makes it for disk @disk, in hex. */
static void image_sha256(unsigned int disk, unsigned int mib, char *hex)
{
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    uint8_t block[4096], digest[EVP_MAX_MD_SIZE];
    unsigned int length;

    EVP_DigestInit_ex(sha, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < sizeof(block); i++)
        block[i] = ntsim_disk_pattern(disk, i);
    EVP_DigestUpdate(sha, block, sizeof(block));
    memset(block, 0, sizeof(block));
    for (unsigned int i = 1; i < mib * 256; i++)
        EVP_DigestUpdate(sha, block, sizeof(block));
    EVP_DigestFinal_ex(sha, digest, &length);
    EVP_MD_CTX_free(sha);
    for (unsigned int i = 0; i < length; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
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

        image_sha256(d, mib[d], expected);
        snprintf(request, sizeof(request), "sha256 %u\n", d);
        snprintf(want, sizeof(want), "ok %s %u\n", expected, mib[d] << 20);
        ntsim_ask(socket_path, request, answer, sizeof(answer));
        assert_string_equal(answer, want);
    }
    ntsim_ask(socket_path, "sha256 2\n", answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 2\n");
    ntsim_ask(socket_path, "md5 0\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "error ", 6) == 0);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adapter_connects_every_disk),
        cmocka_unit_test(test_whole_disk_read_through_the_guest),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
