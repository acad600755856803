/*
 * sim/nt/disk_trim.c - the disk class's UNMAP, as Windows's sends it when a
 * file system frees blocks (a trim: IOCTL_STORAGE_MANAGE_DATA_SET_ATTRIBUTES):
 * only to a disk that says it unmaps (VPD page 0xB2, LBPU), the range cut
 * into block descriptors within the disk's limits (page 0xB0: the most
 * blocks one UNMAP may name, 0xffffffff for no limit, and the most
 * descriptors), each UNMAP with its parameter list. What a disk returns
 * for an unmapped block afterwards is the disk's affair.
 */
#include <stdio.h>
#include <string.h>

#include "disk_class.h"
#include "scsi/bytes.h"
#include "scsi/scsi.h"

#define DESCRIPTORS_MAX 64 /* block descriptors in one UNMAP we send, at most */
#define BLOCKS_MAX      0xffffffffu

/* The disk's unmap limits: whether it unmaps, and the most blocks and descriptors an UNMAP takes. */
static bool unmap_limits(struct disk_use *d, uint32_t *blocks, uint32_t *descriptors)
{
    uint8_t page[DISK_VPD_MAX];
    uint32_t length = disk_vpd_page(d->a, d->target, SCSI_VPD_PROVISIONING, page);

    if (length < 6 || !(page[5] & SCSI_LBP_LBPU))
        return false;
    length = disk_vpd_page(d->a, d->target, SCSI_VPD_BLOCK_LIMITS, page);
    *blocks = length >= 24 ? scsi_get32(page + 20) : 0;
    *descriptors = length >= 28 ? scsi_get32(page + 24) : 0;
    *blocks = *blocks ? *blocks : BLOCKS_MAX;
    *descriptors = *descriptors && *descriptors < DESCRIPTORS_MAX ? *descriptors : DESCRIPTORS_MAX;
    return true;
}

/* One UNMAP of blocks from *@lba up to @end, as much as the limits let it take; false when refused. */
static bool unmap_some(struct disk_use *d, uint64_t *lba, uint64_t end, uint32_t max_blocks,
                       uint32_t max_descriptors, char *why, size_t size)
{
    uint8_t list[SCSI_UNMAP_HEADER_LEN + DESCRIPTORS_MAX * SCSI_UNMAP_DESC_LEN] = {0};
    uint8_t cdb[10] = {SCSI_OP_UNMAP};
    uint32_t n = 0, total = 0, length;
    struct srb_outcome out;

    while (*lba < end && n < max_descriptors && total < max_blocks) {
        uint64_t left = end - *lba, room = max_blocks - total;
        uint32_t count = (uint32_t)(left < room ? left : room);
        uint8_t *desc = list + SCSI_UNMAP_HEADER_LEN + n++ * SCSI_UNMAP_DESC_LEN;

        scsi_put64(desc, *lba);
        scsi_put32(desc + 8, count);
        *lba += count;
        total += count;
    }
    length = SCSI_UNMAP_HEADER_LEN + n * SCSI_UNMAP_DESC_LEN;
    scsi_put16(list, (uint16_t)(length - 2));
    scsi_put16(list + 2, (uint16_t)(n * SCSI_UNMAP_DESC_LEN));
    scsi_put16(cdb + 7, (uint16_t)length);
    out = disk_class_command(d->a, d->target, cdb, sizeof(cdb), SRB_DIR_OUT, list, length);
    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS)
        return true;
    disk_outcome_text(&out, why, size);
    return false;
}

int disk_class_trim(unsigned int disk, uint64_t offset, uint64_t length, char *answer, size_t size)
{
    uint32_t max_blocks, max_descriptors, commands = 0;
    uint64_t lba, end;
    struct disk_use d;
    char why[96];
    int rc = -1;

    if (disk_open(disk, &d, answer, size) != 0)
        return -1;
    if (length == 0 || offset % d.block_size || length % d.block_size ||
        offset > d.blocks * d.block_size || length > d.blocks * d.block_size - offset) {
        snprintf(answer, size,
                 "disk %u: %llu bytes at %llu: not whole %u-byte blocks within its %llu bytes",
                 disk, (unsigned long long)length, (unsigned long long)offset, d.block_size,
                 (unsigned long long)(d.blocks * d.block_size));
        goto out;
    }
    if (!unmap_limits(&d, &max_blocks, &max_descriptors)) {
        snprintf(answer, size, "disk %u does not unmap (VPD page 0xB2: no LBPU)", disk);
        goto out;
    }
    lba = offset / d.block_size;
    end = lba + length / d.block_size;
    while (lba < end) {
        uint64_t at = lba;

        commands++;
        if (!unmap_some(&d, &lba, end, max_blocks, max_descriptors, why, sizeof(why))) {
            snprintf(answer, size, "disk %u: UNMAP from block %llu failed (%s)", disk,
                     (unsigned long long)at, why);
            goto out;
        }
    }
    snprintf(answer, size, "ok %llu %u", (unsigned long long)length, commands);
    rc = 0;
out:
    disk_close(&d);
    return rc;
}
