/* sim/toolstack/components.c - running Debian's Xen binaries on winpv-simd. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/errno.h>

#include "child.h"
#include "components.h"

extern char **environ;

/* $WINPV_SIMLIB, else build/sim/lib as seen from build/host/bin. */
static const char *simlib_dir(void)
{
    static char near[4096];
    const char *dir = getenv("WINPV_SIMLIB");

    return dir && *dir ? dir : simd_path_near_program("../../sim/lib", near, sizeof(near));
}

static void exec_child(struct simd *simd, struct component *c, pid_t parent, char *const argv[],
                       char *const extra_env[])
{
    char libdir[4096];

    child_prepare(parent, SIGKILL, c->log);
    if (realpath(simlib_dir(), libdir) == NULL) {
        fprintf(stderr, "%s: replacement libraries not found at %s\n", c->name, simlib_dir());
        _exit(126);
    }
    setenv("LD_LIBRARY_PATH", libdir, 1);
    setenv(SIM_RUN_DIR_ENV, simd->dir, 1);
    for (int i = 0; extra_env && extra_env[i]; i++)
        putenv(extra_env[i]);
    if (c->before_exec && c->before_exec(simd->dir) != 0) {
        fprintf(stderr, "%s: preparing to run failed\n", c->name);
        _exit(125);
    }
    execve(argv[0], argv, environ);
    fprintf(stderr, "%s: cannot run %s: %s\n", c->name, argv[0], strerror(errno));
    _exit(127);
}

int component_start(struct simd *simd, struct component *c, const char *name, char *const argv[],
                    char *const extra_env[])
{
    pid_t parent = getpid(), pid;

    c->name = name;
    snprintf(c->log, sizeof(c->log), "%s/%s.log", simd->dir, name);
    pid = fork();
    if (pid < 0)
        return -XEN_ENOMEM;
    if (pid == 0)
        exec_child(simd, c, parent, argv, extra_env);
    c->pid = pid;
    c->state = COMPONENT_RUNNING;
    return 0;
}

void show_file(const char *label, const char *path)
{
    char line[512];
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f))
        fprintf(stderr, "  %s: %s", label, line);
    fclose(f);
}

/* How @c (once process @pid) ended, and its log. */
static void report_end(const struct component *c, pid_t pid)
{
    char how[320], label[80];

    fprintf(stderr, "%s (pid %d) %s; its log is %s\n", c->name, (int)pid,
            component_end_describe(&c->end, how, sizeof(how)), c->log);
    snprintf(label, sizeof(label), "%s.log", c->name);
    show_file(label, c->log);
}

/*
 * What ending a component was meant to look like: death by @signal (0:
 * none sent) or, if @or_exit, an exit with status 0. Nothing planned: any
 * end is a bad one.
 */
struct plan {
    int signal;
    bool or_exit;
};

static const struct plan no_plan = {0, false};

/* The one transition out of COMPONENT_RUNNING; an end not as planned is told. */
static void ended(struct component *c, int status, bool killed_after_grace, struct plan plan)
{
    pid_t pid = c->pid;
    const struct component_end *end = &c->end;

    component_end_read(&c->end, status, killed_after_grace, c->log);
    c->pid = 0;
    if ((plan.signal != 0 && component_end_is(end, plan.signal)) ||
        (plan.or_exit && component_end_is(end, 0))) {
        c->state = COMPONENT_ENDED_AS_PLANNED;
        return;
    }
    c->state = COMPONENT_ENDED_BADLY;
    report_end(c, pid);
}

/* Whether the running @c ends within @ms (then recorded, judged by @plan). */
static bool ends_within(struct component *c, int ms, struct plan plan)
{
    int status;

    if (!child_wait(c->pid, ms, &status))
        return false;
    ended(c, status, false, plan);
    return true;
}

bool component_alive(struct component *c)
{
    return c->state == COMPONENT_RUNNING && !ends_within(c, 0, no_plan);
}

/*
 * End @c, if it still runs, with @plan.signal; SIGKILL, to all its process
 * group, after the grace period. Returns 0 if it ended as planned.
 */
static int end_as_planned(struct component *c, struct plan plan)
{
    pid_t pid = c->pid;
    int status;

    if (!component_alive(c))
        return -XEN_ESRCH;
    kill(pid, plan.signal);
    if (child_wait(pid, c->grace_ms > 0 ? c->grace_ms : COMPONENT_GRACE_MS, &status))
        ended(c, status, false, plan);
    else
        ended(c, child_kill(pid), true, plan);
    return c->state == COMPONENT_ENDED_AS_PLANNED ? 0 : -XEN_EIO;
}

int component_stop(struct component *c)
{
    /* A daemon without a handler for SIGTERM dies of it: as clean as exiting 0. */
    return end_as_planned(c, (struct plan){SIGTERM, true});
}

int component_kill(struct component *c, int sig)
{
    return end_as_planned(c, (struct plan){sig, false});
}

int component_wait(struct component *c, int timeout_ms)
{
    if (c->state == COMPONENT_NOT_STARTED)
        return -XEN_ESRCH;
    if (c->state == COMPONENT_RUNNING && !ends_within(c, timeout_ms, (struct plan){0, true}))
        return -XEN_ETIMEDOUT;
    return c->state == COMPONENT_ENDED_AS_PLANNED ? 0 : -XEN_EIO;
}
