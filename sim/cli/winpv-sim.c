/*
 * sim/cli/winpv-sim.c - the simulator for people.
 *
 *   winpv-sim up [--xenstored c|ocaml] [--memory MiB] [--vcpus N]
 *                [--disk-image PATH]... [--disks N] [--disk-size MiB] [--guest DIR]
 *        start winpv-simd, xenstored, xenconsoled, one guest domain and a
 *        QEMU xen-disk per disk in a fresh run directory: first each
 *        existing raw image PATH (left where it is, and kept), then N new
 *        images in the run directory; with --guest, the domain runs winpv-ntsim, a
 *        simulated Windows kernel, with the drivers the INFs in DIR give
 *        its devices (as make leaves them in dist/x64); print how to reach
 *        it; stay until interrupted, then stop everything and remove the
 *        directory
 *   winpv-sim pnp DOMID                the guest kernel's device tree: a line
 *                                      per device (instance path, hardware
 *                                      IDs, driver, state)
 *   winpv-sim status                   domains and their state
 *   winpv-sim ls [PATH]                the xenstore tree (xenstore-ls)
 *   winpv-sim shutdown|reboot|suspend DOMID
 *                                      ask the guest, through control/shutdown,
 *                                      if it offers it; when it powers off the
 *                                      domain is destroyed, when it reboots "up"
 *                                      starts it again in a new domain
 *   winpv-sim balloon DOMID MiB        set the guest's memory target
 *   winpv-sim destroy DOMID            destroy a domain
 *   winpv-sim save DOMID NAME          save a domain whose guest suspended
 *                                      (winpv-sim suspend first) to NAME in the run
 *   winpv-sim restore NAME             a new domain from NAME, set up as Xen's
 *                                      toolstack does (paused, introduced to
 *                                      xenstored, its disks given backends of
 *                                      the new domain, unpaused): the guest
 *                                      moves there with its disks; the domain
 *                                      saved is then destroyed (winpv-sim pnp
 *                                      NEW shows the guest's tree); the run's
 *                                      "up" process carries it out
 *   winpv-sim resume DOMID             cancel a guest's suspend
 *   winpv-sim io DOMID DISK --sha256 | --fill FILE | --trim OFFSET LENGTH
 *             | --rw read|write|randread|randwrite [--bs N] [--qd N] [--seconds N]
 *                                      I/O on the guest's disk number DISK (as
 *                                      Windows numbers them: each disk its
 *                                      Storport finds takes the lowest number
 *                                      free, 0 the first) through its drivers:
 *                                      read it whole for its SHA-256, write
 *                                      FILE onto it from its first byte,
 *                                      unmap a range as a trim does, or run
 *                                      that workload and print IOPS and MB/s
 *                                      (sim/cli/io.c)
 *   winpv-sim disk-add [MiB]           hot-plug a disk into the run's guest
 *   winpv-sim disk-remove NAME         unplug it (xvdb, ...)
 *   winpv-sim disk-resize NAME MiB     grow or cut disk NAME's image while the
 *                                      guest runs, as an administrator resizes
 *                                      a volume (QEMU's block_resize)
 *
 * Every command but "up" finds the run through $WINPV_SIM_DIR.
 */
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include <xen/errno.h>

#include "console.h"
#include "run.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = 1;
}

/* A component ended: wakes the wait in "up", which then looks at them all. */
static void on_child(int sig)
{
}

static int usage(void)
{
    fprintf(stderr, "usage: winpv-sim up [--xenstored c|ocaml] [--memory MiB] [--vcpus N]\n"
                    "                    [--disk-image PATH]... [--disks N] [--disk-size MiB]\n"
                    "                    [--guest DIR]\n"
                    "       winpv-sim status | ls [PATH] | pnp DOMID\n"
                    "       winpv-sim shutdown|reboot|suspend DOMID\n"
                    "       winpv-sim balloon DOMID MiB | destroy DOMID\n"
                    "       winpv-sim save DOMID NAME | restore NAME | resume DOMID\n"
                    "       winpv-sim disk-add [MiB] | disk-remove NAME | disk-resize NAME MiB\n"
                    "       winpv-sim io DOMID DISK --sha256 | --fill FILE | --trim OFFSET LENGTH\n"
                    "       winpv-sim io DOMID DISK --rw read|write|randread|randwrite\n"
                    "                    [--bs N] [--qd N] [--seconds N]\n");
    return 2;
}

