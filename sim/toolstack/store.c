/* sim/toolstack/store.c - see store.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/grant_table.h>
#include <xen/hvm/params.h>
#include <xen/io/xenbus.h>

#include "fdpass.h"
#include "store.h"

#define XENSTORED_BIN         "/usr/lib/xen-4.17/bin/xenstored"
#define OXENSTORED_BIN        "/usr/lib/xen-4.17/bin/oxenstored"
#define OXENSTORED_SOCKET_DIR "/var/run/xenstored"
#define START_TIMEOUT_MS      10000
#define OXENSTORED_NODES      1000 /* oxenstored's quotas unless set */
#define OXENSTORED_NODE_SIZE  2048

static int toolstack_call(struct simd *simd, uint32_t type, const union sim_request_body *body,
                          struct sim_reply *reply)
{
    struct sim_request req = {.type = type, .body = *body};

    return simd_call(simd, &req, reply);
}

/*
 * cxenstored, started as dom0's, reads dom0's own store port and page from
 * /proc/xen/xsd_port and xsd_kva; the replacement libxenctrl sends those
 * opens to the run directory.
 */
static int write_dom0_store_files(struct simd *simd)
{
    union sim_request_body body = {.alloc_unbound = {.domid = 0, .remote_domid = 0}};
    struct sim_reply reply;
    char path[300];
    FILE *f;
    int fd, rc = toolstack_call(simd, SIM_EVTCHN_ALLOC_UNBOUND, &body, &reply);

    if (rc)
        return rc;
    snprintf(path, sizeof(path), "%s/xsd_port", simd->dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -XEN_EIO;
    fprintf(f, "%u", reply.body.port.port);
    fclose(f);
    snprintf(path, sizeof(path), "%s/xsd_kva", simd->dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) {
        if (fd >= 0)
            close(fd);
        return -XEN_EIO;
    }
    close(fd);
    return 0;
}

static bool socket_answers(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* C xenstored: its socket goes where XENSTORED_RUNDIR says; its own quotas unless set. */
static int start_c(struct simd *simd, struct xenstore *xs)
{
    char rundir_env[320], path_env[340], pidfile[320], nodes[16], node_size[16];
    char *argv[10] = {XENSTORED_BIN, "--no-fork", "--pid-file", pidfile};
    int argc = 4;
    /* Both: a XENSTORED_PATH left in our environment would win over the run directory. */
    char *env[] = {rundir_env, path_env, NULL};

    snprintf(rundir_env, sizeof(rundir_env), "XENSTORED_RUNDIR=%s", simd->dir);
    snprintf(path_env, sizeof(path_env), "XENSTORED_PATH=%s/socket", simd->dir);
    snprintf(pidfile, sizeof(pidfile), "%s/xenstored.pid", simd->dir);
    if (xs->quota_nodes) {
        snprintf(nodes, sizeof(nodes), "%u", xs->quota_nodes);
        argv[argc++] = "--entry-nb";
        argv[argc++] = nodes;
    }
    if (xs->quota_node_size) {
        snprintf(node_size, sizeof(node_size), "%u", xs->quota_node_size);
        argv[argc++] = "--entry-size";
        argv[argc++] = node_size;
    }
    argv[argc] = NULL;
    snprintf(xs->socket_path, sizeof(xs->socket_path), "%s/socket", simd->dir);
    return component_start(simd, &xs->daemon, "xenstored", argv, env);
}

/*
 * oxenstored's socket path is fixed (/var/run/xenstored/socket): it runs in
 * a mount namespace of its own where that directory is the run directory's
 * "oxenstored" directory, so runs stay apart.
 */
static int private_socket_dir(const char *run_dir)
{
    char dir[320];

    snprintf(dir, sizeof(dir), "%s/oxenstored", run_dir);
    if (unshare(CLONE_NEWNS) != 0) {
        fprintf(stderr, "oxenstored needs a mount namespace of its own (run as root): %s\n",
                strerror(errno));
        return -1;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        (mkdir(OXENSTORED_SOCKET_DIR, 0755) != 0 && errno != EEXIST) ||
        mount(dir, OXENSTORED_SOCKET_DIR, NULL, MS_BIND, NULL) != 0) {
        fprintf(stderr, "cannot bind %s on %s: %s\n", dir, OXENSTORED_SOCKET_DIR, strerror(errno));
        return -1;
    }
    return 0;
}

static int write_oxenstored_config(const char *run_dir, const struct xenstore *xs, char *path,
                                   size_t size)
{
    FILE *f;

    snprintf(path, size, "%s/oxenstored.conf", run_dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -XEN_EIO;
    fprintf(f,
            "pid-file = %1$s/oxenstored.pid\n"
            "xenstored-kva = %1$s/xsd_kva\n"
            "xenstored-port = %1$s/xsd_port\n"
            "xenstored-log-file = %1$s/oxenstored-internal.log\n"
            "access-log-file = %1$s/oxenstored-access.log\n"
            "persistent = false\n"
            "perms-activate = true\n"
            "quota-activate = true\n"
            "quota-maxentity = %2$u\n"
            "quota-maxsize = %3$u\n"
            "quota-maxwatch = 100\n"
            "quota-transaction = 10\n",
            run_dir, xs->quota_nodes ? xs->quota_nodes : OXENSTORED_NODES,
            xs->quota_node_size ? xs->quota_node_size : OXENSTORED_NODE_SIZE);
    fclose(f);
    return 0;
}

static int start_ocaml(struct simd *simd, struct xenstore *xs)
{
    char config[320], dir[320];
    char *argv[] = {OXENSTORED_BIN, "--no-fork", "--config-file", config, NULL};
    int rc = write_oxenstored_config(simd->dir, xs, config, sizeof(config));

    if (rc)
        return rc;
    snprintf(dir, sizeof(dir), "%s/oxenstored", simd->dir);
    if (mkdir(dir, 0755) != 0)
        return -XEN_EIO;
    snprintf(xs->socket_path, sizeof(xs->socket_path), "%s/socket", dir);
    xs->daemon.before_exec = private_socket_dir;
    return component_start(simd, &xs->daemon, "oxenstored", argv, NULL);
}

int xenstore_start(struct simd *simd, struct xenstore *xs, enum xenstored_kind kind)
{
    int rc;

    memset(&xs->daemon, 0, sizeof(xs->daemon));
    xs->kind = kind;
    xs->xsh = NULL;
    rc = write_dom0_store_files(simd);
    if (rc) {
        fprintf(stderr, "xenstore: cannot prepare dom0's store files (%d)\n", rc);
        return rc;
    }
    rc = kind == XENSTORED_C ? start_c(simd, xs) : start_ocaml(simd, xs);
    if (rc)
        return rc;
    for (int waited = 0; !socket_answers(xs->socket_path); waited += 10) {
        if (!component_alive(&xs->daemon) || waited >= START_TIMEOUT_MS) {
            fprintf(stderr, "xenstore: %s did not open %s\n", xs->daemon.name, xs->socket_path);
            component_stop(&xs->daemon);
            return -XEN_EIO;
        }
        usleep(10000);
    }
    /* Our libxenstore, and the xenstore-* tools we start, talk to this one. */
    setenv("XENSTORED_PATH", xs->socket_path, 1);
    xs->xsh = xs_open(0);
    if (xs->xsh == NULL) {
        fprintf(stderr, "xenstore: cannot connect to %s\n", xs->socket_path);
        component_stop(&xs->daemon);
        return -XEN_EIO;
    }
    return 0;
}

int xenstore_stop(struct xenstore *xs)
{
    if (xs->xsh)
        xs_close(xs->xsh);
    xs->xsh = NULL;
    return component_stop(&xs->daemon);
}

/* Zero one of the domain's frames through its memory file. */
static int clear_frame(struct simd *simd, uint32_t domid, uint64_t gfn)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_request req = {.type = SIM_DOMAIN_MEMORY, .body = body};
    struct sim_reply reply;
    int fds[SIM_MAX_REPLY_FDS];
    void *page;
    int rc = sim_call(&simd->toolstack, &req, &reply, fds);

    if (rc)
        return rc;
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], (off_t)(gfn * 4096));
    sim_close_fds(fds, SIM_MAX_REPLY_FDS);
    if (page == MAP_FAILED)
        return -XEN_ENOMEM;
    memset(page, 0, 4096);
    munmap(page, 4096);
    return 0;
}

