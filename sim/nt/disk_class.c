/*
 * sim/nt/disk_class.c - the disk class's start on a disk Storport found,
 * and what its requests share (see disk_class.h).
 *
 * The start asks what Windows's disk driver asks of a new disk (its class
 * driver's start and the disk driver's own), in that order: the VPD pages
 * the disk lists (serial number, identification, block limits, block
 * device characteristics, logical block provisioning), READ CAPACITY(16),
 * MODE SENSE(6) of every page (the write-protect bit, the caching page),
 * then block 0 with READ(10). A unit that fails one of them is logged as
 * such, and the start goes on with the next, as the disk driver's does.
 * Each command goes through disk_class_command (disk_class_sense.c), which
 * retries a unit attention and reads a changed capacity again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disk_class.h"
#include "kernel.h"
#include "scsi/bytes.h"
#include "scsi/scsi.h"

#define BLOCK_SIZE_MAX 4096
#define MODE_MAX       255

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static bool succeeded(const struct srb_outcome *out)
{
    return SRB_STATUS(out->srb_status) == SRB_STATUS_SUCCESS;
}

void disk_outcome_text(const struct srb_outcome *out, char *text, size_t size)
{
    if (out->srb_status & SRB_STATUS_AUTOSENSE_VALID)
        snprintf(text, size, "SRB status %#x, sense key %#x, ASC %#x, ASCQ %#x", out->srb_status,
                 out->sense[SCSI_SENSE_OFF_KEY] & SCSI_SENSE_KEY_MASK,
                 out->sense[SCSI_SENSE_OFF_ASC], out->sense[SCSI_SENSE_OFF_ASCQ]);
    else
        snprintf(text, size, "SRB status %#x, SCSI status %#x", out->srb_status, out->scsi_status);
}

uint32_t disk_vpd_page(struct adapter *a, uint8_t target, uint8_t page, uint8_t *data)
{
    uint8_t cdb[6] = {SCSI_OP_INQUIRY, SCSI_INQUIRY_EVPD, page, 0, DISK_VPD_MAX, 0};
    struct srb_outcome out =
        disk_class_command(a, target, cdb, sizeof(cdb), SRB_DIR_IN, data, DISK_VPD_MAX);
    uint32_t length;

    if (!succeeded(&out) || out.transferred < SCSI_VPD_HEADER_LEN || data[1] != page)
        return 0;
    length = SCSI_VPD_HEADER_LEN + scsi_get16(data + 2);
    return length <= out.transferred ? length : out.transferred;
}

/* The printable text of @n bytes at @p, blanks around it dropped, in @out (n + 1 bytes). */
static void text_of(char *out, const uint8_t *p, size_t n)
{
    size_t i, first = 0;

    while (first < n && p[first] == ' ')
        first++;
    for (i = first; i < n; i++)
        out[i - first] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    i -= first;
    while (i > 0 && out[i - 1] == ' ')
        i--;
    out[i] = '\0';
}

/* The first identifier of page 0x83 in @d (@length bytes), as text: NAA in hex, T10 as text. */
static void identifier_of(const uint8_t *d, uint32_t length, char *out, size_t size)
{
    const uint8_t *id = d + SCSI_VPD_HEADER_LEN;
    uint32_t n;

    snprintf(out, size, "none");
    if (length < SCSI_VPD_HEADER_LEN + SCSI_ID_HEADER_LEN)
        return;
    n = id[3];
    if (SCSI_VPD_HEADER_LEN + SCSI_ID_HEADER_LEN + n > length)
        return;
    if ((id[0] & 0x0f) == SCSI_ID_CODESET_BINARY && n <= 16) {
        size_t at = (size_t)snprintf(out, size, "NAA ");

        for (uint32_t i = 0; i < n && at + 3 <= size; i++, at += 2)
            snprintf(out + at, size - at, "%02x", id[SCSI_ID_HEADER_LEN + i]);
    } else if (n < size) {
        text_of(out, id + SCSI_ID_HEADER_LEN, n);
    }
}

