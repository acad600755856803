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
 * The run's disks follow its guest to @domid (a restore, a reboot): each
 * gets a QEMU of @domid on the same image, the old domain's QEMU stopped
 * and its directories removed (qemu_move_to_domain). A disk that did not
 * start again leaves the run. Returns 0 or the first error (each told).
 */
int run_disks_move(struct run *run, uint32_t domid);

/*
 * RUN_DIR/guest-DOMID.@what: "log" the kernel's log, "tree" its device
 * tree, "sock" where it serves requests on its disks (winpv-sim io).
 */
void run_guest_file(const char *run_dir, unsigned int domid, const char *what, char *buf,
                    size_t size);

/* Add a disk of @mib MiB on a new image in the run directory; its slot in *disk. */
int run_disk_add(struct run *run, unsigned long mib, unsigned int *disk);

/*
 * Whether @image (as the user gave it) can be a disk: a regular file of
 * whole 512-byte sectors the run can read and write; its absolute path in
 * @path. Says why not on stderr.
 */
bool run_disk_image_usable(const char *image, char *path, size_t size);

/*
 * Attach the usable image at the absolute @path (kept where it is, never
 * removed by the run) as the next free disk; its slot in *disk. Returns 0
 * or a negative XEN_E*.
 */
int run_disk_attach(struct run *run, const char *path, unsigned int *disk);

/* Unplug disk @name (xvdb, ...); its image stays in the run directory. */
int run_disk_remove(struct run *run, const char *name);

/*
 * Resize disk @name to @mib MiB while the guest runs (qemu_resize: its
 * image, an attached one too, grown or cut). Returns 0, -XEN_ENOENT (no
 * such disk), or qemu_resize's error.
 */
int run_disk_resize(struct run *run, const char *name, unsigned long mib);

/*
 * Note that image @name in @run_dir was saved from domain @domid, whose
 * memory/target was @target_kib (0: unknown), for its restore (winpv-sim save).
 */
void run_note_saved_from(const char *run_dir, const char *name, uint32_t domid,
                         uint64_t target_kib);

/*
 * Restore image @name (in the run directory) as a new domain, *restored,
 * as Xen's toolstack does for a guest with drivers: paused, introduced to
 * xenstored with its rings where the guest had them, the run's disks (when
 * it was saved from the run's domain) given QEMUs of the new domain on
 * the same images and the old domain's QEMUs retired, unpaused (the guest
 * moves there); then the domain it was saved from released and destroyed,
 * its guest's files linked under the new domid. The run's domain is then
 * the new one. Returns 0, or a negative XEN_E* (-XEN_EINVAL: not an image
 * of a suspended guest).
 */
int run_restore(struct run *run, const char *name, uint32_t *restored);

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
 * connection ("disk-add MiB", "disk-remove NAME", "restore NAME"), one
 * line back ("ok ..." or "error ...").
 */
int control_listen(const char *run_dir);
void control_serve(struct run *run, int listen_fd);

/*
 * Send @line to the run of $WINPV_SIM_DIR; its answer into @answer. Returns
 * 0 when it is "ok ...", else 1 (said on stderr when the run does not
 * answer).
 */
int control_ask(const char *line, char *answer, size_t size);

/* control_ask, its answer printed (on stderr when not "ok"); 0 when "ok". */
int control_request(const char *line);

/*
 * winpv-sim io DOMID DISK ... with @argv from DOMID on (sim/cli/io.c): the
 * command's exit status, or -1 when the arguments are not an io command.
 */
int io_command(int argc, char **argv);

#endif /* WINPV_SIM_CLI_RUN_H */
