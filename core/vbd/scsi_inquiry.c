/* core/vbd/scsi_inquiry.c - INQUIRY: standard data and the vital product data pages. */
#include <string.h>

#include "vbd/scsi_internal.h"

/* Room for the largest answer: page 0x83 with both descriptors. */
#define INQUIRY_DATA_MAX 128

#define NAA_ID_MASK ((1ull << 60) - 1)

/* @text in a field of @width bytes, padded with spaces. */
static void put_padded(uint8_t *field, const char *text, size_t width)
{
    size_t len = strlen(text);

    memset(field, ' ', width);
    memcpy(field, text, len < width ? len : width);
}

static uint32_t standard_data(const struct vbd_scsi_disk *disk, uint8_t *d)
{
    d[0] = scsi_peripheral(disk);
    d[1] = disk->removable ? SCSI_INQUIRY_RMB : 0;
    d[2] = SCSI_INQUIRY_VERSION_SPC4;
    d[3] = SCSI_INQUIRY_FORMAT_2;
    d[4] = SCSI_INQUIRY_STD_LEN - 5;
    d[7] = SCSI_INQUIRY_CMDQUE;
    put_padded(d + 8, VBD_SCSI_VENDOR, SCSI_INQUIRY_VENDOR_LEN);
    put_padded(d + 16, disk->cdrom ? VBD_SCSI_PRODUCT_CDROM : VBD_SCSI_PRODUCT_DISK,
               SCSI_INQUIRY_PRODUCT_LEN);
    put_padded(d + 32, VBD_SCSI_REVISION, SCSI_INQUIRY_REVISION_LEN);
    return SCSI_INQUIRY_STD_LEN;
}

/* The pages this disk has, in ascending order as page 0x00 lists them; returns how many. */
static uint32_t supported_pages(const struct vbd_scsi_disk *disk, uint8_t *pages)
{
    uint32_t n = 0;

    pages[n++] = SCSI_VPD_SUPPORTED_PAGES;
    if (disk->serial)
        pages[n++] = SCSI_VPD_UNIT_SERIAL;
    pages[n++] = SCSI_VPD_DEVICE_ID;
    if (!disk->cdrom) { /* SBC's pages; an MMC device has none of them */
        pages[n++] = SCSI_VPD_BLOCK_LIMITS;
        pages[n++] = SCSI_VPD_BLOCK_DEVICE;
        pages[n++] = SCSI_VPD_PROVISIONING;
    }
    return n;
}

static uint32_t device_id_page(const struct vbd_scsi_disk *disk, uint8_t *body)
{
    uint32_t at = 0;

    if (disk->serial) { /* T10 vendor ID: our vendor, then the serial number */
        uint32_t len = (uint32_t)strlen(disk->serial);

        body[0] = SCSI_ID_CODESET_ASCII;
        body[1] = SCSI_ID_TYPE_T10;
        body[3] = (uint8_t)(SCSI_INQUIRY_VENDOR_LEN + len);
        put_padded(body + SCSI_ID_HEADER_LEN, VBD_SCSI_VENDOR, SCSI_INQUIRY_VENDOR_LEN);
        memcpy(body + SCSI_ID_HEADER_LEN + SCSI_INQUIRY_VENDOR_LEN, disk->serial, len);
        at += SCSI_ID_HEADER_LEN + SCSI_INQUIRY_VENDOR_LEN + len;
    }
    if (disk->lu_id & NAA_ID_MASK) {
        body[at] = SCSI_ID_CODESET_BINARY;
        body[at + 1] = SCSI_ID_TYPE_NAA;
        body[at + 3] = SCSI_NAA_LEN;
        scsi_put64(body + at + SCSI_ID_HEADER_LEN,
                   (uint64_t)SCSI_NAA_LOCAL << 60 | (disk->lu_id & NAA_ID_MASK));
        at += SCSI_ID_HEADER_LEN + SCSI_NAA_LEN;
    }
    return at;
}

