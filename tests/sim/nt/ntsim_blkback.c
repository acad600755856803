/* tests/sim/nt/ntsim_blkback.c - see ntsim_blkback.h. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "ntsim_blkback.h"

static struct blkback backends[BLKBACK_MAX_DISKS];
static bool running[BLKBACK_MAX_DISKS];
static bool frozen[BLKBACK_MAX_DISKS]; /* stopped by ntsim_blkback_freeze, not restarted since */

/* ntsim_finish's: every backend stopped, its log shown when it did not end cleanly. */
static int stop_all(void)
{
    int rc = 0;

    for (unsigned int i = 0; i < BLKBACK_MAX_DISKS; i++) {
        /* A frozen one takes its SIGTERM once thawed. */
        if (running[i] && frozen[i])
            kill(backends[i].process.pid, SIGCONT);
        frozen[i] = false;
        if (running[i] && blkback_stop(&backends[i]) != 0) {
            fprintf(stderr, "# %s did not end cleanly\n", backends[i].name);
            show_file(backends[i].name, backends[i].process.log);
            rc = -1;
        }
        running[i] = false;
    }
    return rc;
}

void ntsim_blkback_add(struct ntsim_run *run, unsigned int disk, unsigned int mib,
                       const struct blkback_disk *cfg)
{
    struct blkback_disk with_image = *cfg;
    char image[512], device[48];

    assert_true(disk < BLKBACK_MAX_DISKS && !running[disk]);
    snprintf(device, sizeof(device), "device/vbd/%u", BLKBACK_VDEV(disk));
    assert_false(ntsim_store_has(run, device)); /* QEMU serves it */
    ntsim_at_finish(stop_all);
    ntsim_disk_image_new(run, disk, mib, image, sizeof(image));
    with_image.image = image;
    assert_int_equal(blkback_start(ntsim_simd(), ntsim_xenstore(), run->domid, disk, &with_image,
                                   &backends[disk]),
                     0);
    running[disk] = true;
}

void ntsim_blkback_start_with_disks(struct ntsim_run *run, const char *packages,
                                    const char *const *args, const unsigned int *mib,
                                    const struct blkback_disk *cfg, unsigned int count)
{
    ntsim_domain_new(run);
    for (unsigned int i = 0; i < count; i++)
        ntsim_blkback_add(run, i, mib[i], &cfg[i]);
    ntsim_launch_packages(run, packages, args);
}

void ntsim_blkback_restart(unsigned int disk)
{
    assert_true(disk < BLKBACK_MAX_DISKS && running[disk]);
    frozen[disk] = false;
    assert_int_equal(blkback_restart(ntsim_simd(), ntsim_xenstore(), &backends[disk]), 0);
}

void ntsim_blkback_freeze(unsigned int disk)
{
    assert_true(disk < BLKBACK_MAX_DISKS && running[disk]);
    assert_int_equal(blkback_freeze(&backends[disk]), 0);
    frozen[disk] = true;
}

struct blkback *ntsim_blkback(unsigned int disk)
{
    assert_true(disk < BLKBACK_MAX_DISKS && running[disk]);
    return &backends[disk];
}
