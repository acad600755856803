/*
 * tests/support/gnttab/backend.h - a dom0 backend mapping a guest's grants the way
 * real backends do: through libxengnttab (sim/lib's, on winpv-simd, found
 * via $WINPV_SIM_DIR). Kept free of Xen's headers: backend.c is compiled
 * against Debian's, the tests against include/.
 */
#ifndef WINPV_TESTS_GNTTAB_BACKEND_H
#define WINPV_TESTS_GNTTAB_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

struct backend;

/* A new grant handle, or NULL. Closing it unmaps what it still maps. */
struct backend *backend_open(void);
void backend_close(struct backend *b);

/* Map grant @ref of @domid (writable or read-only): its page, or NULL with errno set. */
void *backend_map(struct backend *b, uint32_t domid, uint32_t ref, bool writable);

/* Unmap one page backend_map returned. Returns 0 or -1 with errno set. */
int backend_unmap(struct backend *b, void *page);

#endif /* WINPV_TESTS_GNTTAB_BACKEND_H */
