/*
 * tests/sim/nt/storport_dump_test.c - the simulated Storport's crash-dump
 * and hibernation mode (sim/nt/storport_dump.c), with dumpdisk.sys, a
 * miniport whose disk lives in its own image: `dump` on the control socket
 * loads the miniport a second time as dump_dumpdisk.sys or
 * hiber_dumpdisk.sys, freezes the machine, drives the copy at HIGH_LEVEL
 * by polling, and the copy's writes read back byte for byte, in requests
 * of the normal path's largest transfer (1 MiB); then the machine ends.
 * A copy that allocates pool or asks for passive initialization in dump
 * mode stops the guest naming it; a miniport without dump pointers has no
 * dump stack and the machine goes on.
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

#define WAIT_MS 20000

static struct ntsim_run run;
static char socket_path[64], file[64];

static void start(const char *service)
{
    const char *args[] = {"--service", service,     "--sequence", "start,serve,remove",
                          "--control", socket_path, NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-dump-%d.sock", (int)getpid());
    ntsim_start(&run, "dumpdisk.sys", args);
    ntsim_require_nth(&run, "storport: scan of 1 target(s): 1 disk(s)\n", 1, WAIT_MS);
}

/* A file of @n bytes of a keyed sequence, in file[]. */
static void make_file(size_t n, unsigned char key)
{
    FILE *f;

    snprintf(file, sizeof(file), "/tmp/ntsim-dump-file-%d", (int)getpid());
    f = fopen(file, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 2654435761u >> 11) ^ key ^ (i >> 10)) & 0xff, f);
    fclose(f);
}

/* The request's answer, then the end of the machine it brings. */
static void dump_and_end(const char *mode, size_t bytes, const char *want)
{
    char request[160], answer[256];

    make_file(bytes, 7);
    snprintf(request, sizeof(request), "dump 0 %s 4096 %s\n", file, mode);
    int fd = disk_ask_guest_send(socket_path, request);
    ntsim_finish(&run);
    disk_ask_guest_answer(fd, answer, sizeof(answer));
    assert_string_equal(answer, want);
    unlink(file);
}

/*
 * A crash dump of 2.5 MiB and a sector: three 1 MiB requests at most, the
 * last partial block padded; written, read back the same, flushed, shut
 * down; the copy loaded under its dump_ name and found in dump mode 1.
 */
static void test_crash_dump_reads_back(void **state)
{
    start("dumpdisk");
    dump_and_end("crash", (5u << 19) + 100, "ok 2621952 6 1048576\n");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "dump: dump_dumpdisk.sys: DriverEntry -> 0\n");
    ntsim_assert_contains(run.log, "dumpdisk: dump mode 1\n");
    ntsim_assert_contains(run.log, "dump: HwFindAdapter -> 1\n");
    ntsim_assert_contains(run.log, "dump: 2621952 bytes written at 4096 and read back in 6 "
                                   "requests of at most 1048576 bytes\n");
    ntsim_assert_contains(run.log, "dump: written; the machine stops\n");
    assert_null(strstr(run.log, "BUGCHECK"));
    assert_null(strstr(run.log, "*** STOP"));
}

/* A hibernation: the same through hiber_dumpdisk.sys in dump mode 2. */
static void test_hibernation_reads_back(void **state)
{
    start("dumpdisk");
    dump_and_end("hiber", 1u << 20, "ok 1048576 2 1048576\n");
    assert_int_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, "dump: hiber_dumpdisk.sys: DriverEntry -> 0\n");
    ntsim_assert_contains(run.log, "dumpdisk: dump mode 2\n");
    ntsim_assert_contains(run.log, "dump: hibernation of disk 0 (target 0)");
    assert_null(strstr(run.log, "*** STOP"));
}

/* A dump of @service's copy in @mode stops the guest with a verifier finding saying @finding. */
static void dump_stops(const char *service, const char *mode, const char *finding)
{
    char request[160];
    int fd;

    start(service);
    make_file(4096, 1);
    snprintf(request, sizeof(request), "dump 0 %s 0 %s\n", file, mode);
    fd = disk_ask_guest_send(socket_path, request);
    ntsim_finish(&run);
    close(fd);
    unlink(file);
    assert_int_not_equal(run.exit_status, 0);
    ntsim_assert_contains(run.log, finding);
    ntsim_assert_contains(run.log, "*** STOP: 0x000000C4");
}

/* Pool in dump mode: the guest stops, the import named. */
static void test_pool_in_dump_mode_stops(void **state)
{
    dump_stops("dump_pool", "crash", "ExAllocatePoolWithTag called in dump mode");
}

/* Passive initialization in dump mode: the guest stops, saying so. */
static void test_passive_initialization_in_dump_mode_stops(void **state)
{
    dump_stops("dump_passive", "hiber", "StorPortNotification(0x1000) in dump mode");
}

/* No dump pointers: no dump stack, and the machine goes on; wrong requests refused. */
static void test_no_dump_pointers_no_dump(void **state)
{
    char answer[256], request[160];

    start("dump_no_pointers");
    make_file(4096, 1);
    snprintf(request, sizeof(request), "dump 0 %s 0 crash\n", file);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, "error the miniport answered SRB_FUNCTION_DUMP_POINTERS with SRB "
                                "status 0x6: no dump stack\n");
    snprintf(request, sizeof(request), "dump 0 %s 100 crash\n", file);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, "error offset 100: not a whole number of 512-byte blocks\n");
    snprintf(request, sizeof(request), "dump 2 %s 0 crash\n", file);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 2\n");
    disk_ask_guest(socket_path, "dump 0 relative 0 crash\n", answer, sizeof(answer));
    assert_string_equal(answer, "error dump DISK PATH OFFSET crash|hiber\n");
    unlink(file);
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "*** STOP"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_dump_reads_back),
        cmocka_unit_test(test_hibernation_reads_back),
        cmocka_unit_test(test_pool_in_dump_mode_stops),
        cmocka_unit_test(test_passive_initialization_in_dump_mode_stops),
        cmocka_unit_test(test_no_dump_pointers_no_dump),
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
