/*
 * sim/nt/disk_class.c - Windows's disk class driver on a disk Storport
 * found, as far as it is built: the first thing Windows reads of a new
 * disk, its block 0 (where the partition table is), with READ(10) through
 * Storport and the miniport; what came back is logged with a digest of
 * its bytes (64-bit FNV-1a) for a test to compare with the image.
 *
 * Not built yet: the disk class's device object and its IRPs (IOCTLs,
 * reads and writes from above), its start requests beyond this one (VPD
 * pages, MODE SENSE caching page), writes, flushes, UNMAP.
 */
#include <stdio.h>
#include <stdlib.h>

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
    out = storport_command_in(a, target, read0, sizeof(read0), block, block_size);
    if (SRB_STATUS(out.srb_status) == SRB_STATUS_SUCCESS && out.transferred == block_size)
        nt_log("disk: unit 0:%u:0: block 0 read, %u bytes, fnv1a %016llx\n", target, block_size,
               (unsigned long long)fnv1a(block, block_size));
    else
        nt_log("disk: unit 0:%u:0: block 0 not read (SRB status %#x, SCSI status %#x, %u bytes)\n",
               target, out.srb_status, out.scsi_status, out.transferred);
    free(block);
}
