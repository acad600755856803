/*
 * sim/nt/cpu/cpu.h - the privileged instructions a Windows kernel image
 * executes, run in a Linux process.
 *
 * A driver image runs natively in the simulated kernel's process. What it
 * may not do in user space traps, and is emulated here against the
 * simulated machine (struct nt_cpu_ops):
 *
 *  - WRMSR, RDMSR, MOV to and from CR8, IN and OUT fault (SIGSEGV, #GP) on
 *    every host: the instruction at RIP is decoded, emulated, and RIP moves
 *    past it.
 *  - CPUID runs natively unless the host can make it fault
 *    (arch_prctl(ARCH_SET_CPUID, 0), not on every host).
 *  - VMCALL does not fault on every host (Intel under KVM returns -1 in
 *    user space) and VMMCALL faults as a page fault on the code address, so
 *    both hypercall instructions are always rewritten when an image is
 *    prepared.
 *
 * In NT_CPU_REWRITE mode nt_cpu_prepare_image also rewrites every CPUID, and
 * every other instruction listed above, so an image needs no host support
 * at all; in NT_CPU_FAULT mode only the hypercall instructions are
 * rewritten, and the rest must fault (an instruction that faults is
 * emulated in either mode). A rewritten instruction becomes UD2 (padded to
 * its length; a one-byte one becomes INT3); SIGILL (SIGTRAP) at a recorded
 * address emulates the original instruction. Instruction boundaries come
 * from a real decoder (Zydis), walking each function the image's .pdata
 * lists and the gaps between them (nt_cpu_section_code).
 *
 * Anything else that faults in an image (an access violation, UD2 the
 * image wrote itself, a privileged instruction with no emulation) goes to
 * ops->fault, which does not return.
 */
#ifndef WINPV_SIM_NT_CPU_H
#define WINPV_SIM_NT_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

enum nt_cpu_mode {
    NT_CPU_FAULT,   /* CPUID by host faulting, the others by their #GP */
    NT_CPU_REWRITE, /* every emulated instruction rewritten at load */
};

/* What a fault that nothing emulates looked like. */
struct nt_cpu_fault {
    int signo;          /* SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP */
    int code;           /* si_code */
    uint64_t rip;       /* the faulting instruction */
    uint64_t address;   /* si_addr: the data address of an access violation */
    const char *reason; /* a short description: "access violation", "privileged instruction", ... */
    ucontext_t *uc;     /* the registers at the fault, for a stack trace */
};

/*
 * The simulated machine. Every callback runs on the thread that executed
 * the instruction, inside its signal handler, with the faulting context
 * suspended; it may block (a hypercall waits for the hypervisor).
 */
