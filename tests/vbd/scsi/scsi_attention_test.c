/*
 * tests/vbd/scsi/scsi_attention_test.c - the unit attention a changed disk
 * description establishes (vbd_scsi_attention_check before
 * vbd_scsi_execute, as the Storport shell runs each command): a resize up
 * and down, a new logical block length, write protection on and off,
 * discard appearing, a CD inserted and taken out; one report per change,
 * several changes queued in order; INQUIRY and REPORT LUNS answered
 * meanwhile; REQUEST SENSE reporting and clearing; what READ CAPACITY and
 * the other commands answer afterwards; descriptions that fail the check;
 * and processors meeting one change at once (threads), where exactly one
 * command reports it.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "scsi_fixture.h"

#define FILL 0xee

/* Sense key UNIT ATTENTION and the conditions' ASC/ASCQ (SPC-4 annex D). */
#define UNIT_ATTENTION    0x06
#define CAPACITY_CHANGED  0x2a, 0x09
#define MODE_CHANGED      0x2a, 0x01
#define INQUIRY_CHANGED   0x3f, 0x03
#define MEDIUM_MAY_CHANGE 0x28, 0x00

static struct vbd_scsi_attention att;
static uint8_t buf[512];
static struct vbd_scsi_result res;

/*
 * One command the way the shell runs it, into @b and @r: the attention
 * check, then vbd_scsi_execute() unless the check answered. Returns whether
 * the check answered. Touches nothing shared but @a (for threads).
 */
static bool run_command(struct vbd_scsi_attention *a, const struct vbd_scsi_disk *disk,
                        const uint8_t *cdb, uint32_t cdb_len, uint8_t *b, uint32_t len,
                        enum vbd_scsi_dir dir, struct vbd_scsi_result *r)
{
    struct vbd_scsi_request req = {
        .cdb = cdb, .cdb_len = cdb_len, .buffer = b, .length = len, .dir = dir};
    bool answered;

    memset(r, 0xa5, sizeof(*r)); /* every field must be set */
    answered = vbd_scsi_attention_check(a, disk, &req, r);
    if (!answered)
        vbd_scsi_execute(disk, &req, r);
    return answered;
}

static bool command(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len,
                    uint32_t len, enum vbd_scsi_dir dir)
{
    bool answered;

    memset(buf, FILL, sizeof(buf));
    answered = run_command(&att, disk, cdb, cdb_len, buf, len, dir, &res);
    assert_int_equal(res.transferred + res.residual, len);
    return answered;
}

static bool test_unit_ready(const struct vbd_scsi_disk *disk)
{
    static const uint8_t cdb[6] = {0x00};

    return command(disk, cdb, sizeof(cdb), 0, VBD_SCSI_DIR_NONE);
}

/* READ CAPACITY(16), answered GOOD: the last LBA (the block length is at buf + 8). */
static uint64_t read_capacity_16(const struct vbd_scsi_disk *disk)
{
    uint8_t cdb[16] = {0x9e, 0x10};

    put_be(cdb + 10, 32, 4);
    assert_false(command(disk, cdb, sizeof(cdb), 32, VBD_SCSI_DIR_IN));
    assert_done(&res, 32, 32);
    return be(buf, 8);
}

static bool request_sense(const struct vbd_scsi_disk *disk, uint8_t flags, uint8_t alloc)
{
    uint8_t cdb[6] = {0x03, flags, 0, 0, alloc, 0};

    return command(disk, cdb, sizeof(cdb), sizeof(buf), VBD_SCSI_DIR_IN);
}

static bool inquiry(const struct vbd_scsi_disk *disk)
{
    static const uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0};

    return command(disk, cdb, sizeof(cdb), 36, VBD_SCSI_DIR_IN);
}

static bool report_luns(const struct vbd_scsi_disk *disk)
{
    uint8_t cdb[12] = {0xa0};

    put_be(cdb + 6, 16, 4);
    return command(disk, cdb, sizeof(cdb), 16, VBD_SCSI_DIR_IN);
}

