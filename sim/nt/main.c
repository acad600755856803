/*
 * sim/nt/main.c - winpv-ntsim: a simulated Windows x64 kernel as a guest of
 * winpv-simd, running real driver images on the Xen platform device and
 * its children.
 *
 *   winpv-ntsim --run-dir DIR --domid N (--drivers DIR | --driver PATH)
 *               [--mode fault|rewrite] [--vcpus N] [--log FILE] [--fail-alloc N[@IMAGE]]
 *               [--sequence LIST] [--service NAME] [--irp-timeout-ms N] [--tree FILE]
 *               [--installed HWID]... [--agent[=system|admin|user]] [--control SOCKET]
 *               [--boot-disk]
 *
 * --drivers names a directory of driver packages, as make leaves them in
 * dist/x64 (one folder per driver with its INF): every device gets the
 * driver Windows would install from them. --driver binds the platform
 * device to the image at PATH directly instead (service NAME, else the
 * image's name), for drivers without an INF. --installed HWID (with
 * --drivers, up to 8 times) says a device of hardware ID HWID got its
 * driver from those packages on an earlier boot: the registry holds that
 * installation (its service, its INF's AddReg values) from the start.
 *
 * LIST is what the PnP manager does after binding, comma-separated: start,
 * stop, remove, serve:MS (take the bus's changes of children for MS
 * milliseconds; serve alone: until SIGTERM or SIGINT), power:S0|S3|S4|S5
 * (a system power transition) (default: start,remove). --tree FILE keeps
 * the device tree published in FILE as it changes (winpv-sim pnp reads it).
 * --platform-device ID presents the platform PCI device as device ID
 * (hexadecimal, vendor 5853; default 0001, Xen's platform device).
 * SIGTERM or SIGINT ends one serve step (one that arrives before it ends
 * the next); the steps after it still run (remove: the drivers unload
 * cleanly). Exit status: 0 when every step succeeded
 * and the drivers unloaded with nothing left, 1 when a step failed or
 * something leaked, 2 for bad usage, 66 after a bugcheck.
 *
 * --control SOCKET serves a person's requests on the guest's disks there
 * (user_io.c: winpv-sim io).
 *
 * The first start is Windows's boot (boot.h): devices found meanwhile get
 * only boot-start drivers; when it ends, Windows opens its boot disk, and
 * the devices left get their drivers. --boot-disk: the system disk is one
 * of the domain's vbd disks, emulated too until XENBUS unplugs the
 * emulated disks; a boot that reaches neither stops with
 * INACCESSIBLE_BOOT_DEVICE, as Windows does.
 *
 * --agent runs the guest's user-mode agent (agent.c) beside the drivers,
 * as a service of the account named (default: system, as it is installed):
 * the toolstack's power-off and reboot then reach Windows. When Windows
 * is asked to shut down or restart while serving, the steps left are not
 * run: the kernel shuts the machine down (shutdown.c), drivers loaded, and
 * exits 0 once Xen took the domain's shutdown.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot.h"
#include "clock.h"
#include "cpu/cpu.h"
#include "guest.h"
#include "image.h"
#include "kernel.h"
#include "machine.h"
#include "pnp.h"
#include "user_io.h"

#define INSTALLED_MAX 8

struct options {
    const char *run_dir, *driver, *drivers, *log, *sequence, *service, *tree, *control;
    unsigned int irp_timeout_ms;
    uint32_t domid;
    enum nt_cpu_mode mode;
    unsigned int vcpus;
    unsigned int platform_device; /* the platform device's PCI device ID */
    uint64_t fail_alloc;
    const char *fail_image; /* --fail-alloc N@IMAGE: only IMAGE's allocations counted */
    bool boot_disk;         /* the system disk is a PV disk: the boot must reach it */
    const char *installed[INSTALLED_MAX]; /* hardware IDs installed on an earlier boot */
    unsigned int installed_count;
    bool agent;                /* run the user-mode agent... */
    enum nt_identity agent_as; /* ...as this account */
};

