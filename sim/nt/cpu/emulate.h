/*
 * sim/nt/cpu/emulate.h - carrying out one decoded instruction against the
 * simulated machine, on the registers of a suspended context. Internal to
 * sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_EMULATE_H
#define WINPV_SIM_NT_CPU_EMULATE_H

#include "cpu.h"
#include "insn.h"

#include <ucontext.h>

/*
 * Emulates @insn (not NT_INSN_OTHER) with @ops on the registers in @uc and
 * moves RIP past it. Returns NULL, or why the instruction could not be
 * emulated (the machine refused an MSR, a callback is missing): then @uc
 * is unchanged and the caller reports a fault.
 */
const char *nt_cpu_emulate(const struct nt_insn *insn, ucontext_t *uc,
                           const struct nt_cpu_ops *ops);

#endif /* WINPV_SIM_NT_CPU_EMULATE_H */
