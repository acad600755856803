/*
 * sim/nt/disk_class.h - Windows's disk class driver on the disks the
 * simulated Storport found: what it asks of a new disk (disk_class.c) and
 * what a program in the guest asks of a disk through it (disk_io.c).
 *
 * Not built: the disk class's device objects and IRPs. The requests a
 * person makes (user_io.c) go to the disk class's functions on a kernel
 * thread, as the IRPs a program's reads and writes become would.
 */
#ifndef WINPV_SIM_NT_DISK_CLASS_H
#define WINPV_SIM_NT_DISK_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storport.h"

/*
 * What the disk class asks of a disk Storport found at @target when it
 * starts on it, as Windows's disk driver does: the VPD pages (serial,
 * identification, block limits, characteristics, provisioning), READ
 * CAPACITY(16), MODE SENSE (write protection, the caching page), then
 * block 0, where the partition table is. What it learns is logged, a line
 * each ("disk: unit 0:T:0: ..."), block 0 with a digest of its bytes
 * (64-bit FNV-1a) for a test to compare with the image.
 * Context: PASSIVE_LEVEL.
 */
void disk_class_start(struct adapter *a, uint8_t target, uint32_t block_size);

#define DISK_VPD_MAX 255 /* the bytes a VPD page is read into */

/* VPD page @page of @target into @data (DISK_VPD_MAX bytes, header included): its length, 0 when not read. */
uint32_t disk_vpd_page(struct adapter *a, uint8_t target, uint8_t page, uint8_t *data);

/* A unit attention is retried this many times at most, as Windows's class driver does. */
#define DISK_CLASS_RETRIES 4

/*
 * Whether the command (its opcode @opcode) that came back as @out from
 * @target is to be sent again: a unit attention, after a changed capacity
 * was read again and logged (disk_class_sense.c). Context: PASSIVE_LEVEL.
 */
bool disk_class_retry(struct adapter *a, uint8_t target, const struct srb_outcome *out,
                      uint8_t opcode);

/* storport_command as the disk class sends a command: a unit attention retried. */
struct srb_outcome disk_class_command(struct adapter *a, uint8_t target, const uint8_t *cdb,
                                      uint8_t cdb_length, enum srb_direction dir, void *data,
                                      uint32_t length);

/* A disk a request uses, held against its removal from disk_open to disk_close. */
struct disk_use {
    unsigned int number;
    struct adapter *a;
    uint8_t target;
    uint32_t block_size;
    uint64_t blocks;       /* READ CAPACITY(16)'s, when the disk was opened */
    uint32_t max_transfer; /* the bytes one request may carry (the adapter's limit) */
};

/* The guest's disk number @disk, held, with its capacity: 0, or -1 with the reason in @error. */
int disk_open(unsigned int disk, struct disk_use *d, char *error, size_t size);
void disk_close(struct disk_use *d);

/* READ(16) or WRITE(16) of @count blocks from @lba, in @cdb (16 bytes). */
void disk_cdb_rw(uint8_t *cdb, bool write, uint64_t lba, uint32_t count);

/* "SRB status 0x.., sense key/ASC/ASCQ" for @out, in @text. */
void disk_outcome_text(const struct srb_outcome *out, char *text, size_t size);

/*
 * What disk_io.c does for a program in the guest, each on the guest's disk
 * number @disk, answering "ok ..." in @answer or -1 with the reason in
 * @answer. Context: a kernel thread at PASSIVE_LEVEL.
 *
 * disk_class_sha256: read the disk whole; "ok HEX BYTES".
 * disk_class_fill: write the bytes of the file @path from the disk's first
 * byte (a partial last block read, changed and written back), then
 * SYNCHRONIZE CACHE; "ok BYTES". Nothing is written when the file is
 * larger than the disk.
 * disk_class_run: I/O of @bs bytes a request, @qd at once, for @seconds:
 * "ok IOS BYTES NANOSECONDS CPU_NANOSECONDS" (the guest's processor time).
 * disk_class_stamp: writes that can be checked one by one in the disk's
 * image, as a test of durability needs them: WRITE(16) with FUA of @bs
 * bytes each (a whole number of DISK_STAMP_UNITs) at random places aligned
 * to their size, @qd at once, no two out at once overlapping, for
 * @seconds or until @until_fd (the request's connection; -1: none) is
 * readable (its client shut down its side). Write number SEQ (from 1, in the order they are started)
 * stamps each DISK_STAMP_UNIT bytes it writes with that unit's number on
 * the disk (its byte offset / DISK_STAMP_UNIT) and SEQ, 64-bit
 * little-endian each, those 16 bytes repeated to the unit's end. Each
 * write is journaled as it comes back, one line "SEQ LBA BLOCKS ok" (the
 * disk acknowledged it) or "SEQ LBA BLOCKS failed" in the file @journal
 * (made anew), flushed at once; a failed write does not end the
 * workload. When the time is up those still out come back (journaled
 * too), then SYNCHRONIZE CACHE: "ok ACKNOWLEDGED FAILED NANOSECONDS". So
 * each unit of the disk holds the last acknowledged write of it, or a
 * later failed one, or (written by none acknowledged) what it had or a
 * failed one.
 */
#define DISK_STAMP_UNIT 512u
struct disk_workload {
    bool write;
    bool random;
    uint32_t bs;
    unsigned int qd;
    unsigned int seconds;
};

int disk_class_sha256(unsigned int disk, char *answer, size_t size);
int disk_class_fill(unsigned int disk, const char *path, char *answer, size_t size);
int disk_class_run(unsigned int disk, const struct disk_workload *w, char *answer, size_t size);

/*
 * disk_class_trim: UNMAP of @length bytes from byte @offset (whole blocks),
 * as Windows's disk class sends it when a file system frees blocks, cut
 * to the disk's limits (VPD 0xB0); refused when the disk does not unmap
 * (VPD 0xB2): "ok BYTES COMMANDS" (disk_trim.c).
 */
int disk_class_trim(unsigned int disk, uint64_t offset, uint64_t length, char *answer, size_t size);
/* @w's bs, qd and seconds are used; its kind is random writes. */
int disk_class_stamp(unsigned int disk, const struct disk_workload *w, const char *journal,
                     int until_fd, char *answer, size_t size);

#endif /* WINPV_SIM_NT_DISK_CLASS_H */
