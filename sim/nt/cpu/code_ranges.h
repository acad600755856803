/*
 * sim/nt/cpu/code_ranges.h - lists of code ranges. Internal to sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_CODE_RANGES_H
#define WINPV_SIM_NT_CPU_CODE_RANGES_H

#include "cpu.h"

/* A copy of @ranges sorted by start, to free(); NULL when out of memory. */
struct nt_code_range *nt_code_ranges_sorted(const struct nt_code_range *ranges, size_t count);

#endif /* WINPV_SIM_NT_CPU_CODE_RANGES_H */
