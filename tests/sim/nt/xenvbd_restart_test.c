/*
 * tests/sim/nt/xenvbd_restart_test.c - the disk's backend killed under
 * the guest's writes, again and again: the shipped xenvbd.sys in the
 * simulated kernel writes stamped blocks with FUA through the disk class
 * and Storport (the control socket's "stamp" request, which journals each
 * write the disk acknowledged or failed), while winpv-blkback is killed
 * (SIGKILL) and started again 50 times, each time once the frontend had
 * reconnected and writes had gone on; every other one is frozen first, so
 * that the writes on its rings are never applied and the frontend must
 * send them again; with persistent grants and without. While it is frozen, and once the workload ended and
 * flushed, every write the guest was told had succeeded is in the image:
 * each 512 bytes hold the last acknowledged write of them, or a later one
 * that failed or was still out (it may have landed), never an older one,
 * never torn, nothing anywhere no write put there. No write failed, no
 * SRB waited past its timeout, the guest ends cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ntsim_blkback.h"
#include "disk_fixture.h"

#define WAIT_MS   20000
#define PACKAGES  "ntsim-disk-packages"
#define DISK_MIB  8
#define DISK_SIZE (DISK_MIB << 20)
#define UNIT      512u /* disk_class.h's DISK_STAMP_UNIT */
#define UNITS     (DISK_SIZE / UNIT)
#define KILLS     50
#define SECONDS   60 /* the workload at most: the test ends it after the kills */
#define PROGRESS  16 /* writes come back between a reconnection and the next kill */
#define QD        8

static struct ntsim_run run;

/* One line of the journal. */
struct journaled {
    uint64_t seq, lba;
    uint32_t blocks;
    bool ok;
};

/* The journal's lines, indexed by sequence number (malloc'd, [0] unused); their count in @n. */
static struct journaled *read_journal(const char *path, uint64_t *n, uint64_t *acknowledged)
{
    FILE *f = fopen(path, "r");
    struct journaled *j = NULL, e;
    uint64_t size = 0;
    char kind[16];

    assert_non_null(f);
    *n = *acknowledged = 0;
    while (fscanf(f, "%llu %llu %u %15s", (unsigned long long *)&e.seq,
                  (unsigned long long *)&e.lba, &e.blocks, kind) == 4) {
        e.ok = strcmp(kind, "ok") == 0;
        assert_true(e.ok || strcmp(kind, "failed") == 0);
        assert_true(e.seq > 0 && e.blocks > 0 && (e.lba + e.blocks) * UNIT <= DISK_SIZE);
        if (e.seq >= size) {
            size = e.seq * 2 + 64;
            j = realloc(j, size * sizeof(*j));
            assert_non_null(j);
        }
        for (uint64_t s = *n + 1; s < e.seq; s++)
            j[s].seq = 0; /* not (yet) journaled: each sequence number comes once */
        if (e.seq <= *n)
            assert_int_equal(j[e.seq].seq, 0);
        j[e.seq] = e;
        *n = e.seq > *n ? e.seq : *n;
        *acknowledged += e.ok;
    }
    assert_true(feof(f));
    fclose(f);
    return j;
}

static unsigned int lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    unsigned int lines = 0;
    int c;

    if (f == NULL)
        return 0;
    while ((c = getc(f)) != EOF)
        lines += c == '\n';
    fclose(f);
    return lines;
}

