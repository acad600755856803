/*
 * tests/vbd/front/fake_services.h - the four tables XENBUS serves a driver
 * (include/winpv), played inside the test process so that the blkif
 * frontend runs without winpv-simd:
 *
 *   store    nodes in memory; a transaction works on a copy that its commit
 *            puts in place (or, as many times as the test asks, refuses
 *            with -XEN_EAGAIN as a conflict); watches are accepted and never
 *            fire (the frontend learns of its backend through XENBUS).
 *   xenbus   one device, device/<class>/<id>, whose backend is the test's:
 *            each state the frontend switches to is handed to the test's
 *            function, which plays the backend's side of the handshake; the
 *            backend's state is what the test sets, and a wait for it ends
 *            when the test sets one it waits for, or times out.
 *   gnttab   references and grants recorded, never a hypervisor; the test
 *            says which grants a backend still maps (a revoke then fails
 *            and end_access waits), and letting go of one completes its
 *            waiting revoke on deferred work, in passive context, as the
 *            grant table does.
 *   evtchn   unbound channels; notifications counted per port, and the test
 *            runs a channel's callback in dispatch context as the upcall
 *            would.
 *
 * Every function checks the context its interface allows, and a misuse that
 * would bugcheck on Windows (a reference freed while granted, granted twice,
 * a closed channel notified) aborts the process.
 */
#ifndef WINPV_TESTS_VBDFRONT_FAKE_SERVICES_H
#define WINPV_TESTS_VBDFRONT_FAKE_SERVICES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os.h"
#include "vbd/front.h"

/* A rule of an interface or of the protocol was broken: say which, and abort. */
__attribute__((noreturn, format(printf, 1, 2))) void fake_violation(const char *fmt, ...);

/* What the fakes share: zeroed memory (or abort), a table's header, "@dir/@name". */
void *fake_alloc(size_t size);
struct winpv_interface_header fake_header(uint16_t size, void *context);
void fake_join_path(char *buf, size_t size, const char *dir, const char *name);

/* -- store ---------------------------------------------------------------- */

struct fake_node {
    char *path;
    char *value;
    size_t len;
};

struct fake_nodes {
    struct fake_node *v;
    size_t n, cap;
};

struct fake_store {
    pthread_mutex_t lock;
    struct fake_nodes nodes;
    struct fake_nodes tx; /* the open transaction's copy */
    uint32_t tx_id;       /* the open transaction, 0 when none */
    uint32_t tx_next;     /* the id the next one gets */
    uint32_t conflicts;   /* commits still to refuse with -XEN_EAGAIN */
    uint32_t watches;     /* added, not yet removed */
    struct winpv_store_interface_v1 table;
};

/* A value written, read back or removed by the test (outside any transaction). */
void fake_store_write(struct fake_store *fs, const char *path, const char *value);
void fake_store_write_number(struct fake_store *fs, const char *dir, const char *name,
                             uint64_t value);
bool fake_store_read_number(struct fake_store *fs, const char *dir, const char *name,
                            uint64_t *value);
void fake_store_remove(struct fake_store *fs, const char *dir, const char *name);

/* -- xenbus --------------------------------------------------------------- */

struct fake_xenbus {
    pthread_mutex_t lock;
    pthread_cond_t changed_cond; /* back_state changed */
    struct fake_store *store;
    char class[16], id[16];
    char nodename[64], otherend[64];
    bool open;
    void (*changed)(void *ctx, uint32_t state); /* the frontend's */
    void *changed_ctx;
    uint32_t front_state, back_state;
    /* The backend: called with each state the frontend switches to (passive). */
    void (*backend)(void *ctx, uint32_t front_state);
    void *backend_ctx;
    uint32_t fails; /* times fail was called */
    int fail_err;
    char fail_message[128];
    struct winpv_xenbus_interface_v1 table;
};

/* The backend's state, written to its "state" node. */
void fake_xenbus_set_backend_state(struct fake_xenbus *fx, uint32_t state);

/* The same, then the frontend told (in passive context), as XENBUS's watch does. */
void fake_xenbus_backend_changed(struct fake_xenbus *fx, uint32_t state);

/* -- gnttab --------------------------------------------------------------- */

#define FAKE_GNTTAB_FIRST_REF 8u /* the toolstack's entries come first */
#define FAKE_GNTTAB_REFS      16384u

enum fake_grant_state {
    FAKE_REF_FREE,
    FAKE_REF_ALLOCATED,
    FAKE_REF_GRANTED,
};

