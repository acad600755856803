/*
 * tests/sim/nt/ntsim_fixture.h - winpv-simd and Debian's C xenstored (and
 * xenconsoled, when asked), and
 * winpv-ntsim run on them as the kernel of a fresh domain (introduced to
 * xenstored) with a driver image.
 */
#ifndef WINPV_TESTS_NT_NTSIM_FIXTURE_H
#define WINPV_TESTS_NT_NTSIM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "simd.h"
#include "store.h"

/* What winpv-ntsim exits with when a sanitizer reported an error in it. */
#define NTSIM_SANITIZER_EXIT 86

struct ntsim_run {
    uint32_t domid; /* the domain it ran as */
    pid_t pid;
    char driver[64];
    char log_path[512], out_path[512];
    bool live;                     /* its domain made, not yet finished */
    int exit_status;               /* the process's exit status, or 128 + signal */
    struct sim_domain_info before; /* the domain as the toolstack made it, before the kernel ran */
    char log[65536];               /* the kernel log */
    char out[8192];                /* what it printed (the device tree after each step) */
    char console[16384];           /* xenconsoled's log of the guest (ntsim_console_wait_for) */
};

/* Start winpv-simd and create a domain for each run. */
int ntsim_fixture_setup(void **state);
/* As ntsim_fixture_setup, with Debian's oxenstored in place of the C xenstored. */
int ntsim_fixture_setup_oxenstored(void **state);
/* As ntsim_fixture_setup, with Debian's xenconsoled logging each guest's PV console. */
int ntsim_fixture_setup_with_console(void **state);
int ntsim_fixture_teardown(void **state);

/*
 * Run winpv-ntsim with @driver (a file in build/win64) on a fresh domain,
 * or with NULL every driver chosen by the INFs of the test packages
 * (ntsim_packages_path), with the further options in @args
 * (NULL-terminated). Fails the test if it does not end within 60 s.
 */
void ntsim_run(struct ntsim_run *run, const char *driver, const char *const *args);

/*
 * ntsim_run with every driver chosen by the INFs of the build's directory
 * @packages ("ntsim-ddi-packages", or an absolute path) instead of the
 * test packages.
 */
void ntsim_run_packages(struct ntsim_run *run, const char *packages, const char *const *args);

/* ntsim_run in two halves, for a test that acts while the kernel runs; finish destroys the domain. */
void ntsim_start(struct ntsim_run *run, const char *driver, const char *const *args);
void ntsim_finish(struct ntsim_run *run);

/*
 * ntsim_start_packages in two halves, for a test that gives the domain
 * something before its kernel runs: a fresh domain introduced to
 * xenstored (run->domid, run->before), then the kernel started on it.
 */
void ntsim_domain_new(struct ntsim_run *run);
void ntsim_launch_packages(struct ntsim_run *run, const char *packages, const char *const *args);

/*
 * Have ntsim_finish call @stop once the kernel ended, before the domain is
 * destroyed (a backend of the run's disks started by another part of the
 * fixture). @stop stops what it started for the run and returns 0 when
 * each ended cleanly; else the test fails once the kernel log is shown.
 * Registering the same @stop again does nothing.
 */
void ntsim_at_finish(int (*stop)(void));

/* The run's winpv-simd and xenstored, for the parts of the fixture that start more. */
struct simd *ntsim_simd(void);
struct xenstore *ntsim_xenstore(void);
/*
 * For a test's teardown: a run a failed assertion left going is killed
 * and finished, so that the next test starts on a clean machine; a run
 * finished already is left alone.
 */
void ntsim_abandon(struct ntsim_run *run);
/* A cmocka teardown: ntsim_abandon of the run the fixture started last. */
int ntsim_abandon_teardown(void **state);
/* SIGTERM to the kernel (it ends serving and goes on with its sequence), then ntsim_finish. */
void ntsim_stop(struct ntsim_run *run);
/* Whether the kernel log shows @text within @ms milliseconds (run->log is then current). */
bool ntsim_wait_for(struct ntsim_run *run, const char *text, unsigned int ms);
/* As ntsim_wait_for, for the @count-th time @text shows. */
bool ntsim_wait_for_nth(struct ntsim_run *run, const char *text, unsigned int count,
                        unsigned int ms);

/*
 * As ntsim_wait_for_nth, failing the test when @text does not show: the
 * kernel is then stopped and its log shown with the test's output.
 */
void ntsim_require_nth(struct ntsim_run *run, const char *text, unsigned int count,
                       unsigned int ms);

/* How many times @what stands in @text (a log, the device tree). */
unsigned int ntsim_count(const char *text, const char *what);
/* Fails the test unless @text (a log, the device tree) holds @what. */
void ntsim_assert_contains(const char *text, const char *what);

