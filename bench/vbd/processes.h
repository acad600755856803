/*
 * bench/vbd/processes.h - where a disk benchmark's time goes: the
 * processor time of the guest, winpv-simd and the backend over a
 * measurement, the machine's, and which of them limited the figure.
 */
#ifndef WINPV_BENCH_VBD_PROCESSES_H
#define WINPV_BENCH_VBD_PROCESSES_H

#include <stdint.h>
#include <sys/types.h>

enum process { GUEST_PROCESS, SIMD_PROCESS, BACKEND_PROCESS, PROCESSES };

/* The processes measured: their pids (0: this process) and names. */
struct processes {
    pid_t pid[PROCESSES];
    const char *name[PROCESSES];
};

struct cpu_sample {
    uint64_t ns; /* CLOCK_MONOTONIC */
    uint64_t cpu_ns[PROCESSES];
    uint64_t machine_busy, machine_all; /* every processor's time, in /proc/stat's ticks */
};

void cpu_sample_take(const struct processes *p, struct cpu_sample *s);

/*
 * Print, as '#' lines, each process's processor time over @n requests
 * between @a and @b, and what limited the figure: a process whose serving
 * thread never waited, the machine (every processor busy, ours or a
 * neighbour's), or neither (each side waits on the other).
 */
void cpu_describe(const struct processes *p, const struct cpu_sample *a, const struct cpu_sample *b,
                  double n);

#endif /* WINPV_BENCH_VBD_PROCESSES_H */
