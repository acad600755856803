/*
 * tests/sim/nt/xenvbd_hostile_test.c - the shipped xenvbd.sys in the
 * simulated kernel against a backend that breaks the rules
 * (winpv-blkback --misbehave, --node; sim/blkback/misbehave.h), end to
 * end: the disk class's start is answered properly, then one answer to
 * the guest's writes is wrong (an id the request did not have, the same
 * answer twice, a status or operation outside the protocol, a response
 * index far past the requests), with persistent grants or the guest's
 * own pages granted. The frontend breaks the device, saying
 * why in the kernel log and in the device's error node; the write fails
 * with an error and so does every request after it, at once; no SRB is
 * left with the miniport past its timeout, and the guest removes the
 * adapter and ends cleanly (nothing leaked, no verifier finding, no
 * sanitizer report). A backend whose nodes make no sense (sectors,
 * sector sizes, info, mode, feature and transport nodes) has its disk
 * refused: logged by xenvbd.sys, the reason in its error node, and
 * Storport finds only the disks that make sense.
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

#include <blkif/nodes.h>

#include "ntsim_blkback.h"
#include "disk_fixture.h"

#define WAIT_MS  20000
#define PACKAGES "ntsim-disk-packages"
#define DISK_MIB 4

static struct ntsim_run run;
static char socket_path[64];

static const char *const *ntsim_args(void)
{
    static const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path,
                                 NULL};

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-hostile-%d.sock", (int)getpid());
    return args;
}

/* The guest stopped: it ended cleanly, nothing leaked, no verifier finding. */
static void stop_cleanly(void)
{
    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "left behind"));
    assert_null(strstr(run.log, "BUGCHECK"));
    ntsim_assert_contains(run.log, "winpv: xenvbd: vbd 51712 closed\n");
    ntsim_assert_contains(run.log, "storport: adapter ");
    assert_non_null(strstr(run.log, "removed\n"));
}

/* The error node of vbd @vdev, once XENBUS wrote it (malloc'd); the test fails without. */
static char *error_node(unsigned int vdev)
{
    char relative[64];

    snprintf(relative, sizeof(relative), "error/device/vbd/%u/error", vdev);
    for (unsigned int waited = 0; !ntsim_store_has(&run, relative); waited += 10) {
        if (waited > WAIT_MS) {
            ntsim_abandon(&run);
            fail_msg("no %s within %u ms", relative, WAIT_MS);
        }
        usleep(10000);
    }
    return ntsim_store_read(&run, relative);
}

/*
 * A misbehaviour, and why the frontend must say the device broke; with
 * persistent grants (data copied through pages the backend keeps mapped)
 * or without (the caller's pages granted for each request).
 */
struct misbehaviour {
    const char *kind;
    const char *reason;
    bool no_persistent;
};

static const struct misbehaviour misbehaviours[] = {
    {"unknown-id", "response with an id we never used", false},
    {"duplicate", "response for a request not in flight", true},
    {"status", "response with an unknown status", false},
    {"operation", "response with another operation", true},
    {"overrun", "response index beyond the requests", false},
};