/*
 * Whether xenconsoled's log of domain @domid's console shows @text within
 * @ms milliseconds (run->console is then that log). Needs
 * ntsim_fixture_setup_with_console.
 */
bool ntsim_console_wait_for(struct ntsim_run *run, uint32_t domid, const char *text,
                            unsigned int ms);

/* The running domain as winpv-simd sees it now. */
void ntsim_domain_info(struct ntsim_run *run, struct sim_domain_info *info);

/*
 * The toolstack gives the running domain a PV device of @class_name (its
 * frontend directory device/@class_name/@id, as libxl writes it), or takes
 * it away.
 */
void ntsim_device_add(struct ntsim_run *run, const char *class_name, unsigned int id);
void ntsim_device_remove(struct ntsim_run *run, const char *class_name, unsigned int id);

/*
 * The toolstack gives the running domain a disk: Debian's QEMU xen-disk
 * number @disk (0: xvda, vbd 51712) on a new raw image of @mib MiB in the
 * run directory, both directories as Xen's toolstack lays them out;
 * ntsim_finish stops it. Its first 4 KiB hold ntsim_disk_pattern(@disk,
 * byte), the rest zeros.
 */
uint8_t ntsim_disk_pattern(unsigned int disk, unsigned int byte);
void ntsim_disk_add(struct ntsim_run *run, unsigned int disk, unsigned int mib);

/* The path of the image of @run's disk number @disk (ntsim_disk_add's). */
void ntsim_disk_image(const struct ntsim_run *run, unsigned int disk, char *path, size_t size);
/* That image made anew, of @mib MiB, as ntsim_disk_add makes it; its path in @path. */
void ntsim_disk_image_new(const struct ntsim_run *run, unsigned int disk, unsigned int mib,
                          char *path, size_t size);
/*
 * The toolstack unplugs disk @disk while the guest runs, as Xen's does
 * (the backend offline and Closing, QEMU stopped once it closed, both
 * directories removed); the test fails if the backend did not close.
 */
void ntsim_disk_remove(struct ntsim_run *run, unsigned int disk);
/* An administrator grows or shrinks disk @disk to @mib MiB while it runs (QMP's block_resize). */
void ntsim_disk_resize(struct ntsim_run *run, unsigned int disk, unsigned int mib);
/* ntsim_start_packages on a domain given @count such disks (of @mib[i] MiB) before its kernel runs. */
void ntsim_start_with_disks(struct ntsim_run *run, const char *packages, const char *const *args,
                            const unsigned int *mib, unsigned int count);

/*
 * The toolstack reads the domain's @relative node (malloc'd; the test fails
 * if there is none), while the kernel runs: ntsim_finish destroys the domain.
 */
char *ntsim_store_read(struct ntsim_run *run, const char *relative);
/* Whether the domain's @relative node exists. */
bool ntsim_store_has(struct ntsim_run *run, const char *relative);
/* The toolstack takes the domain's @relative node back: the guest may read it, not write. */
void ntsim_store_deny(struct ntsim_run *run, const char *relative);

/* ntsim_start with every driver chosen by the INFs of the build's directory @packages. */
void ntsim_start_packages(struct ntsim_run *run, const char *packages, const char *const *args);

/*
 * The toolstack's side of a suspend the guest carries out. wait_suspended:
 * the domain shut down with reason suspend within 10 s (the test fails
 * otherwise). migrate: as Xen's toolstack moves it, save to an image,
 * restore it paused as a new domain, introduce that to xenstored with the
 * rings where the guest had them and the memory target it had, unpause it (the kernel moves there), the
 * old domain released by xenstored and destroyed; run->domid becomes the
 * new one. cancel: resume it in place, xenstored told.
 */
void ntsim_wait_suspended(struct ntsim_run *run);
void ntsim_domain_migrate(struct ntsim_run *run);
void ntsim_domain_cancel_suspend(struct ntsim_run *run);

/* The toolstack blacklists build @build of PV driver product @product, or no longer (simd.h). */
void ntsim_driver_blacklist(uint16_t product, uint32_t build, bool listed);

/* The toolstack writes the domain's @relative node, or removes it, while the kernel runs. */
void ntsim_store_write(struct ntsim_run *run, const char *relative, const char *value);
void ntsim_store_rm(struct ntsim_run *run, const char *relative);

/* The driver packages the tests bind by INF (xenbus and the test child driver). */
const char *ntsim_packages_path(char *buf, size_t size);

/* The build's package directory @name ("ntsim-disk-packages"), as an absolute path. */
const char *ntsim_packages_dir(const char *name, char *buf, size_t size);

/* The build directory of the driver images. */
const char *ntsim_driver_path(const char *driver, char *buf, size_t size);

#endif /* WINPV_TESTS_NT_NTSIM_FIXTURE_H */