/* The VPD pages the unit lists: serial and identifier, limits, rotation, provisioning. */
static void read_vpd(struct adapter *a, uint8_t target, bool *unmap, uint32_t *unmap_blocks,
                     uint32_t *unmap_ranges, bool *rotating)
{
    uint8_t pages[DISK_VPD_MAX], d[DISK_VPD_MAX];
    char serial[DISK_VPD_MAX] = "none", identifier[64] = "none";
    uint32_t count = disk_vpd_page(a, target, SCSI_VPD_SUPPORTED_PAGES, pages), length;

    *unmap = false;
    *unmap_blocks = *unmap_ranges = 0;
    *rotating = true;
    if (count == 0) {
        nt_log("disk: unit 0:%u:0: no VPD pages\n", target);
        return;
    }
    for (uint32_t i = SCSI_VPD_HEADER_LEN; i < count; i++) {
        length = disk_vpd_page(a, target, pages[i], d);
        if (length == 0) {
            nt_log("disk: unit 0:%u:0: VPD page %#x listed but not read\n", target, pages[i]);
            continue;
        }
        switch (pages[i]) {
        case SCSI_VPD_UNIT_SERIAL:
            text_of(serial, d + SCSI_VPD_HEADER_LEN, length - SCSI_VPD_HEADER_LEN);
            break;
        case SCSI_VPD_DEVICE_ID:
            identifier_of(d, length, identifier, sizeof(identifier));
            break;
        case SCSI_VPD_BLOCK_LIMITS:
            if (length >= 28) {
                *unmap_blocks = scsi_get32(d + 20);
                *unmap_ranges = scsi_get32(d + 24);
            }
            break;
        case SCSI_VPD_BLOCK_DEVICE:
            *rotating = length < 6 || scsi_get16(d + 4) != SCSI_ROTATION_NONE;
            break;
        case SCSI_VPD_PROVISIONING:
            *unmap = length > 5 && (d[5] & SCSI_LBP_LBPU);
            break;
        }
    }
    nt_log("disk: unit 0:%u:0: serial %s, identifier %s\n", target, serial, identifier);
}

/* MODE SENSE(6) of every page: the write-protect bit and the caching page's WCE. */
static void read_modes(struct adapter *a, uint8_t target)
{
    uint8_t cdb[6] = {SCSI_OP_MODE_SENSE_6, 0, SCSI_MODE_PAGE_ALL, 0, MODE_MAX, 0}, d[MODE_MAX];
    struct srb_outcome out =
        disk_class_command(a, target, cdb, sizeof(cdb), SRB_DIR_IN, d, MODE_MAX);
    const char *cache = "not reported";
    uint32_t end, at;
    char why[96];

    if (!succeeded(&out) || out.transferred < SCSI_MODE_HEADER6_LEN) {
        disk_outcome_text(&out, why, sizeof(why));
        nt_log("disk: unit 0:%u:0: MODE SENSE failed (%s)\n", target, why);
        return;
    }
    end = (uint32_t)d[0] + 1 < out.transferred ? (uint32_t)d[0] + 1 : out.transferred;
    for (at = SCSI_MODE_HEADER6_LEN + d[3]; at + 2 <= end; at += 2u + d[at + 1]) {
        if ((d[at] & SCSI_MODE_PAGE_MASK) == SCSI_MODE_PAGE_CACHING && at + 3 <= end) {
            cache = d[at + 2] & SCSI_CACHING_WCE ? "enabled" : "disabled";
            break;
        }
    }
    nt_log("disk: unit 0:%u:0: %s, write cache %s\n", target,
           d[2] & SCSI_MODE_WP ? "write-protected" : "writable", cache);
}

/* READ CAPACITY(16) into @data (32 bytes): the disk's size in blocks; 0 when it could not be read. */
static uint64_t capacity_of(struct adapter *a, uint8_t target, uint8_t *data)
{
    uint8_t cdb[16] = {SCSI_OP_SERVICE_ACTION_IN16, SCSI_SAI_READ_CAPACITY_16};
    struct srb_outcome out;

    scsi_put32(cdb + 10, SCSI_READ_CAPACITY_16_LEN);
    out = disk_class_command(a, target, cdb, sizeof(cdb), SRB_DIR_IN, data,
                             SCSI_READ_CAPACITY_16_LEN);
    if (!succeeded(&out) || out.transferred < 14)
        return 0;
    return scsi_get64(data) + 1;
}

