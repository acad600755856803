/* tests/sim/nt/ntsim_fixture.c - see ntsim_fixture.h. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "console.h"
#include "ntsim_fixture.h"
#include "qemu.h"
#include "store.h"

#include <xenstore.h>

#include <xen/sched.h>

#define RUN_TIMEOUT_S 60
#define DOMAIN_PAGES  (64u * 256u) /* 64 MiB */

static struct simd simd;
static struct xenstore store;
static struct qemu disks[QEMU_MAX_DISKS]; /* ntsim_disk_add's, stopped by ntsim_finish */
static bool disk_running[QEMU_MAX_DISKS];
static struct component consoled; /* running when console_dir is set */
static char console_dir[320];
#define MAX_AT_FINISH 4
static int (*at_finish[MAX_AT_FINISH])(void); /* ntsim_at_finish's */

static int setup(enum xenstored_kind kind)
{
    if (simd_start(&simd) != 0)
        return -1;
    setenv(SIM_RUN_DIR_ENV, simd.dir, 1); /* for the Xen libraries dom0's side of a test opens */
    if (xenstore_start(&simd, &store, kind) != 0) {
        simd_stop(&simd);
        return -1;
    }
    return 0;
}

int ntsim_fixture_setup(void **state)
{
    return setup(XENSTORED_C);
}

int ntsim_fixture_setup_oxenstored(void **state)
{
    return setup(XENSTORED_OCAML);
}

int ntsim_fixture_setup_with_console(void **state)
{
    if (setup(XENSTORED_C) != 0)
        return -1;
    if (console_start(&simd, &consoled, console_dir, sizeof(console_dir)) != 0) {
        console_dir[0] = '\0';
        ntsim_fixture_teardown(state);
        return -1;
    }
    return 0;
}

struct simd *ntsim_simd(void)
{
    return &simd;
}

struct xenstore *ntsim_xenstore(void)
{
    return &store;
}

int ntsim_fixture_teardown(void **state)
{
    int consoled_stopped = console_dir[0] ? component_stop(&consoled) : 0;

    console_dir[0] = '\0';
    xenstore_stop(&store);
    return simd_stop(&simd) == 0 && consoled_stopped == 0 ? 0 : -1;
}

const char *ntsim_driver_path(const char *driver, char *buf, size_t size)
{
    char relative[256];

    snprintf(relative, sizeof(relative), "../../win64/%s", driver);
    return simd_path_near_program(relative, buf, size);
}

/* The build's directory @name of driver packages. */
static const char *packages_path(const char *name, char *buf, size_t size)
{
    char relative[256];

    if (name[0] == '/') { /* a directory the test made */
        snprintf(buf, size, "%s", name);
        return buf;
    }
    snprintf(relative, sizeof(relative), "../../%s", name);
    return simd_path_near_program(relative, buf, size);
}

const char *ntsim_packages_path(char *buf, size_t size)
{
    return packages_path("ntsim-packages", buf, size);
}

const char *ntsim_packages_dir(const char *name, char *buf, size_t size)
{
    return packages_path(name, buf, size);
}

static void read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, size - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

