/*
 * sim/proto.h - the messages between winpv-simd (the user-space hypervisor)
 * and its clients: guests, the toolstack, and the replacement Xen libraries
 * loaded into dom0 programs (xenstored, xenconsoled, QEMU).
 *
 * Transport: a SOCK_SEQPACKET unix socket, one message per request and per
 * reply, file descriptors passed with SCM_RIGHTS. Every request is answered
 * by exactly one reply, in order, except SIM_EVTCHN_NOTIFY_ASYNC (none). Asynchronous events never travel on this
 * socket: each connection that can receive events gets its own event file
 * descriptor in its HELLO reply (see struct sim_hello_reply).
 *
 * Numbers are host-endian (both ends run on one machine). Every field from a
 * client is validated by the daemon; a malformed message closes that
 * connection, never the daemon.
 */
#ifndef WINPV_SIM_PROTO_H
#define WINPV_SIM_PROTO_H

#include <stdint.h>

#define SIM_PROTO_VERSION 6

/* The socket's name inside the run directory. */
#define SIM_SOCKET_NAME "simd.sock"

/* Environment variable giving the run directory to every client. */
#define SIM_RUN_DIR_ENV "WINPV_SIM_DIR"

#define SIM_DOMID_DOM0 0u

/* The Xen version the daemon reports (XENVER_version), as Debian 12's Xen. */
#define SIM_XEN_MAJOR 4
#define SIM_XEN_MINOR 17

enum sim_role {
    SIM_ROLE_TOOLSTACK = 1, /* creates and destroys domains */
    SIM_ROLE_EVTCHN = 2,    /* a dom0 event-channel handle (libxenevtchn) */
    SIM_ROLE_GNTTAB = 3,    /* a dom0 grant-mapping handle (libxengnttab) */
    SIM_ROLE_PRIVCMD = 4,   /* dom0 foreign memory and domain queries (libxenctrl, ...) */
    SIM_ROLE_GUEST = 5,     /* a guest's vCPUs: hypercalls and upcalls */
};

enum sim_msg_type {
    SIM_HELLO = 1,

    /* toolstack */
    SIM_DOMAIN_CREATE,
    SIM_DOMAIN_DESTROY,
    SIM_DOMAIN_SHUTDOWN, /* as SCHEDOP_remote_shutdown */
    SIM_SET_PARAM,       /* HVM parameter of a domain */
    SIM_GET_PARAM,
    SIM_GNTTAB_SEED,          /* write a reserved grant entry */
    SIM_EVTCHN_ALLOC_UNBOUND, /* a port in domain A for domain B */

    /* any dom0 role */
    SIM_DOMAIN_INFO,   /* one domain, or the next one from a domid */
    SIM_DOMAIN_MEMORY, /* the domain's memory file, by SCM_RIGHTS */
    SIM_P2M_LOOKUP,    /* guest frames -> offsets in the memory file */
    SIM_EVTCHN_STATUS, /* as EVTCHNOP_status */

    /* SIM_ROLE_EVTCHN */
    SIM_EVTCHN_BIND_INTERDOMAIN,
    SIM_EVTCHN_BIND_UNBOUND,
    SIM_EVTCHN_BIND_VIRQ,
    SIM_EVTCHN_NOTIFY,
    SIM_EVTCHN_UNMASK,
    SIM_EVTCHN_UNBIND,
    /*
     * As SIM_EVTCHN_NOTIFY, but answered by no reply: a notification costs
     * its sender one system call, as the real ioctl does. The client checks
     * the port is one of its own first; a failure goes to the daemon's log.
     */
    SIM_EVTCHN_NOTIFY_ASYNC,
    /* As SIM_EVTCHN_UNMASK, answered by no reply (a write to /dev/xen/evtchn). */
    SIM_EVTCHN_UNMASK_ASYNC,

    /* SIM_ROLE_GNTTAB */
    SIM_GNTTAB_MAP,   /* validate and pin grants; reply: offsets */
    SIM_GNTTAB_UNMAP, /* unpin what one MAP pinned */
    SIM_GNTTAB_COPY,  /* pin for a copy; the client copies, then UNMAP */

    /* SIM_ROLE_GUEST */
    SIM_HYPERCALL,
    SIM_PORT_IO, /* an I/O port access (the Xen platform device) */

    /* toolstack: a domain suspended by its guest (SCHEDOP_shutdown, suspend) */
    SIM_DOMAIN_SAVE,    /* write its memory and parameters to a file */
    SIM_DOMAIN_RESTORE, /* a new domain from such a file; its guest moves there */
    SIM_DOMAIN_RESUME,  /* cancel the suspend: the guest goes on in the same domain */
    SIM_DOMAIN_UNPAUSE, /* a domain restored paused: its guest moves there and goes on */

