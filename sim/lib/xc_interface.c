/*
 * sim/lib/xc_interface.c - libxenctrl.so.4.17 on winpv-simd: the handle,
 * its error reporting, foreign maps, HVM parameters, shutdown and event
 * channels of other domains. Domain queries are in xc_domain.c, what the
 * simulator does not offer in xc_stubs.c.
 *
 * A handle is one SIM_ROLE_PRIVCMD connection.
 */
#include <errno.h>
#include <stdlib.h>

#include "xc_handle.h"

int simxc_call(xc_interface *xch, const struct sim_request *req, struct sim_reply *reply)
{
    return simlib_call_locked(&xch->conn, req, reply);
}

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                                unsigned open_flags)
{
    xc_interface *xch = calloc(1, sizeof(*xch));

    if (xch == NULL)
        return NULL;
    if (open_flags & XC_OPENFLAG_DUMMY) {
        simlib_init(&xch->conn);
        return xch;
    }
    if (simlib_open(&xch->conn, SIM_ROLE_PRIVCMD, NULL, "libxenctrl") != 0) {
        free(xch);
        return NULL;
    }
    return xch;
}

int xc_interface_close(xc_interface *xch)
{
    if (xch == NULL)
        return 0;
    xenforeignmemory_close(xch->fmem);
    simlib_close(&xch->conn);
    free(xch);
    return 0;
}

const xc_error *xc_get_last_error(xc_interface *xch)
{
    return &xch->last_error;
}

const char *xc_error_code_to_desc(int code)
{
    switch (code) {
    case XC_ERROR_NONE:
        return "No error details";
    case XC_INTERNAL_ERROR:
        return "Internal error";
    case XC_INVALID_KERNEL:
        return "Invalid kernel";
    case XC_INVALID_PARAM:
        return "Invalid configuration";
    case XC_OUT_OF_MEMORY:
        return "Out of memory";
    }
    return "Unknown error code";
}

/* Frames mfn.. of @dom, @size bytes rounded up to pages; unmapped with munmap. */
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn)
{
    size_t pages = size > 0 ? ((size_t)size + SIMLIB_PAGE_SIZE - 1) / SIMLIB_PAGE_SIZE : 0;
    xen_pfn_t *arr;
    void *addr = NULL;

    if (pages == 0) {
        errno = EINVAL;
        return NULL;
    }
    arr = calloc(pages, sizeof(*arr));
    if (arr == NULL)
        return NULL;
    for (size_t i = 0; i < pages; i++)
        arr[i] = mfn + i;
    pthread_mutex_lock(&xch->conn.lock);
    if (xch->fmem == NULL && xch->conn.conn.fd >= 0)
        xch->fmem = xenforeignmemory_open(NULL, 0);
    pthread_mutex_unlock(&xch->conn.lock);
    if (xch->fmem)
        addr = xenforeignmemory_map(xch->fmem, dom, prot, pages, arr, NULL);
    else if (xch->conn.conn.fd < 0)
        errno = EBADF;
    free(arr);
    return addr;
}

/* SIM_GET_PARAM or SIM_SET_PARAM; the parameter's value after the call in *value. */
static int param_call(xc_interface *xch, uint32_t type, uint32_t dom, int param, uint64_t *value)
{
    struct sim_request req = {.type = type};
    struct sim_reply reply;

    if (param < 0) {
        errno = EINVAL;
        return -1;
    }
    req.body.param.domid = dom;
    req.body.param.index = (uint32_t)param;
    req.body.param.value = *value;
    if (simxc_call(xch, &req, &reply) != 0)
        return -1;
    *value = reply.body.param.value;
    return 0;
}

int xc_get_hvm_param(xc_interface *xch, uint32_t dom, int param, unsigned long *value)
{
    uint64_t v = 0;

    if (param_call(xch, SIM_GET_PARAM, dom, param, &v) != 0)
        return -1;
    *value = v;
    return 0;
}

int xc_set_hvm_param(xc_interface *xch, uint32_t dom, int param, unsigned long value)
{
    uint64_t v = value;

    return param_call(xch, SIM_SET_PARAM, dom, param, &v);
}

int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
    return simlib_domain_shutdown(&xch->conn, domid, (uint32_t)reason);
}

xc_evtchn_port_or_error_t xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom,
                                                  uint32_t remote_dom)
{
    struct sim_request req = {.type = SIM_EVTCHN_ALLOC_UNBOUND};
    struct sim_reply reply;

    req.body.alloc_unbound.domid = dom;
    req.body.alloc_unbound.remote_domid = remote_dom;
    if (simxc_call(xch, &req, &reply) != 0)
        return -1;
    if (reply.body.port.port == 0 || reply.body.port.port > INT32_MAX) {
        errno = EIO;
        return -1;
    }
    return (xc_evtchn_port_or_error_t)reply.body.port.port;
}

/* status->dom and status->port in; the rest filled as EVTCHNOP_status fills it. */
int xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status)
{
    struct sim_request req = {.type = SIM_EVTCHN_STATUS};
    struct sim_reply reply;
    const struct sim_evtchn_status_reply *r = &reply.body.status;

    req.body.port_status.domid = status->dom;
    req.body.port_status.port = status->port;
    if (simxc_call(xch, &req, &reply) != 0)
        return -1;
    status->status = r->status;
    status->vcpu = r->vcpu;
    switch (r->status) {
    case EVTCHNSTAT_closed:
    case EVTCHNSTAT_ipi:
        break;
    case EVTCHNSTAT_unbound:
        status->u.unbound.dom = (domid_t)r->remote_domid;
        break;
    case EVTCHNSTAT_interdomain:
        status->u.interdomain.dom = (domid_t)r->remote_domid;
        status->u.interdomain.port = r->remote_port;
        break;
    case EVTCHNSTAT_virq:
        status->u.virq = r->virq;
        break;
    default: /* no physical IRQs here, nor states Xen does not have */
        errno = EIO;
        return -1;
    }
    return 0;
}

/* The simulated hypervisor keeps no console ring: it always reads as empty. */
int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear,
                       int incremental, uint32_t *pindex)
{
    *pnr_chars = 0;
    return 0;
}
