/*
 * sim/nt/cpu/trap.h - what the rest of sim/nt/cpu asks of the signal
 * handling. Internal to sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_TRAP_H
#define WINPV_SIM_NT_CPU_TRAP_H

#include "cpu.h"

/* The mode nt_cpu_init chose last (NT_CPU_FAULT before it is called). */
enum nt_cpu_mode nt_cpu_current_mode(void);

#endif /* WINPV_SIM_NT_CPU_TRAP_H */