/* READ(10) or WRITE(10) of one 512-byte block at @lba. */
static bool read_write_10(const struct vbd_scsi_disk *disk, bool write, uint32_t lba)
{
    uint8_t cdb[10] = {write ? 0x2a : 0x28};

    put_be(cdb + 2, lba, 4);
    put_be(cdb + 7, 1, 2);
    return command(disk, cdb, sizeof(cdb), 512, write ? VBD_SCSI_DIR_OUT : VBD_SCSI_DIR_IN);
}

/* MODE SENSE(6)'s WP bit. */
static bool write_protected(const struct vbd_scsi_disk *disk)
{
    static const uint8_t cdb[6] = {0x1a, 0x08, 0x3f, 0, 255, 0};

    assert_false(command(disk, cdb, sizeof(cdb), 255, VBD_SCSI_DIR_IN));
    assert_int_equal(res.status, 0);
    return buf[2] & 0x80;
}

/* The command was answered by the check with this unit attention, nothing moved of @len. */
static void assert_attention(bool answered, uint8_t asc, uint8_t ascq, uint32_t len)
{
    assert_true(answered);
    assert_sense(&res, UNIT_ATTENTION, asc, ascq, len);
    assert_int_equal(buf[0], FILL);
}

/* Nothing (more) to report: TEST UNIT READY runs and answers GOOD. */
static void assert_quiet(const struct vbd_scsi_disk *disk)
{
    assert_false(test_unit_ready(disk));
    assert_done(&res, 0, 0);
}

/* A 1 GiB disk (plain_disk), known to the initiator as it is. */
static struct vbd_scsi_disk known_disk(void)
{
    struct vbd_scsi_disk disk = plain_disk();

    vbd_scsi_attention_init(&att, &disk);
    return disk;
}

static void test_an_unchanged_disk_reports_nothing(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    for (int i = 0; i < 3; i++) {
        assert_quiet(&disk);
        assert_int_equal(read_capacity_16(&disk), GIB_SECTORS - 1);
    }
    /* Fields the initiator never sees are no change. */
    disk.discard_secure = true;
    disk.discard_granularity = 4096; /* discard is off: nothing shows it */
    assert_quiet(&disk);
}

static void test_resize_up(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.sectors = 2 * GIB_SECTORS;
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    assert_quiet(&disk);
    assert_int_equal(read_capacity_16(&disk), 2 * GIB_SECTORS - 1);
    assert_int_equal(be(buf + 8, 4), 512);
    assert_false(read_write_10(&disk, false, (uint32_t)(2 * GIB_SECTORS - 1)));
    assert_int_equal(res.io.op, VBD_SCSI_OP_READ); /* the new last block is there */
}

static void test_resize_down(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.sectors = GIB_SECTORS / 4;
    /* The command that meets the change is not run: the initiator retries it. */
    assert_attention(read_write_10(&disk, true, 7), CAPACITY_CHANGED, 512);
    assert_int_equal(read_capacity_16(&disk), GIB_SECTORS / 4 - 1);
    assert_false(read_write_10(&disk, false, (uint32_t)(GIB_SECTORS / 4)));
    assert_sense(&res, 0x05, 0x21, 0x00, 512); /* LBA OUT OF RANGE: the old end is gone */
    assert_false(read_write_10(&disk, true, 7));
    assert_int_equal(res.io.op, VBD_SCSI_OP_WRITE);
}

static void test_logical_block_length_change(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.max_transfer = 65536;
    vbd_scsi_attention_init(&att, &disk);
    disk.sector_size = 4096; /* the same bytes in 4 KiB blocks */
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    /* Page 0xB0 counts logical blocks: it changed as well. */
    assert_attention(test_unit_ready(&disk), INQUIRY_CHANGED, 0);
    assert_quiet(&disk);
    assert_int_equal(read_capacity_16(&disk), GIB_SECTORS / 8 - 1);
    assert_int_equal(be(buf + 8, 4), 4096);

    disk.physical_sector_size = 16384; /* 4 logical blocks to a physical one */
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    assert_attention(test_unit_ready(&disk), INQUIRY_CHANGED, 0);
    assert_quiet(&disk);
    read_capacity_16(&disk);
    assert_int_equal(buf[13] & 0x0f, 2); /* 2^2 logical blocks per physical block */
}

