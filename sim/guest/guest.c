/* sim/guest/guest.c - a process as a guest of winpv-simd (see guest.h). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/memory.h>
#include <xen/xen.h>

#include "client.h"
#include "fdpass.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"

/* One connection per thread that makes calls; all are closed on detach. */
struct thread_conn {
    struct sim_conn conn;
    struct thread_conn *next;
};

static struct {
    pthread_mutex_t lock;
    char *run_dir;
    uint32_t domid;
    bool attached;
    int upcall_fd;
    pthread_t upcall_thread;
    struct thread_conn *conns;
    sim_upcall_fn upcall;
    void *upcall_ctx;
    bool upcall_running;        /* the upcall thread is inside upcall() */
    pthread_cond_t upcall_done; /* signalled when it leaves */
    uint64_t upcalls;
    uint32_t generation; /* bumped on detach: stale thread connections are dropped */
} guest = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .upcall_done = PTHREAD_COND_INITIALIZER,
    .upcall_fd = -1,
};

static _Thread_local struct thread_conn *my_conn;
static _Thread_local uint32_t my_generation;
static _Thread_local unsigned int my_vcpu;

void sim_guest_set_vcpu(unsigned int vcpu)
{
    my_vcpu = vcpu;
}

static struct sim_conn *thread_connection(void)
{
    struct thread_conn *tc;
    int fds[SIM_MAX_REPLY_FDS];

    if (my_conn && my_generation == guest.generation)
        return &my_conn->conn;
    tc = calloc(1, sizeof(*tc));
    if (tc == NULL)
        return NULL;
    if (sim_connect(&tc->conn, guest.run_dir, SIM_ROLE_GUEST, guest.domid, fds) != 0) {
        free(tc);
        return NULL;
    }
    sim_close_fds(fds, SIM_MAX_REPLY_FDS); /* the first connection kept them */
    pthread_mutex_lock(&guest.lock);
    tc->next = guest.conns;
    guest.conns = tc;
    pthread_mutex_unlock(&guest.lock);
    my_conn = tc;
    my_generation = guest.generation;
    return &tc->conn;
}

static void *upcall_main(void *unused);

/* Close every thread's connection; they reconnect on their next call. Lock held. */
static void close_thread_conns(void)
{
    while (guest.conns) {
        struct thread_conn *tc = guest.conns;

        guest.conns = tc->next;
        sim_disconnect(&tc->conn);
        free(tc);
    }
    guest.generation++;
}

/*
 * Our domain was saved and restored as domain @domid: run as that one. Its
 * memory is ours as saved, at the same addresses; its upcalls come on a new
 * stream. Called by the vCPU whose suspend hypercall returned; the other
 * threads reconnect on their next call.
 */
static int move_to_domain(uint32_t domid)
{
    struct thread_conn *first = calloc(1, sizeof(*first));
    int fds[SIM_MAX_REPLY_FDS];
    int rc;

    if (first == NULL)
        return -XEN_ENOMEM;
    rc = sim_connect(&first->conn, guest.run_dir, SIM_ROLE_GUEST, domid, fds);
    if (rc) {
        free(first);
        return rc;
    }
    rc = fds[0] >= 0 && fds[1] >= 0
             ? os_posix_guest_memory_move(fds[1], first->conn.ram_pages,
                                          first->conn.ram_pages + SIM_SPECIAL_PAGES,
                                          first->conn.max_gfn)
             : -XEN_EIO;
    if (rc) {
        sim_close_fds(fds, SIM_MAX_REPLY_FDS);
        sim_disconnect(&first->conn);
        free(first);
        return rc;
    }
    shutdown(guest.upcall_fd, SHUT_RDWR);
    pthread_join(guest.upcall_thread, NULL);
    close(guest.upcall_fd);
    pthread_mutex_lock(&guest.lock);
    close_thread_conns();
    guest.conns = first;
    guest.domid = domid;
    guest.upcall_fd = fds[0];
    pthread_mutex_unlock(&guest.lock);
    my_conn = first;
    my_generation = guest.generation;
    return pthread_create(&guest.upcall_thread, NULL, upcall_main, NULL) == 0 ? 0 : -XEN_ENOMEM;
}

