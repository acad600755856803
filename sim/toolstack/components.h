/*
 * sim/toolstack/components.h - the real Xen components of a run: Debian's
 * own binaries, started on winpv-simd through the replacement libraries
 * (build/sim/lib), each with its log in the run directory.
 *
 * A component is not started, running, or ended, as planned or badly. A
 * stop, a kill with a given signal and a wait for its own exit each say
 * what end they plan; any other end (on its own while it should run, of
 * another signal, needing SIGKILL, with a sanitizer report in its log) is
 * a bad one: told on stderr when found, naming the component and its log
 * and showing the log, and returned as an error.
 */
#ifndef WINPV_SIM_COMPONENTS_H
#define WINPV_SIM_COMPONENTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "component_end.h"
#include "simd.h"

/* How long a stopped component may take to end after SIGTERM before SIGKILL. */
#define COMPONENT_GRACE_MS 5000

enum component_state {
    COMPONENT_NOT_STARTED,
    COMPONENT_RUNNING,          /* pid is its process */
    COMPONENT_ENDED_AS_PLANNED, /* end says how; pid is 0 */
    COMPONENT_ENDED_BADLY,      /* end says how (told on stderr); pid is 0 */
};

struct component {
    const char *name; /* for messages: "xenstored" */
    pid_t pid;
    char log[300];
    /*
     * Optional: runs in the child just before exec (a private mount
     * namespace, say); a non-zero return ends the child with a message.
     */
    int (*before_exec)(const char *run_dir);
    /* Optional: the grace period of a stop; 0: COMPONENT_GRACE_MS. */
    int grace_ms;
    enum component_state state;
    struct component_end end;
};

/*
 * Start a component (c->before_exec set or NULL by the caller): @argv[0] is the binary; its environment gets
 * WINPV_SIM_DIR, LD_LIBRARY_PATH (the replacement libraries: $WINPV_SIMLIB,
 * else build/sim/lib beside build/host/bin) and @extra_env (NULL-terminated "NAME=value"
 * strings). stdout and stderr go to RUN_DIR/<name>.log. It dies with us.
 */
int component_start(struct simd *simd, struct component *c, const char *name, char *const argv[],
                    char *const extra_env[]);

/* Whether it still runs. An end found here was planned by nobody: a bad one. */
bool component_alive(struct component *c);

/*
 * Stop it: SIGTERM, SIGKILL after the grace period. Returns 0 if it was
 * running and ended cleanly: exit status 0, or SIGTERM's own default
 * action, and no sanitizer report in its log. -XEN_ESRCH if it was not
 * running (an end found just now is told, as component_alive does);
 * -XEN_EIO if it ended otherwise.
 */
int component_stop(struct component *c);

/*
 * A planned kill: send @sig and wait for the end (SIGKILL after the grace
 * period). Returns 0 only if it was still running and died of exactly
 * @sig; else as component_stop.
 */
int component_kill(struct component *c, int sig);

/*
 * Wait up to @timeout_ms for it to end on its own. Returns 0 if it exited
 * with status 0 and no sanitizer report (or had ended as planned before);
 * -XEN_ETIMEDOUT if it still runs (left running); -XEN_ESRCH if never
 * started; else -XEN_EIO.
 */
int component_wait(struct component *c, int timeout_ms);

/* Copy the text file at @path to stderr, each line prefixed with @label. */
void show_file(const char *label, const char *path);

#endif /* WINPV_SIM_COMPONENTS_H */