struct nt_cpu_ops {
    /* CPUID leaf @leaf, subleaf @subleaf (ECX): out = EAX, EBX, ECX, EDX. */
    void (*cpuid)(void *ctx, uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
    /* MSR access; false raises #GP in the image (ops->fault). */
    bool (*rdmsr)(void *ctx, uint32_t msr, uint64_t *value);
    bool (*wrmsr)(void *ctx, uint32_t msr, uint64_t value);
    /* Port I/O of 1, 2 or 4 bytes. */
    uint32_t (*port_in)(void *ctx, uint16_t port, unsigned int bytes);
    void (*port_out)(void *ctx, uint16_t port, unsigned int bytes, uint32_t value);
    /* CR8 (the task priority: the IRQL). write_cr8 may run DPCs before it returns. */
    uint64_t (*read_cr8)(void *ctx);
    void (*write_cr8)(void *ctx, uint64_t value);
    /* VMCALL or VMMCALL: Xen's x86-64 convention, op in RAX, arguments in
     * RDI, RSI, RDX, R10, R8; the result goes to RAX. */
    int64_t (*hypercall)(void *ctx, uint64_t op, const uint64_t args[5]);
    /* Anything not emulated. Must not return. */
    void (*fault)(void *ctx, const struct nt_cpu_fault *fault);
    void *ctx;
};

/*
 * Install the signal handlers (SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP,
 * run on an alternate stack) and choose the mode. A fault whose RIP is not
 * in a prepared image is handed to the handler that was there before (the
 * sanitizers' report), so the simulator's own bugs stay visible. In
 * NT_CPU_FAULT mode CPUID faulting is switched on for the calling thread
 * and every thread it creates later (host code's own CPUID then still runs
 * natively, through the handler). Returns 0, -ENOTSUP when NT_CPU_FAULT is
 * asked for on a host that cannot make CPUID fault, or another negative
 * errno.
 *
 * It may be called again, while no image code runs, to change the mode and
 * the machine (images prepared before keep what was rewritten in theirs);
 * it also puts the handlers back in front of any installed since, chaining
 * to those.
 */
int nt_cpu_init(enum nt_cpu_mode mode, const struct nt_cpu_ops *ops);

/*
 * Give the calling thread the alternate signal stack the handlers run on
 * (driver stacks are 24 KiB, too small for a handler that makes a
 * hypercall). Every thread that runs image code calls it first (a second
 * call does nothing); thread_exit, not from a handler, frees it and puts back
 * the alternate stack the thread had before (the sanitizers free theirs at
 * thread exit). Returns 0 or a negative errno.
 */
int nt_cpu_thread_enter(void);
void nt_cpu_thread_exit(void);

/* Whether this host can make CPUID fault (NT_CPU_FAULT works). */
bool nt_cpu_cpuid_faulting_available(void);

/* A range of an image's code: one function, as .pdata lists it, or a gap
 * between functions. */
struct nt_code_range {
    uint32_t begin, end; /* RVAs, end exclusive */
};

/*
 * The code of one executable section of an image (@section, RVAs) as
 * nt_cpu_prepare_image should be given it: the functions .pdata lists
 * (@functions, any order; those outside the section are skipped) and every
 * gap between them. The gaps matter: a leaf function (no calls, no stack)
 * has no .pdata entry, and clang emits inline KeQueryInterruptTime and the
 * port I/O intrinsics as just such functions; lld pads between functions
 * with INT3 and NOPs, so a gap decodes as code, and each listed function
 * starts the decoder afresh at a known instruction boundary. Writes up to
 * @max ranges to @out (2 * count + 1 always suffice) and returns how many,
 * -ENOSPC when they do not fit, or -EINVAL when a function overlaps another
 * or the section's edge.
 */
int nt_cpu_section_code(struct nt_code_range section, const struct nt_code_range *functions,
                        size_t count, struct nt_code_range *out, size_t max);

/*
 * Rewrite image @base (@size bytes mapped writable) before it runs: the
 * hypercall instructions always, the other emulated instructions in
 * NT_CPU_REWRITE mode (a rewritten instruction becomes UD2 padded with
 * INT3 to its length; a one-byte one, IN or OUT with the port in DX, a lone
 * INT3), and every 64-bit immediate or displacement that points into the
 * KUSER_SHARED_DATA page (0xFFFFF78000000000) made to point into
 * @kuser_page (page-aligned) instead; so is every 8-byte-aligned value
 * outside the listed functions that points there (a pointer initialised to
 * the page, in .data). @functions lists the code to decode, in any order,
 * none overlapping another (nt_cpu_section_code makes the list for a
 * section); code outside every listed range is neither decoded nor
 * rewritten. Returns the number of instructions and constants changed, or a
 * negative errno, with nothing changed: -EILSEQ for an instruction the
 * decoder cannot read inside a listed range, -EEXIST when the image overlaps
 * one already prepared, -EINVAL for a range outside the image or
 * overlapping another.
 */
int nt_cpu_prepare_image(uint8_t *base, size_t size, const struct nt_code_range *functions,
                         size_t count, uint64_t kuser_page);

/* Forget an image's rewritten instructions (it was unloaded: none of its
 * code runs any more). A fault in its range is then no longer its. */
void nt_cpu_forget_image(uint8_t *base, size_t size);

/* Instructions emulated so far, by how they arrived (for tests). */
struct nt_cpu_stats {
    uint64_t faulted;   /* trapped natively (SIGSEGV) */
    uint64_t rewritten; /* reached through a rewritten UD2 (SIGILL) or INT3 */
    uint64_t cpuid, msr, port, cr8, hypercall;
};
void nt_cpu_get_stats(struct nt_cpu_stats *stats);

#endif /* WINPV_SIM_NT_CPU_H */
