/*
 * sim/nt/cpu/stats.h - counting emulated instructions for nt_cpu_get_stats.
 * Internal to sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_STATS_H
#define WINPV_SIM_NT_CPU_STATS_H

#include "cpu.h"
#include "insn.h"

/* How an emulated instruction reached the handler. */
enum nt_cpu_path {
    NT_CPU_PATH_FAULTED,
    NT_CPU_PATH_REWRITTEN,
};

/* Counts one emulated instruction (async-signal-safe). */
void nt_cpu_count(enum nt_cpu_path path, enum nt_insn_kind kind);

#endif /* WINPV_SIM_NT_CPU_STATS_H */