/* Wait for interruption, a component's end, or a control request; serve those. */
static void serve_until_stopped(struct run *run, int control_fd)
{
    sigset_t blocked, waiting;

    /* Blocked except inside ppoll: none can slip between the test and the wait. */
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGINT);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGCHLD);
    /* The guest's own shutdown is looked at first: its kernel's end is then no failure. */
    while (!interrupted && run_guest_check(run) >= 0 && run_alive(run)) {
        struct pollfd p = {.fd = control_fd, .events = POLLIN};

        if (ppoll(&p, 1, NULL, &waiting) == 1)
            control_serve(run, control_fd);
    }
}

static int up(int argc, char **argv)
{
    enum xenstored_kind kind = XENSTORED_C;
    unsigned long memory_mib = 64, vcpus = 1, nr_disks = 0;
    const char *guest_dir = NULL, *images[QEMU_MAX_DISKS];
    static char image_paths[QEMU_MAX_DISKS][PATH_MAX];
    unsigned int nr_images = 0;
    struct sigaction sa = {.sa_handler = on_signal}, child = {.sa_handler = on_child};
    static struct run run_state;
    struct run *run = &run_state;
    struct guest_rings rings;
    char log_dir[320];
    unsigned int disk;
    int rc, control_fd = -1;

    run->disk_mib = 64;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--xenstored") == 0 && i + 1 < argc) {
            const char *which = argv[++i];

            if (strcmp(which, "c") != 0 && strcmp(which, "ocaml") != 0)
                return usage();
            kind = strcmp(which, "ocaml") == 0 ? XENSTORED_OCAML : XENSTORED_C;
        } else if (strcmp(argv[i], "--memory") == 0 && i + 1 < argc) {
            memory_mib = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--vcpus") == 0 && i + 1 < argc) {
            vcpus = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--disks") == 0 && i + 1 < argc) {
            nr_disks = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--disk-size") == 0 && i + 1 < argc) {
            run->disk_mib = strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--guest") == 0 && i + 1 < argc) {
            guest_dir = argv[++i];
        } else if (strcmp(argv[i], "--disk-image") == 0 && i + 1 < argc) {
            if (nr_images == QEMU_MAX_DISKS)
                return usage();
            images[nr_images++] = argv[++i];
        } else {
            return usage();
        }
    }
    if (memory_mib == 0 || memory_mib > 16384 || vcpus == 0 || vcpus > 32 ||
        nr_disks + nr_images > QEMU_MAX_DISKS || run->disk_mib == 0 || run->disk_mib > 65536) {
        fprintf(stderr,
                "winpv-sim: --memory must be 1..16384 MiB, --vcpus 1..32, --disks and "
                "--disk-image 0..%d in all, --disk-size 1..65536 MiB\n",
                QEMU_MAX_DISKS);
        return 2;
    }
    /* Bad images are refused before anything starts. */
    for (unsigned int i = 0; i < nr_images; i++) {
        if (!run_disk_image_usable(images[i], image_paths[i], sizeof(image_paths[i])))
            return 2;
    }
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGCHLD, &child, NULL);
    if (simd_start(&run->simd) != 0)
        return 1;
    rc = xenstore_start(&run->simd, &run->store, kind);
    run->memory_pages = memory_mib * 256;
    run->vcpus = (uint32_t)vcpus;
    if (rc == 0)
        rc = simd_domain_create(&run->simd, run->memory_pages, run->vcpus, &run->domid);
    if (rc == 0)
        rc = xenstore_introduce(&run->simd, &run->store, run->domid, &rings);
    if (rc == 0)
        rc = console_start(&run->simd, &run->consoled, log_dir, sizeof(log_dir));
    /* Interrupted while starting: start no more, stop what runs. */
    for (unsigned int i = 0; rc == 0 && !interrupted && i < nr_images; i++) {
        rc = run_disk_attach(run, image_paths[i], &disk);
        if (rc == 0)
            printf("# disk %s (the image %s), backend %s\n", run->disks[disk].name, images[i],
                   run->disks[disk].backend_path);
    }
    for (unsigned long i = 0; rc == 0 && !interrupted && i < nr_disks; i++) {
        rc = run_disk_add(run, run->disk_mib, &disk);
        if (rc == 0)
            printf("# disk %s (%lu MiB), backend %s\n", run->disks[disk].name, run->disk_mib,
                   run->disks[disk].backend_path);
    }
    if (rc == 0 && !interrupted && guest_dir)
        rc = run_guest_start(run, guest_dir, NULL);
    if (rc == 0 && (control_fd = control_listen(run->simd.dir)) < 0)
        rc = -XEN_EIO;
    if (rc) {
        fprintf(stderr, "winpv-sim: bringing the run up failed (%d); logs were in %s\n", rc,
                run->simd.dir);
    } else if (!interrupted) {
        printf("export %s=%s\n", SIM_RUN_DIR_ENV, run->simd.dir);
        printf("export XENSTORED_PATH=%s\n", run->store.socket_path);
        printf("# domain %u: %lu MiB, %lu vCPUs; console log in %s\n", run->domid, memory_mib,
               vcpus, log_dir);
        if (guest_dir) {
            char log[512];

            run_guest_file(run->simd.dir, run->domid, "log", log, sizeof(log));
            printf("# guest kernel: drivers from %s, log in %s; winpv-sim pnp %u shows its "
                   "devices\n",
                   guest_dir, log, run->domid);
        }
        printf("# xenstored: %s; stop with Ctrl-C\n", kind == XENSTORED_C ? "C" : "OCaml");
        fflush(stdout);
        serve_until_stopped(run, control_fd);
    }
    if (control_fd >= 0)
        close(control_fd);
    /* A component that ended before it was stopped, or badly, fails the run. */
    if (run_stop_components(run) != 0 && rc == 0)
        rc = -XEN_EIO;
    return simd_stop(&run->simd) == 0 && rc == 0 ? 0 : 1;
}