static int wait_with_timeout(pid_t pid)
{
    time_t deadline = time(NULL) + RUN_TIMEOUT_S;
    int status;

    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (time(NULL) > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fail_msg("winpv-ntsim did not end within %d s", RUN_TIMEOUT_S);
        }
        usleep(10000);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void add_disk(struct ntsim_run *run, unsigned int disk, unsigned int mib);

/* The run started last, for ntsim_abandon_teardown. */
static struct ntsim_run *last_run;

void ntsim_domain_new(struct ntsim_run *run)
{
    struct guest_rings rings = {0};

    memset(run, 0, sizeof(*run));
    last_run = run;
    assert_int_equal(simd_domain_create(&simd, DOMAIN_PAGES, 2, &run->domid), 0);
    assert_int_equal(xenstore_introduce(&simd, &store, run->domid, &rings), 0);
    ntsim_domain_info(run, &run->before);
    run->live = true;
}

void ntsim_abandon(struct ntsim_run *run)
{
    if (!run->live)
        return;
    if (run->pid > 0)
        kill(run->pid, SIGKILL);
    ntsim_finish(run);
}

int ntsim_abandon_teardown(void **state)
{
    if (last_run)
        ntsim_abandon(last_run);
    return 0;
}

/* The kernel on run's domain with @driver, or with NULL the packages of directory @packages. */
static void launch(struct ntsim_run *run, const char *driver, const char *packages,
                   const char *const *args)
{
    char program[512], image[512], domid_text[16];
    const char *argv[32];
    size_t n = 0;

    snprintf(run->driver, sizeof(run->driver), "%s", driver ? driver : "(by INF)");
    snprintf(domid_text, sizeof(domid_text), "%u", run->domid);
    snprintf(run->log_path, sizeof(run->log_path), "%s/kernel-%u.log", simd.dir, run->domid);
    snprintf(run->out_path, sizeof(run->out_path), "%s/kernel-%u.out", simd.dir, run->domid);
    simd_path_near_program("winpv-ntsim", program, sizeof(program));
    argv[n++] = program;
    argv[n++] = "--run-dir";
    argv[n++] = simd.dir;
    argv[n++] = "--domid";
    argv[n++] = domid_text;
    if (driver) {
        argv[n++] = "--driver";
        argv[n++] = ntsim_driver_path(driver, image, sizeof(image));
    } else {
        argv[n++] = "--drivers";
        argv[n++] = packages_path(packages, image, sizeof(image));
    }
    argv[n++] = "--log";
    argv[n++] = run->log_path;
    for (size_t i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;

    run->pid = fork();
    assert_true(run->pid >= 0);
    if (run->pid == 0) {
        int fd = open(run->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char asan[512];

        /* A sanitizer's report must not pass for a driver's failure (exit status 1). */
        snprintf(asan, sizeof(asan), "%s:exitcode=%d",
                 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "", NTSIM_SANITIZER_EXIT);
        setenv("ASAN_OPTIONS", asan, 1);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execv(program, (char *const *)argv);
        _exit(127);
    }
}

void ntsim_launch_packages(struct ntsim_run *run, const char *packages, const char *const *args)
{
    launch(run, NULL, packages, args);
}

/*
 * ntsim_start with the packages of directory @packages when @driver is
 * NULL, the domain given @count disks of @mib[i] MiB before its kernel runs.
 */
static void start_with(struct ntsim_run *run, const char *driver, const char *packages,
                       const char *const *args, const unsigned int *mib, unsigned int count)
{
    ntsim_domain_new(run);
    for (unsigned int i = 0; i < count; i++)
        add_disk(run, i, mib[i]);
    launch(run, driver, packages, args);
}

static void start(struct ntsim_run *run, const char *driver, const char *packages,
                  const char *const *args)
{
    start_with(run, driver, packages, args, NULL, 0);
}

void ntsim_start_with_disks(struct ntsim_run *run, const char *packages, const char *const *args,
                            const unsigned int *mib, unsigned int count)
{
    start_with(run, NULL, packages, args, mib, count);
}

void ntsim_start(struct ntsim_run *run, const char *driver, const char *const *args)
{
    start(run, driver, "ntsim-packages", args);
}

void ntsim_start_packages(struct ntsim_run *run, const char *packages, const char *const *args)
{
    start(run, NULL, packages, args);
}

void ntsim_driver_blacklist(uint16_t product, uint32_t build, bool listed)
{
    assert_int_equal(simd_driver_blacklist(&simd, product, build, listed), 0);
}

void ntsim_stop(struct ntsim_run *run)
{
    assert_int_equal(kill(run->pid, SIGTERM), 0);
    ntsim_finish(run);
}

bool ntsim_wait_for(struct ntsim_run *run, const char *text, unsigned int ms)
{
    return ntsim_wait_for_nth(run, text, 1, ms);
}

unsigned int ntsim_count(const char *text, const char *what)
{
    unsigned int count = 0;

    for (const char *at = strstr(text, what); at; at = strstr(at + 1, what))
        count++;
    return count;
}

void ntsim_assert_contains(const char *text, const char *what)
{
    if (strstr(text, what) == NULL)
        fail_msg("\"%s\" not found", what);
}

bool ntsim_wait_for_nth(struct ntsim_run *run, const char *text, unsigned int count,
                        unsigned int ms)
{
    for (unsigned int waited = 0; waited <= ms; waited += 10) {
        read_file(run->log_path, run->log, sizeof(run->log));
        if (ntsim_count(run->log, text) >= count)
            return true;
        usleep(10000);
    }
    return false;
}

void ntsim_require_nth(struct ntsim_run *run, const char *text, unsigned int count, unsigned int ms)
{
    if (ntsim_wait_for_nth(run, text, count, ms))
        return;
    kill(run->pid, SIGKILL);
    ntsim_finish(run);
    fail_msg("\"%s\" (%u times) not in the kernel log within %u ms", text, count, ms);
}

bool ntsim_console_wait_for(struct ntsim_run *run, uint32_t domid, const char *text,
                            unsigned int ms)
{
    char path[400];

    assert_true(console_dir[0] != '\0');
    snprintf(path, sizeof(path), "%s/guest-guest%u.log", console_dir, domid);
    for (unsigned int waited = 0; waited <= ms; waited += 10) {
        read_file(path, run->console, sizeof(run->console));
        if (strstr(run->console, text))
            return true;
        usleep(10000);
    }
    return false;
}

void ntsim_domain_info(struct ntsim_run *run, struct sim_domain_info *info)
{
    struct sim_request req = {.type = SIM_DOMAIN_INFO};
    struct sim_reply reply;

    req.body.domid.domid = run->domid;
    assert_int_equal(simd_call(&simd, &req, &reply), 0);
    assert_int_equal(reply.body.info.domid, run->domid);
    *info = reply.body.info;
}

/* The domain is done with: xenstored forgets it, winpv-simd destroys it (there are 255 at most). */
static void destroy_domain(uint32_t domid)
{
    struct sim_request req = {.type = SIM_DOMAIN_DESTROY};
    struct sim_reply reply;
    char path[64];

    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xs_release_domain(store.xsh, domid);
    xs_rm(store.xsh, XBT_NULL, path);
    req.body.domid.domid = domid;
    assert_int_equal(simd_call(&simd, &req, &reply), 0);
}

void ntsim_at_finish(int (*stop)(void))
{
    unsigned int i;

    for (i = 0; i < MAX_AT_FINISH && at_finish[i] && at_finish[i] != stop; i++)
        ;
    assert_true(i < MAX_AT_FINISH);
    at_finish[i] = stop;
}

void ntsim_finish(struct ntsim_run *run)
{
    int stopped = 0;

    run->live = false;
    run->exit_status = run->pid > 0 ? wait_with_timeout(run->pid) : 0;
    for (unsigned int i = 0; i < QEMU_MAX_DISKS; i++) {
        if (disk_running[i] && qemu_stop(&disks[i]) != 0)
            stopped = -1;
        disk_running[i] = false;
    }
    for (unsigned int i = 0; i < MAX_AT_FINISH && at_finish[i]; i++)
        if (at_finish[i]() != 0)
            stopped = -1;
    destroy_domain(run->domid);
    read_file(run->log_path, run->log, sizeof(run->log));
    read_file(run->out_path, run->out, sizeof(run->out));
    /* Shown with the test's output when an assertion fails. */
    printf("# winpv-ntsim %s exited %d\n", run->driver, run->exit_status);
    for (const char *line = run->log; *line;) {
        size_t length = strcspn(line, "\n");

        printf("#   %.*s\n", (int)length, line);
        line += length + (line[length] == '\n');
    }
    if (stopped != 0)
        fail_msg("a disk's backend did not end cleanly (its log above)");
}

void ntsim_run(struct ntsim_run *run, const char *driver, const char *const *args)
{
    ntsim_start(run, driver, args);
    ntsim_finish(run);
}

void ntsim_run_packages(struct ntsim_run *run, const char *packages, const char *const *args)
{
    start(run, NULL, packages, args);
    ntsim_finish(run);
}

/* @path and what is below it belong to the guest, as libxl gives a frontend its directory. */
static void give_to_guest(struct ntsim_run *run, const char *path)
{
    struct xs_permissions perms[] = {{.id = run->domid, .perms = XS_PERM_NONE},
                                     {.id = 0, .perms = XS_PERM_READ}};

    assert_true(xs_set_permissions(store.xsh, XBT_NULL, path, perms, 2));
}

void ntsim_device_add(struct ntsim_run *run, const char *class_name, unsigned int id)
{
    char class_dir[128], dir[160];

    snprintf(class_dir, sizeof(class_dir), "/local/domain/%u/device/%s", run->domid, class_name);
    snprintf(dir, sizeof(dir), "%s/%u", class_dir, id);
    assert_true(xs_mkdir(store.xsh, XBT_NULL, class_dir));
    give_to_guest(run, class_dir);
    assert_true(xs_mkdir(store.xsh, XBT_NULL, dir));
    give_to_guest(run, dir);
    assert_true(xenstore_write_in(&store, 0, dir, "backend", "/local/domain/0/backend/%s/%u/%u",
                                  class_name, run->domid, id));
    assert_true(xenstore_write_in(&store, 0, dir, "backend-id", "0"));
    assert_true(xenstore_write_in(&store, 0, dir, "state", "1"));
}

void ntsim_disk_add(struct ntsim_run *run, unsigned int disk, unsigned int mib)
{
    add_disk(run, disk, mib);
}

uint8_t ntsim_disk_pattern(unsigned int disk, unsigned int byte)
{
    return (uint8_t)(byte * 31 + disk + 1);
}

void ntsim_disk_image(const struct ntsim_run *run, unsigned int disk, char *path, size_t size)
{
    snprintf(path, size, "%s/ntsim-disk-%u-%u.img", simd.dir, run->domid, disk);
}

void ntsim_disk_image_new(const struct ntsim_run *run, unsigned int disk, unsigned int mib,
                          char *path, size_t size)
{
    uint8_t head[4096];
    int fd;

    ntsim_disk_image(run, disk, path, size);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)mib << 20), 0);
    for (unsigned int i = 0; i < sizeof(head); i++)
        head[i] = ntsim_disk_pattern(disk, i);
    assert_int_equal(pwrite(fd, head, sizeof(head), 0), (ssize_t)sizeof(head));
    close(fd);
}

