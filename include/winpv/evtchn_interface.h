/*
 * winpv/evtchn_interface.h - event channels, served by XENBUS.
 *
 * Version 1. open, reconnect and close are passive-level; the others may
 * be called at any IRQL up to DISPATCH_LEVEL. A channel's callback runs at
 * DISPATCH_LEVEL on the vCPU the channel is bound to, never concurrently
 * with itself. See core/evtchn/evtchn.h for each function's meaning: the
 * interface serves that engine.
 */
#ifndef WINPV_EVTCHN_INTERFACE_H
#define WINPV_EVTCHN_INTERFACE_H

#include "winpv/interface.h"

/* {b55b0cdd-1d9a-4b40-935a-9e4bfd91fed1} */
#define WINPV_EVTCHN_INTERFACE_GUID                        \
    {                                                      \
        0xb55b0cdd, 0x1d9a, 0x4b40,                        \
        {                                                  \
            0x93, 0x5a, 0x9e, 0x4b, 0xfd, 0x91, 0xfe, 0xd1 \
        }                                                  \
    }

#define WINPV_EVTCHN_INTERFACE_VERSION_MIN 1
#define WINPV_EVTCHN_INTERFACE_VERSION_MAX 1

enum winpv_evtchn_kind {
    WINPV_EVTCHN_UNBOUND = 0,     /* a new port remote_domid may bind to */
    WINPV_EVTCHN_INTERDOMAIN = 1, /* bound to remote_domid's port remote_port */
    WINPV_EVTCHN_VIRQ = 2,        /* virtual IRQ virq on vcpu */
    WINPV_EVTCHN_IPI = 3,         /* an IPI on vcpu */
    WINPV_EVTCHN_ADOPTED = 4,     /* port, bound in this domain by the toolstack */
};

/* How to bind a channel. */
struct winpv_evtchn_bind {
    uint32_t kind; /* enum winpv_evtchn_kind */
    uint16_t remote_domid;
    uint16_t reserved;
    uint32_t remote_port;
    uint32_t virq;
    uint32_t port;
    uint32_t vcpu;
};

struct winpv_evtchn_channel;

struct winpv_evtchn_interface_v1 {
    struct winpv_interface_header header;
    int (*open)(void *context, const struct winpv_evtchn_bind *how,
                void (*fn)(void *ctx, unsigned int vcpu), void *ctx,
                struct winpv_evtchn_channel **channel);
    int (*reconnect)(void *context, struct winpv_evtchn_channel *channel,
                     const struct winpv_evtchn_bind *how);
    void (*close)(void *context, struct winpv_evtchn_channel *channel);
    uint32_t (*port)(void *context, struct winpv_evtchn_channel *channel);
    int (*notify)(void *context, struct winpv_evtchn_channel *channel);
    int (*mask)(void *context, struct winpv_evtchn_channel *channel);
    int (*unmask)(void *context, struct winpv_evtchn_channel *channel);
    int (*bind_vcpu)(void *context, struct winpv_evtchn_channel *channel, unsigned int vcpu);
    int (*set_priority)(void *context, struct winpv_evtchn_channel *channel, unsigned int priority);
};

#endif /* WINPV_EVTCHN_INTERFACE_H */