/* The device tree the guest's kernel publishes as it changes. */
static int pnp(const char *domid_text)
{
    const char *run_dir = getenv(SIM_RUN_DIR_ENV);
    char path[512], line[4096];
    char *end;
    unsigned long domid = strtoul(domid_text, &end, 10);
    FILE *tree;

    if (*domid_text == '\0' || *end != '\0')
        return usage();
    if (run_dir == NULL) {
        fprintf(stderr, "winpv-sim: no run to look at: set %s (winpv-sim up prints it)\n",
                SIM_RUN_DIR_ENV);
        return 1;
    }
    run_guest_file(run_dir, (unsigned int)domid, "tree", path, sizeof(path));
    tree = fopen(path, "r");
    if (tree == NULL) {
        fprintf(stderr,
                "winpv-sim: domain %lu runs no simulated Windows kernel, or it has not started "
                "yet (winpv-sim up --guest DIR)\n",
                domid);
        return 1;
    }
    while (fgets(line, sizeof(line), tree))
        fputs(line, stdout);
    fclose(tree);
    return 0;
}

static int connect_run(struct sim_conn *conn)
{
    int rc = sim_connect(conn, NULL, SIM_ROLE_PRIVCMD, 0, NULL);

    if (rc)
        fprintf(stderr, "winpv-sim: no run to talk to: set %s (winpv-sim up prints it)\n",
                SIM_RUN_DIR_ENV);
    return rc;
}

static int status(void)
{
    static const char *const reasons[] = {"poweroff", "reboot",   "suspend",
                                          "crash",    "watchdog", "soft_reset"};
    struct sim_conn conn;
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;

    if (connect_run(&conn))
        return 1;
    printf("%-6s %-8s %-6s %-10s %-6s %-7s %s\n", "domid", "pages", "vcpus", "state", "ports",
           "grants", "shared_info");
    for (uint32_t next = 0; sim_call(&conn, &req, &reply, NULL) == 0; req.body.domid.domid = next) {
        const struct sim_domain_info *d = &reply.body.info;
        const char *state = d->flags & SIM_DOMINFO_RUNNING ? "running" : "no guest";

        if (d->flags & SIM_DOMINFO_SHUTDOWN)
            state = d->shutdown_reason < 6 ? reasons[d->shutdown_reason] : "shutdown";
        printf("%-6u %-8llu %-6u %-10s %-6u %-7u ", d->domid, (unsigned long long)d->nr_pages,
               d->vcpus, state, d->ports_open, d->grants_active);
        if (d->shared_info_gfn == UINT64_MAX)
            printf("-\n");
        else
            printf("gfn %#llx\n", (unsigned long long)d->shared_info_gfn);
        next = d->domid + 1;
    }
    sim_disconnect(&conn);
    return 0;
}