static void add_disk(struct ntsim_run *run, unsigned int disk, unsigned int mib)
{
    char image[512];

    assert_true(disk < QEMU_MAX_DISKS && !disk_running[disk]);
    ntsim_disk_image_new(run, disk, mib, image, sizeof(image));
    assert_int_equal(qemu_start(&simd, &store, run->domid, disk, image, &disks[disk]), 0);
    disk_running[disk] = true;
}

#define UNPLUG_TIMEOUT_MS 10000

void ntsim_disk_remove(struct ntsim_run *run, unsigned int disk)
{
    assert_true(disk < QEMU_MAX_DISKS && disk_running[disk]);
    disk_running[disk] = false;
    assert_int_equal(qemu_unplug(&store, &disks[disk], UNPLUG_TIMEOUT_MS), 0);
}

void ntsim_disk_resize(struct ntsim_run *run, unsigned int disk, unsigned int mib)
{
    assert_true(disk < QEMU_MAX_DISKS && disk_running[disk]);
    assert_int_equal(qemu_resize(&store, &disks[disk], (uint64_t)mib << 20), 0);
}

void ntsim_device_remove(struct ntsim_run *run, const char *class_name, unsigned int id)
{
    char dir[128];

    snprintf(dir, sizeof(dir), "/local/domain/%u/device/%s/%u", run->domid, class_name, id);
    assert_true(xs_rm(store.xsh, XBT_NULL, dir));
}