static void test_write_protection_change(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.read_only = true;
    assert_attention(read_write_10(&disk, true, 0), MODE_CHANGED, 512);
    assert_false(read_write_10(&disk, true, 0));
    assert_sense(&res, 0x07, 0x27, 0x00, 512); /* DATA PROTECT, WRITE PROTECTED */
    assert_true(write_protected(&disk));

    disk.read_only = false;
    assert_attention(read_write_10(&disk, true, 0), MODE_CHANGED, 512);
    assert_false(read_write_10(&disk, true, 0));
    assert_int_equal(res.io.op, VBD_SCSI_OP_WRITE);
    assert_false(write_protected(&disk));

    disk.flush = true; /* the caching page's WCE */
    assert_attention(test_unit_ready(&disk), MODE_CHANGED, 0);
    assert_quiet(&disk);
}

static void test_discard_appearing(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.discard = true;
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0); /* LBPME */
    assert_attention(test_unit_ready(&disk), INQUIRY_CHANGED, 0);  /* pages 0xB0, 0xB2 */
    assert_quiet(&disk);
    disk.discard_granularity = 1 << 20;
    assert_attention(test_unit_ready(&disk), INQUIRY_CHANGED, 0);
    assert_quiet(&disk);
}

static void test_one_report_a_change(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    for (int change = 1; change <= 3; change++) {
        disk.sectors = GIB_SECTORS + (uint64_t)change * 8;
        assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
        for (int i = 0; i < 5; i++)
            assert_quiet(&disk);
    }
    /* Changes no command saw are one change; one undone before any command saw it is none. */
    disk.sectors = 3 * GIB_SECTORS;
    disk.sectors = 4 * GIB_SECTORS;
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    disk.sectors = 5 * GIB_SECTORS;
    disk.sectors = 4 * GIB_SECTORS;
    assert_quiet(&disk);
}

static void test_a_change_of_a_pending_kind_adds_nothing(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.sectors = 2 * GIB_SECTORS;
    assert_false(inquiry(&disk)); /* sees the change, reports nothing */
    disk.sectors = 3 * GIB_SECTORS;
    assert_false(inquiry(&disk));
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    assert_quiet(&disk);
    assert_int_equal(read_capacity_16(&disk), 3 * GIB_SECTORS - 1);
}

static void test_changes_queue_in_order(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.sectors = 2 * GIB_SECTORS;
    disk.read_only = true;
    disk.max_transfer = 65536;
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    assert_attention(test_unit_ready(&disk), MODE_CHANGED, 0);
    assert_attention(test_unit_ready(&disk), INQUIRY_CHANGED, 0);
    assert_quiet(&disk);
}

static void test_inquiry_and_report_luns_pass(void **state)
{
    struct vbd_scsi_disk disk = known_disk();

    disk.sectors = 2 * GIB_SECTORS;
    for (int i = 0; i < 2; i++) {
        assert_false(inquiry(&disk));
        assert_done(&res, 36, 36);
        assert_int_equal(buf[0], 0x00); /* a disk */
        assert_false(report_luns(&disk));
        assert_done(&res, 16, 16);
        assert_int_equal(be(buf, 4), 8); /* one LUN */
    }
    /* Neither cleared it. */
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);
    assert_quiet(&disk);
}

static void test_request_sense_reports_and_clears(void **state)
{
    struct vbd_scsi_disk disk = known_disk();
    static const uint8_t no_sense[18] = {0x70, 0, 0x00, 0, 0, 0, 0, 10};

    disk.sectors = 2 * GIB_SECTORS;
    disk.read_only = true;

    /* Descriptor format is refused as ever, and the condition stays. */
    assert_true(request_sense(&disk, 0x01, 252));
    assert_sense(&res, 0x05, 0x24, 0x00, sizeof(buf));

    assert_true(request_sense(&disk, 0, 252));
    assert_done(&res, 18, sizeof(buf));
    assert_int_equal(buf[0], 0x70); /* current, fixed format */
    assert_int_equal(buf[2], UNIT_ATTENTION);
    assert_int_equal(buf[7], 10);
    assert_int_equal(buf[12], 0x2a);
    assert_int_equal(buf[13], 0x09);
    assert_int_equal(buf[18], FILL);

    /* Cut to the allocation length, as any REQUEST SENSE is; the next condition. */
    assert_true(request_sense(&disk, 0, 8));
    assert_done(&res, 8, sizeof(buf));
    assert_int_equal(buf[2], UNIT_ATTENTION);
    assert_int_equal(buf[8], FILL);
    assert_quiet(&disk); /* the 8 bytes had no ASC to show, but it was reported */

    assert_false(request_sense(&disk, 0, 252));
    assert_done(&res, 18, sizeof(buf));
    assert_memory_equal(buf, no_sense, 18);
}

