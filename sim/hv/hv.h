/*
 * sim/hv/hv.h - winpv-simd, a user-space Xen: the state it keeps.
 *
 * One single-threaded process serves every client over one unix socket
 * (sim/proto.h). It owns each domain's memory (a memfd: RAM frames, then
 * Xen's own frames: shared_info and the grant-table frames), the domain's
 * physical map (guest frame -> frame of the memory file), its event channels
 * and its grant pins.
 */
#ifndef WINPV_SIM_HV_H
#define WINPV_SIM_HV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/xen.h>

#include "proto.h"

#define HV_MAX_DOMAINS     64
#define HV_MAX_VCPUS       XEN_LEGACY_MAX_VCPUS
#define HV_NR_VIRQS        24
#define HV_NR_HVM_PARAMS   64
#define HV_NO_MFN          UINT64_MAX
#define HV_MAX_POLL_PORTS  8           /* ports one SCHEDOP_poll may wait for */
#define HV_2L_PORTS        (64u * 64u) /* the 2-level ABI on a 64-bit guest */
#define HV_GNTTAB_PER_PAGE (4096u / sizeof(struct grant_entry_v1))

struct conn;

/* One event-channel port of a domain. */
struct evtchn {
    uint8_t state; /* EVTCHNSTAT_* */
    uint8_t priority;
    uint16_t virq;
    uint32_t vcpu;
    uint32_t remote_domid; /* unbound: who may bind; interdomain: the peer */
    uint32_t remote_port;  /* interdomain */
    struct conn *owner;    /* dom0: the evtchn handle that bound the port */
    bool owner_masked;     /* dom0: delivered, not yet unmasked by the handle */
    bool owner_pending;    /* dom0: raised again while masked; delivered on unmask */
    /* FIFO ABI: the queue the port was last linked on. */
    uint32_t fifo_last_vcpu;
    uint8_t fifo_last_priority;
};

/* A grant pinned by a dom0 handle. */
struct grant_pin {
    uint64_t handle; /* what the mapping handle was told */
    struct conn *owner;
    uint32_t domid;
    uint32_t count;
    bool readonly;
    uint32_t refs[SIM_MAX_FRAMES];
    struct grant_pin *next;
};

/* FIFO event-channel state of one vCPU. */
struct fifo_vcpu {
    uint64_t control_mfn; /* HV_NO_MFN until EVTCHNOP_init_control */
    uint32_t control_offset;
    uint32_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* 0: queue empty */
};

struct domain {
    uint32_t domid;
    bool exists;
    bool dying;
    bool shutdown;
    uint32_t shutdown_reason;
    uint32_t shutdown_code; /* SCHEDOP_shutdown_code: the reason to use on a later crash */
    uint32_t vcpus;
    /* Restored paused: the domain whose suspended guest moves here at unpause. */
    bool paused;
    uint32_t paused_origin;

    /* memory: the file, its mapping here, the physical map */
    int mem_fd;
    uint8_t *mem;        /* the whole file, mapped */
    uint64_t mem_frames; /* frames in the file */
    uint64_t ram_pages;  /* RAM frames at creation */
    uint64_t max_gfn;    /* p2m covers gfns 0..max_gfn-1 */
    uint64_t *p2m;       /* gfn -> frame of the file, HV_NO_MFN if none */
    uint8_t *mfn_used;   /* frame of the file -> 1 when it backs something */
    uint64_t nr_pages;   /* RAM frames populated */
    uint64_t max_pages;

    /* Xen's own frames */
    uint64_t shared_info_mfn;
    uint64_t *xen_frame_gfn; /* Xen's frame (from shared_info_mfn) -> where the guest shows it */
    uint32_t max_grant_frames;
    uint32_t nr_grant_frames; /* frames the guest set up */
    uint64_t grant_mfn_base;  /* first grant frame in the file */
    uint16_t *grant_read_pins;
    uint16_t *grant_write_pins;

    /* event channels */
    struct evtchn *ports;
    uint32_t nr_ports;
    bool fifo;
    uint64_t *fifo_array_mfns; /* event-word pages, EVTCHN_FIFO_NR_CHANNELS / 1024 */
    uint32_t fifo_array_pages;
    struct fifo_vcpu fifo_vcpu[HV_MAX_VCPUS];
    uint32_t virq_port[HV_MAX_VCPUS][HV_NR_VIRQS];
    uint8_t upcall_vector[HV_MAX_VCPUS];
    uint64_t timer_ns[HV_MAX_VCPUS]; /* set_timer_op: when VIRQ_TIMER fires (0: never) */

