/*
 * core/evtchn/evtchn_impl.h - the engine's insides, shared by its files:
 * engine.c (create, destroy, suspend, resume, statistics), channel.c (what
 * owners do to a channel), connect.c (binding a port to a channel),
 * table.c (port -> channel), dispatch.c (evtchn_upcall, running callbacks),
 * abi_2l.c and abi_fifo.c (the two ABIs).
 *
 * Locks, in the order they are taken:
 *   e->mutex        passive: open, close, reconnect, resume, destroy; the
 *                   channel list; the ABI's growth.
 *   ch->mask_lock   ch->port, ch->masked, ch->vcpu, ch->priority, and the
 *                   port's mask bit: masking, unmasking and moving a port
 *                   are one step each.
 *   e->lock         the port table; a callback's gate is entered under it,
 *                   so close (which takes the port out under it) knows
 *                   whether a callback runs.
 */
#ifndef WINPV_CORE_EVTCHN_IMPL_H
#define WINPV_CORE_EVTCHN_IMPL_H

#include <xen/event_channel.h>
#include <xen/xen.h>

#include "evtchn/evtchn.h"
#include "hv/hv.h"
#include "hv/shared_info.h"
#include "os.h"

#define EVTCHN_TABLE_PAGE    1024u /* channel pointers in one page of the port table */
#define EVTCHN_TABLE_PAGES   (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_TABLE_PAGE)
#define EVTCHN_FIFO_WORDS    (OS_PAGE_SIZE / sizeof(event_word_t)) /* ports per array page */
#define EVTCHN_FIFO_PAGES    (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_WORDS)
#define EVTCHN_2L_WORDS      64u /* words of the 2-level bitmaps */
#define EVTCHN_KICK_PRIORITY EVTCHN_FIFO_PRIORITY_MAX

struct evtchn_channel {
    struct evtchn_engine *engine;
    struct evtchn_channel *next, *prev; /* the engine's list */
    struct evtchn_bind how;             /* how the port was bound, to bind again */
    evtchn_fn fn;                       /* NULL: a kick port, nothing to call */
    void *ctx;
    uint32_t port;                /* 0: disconnected; read once where no lock is held */
    uint32_t vcpu;                /* the vCPU notified (the owner's choice) */
    uint32_t priority;            /* FIFO queue */
    bool masked;                  /* the owner's mask */
    volatile uint32_t gate;       /* the callback: running, asked for again, closed */
    struct os_spinlock mask_lock; /* see above */
    struct os_event idle;         /* set when the callback returns after close began */
    uint64_t events;              /* callbacks run */
};

/* One vCPU: its upcall's gate, its kick port, its counters, where its last pass stopped. */
struct evtchn_vcpu {
    volatile uint32_t gate;
    struct evtchn_channel *kick;
    uint64_t upcalls, spurious, deferred;
    /* 2-level: words still to scan, and the port the next scan starts at */
    uint64_t sel;
    uint32_t next_port;
    /* FIFO: the control block, our head of each queue, queues not yet emptied */
    struct evtchn_fifo_control_block *control;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];
    uint32_t ready;
};

/* One evtchn_upcall: events it may still deliver, callbacks it ran. */
struct evtchn_pass {
    uint32_t budget;
    uint32_t delivered;
};

/*
 * An ABI. setup/release/grow: passive, e->mutex held. The rest: any.
 * setup makes a new (or restored) domain's state ready, every port masked,
 * and resets the vCPUs' pass state; release undoes it and frees; grow makes
 * room for more ports (-XEN_ENOSPC: none); covered is how many ports are
 * usable now. bind/unbind say which vCPU a port notifies; set_pending and
 * clear_pending change a port's pending state. pass takes the vCPU's
 * pending events, calling evtchn_deliver for each, and returns true when it
 * stopped for want of budget. rearm, with the vCPU's gate held outside a
 * pass, takes over what Xen marked as raised but no pass served (upcalls
 * ignored while suspended), so that the next kick raises an upcall.
 */
struct evtchn_abi {
    enum evtchn_abi_kind kind;
    uint32_t max_ports;
    int (*setup)(struct evtchn_engine *e);
    void (*release)(struct evtchn_engine *e);
    int (*grow)(struct evtchn_engine *e);
    uint32_t (*covered)(const struct evtchn_engine *e);
    void (*bind)(struct evtchn_engine *e, uint32_t port, uint32_t vcpu);
    void (*unbind)(struct evtchn_engine *e, uint32_t port, uint32_t vcpu);
    void (*mask)(struct evtchn_engine *e, uint32_t port);
    int (*unmask)(struct evtchn_engine *e, uint32_t port);
    void (*set_pending)(struct evtchn_engine *e, uint32_t port);
    void (*clear_pending)(struct evtchn_engine *e, uint32_t port);
    bool (*pass)(struct evtchn_engine *e, unsigned int vcpu, struct evtchn_pass *pass);
    void (*rearm)(struct evtchn_engine *e, unsigned int vcpu);
};