static void test_medium_change_of_a_cd(void **state)
{
    struct vbd_scsi_disk disk = plain_disk();

    disk.cdrom = true;
    disk.read_only = true;
    disk.sector_size = 2048;
    disk.sectors = 0; /* empty */
    vbd_scsi_attention_init(&att, &disk);
    assert_false(test_unit_ready(&disk));
    assert_sense(&res, 0x02, 0x3a, 0x00, 0); /* MEDIUM NOT PRESENT */

    disk.sectors = 1 << 20; /* a disc goes in */
    assert_attention(test_unit_ready(&disk), MEDIUM_MAY_CHANGE, 0);
    assert_quiet(&disk);
    assert_int_equal(read_capacity_16(&disk), (1 << 20) / 4 - 1);

    disk.sectors = 0; /* and out: medium access says so by itself */
    assert_false(test_unit_ready(&disk));
    assert_sense(&res, 0x02, 0x3a, 0x00, 0);
    disk.sectors = 1 << 19; /* another one */
    assert_attention(test_unit_ready(&disk), MEDIUM_MAY_CHANGE, 0);
    assert_quiet(&disk);
}

static void test_invalid_descriptions_change_nothing(void **state)
{
    struct vbd_scsi_disk disk = plain_disk(), broken = plain_disk();

    broken.sector_size = 0;
    vbd_scsi_attention_init(&att, &disk);
    for (int i = 0; i < 2; i++) {
        assert_false(test_unit_ready(&broken));
        assert_sense(&res, 0x04, 0x44, 0x00, 0); /* HARDWARE ERROR as vbd_scsi_execute has it */
    }
    assert_quiet(&disk);

    /* Nothing known at start: the first valid description is taken silently. */
    vbd_scsi_attention_init(&att, &broken);
    assert_quiet(&disk);
    disk.sectors *= 2;
    assert_attention(test_unit_ready(&disk), CAPACITY_CHANGED, 0);

    /* A CDB of no bytes is a command like any other. */
    disk.sectors *= 2;
    assert_attention(command(&disk, buf, 0, 0, VBD_SCSI_DIR_NONE), CAPACITY_CHANGED, 0);
}

/* -- processors meeting one change at once ----------------------------------- */

#define THREADS         4
#define ROUNDS          3000
#define COMMANDS        4 /* each thread, each round */
#define STREAM_VERSIONS 64

struct worker {
    pthread_t thread;
    unsigned int attentions[ROUNDS]; /* reports each round */
    unsigned int wrong;              /* answers that were neither GOOD nor the report */
};

static struct worker workers[THREADS];
static struct vbd_scsi_disk round_disk;
static pthread_barrier_t round_start, round_end;

/* TEST UNIT READY on @disk; counts a report in *@attentions, anything else odd in *@wrong. */
static void worker_command(const struct vbd_scsi_disk *disk, unsigned int *attentions,
                           unsigned int *wrong)
{
    static const uint8_t cdb[6] = {0x00};
    struct vbd_scsi_result r;
    uint8_t b[1];

    if (run_command(&att, disk, cdb, sizeof(cdb), b, 0, VBD_SCSI_DIR_NONE, &r)) {
        if (r.status == 0x02 && r.sense[2] == UNIT_ATTENTION && r.sense[12] == 0x2a &&
            r.sense[13] == 0x09)
            (*attentions)++;
        else
            (*wrong)++;
    } else if (r.status != 0x00) {
        (*wrong)++;
    }
}

static void *round_worker(void *arg)
{
    struct worker *w = arg;

    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&round_start);
        for (int i = 0; i < COMMANDS; i++)
            worker_command(&round_disk, &w->attentions[round], &w->wrong);
        pthread_barrier_wait(&round_end);
    }
    return NULL;
}

