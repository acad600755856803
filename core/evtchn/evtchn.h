/*
 * core/evtchn/evtchn.h - the guest's event channels: binding ports,
 * notifying, masking, and delivering each event to its channel's callback.
 *
 * ABI. evtchn_create uses the FIFO ABI when the hypervisor offers it (the
 * first vCPU's EVTCHNOP_init_control succeeds): one control block page per
 * vCPU, event-array pages added with EVTCHNOP_expand_array as ports grow
 * (1024 ports a page), 16 priority queues. Otherwise (-XEN_ENOSYS,
 * -XEN_EOPNOTSUPP, -XEN_EPERM: an older or restricted Xen) it uses the
 * 2-level ABI: the bitmaps in shared_info. The choice holds for the engine's
 * life, except that a domain restored where FIFO is refused goes on with
 * 2-level.
 *
 * Channels are objects (struct evtchn_channel) that their owner keeps; the
 * port behind one may change (resume) but the object does not. A channel is
 * bound as struct evtchn_bind says: a port allocated for a remote domain to
 * bind (unbound), a port bound to a remote domain's port (interdomain), a
 * virtual IRQ or an IPI on a chosen vCPU, or a port of this domain someone
 * else bound (adopted: the xenstore and console ports, which the toolstack
 * binds; closing an adopted channel leaves the port bound, only masked).
 * A new channel is unmasked, notified on the vCPU Xen chose (vCPU 0 for
 * interdomain and unbound ones), at the default priority.
 *
 * Callbacks. fn(ctx, vcpu) runs in dispatch context, inside evtchn_upcall
 * for @vcpu: the vCPU the channel was bound to when the event was raised
 * (after evtchn_bind_vcpu an event already pending on the old vCPU may run
 * there once more). A callback never runs concurrently with itself: an
 * event taken on one vCPU while the callback runs on another is handed back
 * to Xen (the port is signalled again) and runs after the running call
 * returns. Events coalesce: one call may stand for several notifications,
 * and a call may find nothing new, as with any interrupt. evtchn_close waits
 * until the callback is not running and never calls it afterwards.
 *
 * Delivery. The upcall interrupt's deferred routine (a DPC on Windows; on
 * winpv-simd the function given to sim_guest_set_upcall) calls
 * evtchn_upcall for its vCPU. One call delivers at most
 * EVTCHN_UPCALL_BUDGET events, and no channel twice under 2-level: the
 * 2-level scan starts each time where the last one stopped, and under FIFO
 * a channel signalled again goes to the back of its queue. When a call
 * leaves events undelivered it keeps its place (the 2-level words still to
 * scan, the FIFO queue heads) and signals the vCPU's own "kick" IPI port, so
 * Xen raises another upcall on that vCPU and the next call goes on where
 * this one stopped; each vCPU has one kick port, bound by the engine (at
 * priority EVTCHN_FIFO_PRIORITY_MAX, which owners may not use, so a kick
 * always finds its queue empty and raises the upcall).
 *
 * Suspend and resume. evtchn_suspend, just before SCHEDOP_shutdown(suspend),
 * makes evtchn_upcall ignore upcalls. When the hypercall returns 1 (the
 * suspend was cancelled: same domain, Xen's state intact),
 * evtchn_suspend_cancelled goes on as before. When it returns 0 the domain
 * was restored as a new one: its memory is as it was, Xen's state is new.
 * Then, after hv_shared_info_resume, evtchn_resume sets the ABI up again
 * (FIFO control blocks and event arrays, or the 2-level masks), binds every
 * VIRQ and IPI channel again (new ports, the same objects, with their
 * vCPU, priority and mask), and leaves unbound, interdomain and adopted
 * channels disconnected: their peers are gone. A disconnected channel has
 * port 0, its callback is not called, evtchn_notify and evtchn_bind_vcpu
 * return -XEN_ENOTCONN, and mask and unmask only record the owner's wish;
 * the owner reconnects it with evtchn_reconnect (a new unbound port to
 * advertise, the new remote port, or the toolstack's new port read from
 * the HVM parameter), or closes it. Between the suspend and the resume no
 * owner may use a channel.
 *
 * Statistics: events delivered per channel, upcalls served, spurious ones
 * (that found nothing to deliver), calls that left work for another, events
 * for ports without a channel, events handed back to Xen.
 */
#ifndef WINPV_CORE_EVTCHN_H
#define WINPV_CORE_EVTCHN_H

#include <stdbool.h>
#include <stdint.h>

struct evtchn_engine;
struct evtchn_channel;
struct hv_shared_info;

/* Events one evtchn_upcall delivers at most. */
#define EVTCHN_UPCALL_BUDGET 64u

enum evtchn_abi_kind {
    EVTCHN_ABI_2L,
    EVTCHN_ABI_FIFO,
};

enum evtchn_kind {
    EVTCHN_UNBOUND,     /* a new port that remote_domid may bind to */
    EVTCHN_INTERDOMAIN, /* bound to remote_domid's port remote_port */
    EVTCHN_VIRQ,        /* virtual IRQ virq (VIRQ_*) on vcpu */
    EVTCHN_IPI,         /* notified on vcpu by evtchn_notify from this domain */
    EVTCHN_ADOPTED,     /* port, already bound in this domain by someone else */
};

/* How to bind a channel: kind, and the fields that kind names. */
struct evtchn_bind {
    enum evtchn_kind kind;
    uint16_t remote_domid;
    uint32_t remote_port;
    uint32_t virq;
    uint32_t port;
    unsigned int vcpu;
};

/* A channel's callback; @vcpu is the vCPU whose upcall delivered the event. */
typedef void (*evtchn_fn)(void *ctx, unsigned int vcpu);