/* Wait (10 s at most) until the journal holds @lines lines. */
static void wait_for_writes(const char *path, unsigned int lines)
{
    for (int waited = 0; lines_of(path) < lines; waited += 10) {
        if (waited > 10000) {
            ntsim_abandon(&run);
            fail_msg("the journal did not reach %u writes within 10 s", lines);
        }
        usleep(10000);
    }
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;

    for (unsigned int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/*
 * The write whose stamp unit @u of @image holds (its sequence number), 0
 * when it holds no whole stamp of its own place.
 */
static uint64_t stamp_of(const uint8_t *image, uint64_t u)
{
    const uint8_t *p = image + u * UNIT;

    for (unsigned int at = 16; at < UNIT; at += 16)
        if (memcmp(p, p + at, 16) != 0)
            return 0;
    return le64(p) == u ? le64(p + 8) : 0;
}

/* Whether unit @u of @image is as ntsim_disk_image_new made it. */
static bool as_made(const uint8_t *image, uint64_t u)
{
    for (unsigned int i = 0; i < UNIT; i++) {
        uint64_t at = u * UNIT + i;

        if (image[at] != (at < 4096 ? ntsim_disk_pattern(0, (unsigned int)at) : 0))
            return false;
    }
    return true;
}

static bool covers(const struct journaled *e, uint64_t u)
{
    return e->seq && u >= e->lba && u < e->lba + e->blocks;
}

/* What check_image found. */
struct image_check {
    uint64_t covered;  /* units acknowledged writes cover */
    uint64_t bad;      /* the first unit that is not as it must be, or UNITS */
    uint64_t held;     /* ... the write whose stamp it holds (0: none whole) */
    uint64_t expected; /* ... the last acknowledged write of it (0: none) */
};

/*
 * Every unit of @image holds the last write of it the journal (@n
 * sequence numbers) says was acknowledged, or a later one that failed or
 * is not journaled yet (out: at most @out such, after @n); a unit no
 * acknowledged write covers holds what it had or such a write.
 */
static struct image_check check_image(const uint8_t *image, const struct journaled *j, uint64_t n,
                                      unsigned int out)
{
    struct image_check c = {.bad = UNITS};
    uint64_t *last = calloc(UNITS, sizeof(*last));

    assert_non_null(last);
    for (uint64_t s = 1; s <= n; s++)
        for (uint64_t u = j[s].lba; j[s].seq && j[s].ok && u < j[s].lba + j[s].blocks; u++)
            last[u] = s; /* in sequence order: the later write of a unit wins */
    for (uint64_t u = 0; u < UNITS; u++) {
        uint64_t s = stamp_of(image, u);

        c.covered += last[u] != 0;
        if (c.bad < UNITS || (s == last[u] && s != 0))
            continue;
        if (s == 0 && last[u] == 0 && as_made(image, u))
            continue;
        if (s > last[u] && s <= n && covers(&j[s], u) && !j[s].ok)
            continue;
        if (s > last[u] && (s <= n ? j[s].seq == 0 : s <= n + out))
            continue; /* out when the journal was read: where it went is not known */
        c = (struct image_check){c.covered, u, s, last[u]};
    }
    free(last);
    return c;
}

static void assert_image_checks(const struct image_check *c)
{
    if (c->bad < UNITS)
        fail_msg("512 bytes at %llu hold write %llu; the last acknowledged write of them is %llu",
                 (unsigned long long)(c->bad * UNIT), (unsigned long long)c->held,
                 (unsigned long long)c->expected);
}

/*
 * While the backend is frozen: every write acknowledged so far is in the
 * image (or a later one over it). A write the backend had started may
 * still be landing: a unit that does not check is looked at again, for a
 * second at most.
 */
static void check_image_now(const char *journal, const char *image)
{
    struct image_check c;

    for (unsigned int tries = 0;; tries++) {
        uint64_t n, acknowledged;
        struct journaled *j = read_journal(journal, &n, &acknowledged);
        uint8_t *bytes = disk_image_read(image, DISK_SIZE);

        c = check_image(bytes, j, n, QD);
        free(bytes);
        free(j);
        if (c.bad == UNITS || tries == 20)
            break;
        usleep(50000);
    }
    assert_image_checks(&c);
}

/*
 * With persistent grants (the data copied through pages the backend keeps
 * mapped) and without (the guest's own pages granted for each request,
 * which a killed backend must let go of before they go again).
 */
static const char *const persistent[] = {NULL};
static const char *const not_persistent[] = {"--no-persistent", NULL};

static void test_backend_killed_under_flushed_writes(void **state)
{
    const unsigned int mib[] = {DISK_MIB};
    const struct blkback_disk cfg = {.args = *state};
    char socket_path[64], journal[512], request[640], answer[256], image[512];
    unsigned long long acknowledged, failed, ns;
    uint64_t n, journal_acknowledged;
    const char *args[] = {"--sequence", "start,serve,remove", "--control", socket_path, NULL};
    struct image_check check;
    struct journaled *j;
    uint8_t *bytes;
    time_t began;
    int fd;

    snprintf(socket_path, sizeof(socket_path), "/tmp/ntsim-xenvbd-restart-%d.sock", (int)getpid());
    ntsim_blkback_start_with_disks(&run, PACKAGES, args, mib, &cfg, 1);
    /* In the run directory: kept with the logs (WINPV_SIM_KEEP) when the test fails. */
    snprintf(journal, sizeof(journal), "%s/stamp-%u.journal", ntsim_simd()->dir, run.domid);
    ntsim_require_nth(&run, "disk: unit 0:0:0: writable, write cache enabled\n", 1, WAIT_MS);
    ntsim_require_nth(&run, "disk: unit 0:0:0: block 0 read", 1, WAIT_MS);

    ntsim_disk_image(&run, 0, image, sizeof(image));
    /* What the workload cannot do is refused, saying why. */
    disk_ask_guest(socket_path, "stamp 0 4096 8 1 relative\n", answer, sizeof(answer));
    assert_string_equal(answer, "error stamp DISK BS QD SECONDS /JOURNAL\n");
    snprintf(request, sizeof(request), "stamp 0 1048576 5 1 %s\n", journal);
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_string_equal(answer, "error --qd 5: more than half the disk's 1048576-byte pieces\n");
    snprintf(request, sizeof(request), "stamp 0 4096 8 1 /nonexistent/%d\n", (int)getpid());
    disk_ask_guest(socket_path, request, answer, sizeof(answer));
    assert_non_null(strstr(answer, "No such file or directory"));

    snprintf(request, sizeof(request), "stamp 0 4096 %u %u %s\n", QD, SECONDS, journal);
    fd = disk_ask_guest_send(socket_path, request);
    began = time(NULL);
    for (unsigned int k = 1; k <= KILLS; k++) {
        wait_for_writes(journal, lines_of(journal) + PROGRESS);
        /*
         * Every other one stops answering first: what it acknowledged is
         * in the image, and the writes on its rings are never applied
         * (the frontend must send them again to the next one).
         */
        if (k % 2) {
            ntsim_blkback_freeze(0);
            usleep(20000);
            check_image_now(journal, image);
        }
        ntsim_blkback_restart(0);
        ntsim_require_nth(&run, "winpv: vbd: device/vbd/51712: reconnected\n", k, WAIT_MS);
    }
    printf("# %d backends killed in %ld s\n", KILLS, (long)(time(NULL) - began));
    /* Writes went on after the last one; then the workload is told to end. */
    wait_for_writes(journal, lines_of(journal) + PROGRESS);
    assert_int_equal(shutdown(fd, SHUT_WR), 0);
    disk_ask_guest_answer(fd, answer, sizeof(answer));
    assert_int_equal(sscanf(answer, "ok %llu %llu %llu", &acknowledged, &failed, &ns), 3);
    printf("# %llu writes acknowledged, %llu failed\n", acknowledged, failed);
    /* The frontend sent again what the dead backends had not answered: nothing failed. */
    assert_int_equal(failed, 0);
    assert_true(acknowledged >= (KILLS + 1) * PROGRESS);

    j = read_journal(journal, &n, &journal_acknowledged);
    unlink(journal);
    assert_int_equal(n, acknowledged + failed);
    assert_int_equal(journal_acknowledged, acknowledged);
    for (uint64_t s = 1; s <= n; s++)
        assert_int_equal(j[s].seq, s);
    bytes = disk_image_read(image, DISK_SIZE);
    check = check_image(bytes, j, n, 0);
    assert_image_checks(&check);
    assert_true(check.covered > 0);
    free(bytes);
    free(j);

    ntsim_stop(&run);
    assert_int_equal(run.exit_status, 0);
    assert_int_equal(ntsim_count(run.log, "winpv: vbd: device/vbd/51712: reconnected\n"), KILLS);
    assert_null(strstr(run.log, "leaked"));
    assert_null(strstr(run.log, "BUGCHECK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"killed with persistent grants", test_backend_killed_under_flushed_writes, NULL,
         ntsim_abandon_teardown, (void *)persistent},
        {"killed without persistent grants", test_backend_killed_under_flushed_writes, NULL,
         ntsim_abandon_teardown, (void *)not_persistent},
    };

    return cmocka_run_group_tests(tests, ntsim_fixture_setup, ntsim_fixture_teardown);
}
