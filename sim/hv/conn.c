/*
 * sim/hv/conn.c - one client connection: its introduction (HELLO), which
 * requests its role allows, and what its end releases.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xen/errno.h>
#include <xen/sched.h>

#include "fdpass.h"
#include "hv.h"

/*
 * Sockets are non-blocking: a client that does not read its replies cannot
 * hold up the hypervisor. Its connection is closed instead.
 */
void conn_reply(struct conn *c, const struct sim_reply *reply, const int *fds, int nfds)
{
    if (c->broken)
        return;
    if (sim_send_with_fds(c->fd, reply, sizeof(*reply), fds, nfds) != (ssize_t)sizeof(*reply)) {
        hv_log("connection %d does not take its replies: closed", c->fd);
        c->broken = true;
    }
}

void conn_close_broken(void)
{
    struct conn *c = hv.conns;

    while (c) {
        struct conn *next = c->next;

        if (c->broken)
            conn_close(c);
        c = next;
    }
}

static void reply_error(struct conn *c, int error)
{
    struct sim_reply reply = {.error = error};

    conn_reply(c, &reply, NULL, 0);
}

/* A stream socket pair: our end non-blocking (*ours), the other for the client. */
static int event_stream(int *ours, int *theirs)
{
    int sv[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -XEN_ENOMEM;
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    *ours = sv[0];
    *theirs = sv[1];
    return 0;
}

static void hello_guest(struct conn *c, const struct sim_hello *hello, struct sim_reply *reply)
{
    struct domain *d = domain_get(hello->domid);
    int fds[2];

    if (d == NULL || d->domid == SIM_DOMID_DOM0 || d->dying) {
        reply_error(c, -XEN_ESRCH);
        return;
    }
    if (d->upcall_fd < 0 && event_stream(&d->upcall_fd, &d->upcall_peer) != 0) {
        reply_error(c, -XEN_ENOMEM);
        return;
    }
    if (d->pid != 0 && d->pid != c->pid) {
        reply_error(c, -XEN_EBUSY); /* another process runs this domain */
        return;
    }
    c->role = SIM_ROLE_GUEST;
    c->domid = d->domid;
    d->pid = c->pid;
    reply->body.hello.domid = d->domid;
    reply->body.hello.ram_pages = d->ram_pages;
    reply->body.hello.max_gfn = d->max_gfn;
    fds[0] = d->upcall_peer;
    fds[1] = d->mem_fd;
    conn_reply(c, reply, fds, 2);
}

static void hello(struct conn *c, const struct sim_hello *hello)
{
    struct sim_reply reply = {0};
    int theirs;

    if (c->role != 0 || hello->version != SIM_PROTO_VERSION) {
        reply_error(c, -XEN_EINVAL);
        return;
    }
    reply.body.hello.domid = SIM_DOMID_DOM0;
    switch (hello->role) {
    case SIM_ROLE_GUEST:
        hello_guest(c, hello, &reply);
        return;
    case SIM_ROLE_EVTCHN:
        if (event_stream(&c->event_fd, &theirs) != 0) {
            reply_error(c, -XEN_ENOMEM);
            return;
        }
        c->role = hello->role;
        conn_reply(c, &reply, &theirs, 1);
        close(theirs);
        return;
    case SIM_ROLE_TOOLSTACK:
    case SIM_ROLE_GNTTAB:
    case SIM_ROLE_PRIVCMD:
        c->role = hello->role;
        conn_reply(c, &reply, NULL, 0);
        return;
    default:
        reply_error(c, -XEN_EINVAL);
    }
}

static bool is_dom0(const struct conn *c)
{
    return c->role == SIM_ROLE_TOOLSTACK || c->role == SIM_ROLE_EVTCHN ||
           c->role == SIM_ROLE_GNTTAB || c->role == SIM_ROLE_PRIVCMD;
}

/* Which roles may send which requests. */
static bool allowed(const struct conn *c, uint32_t type)
{
    switch (type) {
    case SIM_DOMAIN_CREATE:
    case SIM_DOMAIN_DESTROY:
    case SIM_GNTTAB_SEED:
    case SIM_DOMAIN_SAVE:
    case SIM_DOMAIN_RESTORE:
    case SIM_DOMAIN_RESUME:
    case SIM_DRIVER_BLACKLIST:
    case SIM_DOMAIN_UNPAUSE:
        return c->role == SIM_ROLE_TOOLSTACK;
    case SIM_DOMAIN_SHUTDOWN:
    case SIM_SET_PARAM:
    case SIM_GET_PARAM:
    case SIM_EVTCHN_ALLOC_UNBOUND:
    case SIM_DOMAIN_INFO:
    case SIM_DOMAIN_MEMORY:
    case SIM_P2M_LOOKUP:
    case SIM_EVTCHN_STATUS:
        return is_dom0(c);
    case SIM_EVTCHN_BIND_INTERDOMAIN:
    case SIM_EVTCHN_BIND_UNBOUND:
    case SIM_EVTCHN_BIND_VIRQ:
    case SIM_EVTCHN_NOTIFY:
    case SIM_EVTCHN_NOTIFY_ASYNC:
    case SIM_EVTCHN_UNMASK_ASYNC:
    case SIM_EVTCHN_UNMASK:
    case SIM_EVTCHN_UNBIND:
        return c->role == SIM_ROLE_EVTCHN;
    case SIM_GNTTAB_MAP:
    case SIM_GNTTAB_UNMAP:
    case SIM_GNTTAB_COPY:
        return c->role == SIM_ROLE_GNTTAB;
    case SIM_HYPERCALL:
    case SIM_PORT_IO:
        return c->role == SIM_ROLE_GUEST;
    default:
        return false;
    }
}

/* What a dom0 connection holds: its event-channel ports and grant pins. */
static void release(struct conn *c)
{
    if (c->role == SIM_ROLE_EVTCHN)
        evtchn_close_owned_by(c);
    gnttab_unpin_all(c);
}

void conn_close(struct conn *c)
{
    struct domain *d = c->role == SIM_ROLE_GUEST ? domain_get(c->domid) : NULL;

    for (struct conn **p = &hv.conns; *p; p = &(*p)->next) {
        if (*p == c) {
            *p = c->next;
            break;
        }
    }
    release(c);
    if (c->event_fd >= 0)
        close(c->event_fd);
    close(c->fd);
    if (d && d->pid == c->pid) {
        bool others = false;

        for (struct conn *o = hv.conns; o; o = o->next)
            if (o->role == SIM_ROLE_GUEST && o->domid == d->domid)
                others = true;
        if (!others) {
            d->pid = 0;
            /* The guest's process is gone: to the toolstack, the domain crashed. */
            if (!d->shutdown)
                domain_shutdown(d, SHUTDOWN_crash);
        }
    }
    free(c);
}

void conn_dispatch(struct conn *c, const struct sim_request *req)
{
    if (req->type == SIM_HELLO) {
        hello(c, &req->body.hello);
        return;
    }
    if (req->type == SIM_BYE) {
        release(c);
        reply_error(c, 0);
        return;
    }
    if (!allowed(c, req->type)) {
        reply_error(c, -XEN_EPERM);
        return;
    }
    requests_dispatch(c, req);
}
