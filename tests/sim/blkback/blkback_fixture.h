/*
 * tests/sim/blkback/blkback_fixture.h - a test process as the guest of a
 * winpv-simd with a real xenstored, whose disk winpv-blkback serves from an
 * image file in the run directory, and as the toolstack that starts, kills,
 * resizes and unplugs that backend. The guest's side is the test blkfront.
 */
#ifndef WINPV_TESTS_BLKBACK_FIXTURE_H
#define WINPV_TESTS_BLKBACK_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "support/blkfront/blkfront.h"
#include "support/blkfront/blkio.h"
#include "support/sim/xs_ring_client.h"
#include "blkback.h"
#include "store.h"

#define SECTOR     512
#define DISK_BYTES (4u << 20)

extern struct xenstore store;
extern struct xs_ring xs;
extern struct blkback backend;
extern struct blkfront bf;
extern char image_path[320];
extern int image_fd;

/* cmocka group set-up and tear-down: the simulator, xenstored, the guest, a zeroed image. */
int blkback_fixture_setup(void **state);
int blkback_fixture_teardown(void **state);

/* The image zeroed at DISK_BYTES again. */
void reset_image(void);

/* Start the backend with @args (NULL-terminated winpv-blkback options; NULL: none) as xvda. */
void start_backend_with(const struct blkback_disk *disk);
void start_backend(const char *const *args);

/* Connect the frontend (@opt NULL: defaults). */
void connect_frontend(const struct blkfront_options *opt);

/* Close the frontend if it is connected; unplug the backend, which must exit cleanly. */
void stop_all(void);

/* cmocka per-test tear-down: whatever a failed test left connected or running is ended. */
int cleanup(void **state);

/* A fresh request id. */
uint64_t next_id(void);

/* Submit one request on queue 0 and return the status of its response (checked to be its). */
int16_t transact(const struct blkif_request *req);

/* The backend's node @node, or NULL when absent (a static buffer). */
const char *backend_node(const char *node);

#endif /* WINPV_TESTS_BLKBACK_FIXTURE_H */