static struct xs_handle *open_store(void)
{
    struct xs_handle *xsh = xs_open(0);

    if (xsh == NULL)
        fprintf(stderr, "winpv-sim: cannot reach xenstored: set XENSTORED_PATH "
                        "(winpv-sim up prints it)\n");
    return xsh;
}

static int write_guest_node(const char *domid, const char *node, const char *value)
{
    struct xs_handle *xsh = open_store();
    char path[128];
    bool ok;

    if (xsh == NULL)
        return 1;
    snprintf(path, sizeof(path), "/local/domain/%s/%s", domid, node);
    ok = xs_write(xsh, XBT_NULL, path, value, (unsigned int)strlen(value));
    if (!ok)
        fprintf(stderr, "winpv-sim: cannot write %s\n", path);
    xs_close(xsh);
    return ok ? 0 : 1;
}

/*
 * Ask the guest of @domid for @request through control/shutdown, as xl
 * does: only when it offers it (control/feature-@request is "1"), else
 * say why nothing would happen.
 */
static int control_shutdown(const char *domid, const char *request)
{
    struct xs_handle *xsh = open_store();
    char path[128], *feature;
    unsigned int length;
    bool offered;

    if (xsh == NULL)
        return 1;
    snprintf(path, sizeof(path), "/local/domain/%s/control/feature-%s", domid, request);
    feature = xs_read(xsh, XBT_NULL, path, &length);
    offered = feature && length == 1 && feature[0] == '1';
    free(feature);
    xs_close(xsh);
    if (!offered) {
        fprintf(stderr,
                "winpv-sim: domain %s does not offer %s (control/feature-%s is not 1): no such "
                "domain, or its guest runs no PV drivers%s\n",
                domid, request, request,
                strcmp(request, "suspend") == 0 ? "" : " or no agent to carry it out");
        return 1;
    }
    return write_guest_node(domid, "control/shutdown", request);
}

static bool is_domid(const char *text)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);

    return *text && *end == '\0' && v > 0 && v < 0x7ff0;
}

static int balloon(const char *domid, const char *mib)
{
    char *end;
    unsigned long v = strtoul(mib, &end, 10);
    char kib[32];

    if (*end != '\0' || v == 0 || v > 16384)
        return usage();
    snprintf(kib, sizeof(kib), "%lu", v * 1024);
    return write_guest_node(domid, "memory/target", kib);
}

static int destroy(const char *domid)
{
    struct sim_conn conn;
    struct sim_request req = {.type = SIM_DOMAIN_DESTROY};
    struct sim_reply reply;
    int rc;

    rc = sim_connect(&conn, NULL, SIM_ROLE_TOOLSTACK, 0, NULL);
    if (rc) {
        fprintf(stderr, "winpv-sim: no run to talk to: set %s\n", SIM_RUN_DIR_ENV);
        return 1;
    }
    req.body.domid.domid = (uint32_t)strtoul(domid, NULL, 10);
    rc = sim_call(&conn, &req, &reply, NULL);
    sim_disconnect(&conn);
    if (rc)
        fprintf(stderr, "winpv-sim: destroy failed (%d)\n", rc);
    return rc ? 1 : 0;
}

/*
 * Restore @name: the run's "up" process does it, as it owns the disks that
 * go with the guest to its new domain (run_restore).
 */
static int restore(const char *name)
{
    char line[160], answer[256];
    int rc;

    if (snprintf(line, sizeof(line), "restore %s\n", name) >= (int)sizeof(line)) {
        fprintf(stderr, "winpv-sim: restore: name too long\n");
        return 1;
    }
    rc = control_ask(line, answer, sizeof(answer));
    if (rc == 0)
        fputs(answer + 3, stdout); /* "domain N" */
    else if (answer[0])
        fprintf(stderr, "winpv-sim: %s", answer + (strncmp(answer, "error: ", 7) == 0 ? 7 : 0));
    return rc;
}