static int usage(void)
{
    fprintf(stderr,
            "usage: winpv-ntsim --run-dir DIR --domid N (--drivers DIR | --driver PATH) "
            "[--mode fault|rewrite] [--vcpus N] [--log FILE] [--fail-alloc N[@IMAGE]] "
            "[--sequence start,stop,remove,serve[:MS],power:SN] [--service NAME] "
            "[--irp-timeout-ms N] [--tree FILE] [--platform-device ID] [--installed HWID]... "
            "[--agent[=system|admin|user]] [--control SOCKET] [--boot-disk]\n");
    return 2;
}

/* A PCI device ID: four hexadecimal digits, not 0000 or FFFF. */
static int parse_device_id(const char *text, unsigned int *id)
{
    char *end;
    unsigned long value = strtoul(text, &end, 16);

    if (strlen(text) != 4 || *end != '\0' || value == 0 || value == 0xffff)
        return -1;
    *id = (unsigned int)value;
    return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
    static const struct option longopts[] = {
        {"run-dir", required_argument, NULL, 'r'},
        {"domid", required_argument, NULL, 'd'},
        {"driver", required_argument, NULL, 'D'},
        {"mode", required_argument, NULL, 'm'},
        {"vcpus", required_argument, NULL, 'v'},
        {"log", required_argument, NULL, 'l'},
        {"fail-alloc", required_argument, NULL, 'f'},
        {"sequence", required_argument, NULL, 's'},
        {"service", required_argument, NULL, 'S'},
        {"irp-timeout-ms", required_argument, NULL, 't'},
        {"drivers", required_argument, NULL, 'p'},
        {"tree", required_argument, NULL, 'T'},
        {"platform-device", required_argument, NULL, 'P'},
        {"installed", required_argument, NULL, 'I'},
        {"agent", optional_argument, NULL, 'a'},
        {"control", required_argument, NULL, 'c'},
        {"boot-disk", no_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    char *end;
    int c;

    *o = (struct options){.mode = NT_CPU_REWRITE,
                          .vcpus = 2,
                          .sequence = "start,remove",
                          .platform_device = 0x0001,
                          .irp_timeout_ms = NT_PNP_IRP_TIMEOUT_MS};
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'r':
            o->run_dir = optarg;
            break;
        case 'd':
            o->domid = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        case 'D':
            o->driver = optarg;
            break;
        case 'l':
            o->log = optarg;
            break;
        case 's':
            o->sequence = optarg;
            break;
        case 'S':
            o->service = optarg;
            break;
        case 'T':
            o->tree = optarg;
            break;
        case 'p':
            o->drivers = optarg;
            break;
        case 'P':
            if (parse_device_id(optarg, &o->platform_device) != 0)
                return -1;
            break;
        case 'I':
            if (o->installed_count == INSTALLED_MAX)
                return -1;
            o->installed[o->installed_count++] = optarg;
            break;
        case 'c':
            o->control = optarg;
            break;
        case 'B':
            o->boot_disk = true;
            break;
        case 'a':
            o->agent = true;
            if (optarg == NULL || strcmp(optarg, "system") == 0)
                o->agent_as = NT_AS_SYSTEM;
            else if (strcmp(optarg, "admin") == 0)
                o->agent_as = NT_AS_ADMIN;
            else if (strcmp(optarg, "user") == 0)
                o->agent_as = NT_AS_USER;
            else
                return -1;
            break;
        case 't':
            o->irp_timeout_ms = (unsigned int)strtoul(optarg, NULL, 0);
            break;
        case 'v':
            o->vcpus = (unsigned int)strtoul(optarg, NULL, 0);
            break;
        case 'f':
            o->fail_alloc = strtoull(optarg, &end, 0);
            o->fail_image = *end == '@' && end[1] ? end + 1 : NULL;
            if (end == optarg || (*end && o->fail_image == NULL))
                return usage();
            break;
        case 'm':
            if (strcmp(optarg, "fault") == 0)
                o->mode = NT_CPU_FAULT;
            else if (strcmp(optarg, "rewrite") == 0)
                o->mode = NT_CPU_REWRITE;
            else
                return -1;
            break;
        default:
            return -1;
        }
    }
    return (o->driver || o->drivers) && o->domid && optind == argc ? 0 : -1;
}