    uint64_t params[HV_NR_HVM_PARAMS];

    /* the guest's processes: where upcalls go */
    int upcall_fd;   /* our end of the upcall stream; -1 none */
    int upcall_peer; /* the guest's end, handed out in HELLO replies */
    pid_t pid;       /* the attached guest process (0: none) */
    /* the platform device's unplug protocol (platform.c) */
    uint16_t unplugged;  /* the unplug mask */
    uint32_t pv_product; /* announced product number, or SIM_PV_NONE */
    uint32_t pv_build;
    bool pv_refused;     /* the drivers read back the refusing magic */
    uint32_t pv_unplugs; /* masks written */
    char pv_log[128];    /* the drivers' log line being written */
    uint32_t pv_log_len;
};

struct conn {
    int fd;
    uint32_t role; /* enum sim_role; 0 before HELLO */
    uint32_t domid;
    pid_t pid;
    int event_fd; /* SIM_ROLE_EVTCHN: our end of the event stream */
    struct conn *next;
    /* a guest vCPU suspended in SCHEDOP_shutdown(suspend), waiting for restore or resume */
    bool suspended;
    /* a guest vCPU blocked in SCHEDOP_block or SCHEDOP_poll */
    bool blocked;
    uint32_t blocked_vcpu;
    uint64_t block_deadline_ns; /* 0: none */
    uint32_t poll_ports[HV_MAX_POLL_PORTS];
    uint32_t poll_count;
    /* A reply could not be sent (the client does not read): closed by the main loop. */
    bool broken;
};

struct hv {
    char *run_dir;
    int listen_fd;
    int epoll_fd;
    struct domain domains[HV_MAX_DOMAINS];
    struct conn *conns;
    struct grant_pin *pins;
    uint64_t next_pin_handle;
    uint32_t last_domid; /* the id given to the last domain created */
    int console_log_fd;  /* console_io writes */
};

extern struct hv hv;

/* log.c */
void hv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* domain.c */
struct domain *domain_get(uint32_t domid); /* NULL unless it exists */
int domain_create(const struct sim_domain_create *req, uint32_t *domid);
void domain_destroy(struct domain *d);
int domain_shutdown(struct domain *d, uint32_t reason);
void *domain_frame(struct domain *d, uint64_t mfn);  /* NULL if out of range */
void *domain_gfn(struct domain *d, uint64_t gfn);    /* NULL if not mapped */
uint64_t domain_p2m(struct domain *d, uint64_t gfn); /* HV_NO_MFN if none */
/*
 * Show frame @mfn at @gfn. A Xen frame shown elsewhere before moves: the gfn
 * it leaves goes to *vacated (HV_NO_MFN if none), for the guest to unmap.
 */
int domain_physmap_set(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t *vacated);
uint64_t domain_shared_info_gfn(struct domain *d); /* HV_NO_MFN: not shown */
int domain_physmap_remove(struct domain *d, uint64_t gfn);
/* Whatever @gfn shows leaves the map: RAM is freed, a Xen frame only unmapped. */
int domain_physmap_unmap(struct domain *d, uint64_t gfn);
int domain_physmap_populate(struct domain *d, uint64_t gfn);
void domain_fill_info(struct domain *d, struct sim_domain_info *info);

/* evtchn.c */
int evtchn_init(struct domain *d);
void evtchn_fini(struct domain *d);
struct evtchn *evtchn_port(struct domain *d, uint32_t port); /* NULL unless allocated range */
int evtchn_alloc_unbound(struct domain *d, uint32_t remote_domid, uint32_t *port);
/* @owner: the dom0 handle binding (NULL for a guest). */
int evtchn_bind_interdomain(struct domain *d, uint32_t remote_domid, uint32_t remote_port,
                            struct conn *owner, uint32_t *port);
int evtchn_bind_virq(struct domain *d, uint32_t virq, uint32_t vcpu, uint32_t *port);
int evtchn_bind_ipi(struct domain *d, uint32_t vcpu, uint32_t *port);
int evtchn_bind_vcpu(struct domain *d, uint32_t port, uint32_t vcpu);
int evtchn_close(struct domain *d, uint32_t port);
int evtchn_send(struct domain *d, uint32_t port);
int evtchn_unmask(struct domain *d, uint32_t port);
void evtchn_raise_virq(struct domain *d, uint32_t virq);
void evtchn_set_pending(struct domain *d, uint32_t port);
void evtchn_close_owned_by(struct conn *c);
bool evtchn_is_pending(struct domain *d, uint32_t port);
bool evtchn_2l_is_pending(struct domain *d, uint32_t port);
/* Close every port of @d (teardown, EVTCHNOP_reset), whatever the ABI covers now. */
void evtchn_close_all(struct domain *d);
uint32_t evtchn_open_ports(struct domain *d); /* ports in any state but closed */

