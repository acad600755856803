/* sim/toolstack/simd.c - winpv-simd's life cycle (see simd.h). */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/errno.h>

#include "child.h"
#include "components.h"
#include "simd.h"

#define START_TIMEOUT_MS 5000
/* Its exit checks for leaks (LeakSanitizer) in the tests' builds: slow on a busy machine. */
#define STOP_GRACE_MS    10000

const char *simd_path_near_program(const char *relative, char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        snprintf(buf, size, "%s", relative);
        return buf;
    }
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, size, "%s/%s", exe, relative);
    return buf;
}

/* $WINPV_SIMD, else the winpv-simd built beside this program. */
static const char *simd_binary(void)
{
    static char near[4096];
    const char *path = getenv("WINPV_SIMD");

    return path && *path ? path : simd_path_near_program("winpv-simd", near, sizeof(near));
}

static pid_t spawn(const char *dir)
{
    char log[300];
    pid_t parent = getpid(), pid;

    snprintf(log, sizeof(log), "%s/simd.log", dir);
    pid = fork();
    if (pid == 0) {
        /* SIGTERM: it stops cleanly, as when we stop it. */
        child_prepare(parent, SIGTERM, log);
        execl(simd_binary(), "winpv-simd", dir, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", simd_binary(), strerror(errno));
        _exit(127);
    }
    return pid;
}

static void show_simd_log(const char *dir)
{
    char path[300];

    snprintf(path, sizeof(path), "%s/simd.log", dir);
    show_file("simd.log", path);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    if (remove(path) != 0)
        fprintf(stderr, "simd: could not remove %s: %s\n", path, strerror(errno));
    return 0; /* remove what else can be removed */
}

/* Remove @dir and everything in it, following no symbolic link. */
static void remove_tree(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "simd: could not remove %s\n", dir);
}

int simd_start(struct simd *simd)
{
    const char *tmp = getenv("TMPDIR");
    int status;

    memset(simd, 0, sizeof(*simd));
    simd->toolstack.fd = -1;
    snprintf(simd->dir, sizeof(simd->dir), "%s/winpv-sim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(simd->dir) == NULL) {
        fprintf(stderr, "simd: cannot create a run directory: %s\n", strerror(errno));
        return -XEN_EIO;
    }
    simd->pid = spawn(simd->dir);
    if (simd->pid < 0)
        goto fail;
    for (int waited = 0; waited < START_TIMEOUT_MS; waited += 10) {
        if (sim_connect(&simd->toolstack, simd->dir, SIM_ROLE_TOOLSTACK, 0, NULL) == 0)
            return 0;
        if (child_wait(simd->pid, 0, &status)) {
            fprintf(stderr, "simd: winpv-simd exited at start (status %#x)\n", status);
            show_simd_log(simd->dir);
            simd->pid = 0;
            goto fail;
        }
        usleep(10000);
    }
    fprintf(stderr, "simd: winpv-simd did not answer within %d ms\n", START_TIMEOUT_MS);
    show_simd_log(simd->dir);
fail:
    simd_stop(simd);
    return -XEN_EIO;
}

int simd_stop(struct simd *simd)
{
    int status = 0, rc = 0;

    sim_disconnect(&simd->toolstack);
    if (simd->pid > 0) {
        kill(simd->pid, SIGTERM);
        if (!child_wait(simd->pid, STOP_GRACE_MS, &status)) {
            fprintf(stderr, "simd: winpv-simd still ran %d ms after SIGTERM: killed\n",
                    STOP_GRACE_MS);
            status = child_kill(simd->pid);
        }
        simd->pid = 0;
        /* A sanitizer report or a crash shows as a failed exit; so does SIGKILL. */
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "simd: winpv-simd ended badly (status %#x)\n", status);
            show_simd_log(simd->dir);
            rc = -XEN_EIO;
        }
    }
    if (simd->dir[0] && getenv("WINPV_SIM_KEEP") == NULL)
        remove_tree(simd->dir);
    simd->dir[0] = '\0';
    return rc;
}

int simd_call(struct simd *simd, struct sim_request *req, struct sim_reply *reply)
{
    return sim_call(&simd->toolstack, req, reply, NULL);
}

int simd_domain_create(struct simd *simd, uint64_t ram_pages, uint32_t vcpus, uint32_t *domid)
{
    struct sim_request req = {.type = SIM_DOMAIN_CREATE};
    struct sim_reply reply;
    int rc;

    req.body.create.ram_pages = ram_pages;
    req.body.create.vcpus = vcpus;
    req.body.create.max_grant_frames = 32;
    rc = simd_call(simd, &req, &reply);
    if (rc == 0)
        *domid = reply.body.domid.domid;
    return rc;
}

int simd_domain_destroy(struct simd *simd, uint32_t domid)
{
    struct sim_request req = {.type = SIM_DOMAIN_DESTROY};
    struct sim_reply reply;

    req.body.domid.domid = domid;
    return simd_call(simd, &req, &reply);
}

static int file_call(struct simd *simd, uint32_t type, uint32_t domid, uint32_t flags,
                     const char *name, struct sim_reply *reply)
{
    struct sim_request req = {.type = type};

    req.body.file.domid = domid;
    req.body.file.flags = flags;
    if (name && snprintf(req.body.file.name, sizeof(req.body.file.name), "%s", name) >=
                    (int)sizeof(req.body.file.name))
        return -XEN_ENAMETOOLONG;
    return simd_call(simd, &req, reply);
}

int simd_domain_save(struct simd *simd, uint32_t domid, const char *name)
{
    struct sim_reply reply;

    return file_call(simd, SIM_DOMAIN_SAVE, domid, 0, name, &reply);
}

static int restore(struct simd *simd, const char *name, uint32_t flags, uint32_t *domid)
{
    struct sim_reply reply;
    int rc = file_call(simd, SIM_DOMAIN_RESTORE, 0, flags, name, &reply);

    if (rc == 0)
        *domid = reply.body.domid.domid;
    return rc;
}

int simd_domain_restore(struct simd *simd, const char *name, uint32_t *domid)
{
    return restore(simd, name, 0, domid);
}

int simd_domain_restore_paused(struct simd *simd, const char *name, uint32_t *domid)
{
    return restore(simd, name, SIM_RESTORE_PAUSED, domid);
}

int simd_domain_unpause(struct simd *simd, uint32_t domid)
{
    struct sim_reply reply;

    return file_call(simd, SIM_DOMAIN_UNPAUSE, domid, 0, NULL, &reply);
}

int simd_domain_resume(struct simd *simd, uint32_t domid)
{
    struct sim_reply reply;

    return file_call(simd, SIM_DOMAIN_RESUME, domid, 0, NULL, &reply);
}

int simd_driver_blacklist(struct simd *simd, uint16_t product, uint32_t build, bool listed)
{
    struct sim_request req = {.type = SIM_DRIVER_BLACKLIST};
    struct sim_reply reply;

    req.body.blacklist = (struct sim_driver_blacklist){product, build, listed};
    return simd_call(simd, &req, &reply);
}
