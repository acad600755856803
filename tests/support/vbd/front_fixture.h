/*
 * tests/support/vbd/front_fixture.h - a test process as the guest of a
 * winpv-simd with Debian's C xenstored, running XENBUS's services and
 * holding the interface tables XENVBD gets, with a disk image in the run
 * directory; and what the frontend tests share: data buffers of guest
 * pages, requests waited for, the pattern every disk byte has.
 */
#ifndef WINPV_TESTS_VBDFRONT_FIXTURE_H
#define WINPV_TESTS_VBDFRONT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "vbd/front.h"
#include "xenbus/services.h"

#define VDEV       51712 /* xvda */
#define VDEV_ID    "51712"
#define DISK_BYTES (8u << 20)

extern struct xenstore store;
extern struct guest_rings rings; /* the guest's store and console rings, for a restore */
extern struct xenbus_services services;
extern struct vbd_front_services svc;
extern char image_path[320];
extern int image_fd;

/* cmocka group set-up and tear-down; tear-down fails if a page is not back. */
int front_fixture_setup(void **state);
int front_fixture_teardown(void **state);

/* The image emptied and set to @bytes. */
void reset_image(uint64_t bytes);

/* Guest pages holding @length bytes of data from @offset into the first page. */
struct test_buffer {
    uint8_t *va;   /* the pages */
    uint8_t *data; /* va + offset */
    uint32_t pages, offset, length;
    uint64_t *gfns;
    struct vbd_front_sg *sg; /* one element per page part */
    uint32_t nr_sg;
};

void buffer_alloc(struct test_buffer *b, uint32_t length, uint32_t offset);
void buffer_free(struct test_buffer *b);

/* A request and what its completions said. */
struct test_io {
    struct vbd_front_request req;
    int calls; /* must end at 1 */
    int16_t status;
};

/* A READ or WRITE of @sectors 512-byte sectors at @sector, data in @b. */
void io_rw(struct test_io *t, enum vbd_scsi_op op, uint64_t sector, uint32_t sectors,
           const struct test_buffer *b);

/* Submit (asserting acceptance); wait for the completion; its status. */
void io_start(struct vbd_front *front, unsigned int queue, struct test_io *t);
int16_t io_wait(struct test_io *t);
int16_t io_run(struct vbd_front *front, unsigned int queue, struct test_io *t);

/* Completions called for @t so far (to check none comes, or none twice). */
int io_calls(struct test_io *t);

/* Write the pattern for disk bytes from @sector * 512 through the frontend, or read and check. */
void write_pattern(struct vbd_front *front, uint64_t sector, uint32_t bytes, uint32_t offset,
                   uint8_t seed);
void read_pattern(struct vbd_front *front, uint64_t sector, uint32_t bytes, uint32_t offset,
                  uint8_t seed);

/*
 * Run SCSI command @cdb on the frontend's disk as XENVBD does: a copy of
 * the disk's description, a unit attention if it changed since the last
 * command on this frontend, else the SCSI layer's answer, its block
 * operation (if any) through the frontend with @b as the data buffer.
 * Returns the SCSI status; sense key in *sense_key, the whole sense data
 * in scsi_sense (VBD_SCSI_SENSE_LEN bytes, zeroes without).
 */
uint8_t scsi_run(struct vbd_front *front, const uint8_t *cdb, uint32_t cdb_len,
                 const struct test_buffer *b, enum vbd_scsi_dir dir, uint8_t *sense_key);
extern uint8_t scsi_sense[VBD_SCSI_SENSE_LEN];

/* Store nodes as dom0 sees them; NULL when absent (a static buffer). */
const char *store_read(const char *path);
void store_write(const char *path, const char *value);

/* The guest's own node (relative to /local/domain/<domid>). */
const char *guest_node(const char *node);

#endif /* WINPV_TESTS_VBDFRONT_FIXTURE_H */
