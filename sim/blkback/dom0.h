/*
 * sim/blkback/dom0.h - what the backend asks of Xen as dom0: mapping the
 * frontend's grants (libxengnttab) and its event channels (libxenevtchn).
 *
 * dom0.c is compiled against Debian's Xen headers, which cannot meet ours in
 * one file; this interface uses plain integers only. Errors are negative
 * errno values (Linux's numbers, which are Xen's XEN_E* numbers).
 */
#ifndef WINPV_BLKBACK_DOM0_H
#define WINPV_BLKBACK_DOM0_H

#include <stdbool.h>
#include <stdint.h>

struct dom0;

/* Open both libraries' handles; NULL (with a message) on failure. */
struct dom0 *dom0_open(void);
void dom0_close(struct dom0 *d);

/*
 * Map grants @refs[0..@count) of domain @domid at consecutive addresses,
 * writable or read-only: the address of the first, or NULL when any of them
 * cannot be mapped (nothing stays mapped then).
 */
void *dom0_map(struct dom0 *d, uint32_t domid, const uint32_t *refs, uint32_t count, bool writable);

/* Unmap what one dom0_map returned (@count as mapped). */
int dom0_unmap(struct dom0 *d, void *addr, uint32_t count);

/* Bind to @remote_port of domain @domid; our port in *port. */
int dom0_bind(struct dom0 *d, uint32_t domid, uint32_t remote_port, uint32_t *port);
int dom0_unbind(struct dom0 *d, uint32_t port);
int dom0_notify(struct dom0 *d, uint32_t port);
int dom0_unmask(struct dom0 *d, uint32_t port);

/* The descriptor that becomes readable when an event is pending. */
int dom0_event_fd(struct dom0 *d);

/* The next pending port (it stays masked until dom0_unmask), or -EAGAIN. */
int dom0_pending(struct dom0 *d, uint32_t *port);

#endif /* WINPV_BLKBACK_DOM0_H */