static void test_concurrent_commands_report_a_change_once(void **state)
{
    round_disk = plain_disk();
    vbd_scsi_attention_init(&att, &round_disk);
    memset(workers, 0, sizeof(workers));
    assert_int_equal(pthread_barrier_init(&round_start, NULL, THREADS + 1), 0);
    assert_int_equal(pthread_barrier_init(&round_end, NULL, THREADS + 1), 0);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&workers[t].thread, NULL, round_worker, &workers[t]), 0);
    for (int round = 0; round < ROUNDS; round++) {
        round_disk.sectors = GIB_SECTORS + 8 * (uint64_t)(round + 1); /* a resize a round */
        pthread_barrier_wait(&round_start);
        pthread_barrier_wait(&round_end);
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_join(workers[t].thread, NULL), 0);
    pthread_barrier_destroy(&round_start);
    pthread_barrier_destroy(&round_end);

    for (int round = 0; round < ROUNDS; round++) {
        unsigned int reports = 0;

        for (int t = 0; t < THREADS; t++)
            reports += workers[t].attentions[round];
        assert_int_equal(reports, 1);
    }
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(workers[t].wrong, 0);
}

/* Descriptions published while commands run, as the shell would: never edited in place. */
static struct vbd_scsi_disk versions[STREAM_VERSIONS];
static uint32_t current_version;
static uint32_t publishing;
static uint32_t commands_run;

static void *stream_worker(void *arg)
{
    struct worker *w = arg;

    while (__atomic_load_n(&publishing, __ATOMIC_ACQUIRE)) {
        uint32_t v = __atomic_load_n(&current_version, __ATOMIC_ACQUIRE);

        worker_command(&versions[v], &w->attentions[0], &w->wrong);
        __atomic_add_fetch(&commands_run, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void test_changes_while_commands_run(void **state)
{
    unsigned int reports = 0;

    for (int v = 0; v < STREAM_VERSIONS; v++) {
        versions[v] = plain_disk();
        versions[v].sectors = GIB_SECTORS + 8 * (uint64_t)v;
    }
    current_version = 0;
    commands_run = 0;
    publishing = 1;
    vbd_scsi_attention_init(&att, &versions[0]);
    memset(workers, 0, sizeof(workers));
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&workers[t].thread, NULL, stream_worker, &workers[t]), 0);
    for (uint32_t v = 1; v < STREAM_VERSIONS; v++) {
        uint32_t seen = __atomic_load_n(&commands_run, __ATOMIC_RELAXED);

        /* Some commands on each version, so that changes meet running commands. */
        while (__atomic_load_n(&commands_run, __ATOMIC_RELAXED) - seen < THREADS)
            sched_yield();
        __atomic_store_n(&current_version, v, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&publishing, 0, __ATOMIC_RELEASE);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(workers[t].thread, NULL), 0);
        assert_int_equal(workers[t].wrong, 0);
        reports += workers[t].attentions[0];
    }
    /* What is left pending is reported once, then nothing. */
    if (test_unit_ready(&versions[STREAM_VERSIONS - 1])) {
        assert_sense(&res, UNIT_ATTENTION, CAPACITY_CHANGED, 0);
        reports++;
    }
    assert_quiet(&versions[STREAM_VERSIONS - 1]);
    /*
     * The last version differs from the first: reported. Not bounded by
     * the versions: a command that loaded a version before the next was
     * published may check it after that next one was made known, which
     * makes it known again (see vbd_scsi_attention_check).
     */
    assert_true(reports >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_unchanged_disk_reports_nothing),
        cmocka_unit_test(test_resize_up),
        cmocka_unit_test(test_resize_down),
        cmocka_unit_test(test_logical_block_length_change),
        cmocka_unit_test(test_write_protection_change),
        cmocka_unit_test(test_discard_appearing),
        cmocka_unit_test(test_one_report_a_change),
        cmocka_unit_test(test_a_change_of_a_pending_kind_adds_nothing),
        cmocka_unit_test(test_changes_queue_in_order),
        cmocka_unit_test(test_inquiry_and_report_luns_pass),
        cmocka_unit_test(test_request_sense_reports_and_clears),
        cmocka_unit_test(test_medium_change_of_a_cd),
        cmocka_unit_test(test_invalid_descriptions_change_nothing),
        cmocka_unit_test(test_concurrent_commands_report_a_change_once),
        cmocka_unit_test(test_changes_while_commands_run),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
