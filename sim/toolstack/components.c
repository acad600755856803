/* sim/toolstack/components.c - running Debian's Xen binaries on winpv-simd. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
    pid_t parent = getpid();

    c->name = name;
    snprintf(c->log, sizeof(c->log), "%s/%s.log", simd->dir, name);
    c->pid = fork();
    if (c->pid < 0)
        return -XEN_ENOMEM;
    if (c->pid == 0)
        exec_child(simd, c, parent, argv, extra_env);
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

static void report_end(const struct component *c, int status)
{
    char label[80];

    if (WIFSIGNALED(status))
        fprintf(stderr, "%s (pid %d) was killed by signal %d\n", c->name, c->pid, WTERMSIG(status));
    else
        fprintf(stderr, "%s (pid %d) exited with status %d\n", c->name, c->pid,
                WEXITSTATUS(status));
    snprintf(label, sizeof(label), "%s.log", c->name);
    show_file(label, c->log);
}

bool component_alive(struct component *c)
{
    int status;

    if (c->pid <= 0)
        return false;
    if (waitpid(c->pid, &status, WNOHANG) != c->pid)
        return true;
    report_end(c, status);
    c->pid = 0;
    return false;
}

int component_stop(struct component *c)
{
    int status;

    if (c->pid <= 0 || !component_alive(c))
        return -XEN_ESRCH;
    kill(c->pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(c->pid, &status, WNOHANG) == c->pid) {
            c->pid = 0;
            return 0;
        }
        usleep(10000);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    c->pid = 0;
    return 0;
}
