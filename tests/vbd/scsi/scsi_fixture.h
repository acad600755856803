/*
 * tests/vbd/scsi/scsi_fixture.h - running one SCSI command through
 * core/vbd/scsi and reading what came back, for the vbd_scsi_* tests.
 * The decoding here is written from the standards, apart from the code
 * under test, so that a field it gets wrong cannot be read back as right.
 */
#ifndef WINPV_TESTS_VBD_SCSI_FIXTURE_H
#define WINPV_TESTS_VBD_SCSI_FIXTURE_H

#include <stdint.h>

#include "vbd/scsi.h"

#define GIB_SECTORS (1ull << 21) /* 512-byte sectors in 1 GiB */

/* A fixed 1 GiB disk of 512-byte sectors, writable, no flush or discard. */
struct vbd_scsi_disk plain_disk(void);

/* Run the command @cdb (@cdb_len bytes) with @buf of @len bytes moving @dir. */
void run(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len, void *buf,
         uint32_t len, enum vbd_scsi_dir dir, struct vbd_scsi_result *res);

/* The same with a data-in buffer. */
void run_in(const struct vbd_scsi_disk *disk, const uint8_t *cdb, uint32_t cdb_len, void *buf,
            uint32_t len, struct vbd_scsi_result *res);

/* Completed with GOOD and no block operation, having moved @transferred bytes of @len. */
void assert_done(const struct vbd_scsi_result *res, uint32_t transferred, uint32_t len);

/* Completed with CHECK CONDITION and this fixed-format sense; nothing moved of @len. */
void assert_sense(const struct vbd_scsi_result *res, uint8_t key, uint8_t asc, uint8_t ascq,
                  uint32_t len);

/* A big-endian number of @bytes bytes at @p. */
uint64_t be(const uint8_t *p, unsigned int bytes);

/* Write @v big-endian in @bytes bytes at @p (to build CDBs and parameter lists). */
void put_be(uint8_t *p, uint64_t v, unsigned int bytes);

#endif /* WINPV_TESTS_VBD_SCSI_FIXTURE_H */