    /*
     * toolstack: a build of a PV driver product blacklisted, or no longer.
     * Xen's device model reads /mh/driver-blacklist/{product}/{build} in
     * xenstore; winpv-simd has no xenstore connection, so the toolstack
     * tells it instead.
     */
    SIM_DRIVER_BLACKLIST,

    /*
     * Any role, last: release what this connection holds (its ports, its
     * pins) before the reply, so the release is done when the client's
     * close returns, as closing /dev/xen/evtchn unbinds at once.
     */
    SIM_BYE,

    SIM_MSG_TYPE_COUNT,
};

/* -- requests --------------------------------------------------------------- */

struct sim_hello {
    uint32_t version; /* SIM_PROTO_VERSION */
    uint32_t role;    /* enum sim_role */
    uint32_t domid;   /* SIM_ROLE_GUEST: the domain this process runs */
};

struct sim_domain_create {
    uint64_t ram_pages;
    uint32_t max_grant_frames;
    uint32_t vcpus;
};

struct sim_domid {
    uint32_t domid;
};

struct sim_domain_shutdown {
    uint32_t domid;
    uint32_t reason; /* SHUTDOWN_* */
};

struct sim_param {
    uint32_t domid;
    uint32_t index; /* HVM_PARAM_* */
    uint64_t value;
};

struct sim_gnttab_seed {
    uint32_t domid;
    uint32_t ref;     /* < GNTTAB_NR_RESERVED_ENTRIES */
    uint32_t backend; /* the domain granted access */
    uint32_t flags;   /* GTF_* */
    uint64_t gfn;
};

struct sim_evtchn_alloc_unbound {
    uint32_t domid;
    uint32_t remote_domid;
};

#define SIM_MAX_FRAMES 64u /* frames per P2M_LOOKUP or GNTTAB_MAP/COPY message */

struct sim_p2m_lookup {
    uint32_t domid;
    uint32_t count;
    uint64_t gfns[SIM_MAX_FRAMES];
};

struct sim_evtchn_bind {
    uint32_t remote_domid; /* BIND_INTERDOMAIN, BIND_UNBOUND */
    uint32_t remote_port;  /* BIND_INTERDOMAIN */
    uint32_t virq;         /* BIND_VIRQ */
};

struct sim_evtchn_port {
    uint32_t port;
};

/* SIM_EVTCHN_STATUS: any domain's port. */
struct sim_evtchn_status_request {
    uint32_t domid;
    uint32_t port;
};

struct sim_gnttab_map {
    uint32_t domid; /* the granting domain */
    uint32_t count;
    uint32_t readonly; /* map read-only (GNTMAP_readonly) */
    uint32_t refs[SIM_MAX_FRAMES];
};

struct sim_gnttab_unmap {
    uint64_t handle; /* from the MAP or COPY reply */
};

struct sim_hypercall {
    uint32_t op;
    uint32_t vcpu;
    uint64_t args[5];
};

struct sim_port_io {
    uint16_t port;
    uint8_t bytes; /* 1, 2 or 4 */
    uint8_t write;
    uint32_t value; /* written, or read (in the reply's param.value) */
};

/* SIM_DRIVER_BLACKLIST: one product's build, on the list or off it (every domain's). */
struct sim_driver_blacklist {
    uint32_t product; /* the platform device's product number (Xen's public/hvm/pvdrivers.h) */
    uint32_t build;
    uint32_t listed; /* 1: blacklisted; 0: off the list */
};

/*
 * SAVE: @domid's image to @name; RESTORE: from @name. A plain file name in
 * the run directory. RESTORE with SIM_RESTORE_PAUSED in @flags leaves the
 * suspended guest where it is until SIM_DOMAIN_UNPAUSE names the new
 * domain, as Xen's toolstack sets a restored domain up (its store and
 * console ports, xenstored's introduction) before it unpauses it.
 */
struct sim_domain_file {
    uint32_t domid;
    uint32_t flags;
    char name[64];
};

#define SIM_RESTORE_PAUSED (1u << 0)

union sim_request_body {
    struct sim_hello hello;
    struct sim_domain_create create;
    struct sim_domid domid;
    struct sim_domain_shutdown shutdown;
    struct sim_param param;
    struct sim_gnttab_seed seed;
    struct sim_evtchn_alloc_unbound alloc_unbound;
    struct sim_p2m_lookup p2m;
    struct sim_evtchn_bind bind;
    struct sim_evtchn_port port;
    struct sim_evtchn_status_request port_status;
    struct sim_gnttab_map map;
    struct sim_gnttab_unmap unmap;
    struct sim_hypercall hypercall;
    struct sim_port_io port_io;
    struct sim_domain_file file;
    struct sim_driver_blacklist blacklist;
};

struct sim_request {
    uint32_t type; /* enum sim_msg_type */
    uint32_t pad;
    union sim_request_body body;
};

/* -- replies ---------------------------------------------------------------- */