struct evtchn_stats {
    uint64_t upcalls;  /* evtchn_upcall calls served */
    uint64_t spurious; /* ... that delivered nothing */
    uint64_t deferred; /* ... that left events for the next call (and kicked) */
    uint64_t stray;    /* events on ports without a channel (dropped) */
    uint64_t replays;  /* events handed back because their callback ran elsewhere */
};

/*
 * Set up event channels for a domain of @vcpus vCPUs (at most
 * XEN_LEGACY_MAX_VCPUS: each needs its vcpu_info in shared_info), using
 * @shared (which must outlive the engine): chooses the ABI, masks every
 * port, binds the kick ports, and takes over an upcall Xen raised that no
 * one served (a previous engine's), so that Xen raises the next one; the
 * upcall may be connected before or after. Returns 0 and the engine in
 * *out, -XEN_EINVAL, -XEN_ENOMEM, -XEN_EIO (FIFO set up for vCPU 0 but
 * refused for another), or Xen's error. Context: passive.
 */
int evtchn_create(struct hv_shared_info *shared, unsigned int vcpus, struct evtchn_engine **out);

/*
 * Close every channel still open (owners should have; a warning says how
 * many), then under FIFO issue EVTCHNOP_reset, Xen's only way to let go of
 * the control blocks and event arrays: that closes every port of the
 * domain, also the toolstack's. Of those, the xenstore and console ports
 * (HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_EVTCHN), when bound
 * interdomain, are bound to the same remote ports again and their
 * parameters name the new ports, so that the next engine's owner adopts
 * them as before; every other port stays closed. Frees everything. Upcalls
 * must no longer call evtchn_upcall once this returns. Context: passive.
 */
void evtchn_destroy(struct evtchn_engine *e);

/* The ABI in use. Context: any. */
enum evtchn_abi_kind evtchn_abi(const struct evtchn_engine *e);

/*
 * The upcall for @vcpu: deliver up to EVTCHN_UPCALL_BUDGET events (see
 * Delivery above). Calls for one vCPU are serialised by the engine: one that
 * finds another running for the same vCPU leaves it a request and returns
 * (the running one kicks for another). Context: dispatch (any).
 */
void evtchn_upcall(struct evtchn_engine *e, unsigned int vcpu);

/*
 * Bind a channel as @how says, with callback @fn(@ctx). Returns 0 and the
 * channel in *out; -XEN_EINVAL (bad vCPU or VIRQ, an adopted port that is
 * closed), -XEN_EBUSY (an adopted port that has a channel already: one
 * owner per port), -XEN_ENOMEM, -XEN_EIO (Xen answered an impossible
 * port), or Xen's error. Context: passive.
 */
int evtchn_open(struct evtchn_engine *e, const struct evtchn_bind *how, evtchn_fn fn, void *ctx,
                struct evtchn_channel **out);

/*
 * Give a channel disconnected by a resume a port again, as @how says (any
 * kind). Returns 0, -XEN_EISCONN when it has a port, or as evtchn_open;
 * on failure it stays disconnected. Context: passive.
 */
int evtchn_reconnect(struct evtchn_channel *ch, const struct evtchn_bind *how);

/*
 * Close: mask the port, wait until the callback is not running, close the
 * port (an adopted one stays bound), free the channel. Not from the
 * channel's own callback. Context: passive.
 */
void evtchn_close(struct evtchn_channel *ch);

/* The port (what an owner advertises to its peer), 0 while disconnected. Context: any. */
uint32_t evtchn_port(const struct evtchn_channel *ch);

/* Signal the other end (EVTCHNOP_send). -XEN_ENOTCONN while disconnected. Context: any. */
int evtchn_notify(struct evtchn_channel *ch);

/*
 * Stop delivery; events still arrive and stay pending (a callback already
 * under way may still run once). Context: any.
 */
int evtchn_mask(struct evtchn_channel *ch);

/*
 * Deliver again: an event that arrived while masked runs the callback once.
 * Returns 0 or Xen's error. Context: any.
 */
int evtchn_unmask(struct evtchn_channel *ch);

/*
 * Notify the channel on @vcpu from now on (EVTCHNOP_bind_vcpu); kept across
 * reconnects. Xen refuses IPI and per-vCPU VIRQ channels (-XEN_EINVAL).
 * -XEN_ENOTCONN while disconnected. Context: any.
 */
int evtchn_bind_vcpu(struct evtchn_channel *ch, unsigned int vcpu);

/*
 * Queue the channel's events at @priority (FIFO: 1 most urgent ..
 * EVTCHN_FIFO_PRIORITY_MIN; 0 is the engine's, -XEN_EINVAL). Kept across
 * reconnects; recorded but without effect under 2-level. Context: any.
 */
int evtchn_set_priority(struct evtchn_channel *ch, unsigned int priority);

/* Callbacks run for this channel so far. Context: any. */
uint64_t evtchn_channel_events(const struct evtchn_channel *ch);

/* The engine's counters. Context: any. */
void evtchn_get_stats(const struct evtchn_engine *e, struct evtchn_stats *out);

/* See Suspend and resume above. evtchn_suspend and _cancelled: any; evtchn_resume: passive. */
void evtchn_suspend(struct evtchn_engine *e);
void evtchn_suspend_cancelled(struct evtchn_engine *e);

/*
 * Returns 0, or the first error: the ABI could not be set up (then every
 * channel stays disconnected and no upcall is served), or a VIRQ or IPI
 * channel could not be bound again (that one stays disconnected).
 */
int evtchn_resume(struct evtchn_engine *e);

#endif /* WINPV_CORE_EVTCHN_H */
