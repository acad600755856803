/*
 * core/vbd/scsi_internal.h - what the command handlers of core/vbd/scsi*.c
 * share: the command being answered and the helpers that answer it.
 */
#ifndef WINPV_CORE_VBD_SCSI_INTERNAL_H
#define WINPV_CORE_VBD_SCSI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <scsi/scsi.h>

#include "vbd/scsi.h"
#include "scsi/bytes.h"

#define SCSI_CDB_MAX 16

/* The command being answered. The CDB is copied once, so it is read once. */
struct scsi_cmd {
    const struct vbd_scsi_disk *disk; /* checked by vbd_scsi_disk_check() */
    const struct vbd_scsi_request *req;
    struct vbd_scsi_result *res;
    uint8_t cdb[SCSI_CDB_MAX]; /* bytes past req->cdb_len read as 0 */
    uint32_t shift;            /* log2 of 512-byte sectors per logical block */
    uint64_t blocks;           /* the disk's size in logical blocks */
};

/* Handlers, one per command (scsi.c's table says which answers what). */
void scsi_inquiry(struct scsi_cmd *cmd);
void scsi_mode_sense(struct scsi_cmd *cmd);
void scsi_read_capacity_10(struct scsi_cmd *cmd);
void scsi_service_action_in_16(struct scsi_cmd *cmd);
void scsi_read_write(struct scsi_cmd *cmd);
void scsi_synchronize_cache(struct scsi_cmd *cmd);
void scsi_unmap(struct scsi_cmd *cmd);
void scsi_write_same_16(struct scsi_cmd *cmd);
void scsi_test_unit_ready(struct scsi_cmd *cmd);
void scsi_request_sense(struct scsi_cmd *cmd);
void scsi_report_luns(struct scsi_cmd *cmd);
void scsi_start_stop_unit(struct scsi_cmd *cmd);

/* End @res with CHECK CONDITION and this sense; no block operation, nothing moved. */
void scsi_check_condition(struct vbd_scsi_result *res, uint8_t key, uint8_t asc, uint8_t ascq);

/* ILLEGAL REQUEST with INVALID FIELD IN CDB, or INVALID FIELD IN PARAMETER LIST. */
void scsi_invalid_cdb(struct scsi_cmd *cmd);
void scsi_invalid_param(struct scsi_cmd *cmd);

/* Fill fixed-format sense data (VBD_SCSI_SENSE_LEN bytes at @sense). */
void scsi_sense_fixed(uint8_t *sense, uint8_t key, uint8_t asc, uint8_t ascq);

/*
 * Return @len bytes of @data, cut to the allocation length @alloc and the
 * buffer: the command completes with GOOD (or INVALID FIELD IN CDB when the
 * request moves no data in).
 */
void scsi_data_in(struct scsi_cmd *cmd, const uint8_t *data, uint32_t len, uint32_t alloc);

/* Whether the request's buffer may move @bytes the way @dir says; else fails the command. */
bool scsi_buffer_allows(struct scsi_cmd *cmd, uint64_t bytes, enum vbd_scsi_dir dir);

/*
 * Checks a media-access command makes, each ending the command with the
 * right sense when it fails: a medium is there (NOT READY / MEDIUM NOT
 * PRESENT); the disk can be written (DATA PROTECT / WRITE PROTECTED);
 * blocks @lba..@lba+@count-1 are on it (LBA OUT OF RANGE).
 */
bool scsi_medium_present(struct scsi_cmd *cmd);
bool scsi_writable(struct scsi_cmd *cmd);
bool scsi_in_range(struct scsi_cmd *cmd, uint64_t lba, uint64_t count);

/* The peripheral device type byte of INQUIRY data. */
uint8_t scsi_peripheral(const struct vbd_scsi_disk *disk);

#endif /* WINPV_CORE_VBD_SCSI_INTERNAL_H */