static int64_t one_hypercall(uint32_t op, const uint64_t args[5])
{
    struct sim_conn *conn = thread_connection();
    struct sim_request req = {.type = SIM_HYPERCALL};
    struct sim_reply reply;
    int rc;

    if (conn == NULL)
        return -XEN_ENOSYS;
    req.body.hypercall.op = op;
    req.body.hypercall.vcpu = my_vcpu;
    memcpy(req.body.hypercall.args, args, sizeof(req.body.hypercall.args));
    rc = sim_call(conn, &req, &reply, NULL);
    if (rc)
        return rc;
    /* The physical map changed: show the new frames before returning. */
    if (reply.body.hypercall.remap_count > SIM_MAX_REMAPS)
        return -XEN_EIO;
    for (uint32_t i = 0; i < reply.body.hypercall.remap_count; i++)
        if (os_posix_guest_remap(reply.body.hypercall.remaps[i].gfn,
                                 reply.body.hypercall.remaps[i].offset) != 0)
            return -XEN_EIO; /* our view of memory would be stale: say so */
    if (reply.body.hypercall.moved_to != 0) {
        rc = move_to_domain(reply.body.hypercall.moved_to);
        if (rc)
            return rc;
    }
    return reply.body.hypercall.result;
}

static bool is_reservation(uint32_t op, uint64_t cmd)
{
    return op == __HYPERVISOR_memory_op &&
           (cmd == XENMEM_increase_reservation || cmd == XENMEM_decrease_reservation ||
            cmd == XENMEM_populate_physmap);
}

/*
 * Xen completes a reservation call over many extents with continuations:
 * the caller sees one result. The daemon does at most SIM_MAX_REMAPS
 * extents a call (each changes our map), so the rest are asked for here;
 * the count done so far is the result, as from Xen.
 */
static int64_t reservation(uint32_t op, const uint64_t args[5])
{
    const struct xen_memory_reservation *caller = (const void *)(uintptr_t)args[1];
    int64_t done = one_hypercall(op, args);

    /* An error, or fewer than a full part: the daemon has answered for all. */
    while (done > 0 && done % SIM_MAX_REMAPS == 0 && (uint64_t)done < caller->nr_extents) {
        struct xen_memory_reservation part = *caller;
        uint64_t part_args[5] = {args[0], (uint64_t)(uintptr_t)&part, 0, 0, 0};
        int64_t n;

        set_xen_guest_handle(part.extent_start, caller->extent_start.p + done);
        part.nr_extents = caller->nr_extents - (uint64_t)done;
        n = one_hypercall(op, part_args);
        if (n <= 0)
            break;
        done += n;
        if (n < SIM_MAX_REMAPS)
            break;
    }
    return done;
}

static int64_t guest_hypercall(void *ctx, uint32_t op, const uint64_t args[5])
{
    return is_reservation(op, args[0]) ? reservation(op, args) : one_hypercall(op, args);
}

static uint32_t port_access(uint16_t port, unsigned int bytes, bool write, uint32_t value)
{
    struct sim_conn *conn = thread_connection();
    struct sim_request req = {.type = SIM_PORT_IO};
    struct sim_reply reply;

    if (conn == NULL)
        return UINT32_MAX;
    req.body.port_io.port = port;
    req.body.port_io.bytes = (uint8_t)bytes;
    req.body.port_io.write = write;
    req.body.port_io.value = value;
    if (sim_call(conn, &req, &reply, NULL) != 0)
        return UINT32_MAX;
    return (uint32_t)reply.body.param.value;
}

static uint32_t guest_port_in(void *ctx, uint16_t port, unsigned int bytes)
{
    return port_access(port, bytes, false, 0);
}

static void guest_port_out(void *ctx, uint16_t port, unsigned int bytes, uint32_t value)
{
    port_access(port, bytes, true, value);
}

static const struct os_posix_platform platform = {
    .hypercall = guest_hypercall,
    .port_in = guest_port_in,
    .port_out = guest_port_out,
};

