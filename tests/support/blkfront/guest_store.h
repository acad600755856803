/*
 * tests/support/blkfront/guest_store.h - reading and writing xenstore nodes as the
 * guest does: requests on its own shared ring (tests/support/sim/xs_ring_client),
 * with the guest's permissions.
 */
#ifndef WINPV_TESTS_GUEST_STORE_H
#define WINPV_TESTS_GUEST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "support/sim/xs_ring_client.h"

/*
 * Read @path into @value (NUL-terminated). Returns 0, -XEN_ENOENT when
 * there is no such node, -XEN_EACCES when the guest may not read it,
 * -XEN_E2BIG when it does not fit (the reply then stays on the ring, which
 * is out of step from there on), or another negative XEN_E*.
 */
int guest_store_read(struct xs_ring *ring, const char *path, char *value, size_t size);

/* Read @path as an unsigned decimal number; -XEN_EINVAL if it is not one. */
int guest_store_read_u64(struct xs_ring *ring, const char *path, uint64_t *value);

/* Write @value to @path. Returns 0 or a negative XEN_E* (as for a read). */
int guest_store_write(struct xs_ring *ring, const char *path, const char *value);

/* Remove @path and what is below it. Returns 0, -XEN_ENOENT, or another negative XEN_E*. */
int guest_store_remove(struct xs_ring *ring, const char *path);

#endif /* WINPV_TESTS_GUEST_STORE_H */