static void test_a_wrong_answer_breaks_the_device(void **state)
{
    const struct misbehaviour *m = *state;
    const char *backend_args[] = {"--misbehave",
                                  m->kind,
                                  "--misbehave-after",
                                  "1",
                                  m->no_persistent ? "--no-persistent" : NULL,
                                  NULL};
    const struct blkback_disk cfg = {.args = backend_args};
    const unsigned int mib[] = {DISK_MIB};
    char file[64], request[96], answer[256], line[160];
    char *error;

    ntsim_blkback_start_with_disks(&run, PACKAGES, ntsim_args(), mib, &cfg, 1);
    /* Block 0, the one answer on the ring the disk class's start needs, comes back right. */
    ntsim_require_nth(&run, "disk: unit 0:0:0: block 0 read, 512 bytes", 1, WAIT_MS);

    /* A file written: a write and a flush, one of whose answers is wrong. */
    snprintf(file, sizeof(file), "/tmp/ntsim-xenvbd-hostile-%d", (int)getpid());
    snprintf(request, sizeof(request), "fill 0 %s\n", file);
    free(disk_file_of(file, 65536, 3));
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    unlink(file);
    assert_true(strncmp(answer, "error disk 0: ", 14) == 0);
    assert_non_null(strstr(answer, "failed (SRB status 0x84, sense key 0x3")); /* MEDIUM ERROR */
    snprintf(line, sizeof(line), "winpv: vbd: device/vbd/51712: %s: the device is broken\n",
             m->reason);
    ntsim_require_nth(&run, line, 1, WAIT_MS);
    error = error_node(51712);
    assert_non_null(strstr(error, m->reason));
    free(error);

    /* Broken: what comes after fails at once, reads too. */
    disk_ask_guest(socket_path, "sha256 0\n", answer, sizeof(answer));
    assert_string_equal(answer, "error disk 0: READ at block 0 failed (SRB status 0x84, sense key "
                                "0x3, ASC 0x11, ASCQ 0)\n");
    disk_ask_guest(socket_path, "run 0 randread 4096 4 1\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "error disk 0: READ at block ", 28) == 0);
    stop_cleanly();
}

/* Nodes a backend publishes that make no sense, one disk each. */
struct nonsense {
    const char *node, *value;
};

static const struct nonsense nonsense[] = {
    {BLKIF_NODE_SECTORS, "0"},
    {BLKIF_NODE_SECTORS, "12abc"},
    {BLKIF_NODE_SECTORS, "-5"},
    {BLKIF_NODE_SECTORS, ""},
    {BLKIF_NODE_SECTORS, "36028797018963968"}, /* more bytes than 64 bits count */
    {BLKIF_NODE_SECTOR_SIZE, "3000"},
    {BLKIF_NODE_SECTOR_SIZE, "8192"},
    {BLKIF_NODE_SECTOR_SIZE, "256"},
    {BLKIF_NODE_PHYSICAL_SECTOR_SIZE, "256"},
    {BLKIF_NODE_INFO, "x"},
    {BLKIF_NODE_MODE, "rw"},
    {BLKIF_NODE_FLUSH_CACHE, "yes"},
    {BLKIF_NODE_MAX_RING_PAGE_ORDER, "one"},
    {BLKIF_NODE_MAX_QUEUES, "99999999999"},
};
#define NONSENSE (sizeof(nonsense) / sizeof(nonsense[0]))

/*
 * Disk 0 makes sense; disks 1.. each have one node that does not: each is
 * refused (logged, its error node names the node), and Storport finds
 * disk 0 alone, which works.
 */
static void test_nonsense_nodes_refuse_the_disk(void **state)
{
    struct blkback_disk cfg[NONSENSE + 1] = {{0}};
    const char *args[NONSENSE + 1][3];
    char node_args[NONSENSE + 1][96], line[160], answer[256];
    unsigned int mib[NONSENSE + 1];

    for (unsigned int d = 0; d <= NONSENSE; d++) {
        mib[d] = 1;
        if (d == 0)
            continue;
        snprintf(node_args[d], sizeof(node_args[d]), "%s=%s", nonsense[d - 1].node,
                 nonsense[d - 1].value);
        args[d][0] = "--node";
        args[d][1] = node_args[d];
        args[d][2] = NULL;
        cfg[d].args = args[d];
    }
    ntsim_blkback_start_with_disks(&run, PACKAGES, ntsim_args(), mib, cfg, NONSENSE + 1);
    ntsim_require_nth(&run, "storport: scan of 16 target(s): 1 disk(s)\n", 1, WAIT_MS);
    ntsim_assert_contains(run.log, "winpv: xenvbd: target 0 is vbd 51712: 2048 sectors of 512 "
                                   "bytes\n");
    for (unsigned int d = 1; d <= NONSENSE; d++) {
        char *error;

        snprintf(line, sizeof(line), "winpv: xenvbd: vbd %u did not connect (-22)\n",
                 BLKBACK_VDEV(d));
        ntsim_assert_contains(run.log, line);
        error = error_node(BLKBACK_VDEV(d));
        if (strstr(error, nonsense[d - 1].node) == NULL)
            fail_msg("%s %s: the error node says '%s'", nonsense[d - 1].node, nonsense[d - 1].value,
                     error);
        free(error);
    }
    disk_ask_guest(socket_path, "sha256 1\n", answer, sizeof(answer));
    assert_string_equal(answer, "error the guest has no disk 1\n");
    disk_ask_guest(socket_path, "run 0 randwrite 4096 4 1\n", answer, sizeof(answer));
    assert_true(strncmp(answer, "ok ", 3) == 0);
    stop_cleanly();
}

int main(void)
{
    struct CMUnitTest tests[sizeof(misbehaviours) / sizeof(misbehaviours[0]) + 1];
    size_t n = 0;

    for (; n < sizeof(misbehaviours) / sizeof(misbehaviours[0]); n++)
        tests[n] = (struct CMUnitTest){.name = misbehaviours[n].kind,
                                       .test_func = test_a_wrong_answer_breaks_the_device,
                                       .teardown_func = ntsim_abandon_teardown,
                                       .initial_state = (void *)&misbehaviours[n]};
    tests[n++] = (struct CMUnitTest)cmocka_unit_test_teardown(test_nonsense_nodes_refuse_the_disk,
                                                              ntsim_abandon_teardown);
    return _cmocka_run_group_tests("xenvbd.sys against a backend that breaks the rules", tests, n,
                                   ntsim_fixture_setup, ntsim_fixture_teardown);
}