static struct nt_pnp *volatile serving;

/* SIGTERM, SIGINT: stop serving (async-signal-safe: one atomic store). */
static void request_stop(int signo)
{
    struct nt_pnp *pnp = serving;

    if (pnp)
        atomic_store(&pnp->stop_requested, true);
}

/* The service the driver is installed as: given, else the image's file name without .sys. */
static const char *service_name(const struct options *o)
{
    static char name[64];
    const char *slash = strrchr(o->driver, '/');
    char *dot;

    if (o->service)
        return o->service;
    snprintf(name, sizeof(name), "%s", slash ? slash + 1 : o->driver);
    dot = strrchr(name, '.');
    if (dot)
        *dot = '\0';
    return name;
}

/* What the drivers' privileged instructions cost: each emulated one is a signal. */
static void log_cpu_stats(void)
{
    struct nt_cpu_stats st;

    nt_cpu_get_stats(&st);
    nt_log("cpu: %llu instructions emulated (%llu trapped, %llu rewritten): CR8 %llu, hypercalls "
           "%llu, MSRs %llu, ports %llu, CPUID %llu\n",
           (unsigned long long)(st.faulted + st.rewritten), (unsigned long long)st.faulted,
           (unsigned long long)st.rewritten, (unsigned long long)st.cr8,
           (unsigned long long)st.hypercall, (unsigned long long)st.msr,
           (unsigned long long)st.port, (unsigned long long)st.cpuid);
}

/* Run the PnP steps of @sequence; 0 when each succeeded. */
static int run_sequence(struct nt_pnp *pnp, const char *sequence, const struct nt_boot *boot)
{
    char steps[256], *save = NULL;
    int failed = 0;

    snprintf(steps, sizeof(steps), "%s", sequence);
    for (char *step = strtok_r(steps, ",", &save); step; step = strtok_r(NULL, ",", &save)) {
        int rc;

        if (strcmp(step, "start") == 0)
            rc = pnp->phase == NT_BOOT_PHASE_BOOT ? nt_boot(pnp, boot) : nt_pnp_start(pnp);
        else if (strcmp(step, "stop") == 0)
            rc = nt_pnp_stop(pnp);
        else if (strcmp(step, "remove") == 0)
            rc = nt_pnp_remove(pnp);
        else if (strncmp(step, "power:S", 7) == 0)
            rc = nt_po_set_system_state(pnp, (unsigned int)strtoul(step + 7, NULL, 10));
        else if (strncmp(step, "serve:", 6) == 0)
            rc = (nt_pnp_serve(pnp, (unsigned int)strtoul(step + 6, NULL, 10)), 0);
        else if (strcmp(step, "serve") == 0)
            rc = (nt_pnp_serve(pnp, 0), 0);
        else
            rc = -1;
        nt_log("pnp: %s: %s\n", step, rc == 0 ? "done" : "failed");
        nt_pnp_print(pnp, stdout);
        nt_pnp_publish(pnp);
        failed |= rc != 0;
        if (atomic_load(&pnp->shutdown) != NT_SHUTDOWN_NONE)
            return nt_system_shutdown(pnp);
        if (rc != 0 && strcmp(step, "start") != 0)
            break;
    }
    /* The machine stops: what was not removed in order goes now, unasked. */
    if (pnp->state != NT_DEVNODE_REMOVED && pnp->platform.object)
        nt_pnp_surprise_remove(pnp);
    return failed ? -1 : 0;
}