/*
 * A ring page granted to dom0 and a port for dom0 to bind, named by two HVM
 * parameters. The page is as it is: a fresh one is cleared first.
 */
static int prepare_ring(struct simd *simd, uint32_t domid, uint64_t gfn, uint32_t grant_ref,
                        uint32_t pfn_param, uint32_t evtchn_param, uint32_t *port)
{
    union sim_request_body body;
    struct sim_reply reply;
    int rc;

    body.seed = (struct sim_gnttab_seed){
        .domid = domid, .ref = grant_ref, .backend = 0, .flags = GTF_permit_access, .gfn = gfn};
    rc = toolstack_call(simd, SIM_GNTTAB_SEED, &body, &reply);
    if (rc)
        return rc;
    body.alloc_unbound = (struct sim_evtchn_alloc_unbound){.domid = domid, .remote_domid = 0};
    rc = toolstack_call(simd, SIM_EVTCHN_ALLOC_UNBOUND, &body, &reply);
    if (rc)
        return rc;
    *port = reply.body.port.port;
    body.param = (struct sim_param){.domid = domid, .index = pfn_param, .value = gfn};
    rc = toolstack_call(simd, SIM_SET_PARAM, &body, &reply);
    if (rc)
        return rc;
    body.param = (struct sim_param){.domid = domid, .index = evtchn_param, .value = *port};
    return toolstack_call(simd, SIM_SET_PARAM, &body, &reply);
}