extern const struct evtchn_abi evtchn_abi_2l;
extern const struct evtchn_abi evtchn_abi_fifo;

struct evtchn_engine {
    const struct evtchn_abi *abi;
    struct hv_shared_info *shared;
    unsigned int nr_vcpus;
    struct evtchn_vcpu *vcpus;
    struct os_mutex mutex;
    struct os_spinlock lock;
    struct evtchn_channel **table[EVTCHN_TABLE_PAGES];
    struct evtchn_channel *channels;
    volatile uint32_t accepting; /* upcalls served: 0 from suspend to resume */
    volatile uint32_t passes;    /* evtchn_upcall calls under way */
    struct os_event quiet;       /* set when the last of them leaves while not accepting */
    uint64_t stray, replays;
    /* 2-level: for each vCPU, 64 words: the ports it is notified for */
    uint64_t *bound;
    /* FIFO: control blocks (a page per vCPU), event-array pages */
    void *control_pages;
    uint64_t *control_gfns;
    bool fifo_live; /* Xen uses our pages: only EVTCHNOP_reset lets go */
    event_word_t *array[EVTCHN_FIFO_PAGES];
    uint64_t array_gfn[EVTCHN_FIFO_PAGES];
    uint32_t array_pages;          /* allocated */
    volatile uint32_t array_shown; /* given to Xen */
};

/* table.c. reserve: passive, e->mutex held. set/get/clear_all: e->lock held. */
int evtchn_table_reserve(struct evtchn_engine *e, uint32_t port);
void evtchn_table_set(struct evtchn_engine *e, uint32_t port, struct evtchn_channel *ch);
struct evtchn_channel *evtchn_table_get(const struct evtchn_engine *e, uint32_t port);
void evtchn_table_clear_all(struct evtchn_engine *e);
void evtchn_table_free(struct evtchn_engine *e);

/*
 * connect.c: passive, e->mutex held. connect binds ch->how (first: take
 * Xen's vCPU; else move the new port to the owner's). disconnect takes the
 * port out of the table and masks it; it returns the port, which the
 * caller closes (evtchn_close_port) once the callback cannot use it.
 */
int evtchn_connect(struct evtchn_engine *e, struct evtchn_channel *ch, bool first);
uint32_t evtchn_disconnect(struct evtchn_engine *e, struct evtchn_channel *ch);
void evtchn_close_port(uint32_t port);

/*
 * dispatch.c: deliver runs @port's callback (inside a pass, any context);
 * kick signals @vcpu's kick port (any).
 */
void evtchn_deliver(struct evtchn_engine *e, struct evtchn_pass *pass, uint32_t port,
                    unsigned int vcpu);
void evtchn_kick(struct evtchn_engine *e, unsigned int vcpu);
/* Stop serving upcalls and wait until none is under way. Passive. */
void evtchn_quiesce(struct evtchn_engine *e);

/*
 * toolstack_ports.c: the xenstore and console ports across EVTCHNOP_reset.
 * record, just before it, notes those bound interdomain; rebind, after it,
 * binds them to the same remote ports again and writes the new ports into
 * their HVM parameters. Passive.
 */
#define EVTCHN_TOOLSTACK_PORTS 2u

struct evtchn_toolstack_port {
    uint32_t param; /* HVM_PARAM_STORE_EVTCHN or HVM_PARAM_CONSOLE_EVTCHN */
    bool bound;     /* interdomain when recorded */
    domid_t remote_domid;
    uint32_t remote_port;
};

void evtchn_toolstack_ports_record(struct evtchn_toolstack_port kept[EVTCHN_TOOLSTACK_PORTS]);
void evtchn_toolstack_ports_rebind(const struct evtchn_toolstack_port kept[EVTCHN_TOOLSTACK_PORTS]);

/* channel.c: e->mutex held. */
void evtchn_close_locked(struct evtchn_engine *e, struct evtchn_channel *ch);
int evtchn_open_locked(struct evtchn_engine *e, const struct evtchn_bind *how, evtchn_fn fn,
                       void *ctx, uint32_t priority, struct evtchn_channel **out);

#endif /* WINPV_CORE_EVTCHN_IMPL_H */
