/*
 * sim/nt/disk_class.c - Windows's disk class driver on a disk Storport
 * found, as far as it is built: the first thing Windows reads of a new
 * disk, its block 0 (where the partition table is), with READ(10) through
 * Storport and the miniport; what came back is logged with a digest of
 * its bytes (64-bit FNV-1a) for a test to compare with the image.
 *
 * For user mode (winpv-sim io), a whole disk read through Storport and
 * the miniport, its SHA-256 computed as it comes (disk_class_sha256).
 * Each command goes through disk_class_command_in (disk_class_sense.c),
 * which retries a unit attention and reads a changed capacity again.
 *
 * Not built yet: the disk class's device object and its IRPs (IOCTLs,
 * reads and writes from above), its start requests beyond this one (VPD
 * pages, MODE SENSE caching page), writes, flushes, UNMAP.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "kernel.h"
#include "storport.h"

#define SCSI_READ_10   0x28
#define BLOCK_SIZE_MAX 4096

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

void disk_class_start(struct adapter *a, uint8_t target, uint32_t block_size)
{
    uint8_t read0[10] = {SCSI_READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0}; /* block 0, 1 block */
    uint8_t *block;
    struct srb_outcome out;

    if (block_size == 0 || block_size > BLOCK_SIZE_MAX) {
        nt_log("disk: unit 0:%u:0: blocks of %u bytes: not read\n", target, block_size);
        return;
    }
    block = calloc(1, block_size);
    if (block == NULL)
        return;
    out = disk_class_command_in(a, target, read0, sizeof(read0), block, block_size);
    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS && out.transferred == block_size)
        nt_log("disk: unit 0:%u:0: block 0 read, %u bytes, fnv1a %016llx\n", target, block_size,
               (unsigned long long)fnv1a(block, block_size));
    else
        nt_log("disk: unit 0:%u:0: block 0 not read (SRB status %#x, SCSI status %#x, %u bytes)\n",
               target, out.srb_status, out.scsi_status, out.transferred);
    free(block);
}

#define SCSI_READ_16        0x88
#define SCSI_SERVICE_IN_16  0x9e
#define SA_READ_CAPACITY_16 0x10
#define CHUNK_BYTES         (64u * 1024u)

static void put_be(uint8_t *p, uint64_t value, unsigned int bytes)
{
    for (unsigned int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(value >> (8 * (bytes - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, unsigned int bytes)
{
    uint64_t value = 0;

    for (unsigned int i = 0; i < bytes; i++)
        value = value << 8 | p[i];
    return value;
}

/* The disk's size in blocks (READ CAPACITY(16)); 0 when it could not be read. */
static uint64_t capacity_of(struct adapter *a, uint8_t target)
{
    uint8_t cdb[16] = {SCSI_SERVICE_IN_16, SA_READ_CAPACITY_16}, data[32] = {0};
    struct srb_outcome out;

    put_be(cdb + 10, sizeof(data), 4);
    out = disk_class_command_in(a, target, cdb, sizeof(cdb), data, sizeof(data));
    if (SRB_STATUS(out.srb_status) != SRB_STATUS_SUCCESS || out.transferred < 12)
        return 0;
    return get_be(data, 8) + 1;
}

int disk_class_sha256(unsigned int disk, char *hex, uint64_t *bytes, char *error, size_t size)
{
    uint32_t block_size = 0;
    uint8_t target = 0, digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    struct adapter *a = storport_disk_hold(disk, &target, &block_size);
    EVP_MD_CTX *sha = NULL;
    uint8_t *chunk = NULL;
    uint64_t blocks, done = 0;
    int rc = -1;

    if (a == NULL) {
        snprintf(error, size, "the guest has no disk %u", disk);
        return -1;
    }
    blocks = capacity_of(a, target);
    chunk = malloc(CHUNK_BYTES);
    sha = EVP_MD_CTX_new();
    if (blocks == 0 || block_size == 0 || block_size > CHUNK_BYTES || chunk == NULL ||
        sha == NULL || EVP_DigestInit_ex(sha, EVP_sha256(), NULL) != 1) {
        snprintf(error, size, "disk %u: its capacity not read, or no memory", disk);
        goto out;
    }
    while (done < blocks) {
        uint32_t n = CHUNK_BYTES / block_size;
        uint8_t cdb[16] = {SCSI_READ_16};
        struct srb_outcome got;

        n = blocks - done < n ? (uint32_t)(blocks - done) : n;
        put_be(cdb + 2, done, 8);
        put_be(cdb + 10, n, 4);
        got = disk_class_command_in(a, target, cdb, sizeof(cdb), chunk, n * block_size);
        if (SRB_STATUS(got.srb_status) != SRB_STATUS_SUCCESS || got.transferred != n * block_size) {
            snprintf(error, size, "disk %u: READ at block %llu failed (SRB status %#x)", disk,
                     (unsigned long long)done, got.srb_status);
            goto out;
        }
        EVP_DigestUpdate(sha, chunk, got.transferred);
        done += n;
    }
    EVP_DigestFinal_ex(sha, digest, &digest_length);
    for (unsigned int i = 0; i < digest_length; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    *bytes = blocks * block_size;
    rc = 0;
out:
    EVP_MD_CTX_free(sha);
    free(chunk);
    storport_disk_release(a);
    return rc;
}
