/*
 * sim/toolstack/components.h - the real Xen components of a run: Debian's
 * own binaries, started on winpv-simd through the replacement libraries
 * (build/sim/lib), each with its log in the run directory.
 */
#ifndef WINPV_SIM_COMPONENTS_H
#define WINPV_SIM_COMPONENTS_H

#include <stdbool.h>
#include <sys/types.h>

#include "simd.h"

struct component {
    const char *name; /* for messages: "xenstored" */
    pid_t pid;
    char log[300];
    /*
     * Optional: runs in the child just before exec (a private mount
     * namespace, say); a non-zero return ends the child with a message.
     */
    int (*before_exec)(const char *run_dir);
};

/*
 * Start a component (c->before_exec set or NULL by the caller): @argv[0] is the binary; its environment gets
 * WINPV_SIM_DIR, LD_LIBRARY_PATH (the replacement libraries: $WINPV_SIMLIB,
 * else build/sim/lib beside build/host/bin) and @extra_env (NULL-terminated "NAME=value"
 * strings). stdout and stderr go to RUN_DIR/<name>.log. It dies with us.
 */
int component_start(struct simd *simd, struct component *c, const char *name, char *const argv[],
                    char *const extra_env[]);

/* Whether it still runs; if not, why it ended and its log go to stderr. */
bool component_alive(struct component *c);

/*
 * Stop it (SIGTERM, then SIGKILL after a second). Returns 0 if it was still
 * running; if it had already ended, says why and shows its log as
 * component_alive does, and returns -XEN_ESRCH.
 */
int component_stop(struct component *c);

/* Copy the text file at @path to stderr, each line prefixed with @label. */
void show_file(const char *label, const char *path);

#endif /* WINPV_SIM_COMPONENTS_H */