struct fake_grant {
    uint8_t state;
    bool readonly;
    bool held;    /* a backend maps the page */
    bool waiting; /* end_access returned true: freed when the backend lets go */
    uint16_t domid;
    uint64_t gfn;
    void (*done)(void *ctx, int status);
    void *ctx;
};

struct fake_revoked {
    void (*done)(void *ctx, int status);
    void *ctx;
};

struct fake_gnttab {
    pthread_mutex_t lock;
    struct fake_grant *refs; /* [cap], index ref - FAKE_GNTTAB_FIRST_REF */
    uint32_t *free_refs;     /* [cap]: a stack of indices freed */
    uint32_t nr_free;
    uint32_t fresh;               /* indices below were handed out at least once */
    uint32_t cap;                 /* entries allocated, up to FAKE_GNTTAB_REFS */
    uint32_t in_use;              /* allocated or granted */
    uint32_t limit;               /* alloc fails with -XEN_ENOSPC at this many in use */
    uint32_t held;                /* grants a backend maps */
    uint64_t waited;              /* end_access calls that had to wait */
    struct fake_revoked *revoked; /* completions to run on the work */
    uint32_t nr_revoked, cap_revoked;
    struct os_work tell;
    struct winpv_gnttab_interface_v1 table;
};

/* What @ref grants now: false when it grants nothing. */
bool fake_gnttab_lookup(struct fake_gnttab *gt, uint32_t ref, uint16_t *domid, uint64_t *gfn,
                        bool *readonly);

/* A backend maps granted @ref (false, doing nothing, when it grants nothing). */
bool fake_gnttab_hold(struct fake_gnttab *gt, uint32_t ref);

/* A backend lets go of @ref; a revoke that waited for it completes on deferred work. */
void fake_gnttab_release(struct fake_gnttab *gt, uint32_t ref);

/* The held references, at most @max of them into @refs; how many there are. */
uint32_t fake_gnttab_held(struct fake_gnttab *gt, uint32_t *refs, uint32_t max);

/* Wait until the completions of revokes that waited have all run. Context: passive. */
void fake_gnttab_settle(struct fake_gnttab *gt);

/* -- evtchn --------------------------------------------------------------- */

struct winpv_evtchn_channel {
    struct winpv_evtchn_channel *next;
    uint32_t port;
    uint16_t remote_domid;
    void (*fn)(void *ctx, unsigned int vcpu);
    void *ctx;
    uint32_t notified;
};

struct fake_evtchn {
    pthread_mutex_t lock;
    pthread_mutex_t upcall; /* a callback running; close waits for it */
    struct winpv_evtchn_channel *channels;
    uint32_t next_port;
    uint32_t open;
    struct winpv_evtchn_interface_v1 table;
};

/*
 * Whether @port is an open channel for @remote_domid to bind; *notified
 * (may be NULL) is how many times the frontend notified it.
 */
bool fake_evtchn_lookup(struct fake_evtchn *ev, uint32_t port, uint16_t remote_domid,
                        uint32_t *notified);

/* Run @port's callback in dispatch context, as the upcall does. False when it is not open. */
bool fake_evtchn_fire(struct fake_evtchn *ev, uint32_t port);

/* -- all four ------------------------------------------------------------- */

/* Each table set up, and (checked) freed: what fake_services_init and _destroy call. */
void fake_store_init(struct fake_store *fs);
void fake_store_destroy(struct fake_store *fs);
void fake_xenbus_init(struct fake_xenbus *fx, struct fake_store *store, const char *class,
                      const char *id);
void fake_gnttab_init(struct fake_gnttab *gt);
void fake_gnttab_destroy(struct fake_gnttab *gt);
void fake_evtchn_init(struct fake_evtchn *ev);

struct fake_services {
    struct fake_store store;
    struct fake_xenbus xenbus;
    struct fake_gnttab gnttab;
    struct fake_evtchn evtchn;
    struct vbd_front_services svc; /* the tables, as XENVBD gets them */
};

/*
 * Set up device @class/@id whose backend (domain 0) is at
 * /local/domain/0/backend/@class/1/@id, with @backend playing it. The
 * frontend's directory holds "backend" and "backend-id", as the toolstack
 * writes them.
 */
void fake_services_init(struct fake_services *fx, const char *class, const char *id,
                        void (*backend)(void *ctx, uint32_t front_state), void *backend_ctx);

/*
 * Check that nothing is left (no reference in use or grant held, no
 * revoke waiting, no channel open, the device closed, no transaction open
 * or watch set: aborts otherwise), and free everything.
 */
void fake_services_destroy(struct fake_services *fx);

#endif /* WINPV_TESTS_VBDFRONT_FAKE_SERVICES_H */
