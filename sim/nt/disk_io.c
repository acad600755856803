/*
 * sim/nt/disk_io.c - what a program in the guest asks of a disk through
 * the disk class (see disk_class.h): read it whole with its SHA-256, write
 * a file's bytes onto it, or write stamped blocks and journal each write
 * the disk acknowledged (a workload that counts what it did: disk_run.c).
 *
 * Every request is a READ(16) or WRITE(16) SRB of the disk class's own,
 * several with the miniport at once (a queue), each no larger than the
 * adapter's largest transfer, as the disk class cuts a program's request.
 * When one fails, no more are started, those out come back first, and the
 * answer says which one failed and how.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "disk_requests.h"
#include "kernel.h"
#include "scsi/bytes.h"
#include "scsi/scsi.h"

#define STREAM_DEPTH 4 /* requests out at once when a disk is read or written whole */
#define STREAM_CHUNK (1024u * 1024u)

/* The bytes of a streaming request: at most one chunk and the adapter's largest transfer. */
static uint32_t stream_chunk(const struct disk_use *d)
{
    uint32_t chunk = d->max_transfer < STREAM_CHUNK ? d->max_transfer : STREAM_CHUNK;

    return chunk - chunk % d->block_size;
}

int disk_class_sha256(unsigned int disk, char *answer, size_t size)
{
    struct storport_request r[STREAM_DEPTH], *ptrs[STREAM_DEPTH];
    uint8_t digest[EVP_MAX_MD_SIZE], cdb[16];
    unsigned int digest_length = 0, head = 0, queued = 0;
    uint64_t next = 0, hashed = 0;
    struct disk_use d;
    EVP_MD_CTX *sha;
    uint32_t per;
    char why[96];
    int rc = -1;

    if (disk_open(disk, &d, answer, size) != 0)
        return -1;
    per = stream_chunk(&d) / d.block_size;
    sha = EVP_MD_CTX_new();
    if (sha == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1 ||
        disk_requests_new(&d, r, STREAM_DEPTH, per * d.block_size) != 0) {
        snprintf(answer, size, "disk %u: no memory", disk);
        EVP_MD_CTX_free(sha);
        disk_close(&d);
        return -1;
    }
    for (unsigned int i = 0; i < STREAM_DEPTH; i++)
        ptrs[i] = &r[i];
    /* Requests go out in order round the ring and are hashed in that order. */
    while (hashed < d.blocks) {
        while (queued < STREAM_DEPTH && next < d.blocks) {
            struct storport_request *q = &r[(head + queued++) % STREAM_DEPTH];
            uint32_t n = d.blocks - next < per ? (uint32_t)(d.blocks - next) : per;

            disk_cdb_rw(cdb, false, next, n);
            storport_request_start(q, d.target, cdb, 16, SRB_DIR_IN, n * d.block_size);
            next += n;
        }
        storport_request_wait(&ptrs[head], 1);
        if (disk_request_restarted(&d, &r[head]))
            continue;
        if (!disk_request_done(&d, &r[head], why, sizeof(why))) {
            snprintf(answer, size, "disk %u: READ at block %llu failed (%s)", disk,
                     (unsigned long long)hashed, why);
            goto out;
        }
        EVP_DigestUpdate(sha, r[head].data, r[head].spec.length);
        hashed += r[head].spec.length / d.block_size;
        head = (head + 1) % STREAM_DEPTH;
        queued--;
    }
    EVP_DigestFinal_ex(sha, digest, &digest_length);
    snprintf(answer, size, "ok ");
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(answer + 3 + 2 * i, size - 3 - 2 * i, "%02x", digest[i]);
    snprintf(answer + strlen(answer), size - strlen(answer), " %llu",
             (unsigned long long)(d.blocks * d.block_size));
    rc = 0;
out:
    disk_requests_free(r, ptrs, STREAM_DEPTH);
    EVP_MD_CTX_free(sha);
    disk_close(&d);
    return rc;
}

