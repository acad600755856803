/*
 * sim/nt/cpu/insn.h - one decoded instruction, as much of it as the
 * emulation and the image rewriter need. Internal to sim/nt/cpu.
 */
#ifndef WINPV_SIM_NT_CPU_INSN_H
#define WINPV_SIM_NT_CPU_INSN_H

#include <stddef.h>
#include <stdint.h>

/* The longest x86 instruction. */
#define NT_INSN_MAX_LENGTH 15

enum nt_insn_kind {
    NT_INSN_OTHER, /* nothing emulated */
    NT_INSN_CPUID,
    NT_INSN_RDMSR,
    NT_INSN_WRMSR,
    NT_INSN_READ_CR8,  /* mov %cr8, gpr */
    NT_INSN_WRITE_CR8, /* mov gpr, %cr8 */
    NT_INSN_IN,
    NT_INSN_OUT,
    NT_INSN_HYPERCALL, /* VMCALL or VMMCALL */
};

/* A port taken from DX rather than from an immediate. */
#define NT_INSN_PORT_DX (-1)

struct nt_insn {
    uint8_t kind;     /* enum nt_insn_kind */
    uint8_t length;   /* bytes */
    uint8_t io_bytes; /* IN, OUT: 1, 2 or 4 */
    uint8_t gpr;      /* READ_CR8, WRITE_CR8: the register, a REG_* index of gregs */
    int32_t port;     /* IN, OUT: the immediate port, or NT_INSN_PORT_DX */
};

/*
 * Where an instruction holds a 64-bit absolute constant: the offset of a
 * 64-bit immediate (movabs $imm64, reg) and of a 64-bit displacement
 * (movabs moffs64, the accumulator forms), 0 where there is none. And the
 * address a RIP-relative operand names, as a distance from the end of the
 * instruction (has_rip_target), which is how code finds a jump table.
 */
struct nt_insn_constants {
    uint8_t imm64_offset;
    uint8_t disp64_offset;
    uint8_t has_rip_target;
    int64_t rip_target; /* relative to the end of the instruction */
};

/*
 * Decodes the instruction at @code (@avail bytes readable, the instruction
 * may be shorter) as x86-64 code. @constants may be NULL. Returns 0 or
 * -EILSEQ when the bytes are not a valid instruction. Safe in a signal
 * handler: it allocates nothing and takes no lock.
 */
int nt_insn_decode(const uint8_t *code, size_t avail, struct nt_insn *insn,
                   struct nt_insn_constants *constants);

#endif /* WINPV_SIM_NT_CPU_INSN_H */