static bool write_node(struct xs_handle *xsh, const char *path, const char *value,
                       struct xs_permissions *perms, unsigned int nperms)
{
    if (!xs_write(xsh, XBT_NULL, path, value, (unsigned int)strlen(value)))
        return false;
    return perms == NULL || xs_set_permissions(xsh, XBT_NULL, path, perms, nperms);
}

/* The guest's tree, laid out and permitted as Xen's toolstack does. */
static int write_domain_tree(struct xenstore *xs, uint32_t domid, const struct guest_rings *r)
{
    static const char *const writable[] = {
        "data", "drivers", "feature", "attr", "error", "memory", "control/shutdown",
        /* What the guest says it does, under a control/ it cannot write itself. */
        "control/feature-poweroff", "control/feature-reboot", "control/feature-suspend",
        "control/feature-s3", "control/feature-s4", "control/feature-balloon"};
    struct xs_permissions readable[2] = {{.id = 0, .perms = XS_PERM_NONE},
                                         {.id = domid, .perms = XS_PERM_READ}};
    struct xs_permissions owned[1] = {{.id = domid, .perms = XS_PERM_NONE}};
    char path[128], value[32], base[64];
    bool ok;

    snprintf(base, sizeof(base), "/local/domain/%u", domid);
    ok = xs_mkdir(xs->xsh, XBT_NULL, base) &&
         xs_set_permissions(xs->xsh, XBT_NULL, base, readable, 2);
    snprintf(value, sizeof(value), "%u", domid);
    snprintf(path, sizeof(path), "%s/domid", base);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    snprintf(path, sizeof(path), "%s/name", base);
    snprintf(value, sizeof(value), "guest%u", domid);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    for (size_t i = 0; ok && i < sizeof(writable) / sizeof(writable[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", base, writable[i]);
        ok = xs_mkdir(xs->xsh, XBT_NULL, path) &&
             xs_set_permissions(xs->xsh, XBT_NULL, path, owned, 1);
    }
    /* The memory the guest starts with is its target (KiB), as Xen's toolstack writes. */
    snprintf(value, sizeof(value), "%llu", (unsigned long long)(r->ram_pages * 4));
    snprintf(path, sizeof(path), "%s/memory/static-max", base);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    snprintf(path, sizeof(path), "%s/memory/target", base);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    snprintf(path, sizeof(path), "%s/console/ring-ref", base);
    snprintf(value, sizeof(value), "%llu", (unsigned long long)r->console_gfn);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    snprintf(path, sizeof(path), "%s/console/port", base);
    snprintf(value, sizeof(value), "%u", r->console_port);
    ok = ok && write_node(xs->xsh, path, value, readable, 2);
    snprintf(path, sizeof(path), "%s/console/type", base);
    ok = ok && write_node(xs->xsh, path, "xenconsoled", readable, 2);
    ok = ok && write_node(xs->xsh, "/local/domain/0/domid", "0", NULL, 0);
    return ok ? 0 : -XEN_EIO;
}

/* Ports and grants for @rings' pages, XS_INTRODUCE, and the domain's tree. */
static int introduce_rings(struct simd *simd, struct xenstore *xs, uint32_t domid,
                           struct guest_rings *rings)
{
    int rc = prepare_ring(simd, domid, rings->store_gfn, GNTTAB_RESERVED_XENSTORE,
                          HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, &rings->store_port);

    if (rc == 0)
        rc = prepare_ring(simd, domid, rings->console_gfn, GNTTAB_RESERVED_CONSOLE,
                          HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, &rings->console_port);
    if (rc)
        return rc;
    if (!xs_introduce_domain(xs->xsh, domid, rings->store_gfn, rings->store_port)) {
        fprintf(stderr, "xenstore: XS_INTRODUCE of domain %u failed\n", domid);
        return -XEN_EIO;
    }
    return write_domain_tree(xs, domid, rings);
}

int xenstore_introduce(struct simd *simd, struct xenstore *xs, uint32_t domid,
                       struct guest_rings *rings)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;
    int rc = toolstack_call(simd, SIM_DOMAIN_INFO, &body, &reply);
    uint64_t special;

    if (rc || reply.body.info.domid != domid)
        return rc ? rc : -XEN_ESRCH;
    /* The special pages follow RAM: store first, then console. */
    special = reply.body.info.max_pages - SIM_SPECIAL_PAGES;
    rings->ram_pages = special;
    rings->store_gfn = special;
    rings->console_gfn = special + 1;
    rc = clear_frame(simd, domid, rings->store_gfn);
    if (rc == 0)
        rc = clear_frame(simd, domid, rings->console_gfn);
    return rc ? rc : introduce_rings(simd, xs, domid, rings);
}

static int get_param(struct simd *simd, uint32_t domid, uint32_t index, uint64_t *value)
{
    union sim_request_body body = {.param = {.domid = domid, .index = index}};
    struct sim_reply reply;
    int rc = toolstack_call(simd, SIM_GET_PARAM, &body, &reply);

    if (rc == 0)
        *value = reply.body.param.value;
    return rc;
}

int xenstore_introduce_restored(struct simd *simd, struct xenstore *xs, uint32_t domid,
                                struct guest_rings *rings)
{
    union sim_request_body body = {.domid.domid = domid};
    struct sim_reply reply;
    int rc = toolstack_call(simd, SIM_DOMAIN_INFO, &body, &reply);

    if (rc || reply.body.info.domid != domid)
        return rc ? rc : -XEN_ESRCH;
    rings->ram_pages = reply.body.info.max_pages - SIM_SPECIAL_PAGES;
    /* The rings stay where the guest had them, with what they held. */
    rc = get_param(simd, domid, HVM_PARAM_STORE_PFN, &rings->store_gfn);
    if (rc == 0)
        rc = get_param(simd, domid, HVM_PARAM_CONSOLE_PFN, &rings->console_gfn);
    return rc ? rc : introduce_rings(simd, xs, domid, rings);
}

int xenstore_release(struct xenstore *xs, uint32_t domid)
{
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    if (!xs_rm(xs->xsh, XBT_NULL, path) || !xs_release_domain(xs->xsh, domid))
        return -XEN_EIO;
    return 0;
}

int xenstore_resume(struct xenstore *xs, uint32_t domid)
{
    return xs_resume_domain(xs->xsh, domid) ? 0 : -XEN_EIO;
}

int xenstore_memory_target(struct xenstore *xs, uint32_t domid, uint64_t *kib)
{
    char path[64], *value, *end;
    unsigned int length;
    int rc = -XEN_EINVAL;

    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    value = xs_read(xs->xsh, XBT_NULL, path, &length);
    if (value == NULL)
        return -XEN_ENOENT;
    *kib = strtoull(value, &end, 10);
    if (length > 0 && end == value + length && value[0] >= '0' && value[0] <= '9')
        rc = 0;
    free(value);
    return rc;
}

int xenstore_set_memory_target(struct xenstore *xs, uint32_t domid, uint64_t kib)
{
    char path[64], value[32];

    snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
    snprintf(value, sizeof(value), "%llu", (unsigned long long)kib);
    return xs_write(xs->xsh, XBT_NULL, path, value, (unsigned int)strlen(value)) ? 0 : -XEN_EIO;
}

bool xenstore_write_in(struct xenstore *xs, xs_transaction_t t, const char *dir, const char *node,
                       const char *fmt, ...)
{
    char path[256], value[320];
    va_list args;

    va_start(args, fmt);
    vsnprintf(value, sizeof(value), fmt, args);
    va_end(args);
    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return xs_write(xs->xsh, t, path, value, (unsigned int)strlen(value));
}

int xenstore_read_state(struct xenstore *xs, xs_transaction_t t, const char *dir)
{
    char path[256];
    unsigned int len;
    char *value;
    int state;

    snprintf(path, sizeof(path), "%s/state", dir);
    value = xs_read(xs->xsh, t, path, &len);
    if (value == NULL)
        return XenbusStateUnknown;
    state = atoi(value);
    free(value);
    return state;
}

int xenstore_transact(struct xenstore *xs,
                      bool (*body)(struct xenstore *xs, xs_transaction_t t, const void *ctx),
                      const void *ctx)
{
    for (int attempt = 0; attempt < 10; attempt++) {
        xs_transaction_t t = xs_transaction_start(xs->xsh);
        bool ok;

        if (t == XBT_NULL)
            break;
        ok = body(xs, t, ctx);
        if (xs_transaction_end(xs->xsh, t, !ok) && ok)
            return 0;
        if (ok && errno == EAGAIN)
            continue;
        break;
    }
    return -XEN_EIO;
}

/* libxl's first step of a removal: online 0, Closing unless Closed already. */
static bool start_removal(struct xenstore *xs, xs_transaction_t t, const void *backend_path)
{
    return xenstore_write_in(xs, t, backend_path, "online", "0") &&
           (xenstore_read_state(xs, t, backend_path) == XenbusStateClosed ||
            xenstore_write_in(xs, t, backend_path, "state", "%d", XenbusStateClosing));
}

int xenstore_device_remove(struct xenstore *xs, const char *backend_path)
{
    int rc = xenstore_transact(xs, start_removal, backend_path);

    if (rc)
        fprintf(stderr, "xenstore: cannot start removing %s\n", backend_path);
    return rc;
}