/* One synchronous request of @d's: @write or read of @count blocks at @lba through @buf. */
static bool one_rw(struct disk_use *d, bool write, uint64_t lba, uint32_t count, uint8_t *buf,
                   char *why, size_t size)
{
    uint8_t cdb[16];
    struct srb_outcome out;

    disk_cdb_rw(cdb, write, lba, count);
    out = disk_class_command(d->a, d->target, cdb, 16, write ? SRB_DIR_OUT : SRB_DIR_IN, buf,
                             count * d->block_size);
    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS &&
        out.transferred == count * d->block_size)
        return true;
    disk_outcome_text(&out, why, size);
    return false;
}

/* SYNCHRONIZE CACHE(10) of the whole disk. */
static bool synchronize(struct disk_use *d, char *why, size_t size)
{
    uint8_t cdb[10] = {SCSI_OP_SYNCHRONIZE_CACHE};
    struct srb_outcome out =
        disk_class_command(d->a, d->target, cdb, sizeof(cdb), SRB_DIR_NONE, NULL, 0);

    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS)
        return true;
    disk_outcome_text(&out, why, size);
    return false;
}

/* Start @r writing the file's next blocks from *@next (of @blocks, @per at most); false when unread. */
static bool write_next(struct disk_use *d, int fd, struct storport_request *r, uint64_t *next,
                       uint64_t blocks, uint32_t per, char *answer, size_t size)
{
    uint32_t n = blocks - *next < per ? (uint32_t)(blocks - *next) : per;
    uint8_t cdb[16];

    if (pread(fd, r->data, n * d->block_size, (off_t)(*next * d->block_size)) !=
        (ssize_t)(n * d->block_size)) {
        snprintf(answer, size, "the file could not be read at byte %llu",
                 (unsigned long long)(*next * d->block_size));
        return false;
    }
    disk_cdb_rw(cdb, true, *next, n);
    storport_request_start(r, d->target, cdb, 16, SRB_DIR_OUT, n * d->block_size);
    *next += n;
    return true;
}

/* The file's whole blocks written from block 0, STREAM_DEPTH at once: 0, or -1. */
static int fill_whole_blocks(struct disk_use *d, int fd, uint64_t blocks, char *answer, size_t size)
{
    struct storport_request r[STREAM_DEPTH], *ptrs[STREAM_DEPTH];
    uint32_t per = stream_chunk(d) / d->block_size;
    uint64_t next = 0, written = 0;
    bool failed = false;
    char why[96];

    if (disk_requests_new(d, r, STREAM_DEPTH, per * d->block_size) != 0) {
        snprintf(answer, size, "disk %u: no memory", d->number);
        return -1;
    }
    for (unsigned int i = 0; i < STREAM_DEPTH; i++)
        ptrs[i] = &r[i];
    for (unsigned int i = 0; i < STREAM_DEPTH && next < blocks && !failed; i++)
        failed = !write_next(d, fd, &r[i], &next, blocks, per, answer, size);
    while (!failed && written < blocks) {
        unsigned int i = storport_request_wait(ptrs, STREAM_DEPTH);

        if (disk_request_restarted(d, &r[i]))
            continue;
        if (!disk_request_done(d, &r[i], why, sizeof(why))) {
            snprintf(answer, size, "disk %u: WRITE at block %llu failed (%s)", d->number,
                     (unsigned long long)scsi_get64(r[i].spec.cdb + 2), why);
            failed = true;
            break;
        }
        written += r[i].spec.length / d->block_size;
        if (next < blocks)
            failed = !write_next(d, fd, &r[i], &next, blocks, per, answer, size);
    }
    disk_requests_free(r, ptrs, STREAM_DEPTH);
    return failed ? -1 : 0;
}