/* save, resume: the toolstack's calls, with what went wrong said plainly. */
static int image_command(const char *cmd, const char *domid, const char *name)
{
    struct simd simd = {0};
    uint32_t id = (uint32_t)strtoul(domid, NULL, 10);
    int rc;

    if (sim_connect(&simd.toolstack, NULL, SIM_ROLE_TOOLSTACK, 0, NULL) != 0) {
        fprintf(stderr, "winpv-sim: no run to talk to: set %s\n", SIM_RUN_DIR_ENV);
        return 1;
    }
    if (strcmp(cmd, "save") == 0) {
        struct xenstore xs = {.xsh = xs_open(0)};
        uint64_t target_kib = 0;

        /* Kept with the image, as xl keeps the domain's configuration. */
        if (xs.xsh == NULL || xenstore_memory_target(&xs, id, &target_kib) != 0)
            target_kib = 0;
        if (xs.xsh)
            xs_close(xs.xsh);
        rc = simd_domain_save(&simd, id, name);
        if (rc == 0)
            run_note_saved_from(getenv(SIM_RUN_DIR_ENV), name, id, target_kib);
    } else {
        rc = simd_domain_resume(&simd, id);
        if (rc == 0) {
            struct xenstore xs = {.xsh = xs_open(0)};

            /* xenstored told, as Xen's toolstack tells it of a cancelled suspend. */
            if (xs.xsh == NULL || xenstore_resume(&xs, id) != 0)
                fprintf(stderr, "winpv-sim: xenstored not told of the resume\n");
            if (xs.xsh)
                xs_close(xs.xsh);
        }
    }
    sim_disconnect(&simd.toolstack);
    if (rc == -XEN_EINVAL)
        fprintf(stderr,
                "winpv-sim: %s refused: the guest has not suspended itself, or the "
                "image is not one\n",
                cmd);
    else if (rc)
        fprintf(stderr, "winpv-sim: %s failed (%d)\n", cmd, rc);
    return rc ? 1 : 0;
}

static int disk_command(const char *command, const char *arg)
{
    char line[128];

    snprintf(line, sizeof(line), "%s%s%s\n", command, arg ? " " : "", arg ? arg : "");
    return control_request(line);
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    int rc;

    if (strcmp(cmd, "up") == 0)
        return up(argc - 2, argv + 2);
    if (strcmp(cmd, "status") == 0 && argc == 2)
        return status();
    if (strcmp(cmd, "ls") == 0 && argc <= 3) {
        execlp("xenstore-ls", "xenstore-ls", "-f", argc == 3 ? argv[2] : "/", (char *)NULL);
        perror("winpv-sim: xenstore-ls");
        return 1;
    }
    if (argc == 3 && strcmp(cmd, "pnp") == 0 && is_domid(argv[2]))
        return pnp(argv[2]);
    if (argc == 3 && is_domid(argv[2]) &&
        (strcmp(cmd, "shutdown") == 0 || strcmp(cmd, "reboot") == 0 || strcmp(cmd, "suspend") == 0))
        return control_shutdown(argv[2], strcmp(cmd, "shutdown") == 0 ? "poweroff" : cmd);
    if (argc == 4 && strcmp(cmd, "balloon") == 0 && is_domid(argv[2]))
        return balloon(argv[2], argv[3]);
    if (argc == 3 && strcmp(cmd, "destroy") == 0 && is_domid(argv[2]))
        return destroy(argv[2]);
    if (argc == 4 && strcmp(cmd, "save") == 0 && is_domid(argv[2]))
        return image_command(cmd, argv[2], argv[3]);
    if (argc == 3 && strcmp(cmd, "resume") == 0 && is_domid(argv[2]))
        return image_command(cmd, argv[2], NULL);
    if (argc == 3 && strcmp(cmd, "restore") == 0)
        return restore(argv[2]);
    if (argc >= 5 && strcmp(cmd, "io") == 0 && is_domid(argv[2]) &&
        (rc = io_command(argc - 2, argv + 2)) >= 0)
        return rc;
    if ((argc == 2 || argc == 3) && strcmp(cmd, "disk-add") == 0)
        return disk_command("disk-add", argc == 3 ? argv[2] : NULL);
    if (argc == 3 && strcmp(cmd, "disk-remove") == 0)
        return disk_command("disk-remove", argv[2]);
    if (argc == 4 && strcmp(cmd, "disk-resize") == 0) {
        char arg[64];

        snprintf(arg, sizeof(arg), "%s %s", argv[2], argv[3]);
        return disk_command("disk-resize", arg);
    }
    return usage();
}
