/* sim/blkback/dom0.c - see dom0.h. Compiled against Debian's headers only. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <xenevtchn.h>
#include <xengnttab.h>

#include "dom0.h"

struct dom0 {
    xengnttab_handle *gnttab;
    xenevtchn_handle *evtchn;
};

struct dom0 *dom0_open(void)
{
    struct dom0 *d = calloc(1, sizeof(*d));

    if (d == NULL)
        return NULL;
    d->gnttab = xengnttab_open(NULL, 0);
    d->evtchn = xenevtchn_open(NULL, 0);
    if (d->gnttab == NULL || d->evtchn == NULL) {
        perror("winpv-blkback: opening libxengnttab and libxenevtchn");
        dom0_close(d);
        return NULL;
    }
    /* The event loop polls; a read must never block it. */
    fcntl(xenevtchn_fd(d->evtchn), F_SETFL, fcntl(xenevtchn_fd(d->evtchn), F_GETFL) | O_NONBLOCK);
    return d;
}

void dom0_close(struct dom0 *d)
{
    if (d == NULL)
        return;
    if (d->evtchn)
        xenevtchn_close(d->evtchn);
    if (d->gnttab)
        xengnttab_close(d->gnttab);
    free(d);
}

void *dom0_map(struct dom0 *d, uint32_t domid, const uint32_t *refs, uint32_t count, bool writable)
{
    /* The library's prototype is not const-qualified; it does not write the array. */
    return xengnttab_map_domain_grant_refs(d->gnttab, count, domid, (uint32_t *)refs,
                                           PROT_READ | (writable ? PROT_WRITE : 0));
}

int dom0_unmap(struct dom0 *d, void *addr, uint32_t count)
{
    return xengnttab_unmap(d->gnttab, addr, count) == 0 ? 0 : -errno;
}

int dom0_bind(struct dom0 *d, uint32_t domid, uint32_t remote_port, uint32_t *port)
{
    xenevtchn_port_or_error_t p = xenevtchn_bind_interdomain(d->evtchn, domid, remote_port);

    if (p < 0)
        return -errno;
    *port = (uint32_t)p;
    return 0;
}

int dom0_unbind(struct dom0 *d, uint32_t port)
{
    return xenevtchn_unbind(d->evtchn, port) == 0 ? 0 : -errno;
}

int dom0_notify(struct dom0 *d, uint32_t port)
{
    return xenevtchn_notify(d->evtchn, port) == 0 ? 0 : -errno;
}

int dom0_unmask(struct dom0 *d, uint32_t port)
{
    return xenevtchn_unmask(d->evtchn, port) == 0 ? 0 : -errno;
}

int dom0_event_fd(struct dom0 *d)
{
    return xenevtchn_fd(d->evtchn);
}

int dom0_pending(struct dom0 *d, uint32_t *port)
{
    xenevtchn_port_or_error_t p = xenevtchn_pending(d->evtchn);

    if (p < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : -errno;
    *port = (uint32_t)p;
    return 0;
}
