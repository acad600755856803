/*
 * core/vbd/scsi_mode.c - MODE SENSE(6) and (10): the caching page (write
 * cache enabled exactly when the backend can flush it), the control page,
 * and all of them (0x3F). Nothing is changeable and nothing is saved.
 */
#include "vbd/scsi_internal.h"

#define MODE_DATA_MAX                                                           \
    (SCSI_MODE_HEADER10_LEN + SCSI_MODE_LONG_DESC_LEN + SCSI_CACHING_PAGE_LEN + \
     SCSI_CONTROL_PAGE_LEN)

struct mode_sense {
    bool ten;        /* MODE SENSE(10) */
    bool descriptor; /* return a block descriptor */
    bool long_lba;   /* ... the 16-byte one */
    uint8_t control; /* page control: current, changeable, default */
    uint8_t page;    /* page code */
    uint32_t alloc;  /* allocation length */
};

static bool decode(struct scsi_cmd *cmd, struct mode_sense *ms)
{
    const uint8_t *cdb = cmd->cdb;
    uint8_t subpage = cdb[3];

    ms->ten = cdb[0] == SCSI_OP_MODE_SENSE_10;
    /* A CD drive (MMC) has no block descriptors. */
    ms->descriptor = !(cdb[1] & SCSI_MODE_DBD) && !cmd->disk->cdrom;
    ms->long_lba = ms->ten && (cdb[1] & SCSI_MODE_LLBAA);
    ms->control = cdb[2] >> SCSI_MODE_PC_SHIFT;
    ms->page = cdb[2] & SCSI_MODE_PAGE_MASK;
    ms->alloc = ms->ten ? scsi_get16(cdb + 7) : cdb[4];
    if (ms->control == SCSI_MODE_PC_SAVED) {
        scsi_check_condition(cmd->res, SCSI_KEY_ILLEGAL_REQUEST, SCSI_ASC_SAVING_NOT_SUPPORTED, 0);
        return false;
    }
    /* No page has subpages: only "none" and "all" of them are answerable. */
    if ((subpage != 0 && subpage != SCSI_MODE_SUBPAGE_ALL) ||
        (ms->page != SCSI_MODE_PAGE_CACHING && ms->page != SCSI_MODE_PAGE_CONTROL &&
         ms->page != SCSI_MODE_PAGE_ALL)) {
        scsi_invalid_cdb(cmd);
        return false;
    }
    return true;
}

static uint32_t block_descriptor(const struct scsi_cmd *cmd, const struct mode_sense *ms,
                                 uint8_t *d)
{
    if (ms->long_lba) {
        if (ms->control != SCSI_MODE_PC_CHANGEABLE) {
            scsi_put64(d, cmd->blocks);
            scsi_put32(d + 12, cmd->disk->sector_size);
        }
        return SCSI_MODE_LONG_DESC_LEN;
    }
    if (ms->control != SCSI_MODE_PC_CHANGEABLE) {
        scsi_put32(d, cmd->blocks > UINT32_MAX ? UINT32_MAX : (uint32_t)cmd->blocks);
        scsi_put24(d + 5, cmd->disk->sector_size);
    }
    return SCSI_MODE_BLOCK_DESC_LEN;
}

/* The pages asked for, after @d; returns their length. A changeable page is all zeros. */
static uint32_t pages(const struct scsi_cmd *cmd, const struct mode_sense *ms, uint8_t *d)
{
    bool values = ms->control != SCSI_MODE_PC_CHANGEABLE;
    uint32_t at = 0;

    if (ms->page == SCSI_MODE_PAGE_CACHING || ms->page == SCSI_MODE_PAGE_ALL) {
        d[at] = SCSI_MODE_PAGE_CACHING;
        d[at + 1] = SCSI_CACHING_PAGE_LEN - 2;
        if (values && cmd->disk->flush)
            d[at + 2] = SCSI_CACHING_WCE;
        at += SCSI_CACHING_PAGE_LEN;
    }
    if (ms->page == SCSI_MODE_PAGE_CONTROL || ms->page == SCSI_MODE_PAGE_ALL) {
        d[at] = SCSI_MODE_PAGE_CONTROL;
        d[at + 1] = SCSI_CONTROL_PAGE_LEN - 2;
        if (values)
            d[at + 3] = SCSI_CONTROL_QAM_UNRESTRICTED;
        at += SCSI_CONTROL_PAGE_LEN;
    }
    return at;
}

void scsi_mode_sense(struct scsi_cmd *cmd)
{
    uint8_t data[MODE_DATA_MAX] = {0};
    struct mode_sense ms;
    uint32_t header, desc = 0, len;
    uint8_t specific;

    if (!decode(cmd, &ms))
        return;
    header = ms.ten ? SCSI_MODE_HEADER10_LEN : SCSI_MODE_HEADER6_LEN;
    if (ms.descriptor)
        desc = block_descriptor(cmd, &ms, data + header);
    len = header + desc + pages(cmd, &ms, data + header + desc);
    specific = cmd->disk->read_only ? SCSI_MODE_WP : 0;
    if (!cmd->disk->cdrom) /* FUA is honoured (see flush_after); DPO is a hint */
        specific |= SCSI_MODE_DPOFUA;
    if (ms.ten) {
        scsi_put16(data, (uint16_t)(len - 2));
        data[3] = specific;
        data[4] = ms.long_lba && desc ? SCSI_MODE_LONGLBA : 0;
        scsi_put16(data + 6, (uint16_t)desc);
    } else {
        data[0] = (uint8_t)(len - 1);
        data[2] = specific;
        data[3] = (uint8_t)desc;
    }
    scsi_data_in(cmd, data, len, ms.alloc);
}
