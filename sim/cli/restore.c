/*
 * sim/cli/restore.c - a saved domain restored as a new one by the run
 * that owns its disks (see run.h), as Xen's toolstack restores a guest
 * with PV drivers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <xen/errno.h>

#include "run.h"

/*
 * RUN_DIR/NAME.domid: what the toolstack keeps of an image's domain beside
 * it, as xl keeps its configuration in the image: the domain it was saved
 * from and its memory/target in KiB (0 when it had none).
 */
static void saved_from_path(const char *run_dir, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s.domid", run_dir, name);
}

void run_note_saved_from(const char *run_dir, const char *name, uint32_t domid, uint64_t target_kib)
{
    char path[512];
    FILE *f;

    saved_from_path(run_dir, name, path, sizeof(path));
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%u %llu\n", domid, (unsigned long long)target_kib);
        fclose(f);
    }
}

/* The domain @name was saved from (0 when not known) and its target (0: none kept). */
static uint32_t saved_from(const char *run_dir, const char *name, uint64_t *target_kib)
{
    char path[512];
    unsigned int domid = 0;
    unsigned long long kib = 0;
    FILE *f;

    saved_from_path(run_dir, name, path, sizeof(path));
    f = fopen(path, "r");
    if (f) {
        if (fscanf(f, "%u %llu", &domid, &kib) != 2) {
            domid = 0;
            kib = 0;
        }
        fclose(f);
    }
    *target_kib = kib;
    return domid;
}

/*
 * The old domain is done with once its guest moved: xenstored forgets it,
 * winpv-simd destroys it, and its guest's files are the new domain's too
 * (winpv-sim pnp NEW reads the kernel's tree, which goes on in its file).
 */
static void retire(struct run *run, uint32_t old, uint32_t restored)
{
    const char *const files[] = {"tree", "log", "sock"};

    xenstore_release(&run->store, old);
    if (simd_domain_destroy(&run->simd, old) != 0)
        fprintf(stderr, "winpv-sim: domain %u not destroyed\n", old);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char from[512], to[512];

        run_guest_file(run->simd.dir, old, files[i], from, sizeof(from));
        run_guest_file(run->simd.dir, restored, files[i], to, sizeof(to));
        if (access(from, F_OK) == 0 && symlink(from, to) != 0)
            fprintf(stderr, "winpv-sim: %s not linked to %s\n", to, from);
    }
}

int run_restore(struct run *run, const char *name, uint32_t *restored)
{
    struct guest_rings rings;
    uint64_t target_kib;
    uint32_t old = saved_from(run->simd.dir, name, &target_kib);
    int rc = simd_domain_restore_paused(&run->simd, name, restored);

    if (rc == 0) {
        rc = xenstore_introduce_restored(&run->simd, &run->store, *restored, &rings);
        if (rc)
            fprintf(stderr, "winpv-sim: domain %u not introduced to xenstored (%d)\n", *restored,
                    rc);
    }
    /* The balloon's target as it was: the guest keeps out what it had given Xen. */
    if (rc == 0 && target_kib)
        rc = xenstore_set_memory_target(&run->store, *restored, target_kib);
    /* Before the guest runs there, so that it finds them and nothing old lands after it. */
    if (rc == 0 && old == run->domid)
        run_disks_move(run, *restored);
    if (rc == 0)
        rc = simd_domain_unpause(&run->simd, *restored);
    if (rc == 0 && old)
        retire(run, old, *restored);
    if (rc == 0 && old == run->domid)
        run->domid = *restored;
    return rc;
}