static uint32_t block_limits_page(const struct scsi_cmd *cmd, uint8_t *body)
{
    const struct vbd_scsi_disk *disk = cmd->disk;
    uint32_t logical = disk->sector_size;
    uint32_t physical = disk->physical_sector_size ? disk->physical_sector_size : logical;

    body[0] = SCSI_BL_WSNZ;
    scsi_put16(body + 2, (uint16_t)(physical / logical)); /* optimal transfer granularity */
    scsi_put32(body + 4, disk->max_transfer / logical);
    if (disk->discard) {
        uint32_t granularity = disk->discard_granularity / logical;
        uint32_t alignment;

        if (!granularity)
            granularity = 1;
        alignment = (disk->discard_alignment / logical) % granularity;
        scsi_put32(body + 16, UINT32_MAX);                  /* maximum unmap LBA count: none */
        scsi_put32(body + 20, VBD_SCSI_MAX_DISCARD_RANGES); /* maximum descriptors */
        scsi_put32(body + 24, granularity);
        scsi_put32(body + 28, SCSI_BL_UGAVALID | alignment);
        scsi_put64(body + 32, UINT32_MAX); /* maximum WRITE SAME length */
    }
    return SCSI_VPD_BLOCK_LIMITS_LEN;
}

static uint32_t block_device_page(uint8_t *body)
{
    scsi_put16(body, SCSI_ROTATION_NONE);
    return SCSI_VPD_BLOCK_DEVICE_LEN;
}

static uint32_t provisioning_page(const struct vbd_scsi_disk *disk, uint8_t *body)
{
    if (disk->discard) {
        body[1] = SCSI_LBP_LBPU | SCSI_LBP_LBPWS;
        body[2] = SCSI_LBP_THIN;
    }
    return SCSI_VPD_PROVISIONING_LEN;
}

/* Page @page into @d (header included): its length, or 0 when the disk has no such page. */
static uint32_t vpd_page(const struct scsi_cmd *cmd, uint8_t page, uint8_t *d)
{
    const struct vbd_scsi_disk *disk = cmd->disk;
    uint8_t pages[8];
    uint32_t count = supported_pages(disk, pages), len;
    uint8_t *body = d + SCSI_VPD_HEADER_LEN;

    if (!memchr(pages, page, count))
        return 0;
    switch (page) {
    case SCSI_VPD_SUPPORTED_PAGES:
        memcpy(body, pages, count);
        len = count;
        break;
    case SCSI_VPD_UNIT_SERIAL:
        len = (uint32_t)strlen(disk->serial);
        memcpy(body, disk->serial, len);
        break;
    case SCSI_VPD_DEVICE_ID:
        len = device_id_page(disk, body);
        break;
    case SCSI_VPD_BLOCK_LIMITS:
        len = block_limits_page(cmd, body);
        break;
    case SCSI_VPD_BLOCK_DEVICE:
        len = block_device_page(body);
        break;
    default:
        len = provisioning_page(disk, body);
        break;
    }
    d[0] = scsi_peripheral(disk);
    d[1] = page;
    scsi_put16(d + 2, (uint16_t)len);
    return SCSI_VPD_HEADER_LEN + len;
}

void scsi_inquiry(struct scsi_cmd *cmd)
{
    uint8_t data[INQUIRY_DATA_MAX] = {0};
    uint8_t flags = cmd->cdb[1], page = cmd->cdb[2];
    uint16_t alloc = scsi_get16(cmd->cdb + 3);
    uint32_t len;

    if (flags & SCSI_INQUIRY_EVPD)
        len = vpd_page(cmd, page, data);
    else if (!page)
        len = standard_data(cmd->disk, data);
    else
        len = 0;
    if (!len || (flags & SCSI_INQUIRY_CMDDT))
        scsi_invalid_cdb(cmd);
    else
        scsi_data_in(cmd, data, len, alloc);
}