int disk_class_fill(unsigned int disk, const char *path, char *answer, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t bytes, whole;
    struct disk_use d;
    struct stat st;
    uint8_t *last = NULL;
    char why[96];
    int rc = -1;

    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(answer, size, "%s: %s", path, fd < 0 ? strerror(errno) : "not a regular file");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (disk_open(disk, &d, answer, size) != 0) {
        close(fd);
        return -1;
    }
    bytes = (uint64_t)st.st_size;
    whole = bytes / d.block_size;
    if (bytes > d.blocks * d.block_size) {
        snprintf(answer, size, "%s: %llu bytes, larger than disk %u (%llu bytes): nothing written",
                 path, (unsigned long long)bytes, disk,
                 (unsigned long long)(d.blocks * d.block_size));
        goto out;
    }
    if (whole > 0 && fill_whole_blocks(&d, fd, whole, answer, size) < 0)
        goto out;
    if (bytes % d.block_size) {
        /* The last block's head from the file, its tail as the disk has it. */
        size_t tail = bytes % d.block_size;

        last = malloc(d.block_size);
        if (last == NULL || !one_rw(&d, false, whole, 1, last, why, sizeof(why)) ||
            pread(fd, last, tail, (off_t)(whole * d.block_size)) != (ssize_t)tail ||
            !one_rw(&d, true, whole, 1, last, why, sizeof(why))) {
            snprintf(answer, size, "disk %u: the last block (%llu) not written (%s)", disk,
                     (unsigned long long)whole, last ? why : "no memory");
            goto out;
        }
    }
    if (!synchronize(&d, why, sizeof(why))) {
        snprintf(answer, size, "disk %u: SYNCHRONIZE CACHE failed (%s)", disk, why);
        goto out;
    }
    snprintf(answer, size, "ok %llu", (unsigned long long)bytes);
    rc = 0;
out:
    free(last);
    disk_close(&d);
    close(fd);
    return rc;
}

/* Whether a write of @count blocks at @lba would overlap one of the @n requests at @r still out. */
static bool overlaps_one_out(struct storport_request *const *r, unsigned int n, uint64_t lba,
                             uint32_t count)
{
    for (unsigned int i = 0; i < n; i++) {
        uint64_t at = scsi_get64(r[i]->spec.cdb + 2);

        if (r[i]->started && lba < at + count && at < lba + count)
            return true;
    }
    return false;
}

