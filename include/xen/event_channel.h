/*
 * xen/event_channel.h - event channels, Xen's interrupts: a port is bound to
 * a virtual IRQ, another domain's port or another vCPU, and signalled by
 * setting its pending bit and raising an upcall. __HYPERVISOR_event_channel_op.
 *
 * Two ABIs track pending ports: the 2-level bitmaps in shared_info (4096
 * ports), and the FIFO ABI below (2^17 ports, 16 priorities), which the
 * guest switches to with EVTCHNOP_init_control.
 */
#ifndef WINPV_XEN_EVENT_CHANNEL_H
#define WINPV_XEN_EVENT_CHANNEL_H

#include <stdint.h>

#include "xen.h"

/* event_channel_op commands; each takes the struct of the same name. */
#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq        1
#define EVTCHNOP_bind_pirq        2
#define EVTCHNOP_close            3
#define EVTCHNOP_send             4
#define EVTCHNOP_status           5
#define EVTCHNOP_alloc_unbound    6
#define EVTCHNOP_bind_ipi         7
#define EVTCHNOP_bind_vcpu        8
#define EVTCHNOP_unmask           9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11
#define EVTCHNOP_expand_array     12
#define EVTCHNOP_set_priority     13

typedef uint32_t evtchn_port_t;
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

/* Allocates a port in dom that remote_dom may bind to (the usual frontend step). */
struct evtchn_alloc_unbound {
    domid_t dom, remote_dom;
    evtchn_port_t port; /* out */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/* Connects a new local port to a port that remote_dom allocated for us. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;
    evtchn_port_t remote_port;
    evtchn_port_t local_port; /* out */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/* Binds VIRQ_* virq on vcpu to a new port. */
struct evtchn_bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    evtchn_port_t port; /* out */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;

/* A port for signalling between our own vCPUs; it notifies vcpu. */
struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port; /* out */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/* Frees port; an interdomain peer's port goes back to EVTCHNSTAT_unbound. */
struct evtchn_close {
    evtchn_port_t port;
};
typedef struct evtchn_close evtchn_close_t;

/* Signals the other end of port. */
struct evtchn_send {
    evtchn_port_t port;
};
typedef struct evtchn_send evtchn_send_t;

/* States reported by EVTCHNOP_status. */
#define EVTCHNSTAT_closed      0 /* not in use */
#define EVTCHNSTAT_unbound     1 /* waiting for u.unbound.dom to bind */
#define EVTCHNSTAT_interdomain 2 /* connected to u.interdomain */
#define EVTCHNSTAT_pirq        3 /* bound to physical IRQ u.pirq */
#define EVTCHNSTAT_virq        4 /* bound to u.virq */
#define EVTCHNSTAT_ipi         5 /* an IPI port */

struct evtchn_status {
    domid_t dom;
    evtchn_port_t port;
    uint32_t status; /* out: EVTCHNSTAT_* */
    uint32_t vcpu;   /* out: the vCPU notified */
    union {
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
typedef struct evtchn_status evtchn_status_t;

/* Moves port's notifications to vcpu (not for IPI or per-vCPU VIRQ ports). */
struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/* Unmasks port and raises an upcall if it became pending meanwhile. */
struct evtchn_unmask {
    evtchn_port_t port;
};
typedef struct evtchn_unmask evtchn_unmask_t;

/* Closes all of dom's ports; for DOMID_SELF it also drops the FIFO ABI. */
struct evtchn_reset {
    domid_t dom;
};
typedef struct evtchn_reset evtchn_reset_t;

/*
 * FIFO ABI: registers vcpu's control block, at byte offset of guest frame
 * control_gfn. The first call switches the domain to the FIFO ABI.
 */
struct evtchn_init_control {
    uint64_t control_gfn;
    uint32_t offset;
    uint32_t vcpu;
    uint8_t link_bits; /* out: EVTCHN_FIFO_LINK_BITS */
    uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/* FIFO ABI: adds one page of event words (1024 ports) at guest frame array_gfn. */
struct evtchn_expand_array {
    uint64_t array_gfn;
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/* FIFO ABI: moves port to queue priority (EVTCHN_FIFO_PRIORITY_*). */
struct evtchn_set_priority {
    evtchn_port_t port;
    uint32_t priority;
};
typedef struct evtchn_set_priority evtchn_set_priority_t;

/* Ports the 2-level ABI can address: one bit per port in 64 words of 64 bits. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/* FIFO priorities: a lower number is more urgent. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)

/*
 * One port's state in the FIFO event array: flag bits at the top, and in
 * the low bits the next port of the queue the port is linked into (0 ends
 * the queue). Every update is an atomic operation on the whole word.
 */
typedef uint32_t event_word_t;

#define EVTCHN_FIFO_PENDING 31 /* bit: the port was signalled */
#define EVTCHN_FIFO_MASKED  30 /* bit: the guest masked the port */
#define EVTCHN_FIFO_LINKED  29 /* bit: the port is on a queue */
#define EVTCHN_FIFO_BUSY    28 /* bit: Xen is working on the word; wait to unmask */

#define EVTCHN_FIFO_LINK_BITS   17
#define EVTCHN_FIFO_LINK_MASK   ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1 << EVTCHN_FIFO_LINK_BITS)

/*
 * Per-vCPU FIFO state. Xen sets bit q of ready when queue q becomes
 * non-empty; head[q] is the first port of queue q, consumed by the guest.
 */
struct evtchn_fifo_control_block {
    uint32_t ready;
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

#endif /* WINPV_XEN_EVENT_CHANNEL_H */
