/*
 * sim/toolstack/child.h - a process the toolstack starts (winpv-simd, a
 * component): what it does between fork and exec, and waiting for its end.
 */
#ifndef WINPV_SIM_CHILD_H
#define WINPV_SIM_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * In the child, before exec: make it a process group of its own, with
 * every signal at its default action and none blocked, that receives
 * @death_signal when @parent (the toolstack, as fork saw it) ends, and
 * that writes stdout and stderr to @log (created or truncated; kept as is
 * when it cannot be opened).
 *
 * The process group is the point: a signal sent to the toolstack's group
 * (Ctrl-C in a terminal, timeout(1)'s SIGTERM and the SIGCONT it sends
 * after) reaches only the toolstack, which then stops its children in
 * order. Sent to them as well, it would end them all at once, and a
 * SIGCONT arriving while a sanitized program's LeakSanitizer attaches to
 * it at exit discards the SIGSTOP that attachment waits for: the program
 * then spins for ever (LSan's StopTheWorld) and only SIGKILL ends it.
 * A signal mask inherited from the toolstack (which blocks SIGTERM while it
 * waits) would make the child deaf to the SIGTERM that stops it.
 */
void child_prepare(pid_t parent, int death_signal, const char *log);

/*
 * In the parent: wait up to @ms (0: only look) for child @pid to end.
 * Returns true when it has, its wait status in *status (exit status 255
 * when there was nothing to wait for).
 */
bool child_wait(pid_t pid, int ms, int *status);

/* SIGKILL to child @pid and its process group; returns its wait status. */
int child_kill(pid_t pid);

#endif /* WINPV_SIM_CHILD_H */
