/*
 * tests/vbd/front/response_test.c - each seed of vbd-response-fuzz
 * (response_seeds.txt) run through the same harness, with what a user of
 * the frontend expects of it checked: a backend that answers well gets
 * every request done OKAY, a read with the disk's data; one that answers
 * a wrong id, more responses than requests, or one request twice, or that
 * keeps a page it answered, breaks the device, and every request in flight
 * fails, once; a backend that restarts gets the request again. (The
 * harness itself aborts on any rule it checks being broken.)
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/io/blkif.h>

#include "response_harness.h"

#define SEEDS_FILE "tests/vbd/front/response_seeds.txt"

/* Every seed the file holds has a test below. */
static const char *const seed_names[] = {
    "normal", "bad-id", "overrun", "duplicate", "held", "reconnect", "indirect-persistent"};

struct seed {
    char name[64];
    uint8_t bytes[512];
    size_t size;
};

/* The seeds file: from the top of the tree, or from where the binary is (build/host/bin). */
static FILE *open_seeds(void)
{
    char exe[PATH_MAX], path[PATH_MAX + 64], *slash;
    FILE *f = fopen(SEEDS_FILE, "r");
    ssize_t n;

    if (f)
        return f;
    n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(path, sizeof(path), "%s/../../../%s", exe, SEEDS_FILE);
    return fopen(path, "r");
}

/* One line "NAME: hex" into @s; false for comments and blank lines. */
static bool parse_line(const char *line, struct seed *s)
{
    const char *colon = strchr(line, ':');
    int hi = -1;

    if (line[0] == '#' || !colon || (size_t)(colon - line) >= sizeof(s->name))
        return false;
    memcpy(s->name, line, (size_t)(colon - line));
    s->name[colon - line] = '\0';
    s->size = 0;
    for (const char *p = colon + 1; *p; p++) {
        int v;

        if (*p == ' ' || *p == '\t' || *p == '\n')
            continue;
        v = *p >= '0' && *p <= '9' ? *p - '0' : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
        assert_true(v >= 0);
        if (hi < 0) {
            hi = v;
            continue;
        }
        assert_true(s->size < sizeof(s->bytes));
        s->bytes[s->size++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    assert_int_equal(hi, -1); /* whole bytes */
    return true;
}

/* Seed @name from the file; how many seeds there are into *count (may be NULL). */
static bool find_seed(const char *name, struct seed *out, unsigned int *count)
{
    char line[2048];
    FILE *f = open_seeds();
    bool found = false;
    struct seed s;

    assert_non_null(f);
    if (count)
        *count = 0;
    while (fgets(line, sizeof(line), f)) {
        if (!parse_line(line, &s))
            continue;
        if (count)
            (*count)++;
        if (name && strcmp(s.name, name) == 0) {
            *out = s;
            found = true;
        }
    }
    fclose(f);
    return found;
}

static void run_seed(const char *name, struct rh_outcome *out)
{
    struct seed s;

    assert_true(find_seed(name, &s, NULL));
    rh_run(s.bytes, s.size, out);
    assert_int_equal(out->open_rc, 0);
}

/* Request @i was accepted and completed once with @status. */
static void assert_done(const struct rh_outcome *o, uint32_t i, int16_t status)
{
    assert_true(i < o->requests);
    assert_true(o->accepted[i]);
    assert_int_equal(o->calls[i], 1);
    assert_int_equal(o->status[i], status);
}

static void assert_broken(const struct rh_outcome *o)
{
    assert_true(o->broken);
    assert_int_equal(o->fails, 1); /* XENBUS told once */
}

static void test_every_seed_tested(void **state)
{
    unsigned int count;
    struct seed s;

    for (size_t i = 0; i < sizeof(seed_names) / sizeof(seed_names[0]); i++)
        assert_true(find_seed(seed_names[i], &s, &count));
    find_seed(NULL, &s, &count);
    assert_int_equal(count, sizeof(seed_names) / sizeof(seed_names[0]));
}

static void test_normal(void **state)
{
    struct rh_outcome o;

    run_seed("normal", &o);
    assert_int_equal(o.requests, 2);
    assert_int_equal(o.op[0], VBD_SCSI_OP_READ);
    assert_done(&o, 0, BLKIF_RSP_OKAY);
    assert_int_equal(o.read_bytes_checked, 15 * 512); /* the read's data is the disk's */
    assert_int_equal(o.op[1], VBD_SCSI_OP_WRITE);
    assert_done(&o, 1, BLKIF_RSP_OKAY);
    assert_int_equal(o.stats.flushes, 1); /* FUA: the write, then a flush */
    assert_false(o.broken);
    assert_int_equal(o.fails, 0);
}

static void test_bad_id(void **state)
{
    struct rh_outcome o;

    run_seed("bad-id", &o);
    assert_int_equal(o.requests, 2);
    assert_done(&o, 0, BLKIF_RSP_ERROR);
    assert_done(&o, 1, BLKIF_RSP_ERROR);
    assert_broken(&o);
}

static void test_overrun(void **state)
{
    struct rh_outcome o;

    run_seed("overrun", &o);
    assert_int_equal(o.requests, 1);
    assert_done(&o, 0, BLKIF_RSP_ERROR);
    assert_broken(&o);
}

static void test_duplicate(void **state)
{
    struct rh_outcome o;

    run_seed("duplicate", &o);
    assert_int_equal(o.requests, 2);
    assert_done(&o, 0, BLKIF_RSP_OKAY); /* answered before the duplicate */
    assert_int_equal(o.read_bytes_checked, 15 * 512);
    assert_done(&o, 1, BLKIF_RSP_ERROR);
    assert_broken(&o);
}

static void test_held(void **state)
{
    struct rh_outcome o;

    run_seed("held", &o);
    assert_int_equal(o.requests, 1);
    assert_done(&o, 0, BLKIF_RSP_ERROR);
    assert_int_equal(o.read_bytes_checked, 0);
    assert_broken(&o);
}

static void test_reconnect(void **state)
{
    struct rh_outcome o;

    run_seed("reconnect", &o);
    assert_int_equal(o.requests, 1);
    assert_done(&o, 0, BLKIF_RSP_OKAY);
    assert_int_equal(o.read_bytes_checked, 15 * 512);
    assert_int_equal(o.connects, 2);
    assert_int_equal(o.stats.reconnects, 1);
    assert_int_equal(o.stats.replayed, 1);
    assert_false(o.broken);
}

static void test_indirect_persistent(void **state)
{
    struct rh_outcome o;

    run_seed("indirect-persistent", &o);
    assert_int_equal(o.info.queues, 2);
    assert_int_equal(o.info.ring_pages, 4);
    assert_true(o.info.indirect);
    assert_int_equal(o.info.max_segments, 32);
    assert_true(o.info.persistent);
    assert_int_equal(o.requests, 2);
    assert_done(&o, 0, BLKIF_RSP_OKAY);
    assert_int_equal(o.read_bytes_checked, 511 * 512);
    assert_int_equal(o.stats.indirect_requests, 2); /* 64 pages, 32 a request */
    assert_int_equal(o.op[1], VBD_SCSI_OP_DISCARD);
    assert_done(&o, 1, BLKIF_RSP_OKAY);
    assert_int_equal(o.stats.discards, 2);
    assert_false(o.broken);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_seed_tested),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_bad_id),
        cmocka_unit_test(test_overrun),
        cmocka_unit_test(test_duplicate),
        cmocka_unit_test(test_held),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_indirect_persistent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
