/* sim/cli/run.c - the disks of a run (see run.h). */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/errno.h>

#include "run.h"

#define UNPLUG_TIMEOUT_MS 10000

/* A raw image of @mib MiB for disk @disk in the run directory; its path in @path. */
static int create_image(const struct run *run, unsigned int disk, unsigned long mib, char *path,
                        size_t size)
{
    int fd;

    snprintf(path, size, "%s/xvd%c.img", run->simd.dir, 'a' + disk);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return -XEN_EEXIST; /* a disk of this name was here before: its data stays */
    if (ftruncate(fd, (off_t)mib << 20) != 0) {
        close(fd);
        unlink(path);
        return -XEN_EIO;
    }
    close(fd);
    return 0;
}

int run_disk_add(struct run *run, unsigned long mib, unsigned int *disk)
{
    char image[400];
    int rc = -XEN_ENOSPC;

    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        if (run->attached[i])
            continue;
        rc = create_image(run, i, mib, image, sizeof(image));
        if (rc == -XEN_EEXIST)
            continue;
        if (rc == 0)
            rc = qemu_start(&run->simd, &run->store, run->domid, i, image, &run->disks[i]);
        if (rc == 0) {
            run->attached[i] = true;
            *disk = i;
        }
        return rc;
    }
    return rc;
}

/*
 * Whether @path is an image a disk can be: a regular file the run may read
 * and write, of whole 512-byte sectors, named without the ',' QEMU's
 * drive option cannot carry. Says why not on stderr.
 */
static bool usable_image(const char *path, const char *given, unsigned long long *bytes)
{
    struct stat st;
    int fd;

    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "winpv-sim: --disk-image %s: not a regular file\n", given);
        return false;
    }
    if (st.st_size == 0 || st.st_size % 512 != 0) {
        fprintf(stderr,
                "winpv-sim: --disk-image %s: %lld bytes, not a whole number of 512-byte "
                "sectors\n",
                given, (long long)st.st_size);
        return false;
    }
    if (strchr(path, ',') != NULL) {
        fprintf(stderr, "winpv-sim: --disk-image %s: a path with ',' cannot be given to QEMU\n",
                given);
        return false;
    }
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "winpv-sim: --disk-image %s: cannot open it for reading and writing\n",
                given);
        return false;
    }
    close(fd);
    *bytes = (unsigned long long)st.st_size;
    return true;
}

bool run_disk_image_usable(const char *image, char *path, size_t size)
{
    unsigned long long bytes;
    char resolved[PATH_MAX];

    if (realpath(image, resolved) == NULL) {
        fprintf(stderr, "winpv-sim: --disk-image %s: no such file\n", image);
        return false;
    }
    if (strlen(resolved) >= size) {
        fprintf(stderr, "winpv-sim: --disk-image %s: the path is too long\n", image);
        return false;
    }
    strcpy(path, resolved);
    return usable_image(path, image, &bytes);
}

int run_disk_attach(struct run *run, const char *path, unsigned int *disk)
{
    int rc;

    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        if (run->attached[i])
            continue;
        rc = qemu_start(&run->simd, &run->store, run->domid, i, path, &run->disks[i]);
        if (rc == 0) {
            run->attached[i] = true;
            *disk = i;
        }
        return rc;
    }
    return -XEN_ENOSPC;
}

int run_disks_move(struct run *run, uint32_t domid)
{
    int rc = 0;

    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        int moved;

        if (!run->attached[i])
            continue;
        moved = qemu_move_to_domain(&run->simd, &run->store, &run->disks[i], domid);
        if (moved)
            fprintf(stderr, "winpv-sim: disk %s not moved to domain %u (%d)\n", run->disks[i].name,
                    domid, moved);
        /* One that did not start again is gone from the run. */
        if (run->disks[i].process.state != COMPONENT_RUNNING)
            run->attached[i] = false;
        rc = rc ? rc : moved;
    }
    return rc;
}

int run_disk_remove(struct run *run, const char *name)
{
    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        if (run->attached[i] && strcmp(run->disks[i].name, name) == 0) {
            run->attached[i] = false;
            return qemu_unplug(&run->store, &run->disks[i], UNPLUG_TIMEOUT_MS);
        }
    }
    return -XEN_ENOENT;
}

int run_disk_resize(struct run *run, const char *name, unsigned long mib)
{
    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        if (run->attached[i] && strcmp(run->disks[i].name, name) == 0)
            return qemu_resize(&run->store, &run->disks[i], (uint64_t)mib << 20);
    }
    return -XEN_ENOENT;
}

bool run_alive(struct run *run)
{
    bool alive = component_alive(&run->store.daemon) && component_alive(&run->consoled);

    /* A guest that powered off ended as planned (run_guest_check): the run goes on without it. */
    if (run->guest.state != COMPONENT_NOT_STARTED && run->guest.state != COMPONENT_ENDED_AS_PLANNED)
        alive = component_alive(&run->guest) && alive;
    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++)
        if (run->attached[i])
            alive = component_alive(&run->disks[i].process) && alive;
    return alive;
}

void run_guest_file(const char *run_dir, unsigned int domid, const char *what, char *buf,
                    size_t size)
{
    snprintf(buf, size, "%s/guest-%u.%s", run_dir, domid, what);
}

int run_guest_start(struct run *run, const char *drivers_dir, const char *installed)
{
    char program[512], drivers[4096], domid[16], cpus[16], log[512], tree[512], control[512];
    char *argv[] = {program,     "--run-dir", run->simd.dir, "--domid",    domid,
                    "--drivers", drivers,     "--vcpus",     cpus,         "--log",
                    log,         "--tree",    tree,          "--sequence", "start,serve,remove",
                    "--control", control,     "--agent",     NULL,         NULL,
                    NULL,        NULL};
    size_t n = 18;
    bool disks = false;

    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++)
        disks |= run->attached[i];
    /* The guest boots from its first PV disk: the boot must reach it (--boot-disk). */
    if (disks)
        argv[n++] = "--boot-disk";
    if (installed) {
        argv[n++] = "--installed";
        argv[n++] = (char *)installed;
    }
    if (realpath(drivers_dir, drivers) == NULL) {
        fprintf(stderr, "winpv-sim: --guest %s: no such directory\n", drivers_dir);
        return -XEN_ENOENT;
    }
    snprintf(run->guest_dir, sizeof(run->guest_dir), "%s", drivers);
    simd_path_near_program("winpv-ntsim", program, sizeof(program));
    snprintf(domid, sizeof(domid), "%u", run->domid);
    snprintf(cpus, sizeof(cpus), "%u", run->vcpus);
    run_guest_file(run->simd.dir, run->domid, "log", log, sizeof(log));
    run_guest_file(run->simd.dir, run->domid, "tree", tree, sizeof(tree));
    run_guest_file(run->simd.dir, run->domid, "sock", control, sizeof(control));
    return component_start(&run->simd, &run->guest, "guest-kernel", argv, NULL);
}

int run_stop_components(struct run *run)
{
    int rc = 0;

    if (run->guest.state == COMPONENT_RUNNING && component_stop(&run->guest) != 0)
        rc = -XEN_EIO;
    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++)
        if (run->attached[i] && qemu_stop(&run->disks[i]) != 0)
            rc = -XEN_EIO;
    if (component_stop(&run->consoled) != 0)
        rc = -XEN_EIO;
    if (xenstore_stop(&run->store) != 0)
        rc = -XEN_EIO;
    return rc;
}