/* Bind the platform device's driver, run the sequence, unload; 0 when all went well. */
static int run_driver(const struct options *o, struct nt_pnp *pnp)
{
    char error[4096];
    size_t leaks;
    int failed;

    pnp->irp_timeout_ms = o->irp_timeout_ms;
    pnp->tree_path = o->tree;
    pnp->drivers_dir = o->drivers;
    nt_pool_fail_nth(o->fail_alloc, o->fail_image);
    for (unsigned int i = 0; i < o->installed_count; i++) {
        if (nt_pnp_installed_earlier(pnp, o->installed[i], error, sizeof(error)) != 0) {
            fprintf(stderr, "winpv-ntsim: %s\n", error);
            return -1;
        }
    }
    if (o->driver)
        failed = nt_pnp_bind(pnp, o->driver, service_name(o), error, sizeof(error)) != 0;
    else
        failed = nt_pnp_bind_by_inf(pnp, error, sizeof(error)) != 0;
    if (failed)
        fprintf(stderr, "winpv-ntsim: %s\n", error);
    if (!failed && o->agent && nt_agent_start(pnp, o->agent_as) != 0) {
        fprintf(stderr, "winpv-ntsim: cannot start the agent\n");
        failed = 1;
    }
    if (!failed && o->control && nt_user_io_start(o->control) != 0) {
        fprintf(stderr, "winpv-ntsim: cannot serve %s\n", o->control);
        failed = 1;
    }
    if (!failed)
        failed = run_sequence(pnp, o->sequence,
                              &(struct nt_boot){o->boot_disk, o->run_dir, o->domid}) != 0;
    nt_user_io_stop();
    if (atomic_load(&pnp->shutdown) == NT_SHUTDOWN_DONE) {
        nt_log("pnp: the machine is off: drivers stay loaded, as on Windows\n");
        return failed ? -1 : 0;
    }
    nt_agent_stop();
    leaks = nt_pnp_unload(pnp);
    nt_log("pool: %llu allocations in all\n", (unsigned long long)nt_pool_allocations());
    log_cpu_stats();
    if (leaks)
        nt_log("pnp: %zu resource(s) left behind by the drivers at unload\n", leaks);
    return failed || leaks ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct options o;
    struct nt_thread pnp_thread;
    struct nt_pnp pnp;
    uint64_t kuser;
    int err, status = 1;

    if (parse(argc, argv, &o) != 0)
        return usage();
    nt_log_open(o.log);
    setvbuf(stdout, NULL, _IOLBF, 0);
    err = sim_guest_attach(o.run_dir, o.domid);
    if (err) {
        fprintf(stderr, "winpv-ntsim: cannot attach to domain %u (%d)\n", o.domid, err);
        goto out_log;
    }
    nt_vcpus_init(o.vcpus);
    nt_machine_read_host();
    err = nt_machine_ask_xen();
    if (err == 0)
        err = nt_cpu_init(o.mode, &nt_machine_ops);
    if (err) {
        fprintf(stderr, "winpv-ntsim: the machine cannot run in %s mode (%s)\n",
                o.mode == NT_CPU_FAULT ? "fault" : "rewrite", strerror(-err));
        goto out_detach;
    }
    kuser = nt_time_start();
    if (nt_thread_enter(&pnp_thread, "pnp", 0) != 0) {
        fprintf(stderr, "winpv-ntsim: cannot make the main thread a kernel thread\n");
        goto out_clock;
    }
    if (nt_dpc_start() != 0 || nt_timers_start() != 0 || nt_workers_start() != 0) {
        fprintf(stderr, "winpv-ntsim: cannot start the kernel's threads\n");
        goto out_threads;
    }
    if (nt_pnp_init(&pnp, kuser, o.platform_device) != 0) {
        fprintf(stderr, "winpv-ntsim: cannot start the PnP manager\n");
        goto out_threads;
    }
    serving = &pnp;
    signal(SIGTERM, request_stop);
    signal(SIGINT, request_stop);
    status = run_driver(&o, &pnp) == 0 ? 0 : 1;
    if (atomic_load(&pnp.shutdown) == NT_SHUTDOWN_DONE) {
        /* The machine is off: nothing is torn down under drivers that stay loaded. */
        nt_log_open(NULL);
        fflush(NULL);
        _exit(status);
    }
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    serving = NULL;
    nt_pnp_fini(&pnp);
out_threads:
    nt_workers_stop();
    nt_timers_stop();
    nt_dpc_stop();
    nt_thread_exit(&pnp_thread);
out_clock:
    nt_time_stop();
out_detach:
    sim_guest_detach();
out_log:
    nt_log_open(NULL);
    return status;
}