void ntsim_store_write(struct ntsim_run *run, const char *relative, const char *value)
{
    char path[256];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", run->domid, relative);
    assert_true(xs_write(store.xsh, XBT_NULL, path, value, (unsigned int)strlen(value)));
}

void ntsim_store_rm(struct ntsim_run *run, const char *relative)
{
    char path[256];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", run->domid, relative);
    assert_true(xs_rm(store.xsh, XBT_NULL, path));
}

/* The domain's @relative node (malloc'd), or NULL when there is none. */
static char *store_value(struct ntsim_run *run, const char *relative)
{
    char path[256];
    unsigned int len;

    snprintf(path, sizeof(path), "/local/domain/%u/%s", run->domid, relative);
    return xs_read(store.xsh, XBT_NULL, path, &len);
}

char *ntsim_store_read(struct ntsim_run *run, const char *relative)
{
    char *value = store_value(run, relative);

    assert_non_null(value);
    return value;
}

bool ntsim_store_has(struct ntsim_run *run, const char *relative)
{
    char *value = store_value(run, relative);

    free(value);
    return value != NULL;
}

void ntsim_store_deny(struct ntsim_run *run, const char *relative)
{
    struct xs_permissions perms[] = {{.id = 0, .perms = XS_PERM_NONE},
                                     {.id = run->domid, .perms = XS_PERM_READ}};
    char path[256];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", run->domid, relative);
    assert_true(xs_set_permissions(store.xsh, XBT_NULL, path, perms, 2));
}