static void read_block0(struct adapter *a, uint8_t target, uint32_t block_size)
{
    uint8_t read0[10] = {SCSI_OP_READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0}; /* block 0, 1 block */
    uint8_t *block = calloc(1, block_size);
    struct srb_outcome out;
    char why[96];

    if (block == NULL)
        return;
    out = disk_class_command(a, target, read0, sizeof(read0), SRB_DIR_IN, block, block_size);
    if (succeeded(&out) && out.transferred == block_size) {
        nt_log("disk: unit 0:%u:0: block 0 read, %u bytes, fnv1a %016llx\n", target, block_size,
               (unsigned long long)fnv1a(block, block_size));
    } else {
        disk_outcome_text(&out, why, sizeof(why));
        nt_log("disk: unit 0:%u:0: block 0 not read (%s, %u bytes)\n", target, why,
               out.transferred);
    }
    free(block);
}

void disk_class_start(struct adapter *a, uint8_t target, uint32_t block_size)
{
    uint8_t cap[SCSI_READ_CAPACITY_16_LEN] = {0};
    uint32_t unmap_blocks, unmap_ranges;
    bool unmap, rotating;
    uint64_t blocks;

    read_vpd(a, target, &unmap, &unmap_blocks, &unmap_ranges, &rotating);
    blocks = capacity_of(a, target, cap);
    if (blocks == 0) {
        nt_log("disk: unit 0:%u:0: READ CAPACITY(16) failed\n", target);
    } else if (unmap && (cap[14] & SCSI_RC16_LBPME)) {
        nt_log("disk: unit 0:%u:0: %llu blocks of %u bytes (physical %u), %s, unmap up to %u "
               "blocks in %u ranges\n",
               target, (unsigned long long)blocks, scsi_get32(cap + 8),
               scsi_get32(cap + 8) << (cap[13] & 0x0f), rotating ? "rotating" : "non-rotating",
               unmap_blocks, unmap_ranges);
    } else {
        nt_log("disk: unit 0:%u:0: %llu blocks of %u bytes (physical %u), %s, no unmap\n", target,
               (unsigned long long)blocks, scsi_get32(cap + 8),
               scsi_get32(cap + 8) << (cap[13] & 0x0f), rotating ? "rotating" : "non-rotating");
    }
    read_modes(a, target);
    if (block_size == 0 || block_size > BLOCK_SIZE_MAX) {
        nt_log("disk: unit 0:%u:0: blocks of %u bytes: not read\n", target, block_size);
        return;
    }
    read_block0(a, target, block_size);
}

int disk_open(unsigned int disk, struct disk_use *d, char *error, size_t size)
{
    uint8_t cap[SCSI_READ_CAPACITY_16_LEN] = {0};

    memset(d, 0, sizeof(*d));
    d->number = disk;
    d->a = storport_disk_hold(disk, &d->target, &d->block_size);
    if (d->a == NULL) {
        snprintf(error, size, "the guest has no disk %u", disk);
        return -1;
    }
    d->blocks = capacity_of(d->a, d->target, cap);
    d->max_transfer = d->a->config.MaximumTransferLength;
    if (d->blocks == 0 || d->block_size == 0 || scsi_get32(cap + 8) != d->block_size ||
        d->max_transfer < d->block_size) {
        snprintf(error, size, "disk %u: its capacity could not be read", disk);
        disk_close(d);
        return -1;
    }
    return 0;
}

void disk_close(struct disk_use *d)
{
    if (d->a)
        storport_disk_release(d->a);
    d->a = NULL;
}

void disk_cdb_rw(uint8_t *cdb, bool write, uint64_t lba, uint32_t count)
{
    memset(cdb, 0, 16);
    cdb[0] = write ? SCSI_OP_WRITE_16 : SCSI_OP_READ_16;
    scsi_put64(cdb + 2, lba);
    scsi_put32(cdb + 10, count);
}
