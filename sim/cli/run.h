/*
 * sim/cli/run.h - what "winpv-sim up" runs: the daemon, xenstored,
 * xenconsoled, one guest domain and its disks, each disk a QEMU of its own
 * so disks come and go while the run goes on.
 */
#ifndef WINPV_SIM_CLI_RUN_H
#define WINPV_SIM_CLI_RUN_H

#include <stdbool.h>

#include "qemu.h"
#include "simd.h"
#include "store.h"

struct run {
    struct simd simd;
    struct xenstore store;
    struct component consoled;
    uint32_t domid;
    unsigned long disk_mib; /* size of a new disk */
    struct qemu disks[QEMU_MAX_DISKS];
    bool attached[QEMU_MAX_DISKS];
    struct component guest; /* winpv-ntsim, the guest's kernel, with --guest */
    /* The guest's configuration, for its reboot: a new domain made alike. */
    uint64_t memory_pages;
    uint32_t vcpus;
    char guest_dir[4096]; /* the driver packages, resolved; "" without --guest */
};

/*
 * The guest's kernel: winpv-ntsim (beside this program) running the
 * drivers the INFs in @drivers_dir choose (dist/x64's layout) on the run's
 * domain with its vCPUs and the user-mode agent, until the run stops; its
 * log and device tree in the run directory (run_guest_file). With
 * @installed (a hardware ID, or NULL), the drivers for that device were
 * installed on an earlier boot. Returns 0 or a negative XEN_E*.
 */
int run_guest_start(struct run *run, const char *drivers_dir, const char *installed);

/*
 * Called whenever the run wakes: when the guest's domain shut down with
 * poweroff or reboot and its kernel ended, act as xl does (guest_end.c):
 * destroy the domain, and for a reboot create it again and start the
 * guest in it. 1 when it did, 0 when there was nothing to do, -1 when it
 * failed (told on stderr).
 */
int run_guest_check(struct run *run);

/*
 * The run's disks follow its guest from domain @old to run->domid (a
 * reboot): each backend for @old stops and one for the new domain starts
 * on the same image. Returns 0 or the first error.
 */
int run_disks_follow(struct run *run, uint32_t old);

/* RUN_DIR/guest-DOMID.@what: "log" the kernel's log, "tree" its device tree. */
void run_guest_file(const char *run_dir, unsigned int domid, const char *what, char *buf,
                    size_t size);

/* Add a disk of @mib MiB on a new image in the run directory; its slot in *disk. */
int run_disk_add(struct run *run, unsigned long mib, unsigned int *disk);

/* Unplug disk @name (xvdb, ...); its image stays in the run directory. */
int run_disk_remove(struct run *run, const char *name);

/* Whether every component still runs (one that ended is reported). */
bool run_alive(struct run *run);

/*
 * Stop every component of the run (not the daemon), the guest's kernel
 * first: it removes its drivers while xenstored still serves them. Returns 0, or
 * -XEN_EIO when one had ended before or did not end cleanly (each is
 * named on stderr with its log).
 */
int run_stop_components(struct run *run);

/*
 * The control socket of a run (RUN_DIR/control.sock): one line per
 * connection ("disk-add MiB", "disk-remove NAME"), one line back ("ok ..."
 * or "error ...").
 */
int control_listen(const char *run_dir);
void control_serve(struct run *run, int listen_fd);

/* Send @line to the run of $WINPV_SIM_DIR and print its answer; 0 when "ok". */
int control_request(const char *line);

#endif /* WINPV_SIM_CLI_RUN_H */