static void *upcall_main(void *unused)
{
    uint8_t vcpus[64];
    ssize_t n;

    while ((n = read(guest.upcall_fd, vcpus, sizeof(vcpus))) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; i++) {
            sim_upcall_fn fn;
            void *ctx;

            pthread_mutex_lock(&guest.lock);
            fn = guest.upcall;
            ctx = guest.upcall_ctx;
            guest.upcalls++;
            guest.upcall_running = fn != NULL;
            pthread_mutex_unlock(&guest.lock);
            if (!fn)
                continue;
            os_posix_dispatch_enter();
            fn(ctx, vcpus[i]);
            os_posix_dispatch_leave();
            pthread_mutex_lock(&guest.lock);
            guest.upcall_running = false;
            pthread_cond_broadcast(&guest.upcall_done);
            pthread_mutex_unlock(&guest.lock);
        }
    }
    return NULL;
}

int sim_guest_attach(const char *run_dir, uint32_t domid)
{
    struct thread_conn *first;
    int fds[SIM_MAX_REPLY_FDS];
    int rc;

    if (guest.attached)
        return -XEN_EEXIST;
    /* The daemon reads hypercall arguments from our memory. */
    prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
    first = calloc(1, sizeof(*first));
    if (first == NULL)
        return -XEN_ENOMEM;
    rc = sim_connect(&first->conn, run_dir, SIM_ROLE_GUEST, domid, fds);
    if (rc) {
        free(first);
        return rc;
    }
    if (fds[0] < 0 || fds[1] < 0) {
        rc = -XEN_EIO;
        goto fail;
    }
    rc =
        os_posix_guest_memory_adopt(fds[1], first->conn.ram_pages,
                                    first->conn.ram_pages + SIM_SPECIAL_PAGES, first->conn.max_gfn);
    if (rc)
        goto fail;
    fds[1] = -1; /* the memory owns it now */
    guest.upcall_fd = fds[0];
    if (pthread_create(&guest.upcall_thread, NULL, upcall_main, NULL) != 0) {
        os_posix_guest_memory_release();
        rc = -XEN_ENOMEM;
        goto fail;
    }
    guest.run_dir = run_dir ? strdup(run_dir) : NULL;
    guest.domid = domid;
    guest.conns = first;
    guest.attached = true;
    my_conn = first;
    my_generation = guest.generation;
    os_posix_set_platform(&platform);
    return 0;

fail:
    guest.upcall_fd = -1;
    sim_close_fds(fds, SIM_MAX_REPLY_FDS);
    sim_disconnect(&first->conn);
    free(first);
    return rc;
}

void sim_guest_detach(void)
{
    if (!guest.attached)
        return;
    os_posix_set_platform(NULL);
    shutdown(guest.upcall_fd, SHUT_RDWR);
    pthread_join(guest.upcall_thread, NULL);
    close(guest.upcall_fd);
    guest.upcall_fd = -1;
    pthread_mutex_lock(&guest.lock);
    close_thread_conns();
    guest.attached = false;
    pthread_mutex_unlock(&guest.lock);
    free(guest.run_dir);
    guest.run_dir = NULL;
    my_conn = NULL;
    os_posix_guest_memory_release();
}

void sim_guest_set_upcall(sim_upcall_fn fn, void *ctx)
{
    bool on_upcall_thread =
        guest.upcall_fd >= 0 && pthread_equal(pthread_self(), guest.upcall_thread);

    pthread_mutex_lock(&guest.lock);
    guest.upcall = fn;
    guest.upcall_ctx = ctx;
    /* As disconnecting an interrupt and flushing its DPC: the old handler is done. */
    while (guest.upcall_running && !on_upcall_thread)
        pthread_cond_wait(&guest.upcall_done, &guest.lock);
    pthread_mutex_unlock(&guest.lock);
}

uint32_t sim_guest_domid(void)
{
    return guest.domid;
}

uint64_t sim_guest_upcalls(void)
{
    uint64_t n;

    pthread_mutex_lock(&guest.lock);
    n = guest.upcalls;
    pthread_mutex_unlock(&guest.lock);
    return n;
}
