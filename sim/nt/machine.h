/* sim/nt/machine.h - the simulated machine under the images (see machine.c). */
#ifndef WINPV_SIM_NT_MACHINE_H
#define WINPV_SIM_NT_MACHINE_H

#include "cpu/cpu.h"

extern const struct nt_cpu_ops nt_machine_ops;

/* Read the host's CPUID leaves; before CPUID is made to fault. */
void nt_machine_read_host(void);
/* Ask the hypervisor for what the Xen leaves report. Returns 0 or negative XEN_E*. */
int nt_machine_ask_xen(void);

#endif /* WINPV_SIM_NT_MACHINE_H */