void ntsim_wait_suspended(struct ntsim_run *run)
{
    struct sim_domain_info info;

    for (int i = 0; i < 1000; i++) {
        ntsim_domain_info(run, &info);
        if (info.flags & SIM_DOMINFO_SHUTDOWN)
            break;
        usleep(10000);
    }
    if (!(info.flags & SIM_DOMINFO_SHUTDOWN)) {
        kill(run->pid, SIGKILL);
        ntsim_finish(run);
        fail_msg("domain %u did not suspend within 10 s", run->domid);
    }
    assert_int_equal(info.shutdown_reason, SHUTDOWN_suspend);
}

void ntsim_domain_migrate(struct ntsim_run *run)
{
    struct sim_request req = {.type = SIM_DOMAIN_DESTROY};
    struct sim_reply reply;
    struct guest_rings rings;
    char image[32];
    uint32_t restored;
    uint64_t target_kib;

    snprintf(image, sizeof(image), "image-%u", run->domid);
    assert_int_equal(xenstore_memory_target(&store, run->domid, &target_kib), 0);
    assert_int_equal(simd_domain_save(&simd, run->domid, image), 0);
    assert_int_equal(simd_domain_restore_paused(&simd, image, &restored), 0);
    assert_int_equal(xenstore_introduce_restored(&simd, &store, restored, &rings), 0);
    assert_int_equal(xenstore_set_memory_target(&store, restored, target_kib), 0);
    assert_int_equal(simd_domain_unpause(&simd, restored), 0);
    assert_int_equal(xenstore_release(&store, run->domid), 0);
    req.body.domid.domid = run->domid;
    assert_int_equal(simd_call(&simd, &req, &reply), 0);
    run->domid = restored;
}

void ntsim_domain_cancel_suspend(struct ntsim_run *run)
{
    assert_int_equal(simd_domain_resume(&simd, run->domid), 0);
    assert_int_equal(xenstore_resume(&store, run->domid), 0);
}
