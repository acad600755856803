/*
 * sim/nt/cpu/stats.c - how many instructions were emulated, by path and by
 * kind (nt_cpu_get_stats).
 */
#include "stats.h"

#include <stdatomic.h>

static atomic_uint_least64_t by_path[2];
static atomic_uint_least64_t cpuid, msr, port, cr8, hypercall;

void nt_cpu_count(enum nt_cpu_path path, enum nt_insn_kind kind)
{
    atomic_fetch_add(&by_path[path], 1);
    switch (kind) {
    case NT_INSN_CPUID:
        atomic_fetch_add(&cpuid, 1);
        break;
    case NT_INSN_RDMSR:
    case NT_INSN_WRMSR:
        atomic_fetch_add(&msr, 1);
        break;
    case NT_INSN_IN:
    case NT_INSN_OUT:
        atomic_fetch_add(&port, 1);
        break;
    case NT_INSN_READ_CR8:
    case NT_INSN_WRITE_CR8:
        atomic_fetch_add(&cr8, 1);
        break;
    case NT_INSN_HYPERCALL:
        atomic_fetch_add(&hypercall, 1);
        break;
    default:
        break;
    }
}

void nt_cpu_get_stats(struct nt_cpu_stats *stats)
{
    stats->faulted = atomic_load(&by_path[NT_CPU_PATH_FAULTED]);
    stats->rewritten = atomic_load(&by_path[NT_CPU_PATH_REWRITTEN]);
    stats->cpuid = atomic_load(&cpuid);
    stats->msr = atomic_load(&msr);
    stats->port = atomic_load(&port);
    stats->cr8 = atomic_load(&cr8);
    stats->hypercall = atomic_load(&hypercall);
}
