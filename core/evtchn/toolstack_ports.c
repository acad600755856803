/*
 * core/evtchn/toolstack_ports.c - the toolstack's ports across
 * EVTCHNOP_reset, which closes every port of the domain: the xenstore and
 * console ports too, though the engine never owned them and the next one
 * (XENBUS started again) adopts them from the HVM parameters. As Xen's own
 * guests do, each one bound interdomain is recorded before the reset (its
 * remote domain and port, EVTCHNOP_status), bound to the same remote port
 * again after it (the remote end, closed on our side, waits unbound for us
 * meanwhile), and the new local port written into its parameter, which
 * Xen lets an HVM guest set. A port still unbound (no peer bound it yet)
 * stays closed: a new one's number would reach no peer.
 */
#include <xen/hvm/params.h>

#include "evtchn/evtchn_impl.h"

static const uint32_t toolstack_params[EVTCHN_TOOLSTACK_PORTS] = {HVM_PARAM_STORE_EVTCHN,
                                                                  HVM_PARAM_CONSOLE_EVTCHN};

void evtchn_toolstack_ports_record(struct evtchn_toolstack_port kept[EVTCHN_TOOLSTACK_PORTS])
{
    for (uint32_t i = 0; i < EVTCHN_TOOLSTACK_PORTS; i++) {
        struct evtchn_status status = {.dom = DOMID_SELF};
        uint64_t port;

        kept[i] = (struct evtchn_toolstack_port){.param = toolstack_params[i]};
        if (hv_get_param(kept[i].param, &port) != 0 || port == 0 || port > UINT32_MAX)
            continue;
        status.port = (uint32_t)port;
        if (hv_evtchn_op(EVTCHNOP_status, &status) != 0 || status.status != EVTCHNSTAT_interdomain)
            continue;
        kept[i].bound = true;
        kept[i].remote_domid = status.u.interdomain.dom;
        kept[i].remote_port = status.u.interdomain.port;
    }
}

void evtchn_toolstack_ports_rebind(const struct evtchn_toolstack_port kept[EVTCHN_TOOLSTACK_PORTS])
{
    for (uint32_t i = 0; i < EVTCHN_TOOLSTACK_PORTS; i++) {
        struct evtchn_bind_interdomain arg = {.remote_dom = kept[i].remote_domid,
                                              .remote_port = kept[i].remote_port};
        int rc;

        if (!kept[i].bound)
            continue;
        rc = hv_evtchn_op(EVTCHNOP_bind_interdomain, &arg);
        if (rc == 0)
            rc = hv_set_param(kept[i].param, arg.local_port);
        if (rc)
            os_log(OS_LOG_ERROR,
                   "evtchn: the toolstack's port of HVM parameter %u (domain %u port %u) "
                   "not bound again after the reset: %d\n",
                   kept[i].param, kept[i].remote_domid, kept[i].remote_port, rc);
    }
}