static void put_le64(uint8_t *p, uint64_t v)
{
    for (unsigned int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* @r's data: write @seq's stamp for @count blocks of @d at @lba (disk_class.h). */
static void stamp(const struct disk_use *d, struct storport_request *r, uint64_t lba,
                  uint32_t count, uint64_t seq)
{
    uint64_t first = lba * d->block_size / DISK_STAMP_UNIT;
    uint32_t units = count * d->block_size / DISK_STAMP_UNIT;

    for (uint32_t u = 0; u < units; u++) {
        for (uint32_t at = 0; at < DISK_STAMP_UNIT; at += 16) {
            put_le64(r->data + u * DISK_STAMP_UNIT + at, first + u);
            put_le64(r->data + u * DISK_STAMP_UNIT + at + 8, seq);
        }
    }
}

/* Start @r writing stamp @seq, with FUA, at a place no write still out overlaps. */
static void start_stamped(const struct disk_use *d, const struct disk_workload *w,
                          struct storport_request **ptrs, struct storport_request *r, uint64_t seq,
                          uint64_t *seed)
{
    uint32_t count = w->bs / d->block_size;
    uint64_t cursor = 0, lba;
    uint8_t cdb[16];

    do
        lba = disk_next_lba(w, d->blocks, count, &cursor, seed);
    while (overlaps_one_out(ptrs, w->qd, lba, count));
    stamp(d, r, lba, count, seq);
    disk_cdb_rw(cdb, true, lba, count);
    cdb[1] |= SCSI_RW_FUA;
    storport_request_start(r, d->target, cdb, 16, SRB_DIR_OUT, w->bs);
}

/* @r, given back, in the journal: "SEQ LBA BLOCKS ok|failed"; whether it succeeded. */
static bool journal_one(const struct disk_use *d, FILE *journal, const struct storport_request *r,
                        const uint64_t *seqs, unsigned int i)
{
    char why[96];
    bool ok = disk_request_done(d, r, why, sizeof(why));

    fprintf(journal, "%llu %llu %u %s\n", (unsigned long long)seqs[i],
            (unsigned long long)scsi_get64(r->spec.cdb + 2), scsi_get32(r->spec.cdb + 10),
            ok ? "ok" : "failed");
    fflush(journal);
    return ok;
}

static int stamp_checked(const struct disk_use *d, const struct disk_workload *w, char *answer,
                         size_t size)
{
    if (disk_workload_checked(d, w, answer, size) != 0)
        return -1;
    if (w->bs % DISK_STAMP_UNIT) {
        snprintf(answer, size, "--bs %u: not a whole number of %u-byte stamps", w->bs,
                 DISK_STAMP_UNIT);
        return -1;
    }
    if ((uint64_t)w->qd * 2 > d->blocks / (w->bs / d->block_size)) {
        snprintf(answer, size, "--qd %u: more than half the disk's %u-byte pieces", w->qd, w->bs);
        return -1;
    }
    return 0;
}

/* Whether @fd (-1: none) is readable: the client said it has had enough. */
static bool readable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return fd >= 0 && poll(&p, 1, 0) == 1;
}

int disk_class_stamp(unsigned int disk, const struct disk_workload *w, const char *journal_path,
                     int until_fd, char *answer, size_t size)
{
    struct disk_workload random = *w;
    struct disk_request_set set = {0};
    uint64_t *seqs = NULL, seq = 0, acknowledged = 0, failed = 0, seed = 0x2545f4914f6cdd1dull;
    uint64_t start, end;
    bool ending = false;
    FILE *journal = NULL;
    struct disk_use d;
    char why[96];
    int rc = -1;

    random.random = true;
    random.write = true;
    if (disk_open(disk, &d, answer, size) != 0)
        return -1;
    if (stamp_checked(&d, &random, answer, size) != 0)
        goto out;
    journal = fopen(journal_path, "we");
    if (journal == NULL) {
        snprintf(answer, size, "%s: %s", journal_path, strerror(errno));
        goto out;
    }
    seqs = calloc(w->qd, sizeof(*seqs));
    if (seqs == NULL) {
        snprintf(answer, size, "disk %u: no memory", disk);
        goto out;
    }
    if (disk_request_set_new(&d, &set, w->qd, w->bs, answer, size) != 0)
        goto out;
    start = disk_now_ns(CLOCK_MONOTONIC);
    end = start + w->seconds * 1000000000ull;
    for (unsigned int i = 0; i < w->qd; i++) {
        seqs[i] = ++seq;
        start_stamped(&d, &random, set.ptrs, &set.r[i], seqs[i], &seed);
    }
    /* Until the time is up or the client has had enough; what is out then is journaled too. */
    for (unsigned int out = w->qd; out > 0;) {
        unsigned int i = storport_request_wait(set.ptrs, w->qd);

        if (disk_request_restarted(&d, &set.r[i]))
            continue; /* a unit attention: the same write again */
        if (journal_one(&d, journal, &set.r[i], seqs, i))
            acknowledged++;
        else
            failed++;
        ending = ending || disk_now_ns(CLOCK_MONOTONIC) >= end || readable(until_fd);
        if (!ending) {
            seqs[i] = ++seq;
            start_stamped(&d, &random, set.ptrs, &set.r[i], seqs[i], &seed);
        } else {
            out--;
        }
    }
    end = disk_now_ns(CLOCK_MONOTONIC);
    if (!synchronize(&d, why, sizeof(why))) {
        snprintf(answer, size, "disk %u: SYNCHRONIZE CACHE failed (%s)", disk, why);
        goto out;
    }
    snprintf(answer, size, "ok %llu %llu %llu", (unsigned long long)acknowledged,
             (unsigned long long)failed, (unsigned long long)(end - start));
    rc = 0;
out:
    disk_request_set_free(&set);
    free(seqs);
    if (journal)
        fclose(journal);
    disk_close(&d);
    return rc;
}