/*
 * HELLO reply. Roles that receive events get one file descriptor with it:
 *  - SIM_ROLE_EVTCHN: a stream socket; each event is a uint32_t port number
 *    (the port is then masked for this handle until SIM_EVTCHN_UNMASK), as
 *    Linux's /dev/xen/evtchn delivers them;
 *  - SIM_ROLE_GUEST: a stream socket; each byte is a vCPU number whose
 *    upcall was raised (evtchn_upcall_pending went from 0 to 1).
 * SIM_ROLE_GUEST also gets the domain's memory file (a second descriptor).
 */
struct sim_hello_reply {
    uint32_t domid; /* the caller's domain */
    uint32_t pad;
    uint64_t ram_pages; /* SIM_ROLE_GUEST: RAM the guest allocates from, frames 0.. */
    uint64_t max_gfn;   /* SIM_ROLE_GUEST: frames 0..max_gfn-1 may be mapped */
};

/*
 * A guest's frames right after its RAM are the toolstack's special pages
 * (the xenstore and console rings), mapped 1:1 like RAM but never handed out
 * by the guest's allocator; the HVM parameters name them.
 */
#define SIM_SPECIAL_PAGES 4u

struct sim_domain_info {
    uint32_t domid;
    uint32_t flags;           /* SIM_DOMINFO_* */
    uint32_t shutdown_reason; /* SHUTDOWN_* when SIM_DOMINFO_SHUTDOWN */
    uint32_t vcpus;
    uint64_t nr_pages;
    uint64_t max_pages;
    uint64_t shared_info_gfn;
    uint32_t unplugged; /* emulated devices the guest unplugged (platform device mask) */
    /* What the guest holds of Xen, to show a driver gave it all back. */
    uint32_t ports_open;         /* event channels in any state but closed */
    uint32_t fifo_pages;         /* guest pages Xen writes as FIFO control blocks and arrays */
    uint32_t grant_frames_shown; /* grant-table frames in the guest's physical map */
    uint32_t grants_active;      /* grant entries past the reserved ones that grant anything */
    /* What the guest's PV drivers told the platform device (the unplug protocol). */
    uint32_t pv_product; /* product number, or SIM_PV_NONE */
    uint32_t pv_build;   /* build number (with a product) */
    uint32_t pv_refused; /* 1: the magic read back 0xd249 (unknown or blacklisted product) */
    uint32_t pv_unplugs; /* unplug masks written (0 included) */
    uint32_t pad;
};

#define SIM_PV_NONE UINT32_MAX

#define SIM_DOMINFO_DYING    (1u << 0)
#define SIM_DOMINFO_SHUTDOWN (1u << 1)
#define SIM_DOMINFO_CRASHED  (1u << 2)
#define SIM_DOMINFO_HVM      (1u << 3)
#define SIM_DOMINFO_RUNNING  (1u << 4) /* a guest process is attached */

struct sim_domain_memory {
    uint64_t size; /* bytes of the file passed with the reply */
};

/* Offsets (bytes) in the domain's memory file; SIM_NO_FRAME where none. */
#define SIM_NO_FRAME UINT64_MAX
struct sim_offsets {
    uint64_t handle; /* GNTTAB_MAP and COPY: to pass to GNTTAB_UNMAP */
    uint32_t count;
    uint32_t pad;
    uint64_t offsets[SIM_MAX_FRAMES];
};

struct sim_evtchn_status_reply {
    uint32_t status; /* EVTCHNSTAT_* */
    uint32_t vcpu;
    uint32_t remote_domid;
    uint32_t remote_port;
    uint32_t virq;
    uint32_t pad;
};

/*
 * A hypercall may change the guest's physical map (add_to_physmap,
 * decrease_reservation, populate_physmap); the guest's transport applies
 * these before returning to the caller: frame gfn now shows the memory
 * file's page at offset (SIM_NO_FRAME: nothing, accesses fault).
 */
#define SIM_MAX_REMAPS 16u
struct sim_remap {
    uint64_t gfn;
    uint64_t offset;
};

struct sim_hypercall_reply {
    int64_t result;
    uint32_t remap_count;
    /*
     * SCHEDOP_shutdown(suspend) answered after a restore: the domain this
     * guest now runs as (its memory as saved, nothing else of Xen's: shared
     * info, grant frames and event channels are to be set up again); 0
     * otherwise.
     */
    uint32_t moved_to;
    struct sim_remap remaps[SIM_MAX_REMAPS];
};

union sim_reply_body {
    struct sim_hello_reply hello;
    struct sim_domid domid;
    struct sim_param param;
    struct sim_evtchn_port port;
    struct sim_domain_info info;
    struct sim_domain_memory memory;
    struct sim_offsets offsets;
    struct sim_evtchn_status_reply status;
    struct sim_hypercall_reply hypercall;
};

struct sim_reply {
    int32_t error; /* 0, or a negative XEN_E* value */
    uint32_t pad;
    union sim_reply_body body;
};

#endif /* WINPV_SIM_PROTO_H */