/* evtchn_fifo.c */
int evtchn_fifo_init_control(struct domain *d, uint64_t gfn, uint32_t offset, uint32_t vcpu);
int evtchn_fifo_expand_array(struct domain *d, uint64_t gfn);
int evtchn_fifo_set_priority(struct domain *d, uint32_t port, uint32_t priority);
bool evtchn_fifo_set_pending(struct domain *d, uint32_t port); /* true: upcall */
bool evtchn_fifo_is_pending(struct domain *d, uint32_t port);
bool evtchn_fifo_is_masked(struct domain *d, uint32_t port);
bool evtchn_fifo_unmask(struct domain *d, uint32_t port); /* true: deliver again */
uint32_t evtchn_fifo_max_ports(struct domain *d);
bool evtchn_fifo_any_ready(struct domain *d, uint32_t vcpu);
uint32_t evtchn_fifo_guest_pages(struct domain *d); /* control blocks and arrays in use */

/* upcall.c: raising a guest vCPU's upcall, waking blocked vCPUs */
uint64_t hv_now_ns(void);
void upcall_raise(struct domain *d, uint32_t vcpu);
void upcall_wake_blocked(struct domain *d);
/* set_timer_op on @vcpu: VIRQ_TIMER at @deadline_ns (system time; passed: at once; 0: cancel). */
void upcall_set_timer(struct domain *d, uint32_t vcpu, uint64_t deadline_ns);
/* Block @c's vCPU until an event (for @ports, or any) or @deadline_ns (0: none).
 * Returns false when there is no need to wait (answer now). */
bool upcall_block(struct conn *c, uint32_t vcpu, const uint32_t *ports, uint32_t count,
                  uint64_t deadline_ns);
/* Answer blocked calls whose deadline passed; returns ms to the next one, or -1. */
int upcall_expire_timeouts(void);

/* gnttab.c */
int gnttab_init(struct domain *d);
void gnttab_fini(struct domain *d);
int gnttab_pin(struct conn *c, const struct sim_gnttab_map *req, struct sim_offsets *out);
int gnttab_unpin(struct conn *c, uint64_t handle);
void gnttab_unpin_all(struct conn *c);
int gnttab_seed(struct domain *d, const struct sim_gnttab_seed *seed);
void gnttab_forget_domain(uint32_t domid);
/* Entries past the reserved ones whose type grants something. */
uint32_t gnttab_active_entries(struct domain *d);

/* hypercall.c */
/* Carries out @call; *deferred: the reply is sent later (a blocked vCPU). */
int hypercall(struct conn *c, const struct sim_hypercall *call, struct sim_hypercall_reply *out,
              bool *deferred);

/* platform.c: the platform device's ports */
int port_io(struct conn *c, struct sim_port_io *io, uint64_t *value);
/* Put a build on the driver blacklist, or take it off (SIM_DRIVER_BLACKLIST). */
int platform_blacklist(const struct sim_driver_blacklist *entry);

/* guest_access.c: hypercall arguments, read from the guest process */
int copy_from_guest(struct conn *c, void *dst, uint64_t guest_va, size_t len);
int copy_to_guest(struct conn *c, uint64_t guest_va, const void *src, size_t len);

/* Whether @domid names @d from the inside (DOMID_SELF or its own id). */
static inline bool domain_is_self(const struct domain *d, uint32_t domid)
{
    return domid == DOMID_SELF || domid == d->domid;
}

/* conn.c */
void conn_reply(struct conn *c, const struct sim_reply *reply, const int *fds, int nfds);
void conn_close(struct conn *c);
/* Close the connections marked broken (never from inside a walk of hv.conns). */
void conn_close_broken(void);
void conn_dispatch(struct conn *c, const struct sim_request *req);

/* save.c: save, restore, resume of a suspended domain */
int save_domain(struct domain *d, const char *name);
int restore_domain(const char *name, uint32_t flags, uint32_t *domid);
int resume_domain(struct domain *d);
int unpause_domain(struct domain *d);
/* Answer the suspended vCPUs of @d: @result, and the domain they now run as. */
void answer_suspended(struct domain *d, int error, int64_t result, uint32_t moved_to);

/* requests.c */
void requests_dispatch(struct conn *c, const struct sim_request *req);

#endif /* WINPV_SIM_HV_H */
