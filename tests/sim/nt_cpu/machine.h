/*
 * tests/sim/nt_cpu/machine.h - the simulated machine the tests hand sim/nt/cpu:
 * it answers with values no host produces and remembers what it was asked.
 * A fault in an image comes back to the test through machine_run.
 */
#ifndef WINPV_TESTS_NTCPU_MACHINE_H
#define WINPV_TESTS_NTCPU_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "nt/cpu/cpu.h"

/* CPUID leaf 0x40000000: Xen's signature, "XenVMMXenVMM". */
#define MACHINE_XEN_LEAF                 0x40000000u
#define MACHINE_XEN_MAX_LEAF             0x40000002u
#define MACHINE_XEN_EBX                  0x566e6558u /* "XenV" */
#define MACHINE_XEN_ECX                  0x65584d4du /* "MMXe" */
#define MACHINE_XEN_EDX                  0x4d4d566eu /* "nVMM" */
/* Another leaf answers with values made from its inputs. */
#define MACHINE_CPUID_EAX(leaf, subleaf) ((leaf) ^ 0xa5a5a5a5u)
#define MACHINE_CPUID_EBX(leaf, subleaf) ((subleaf) ^ 0x5a5a5a5au)
#define MACHINE_CPUID_ECX(leaf, subleaf) (~(leaf))
#define MACHINE_CPUID_EDX(leaf, subleaf) ((leaf) + (subleaf))

/* The one MSR the machine has (Xen's hypercall page MSR, as readable). */
#define MACHINE_MSR       0x40000000u
#define MACHINE_MSR_VALUE 0xfedcba9876543210ull

/* IN from port P answers MACHINE_PORT_VALUE ^ P (all 32 bits). */
#define MACHINE_PORT_VALUE 0xa1b2c3d4u

/* Hypercall op N answers MACHINE_HYPERCALL_RESULT(N). */
#define MACHINE_HYPERCALL_RESULT(op) ((int64_t)(op) * -3)

struct machine {
    unsigned int calls; /* callbacks run */
    bool off_alt_stack; /* a callback ran off the thread's alternate stack */
    uint32_t cpuid_leaf, cpuid_subleaf;
    uint32_t msr;
    uint64_t msr_written;
    uint16_t port;
    unsigned int port_bytes;
    uint32_t port_written;
    uint64_t cr8; /* what CR8 reads give */
    uint64_t cr8_written;
    uint64_t hypercall_op, hypercall_args[5];
    struct nt_cpu_fault fault; /* the last one (uc cleared) */
    unsigned int faults;
};

extern struct machine machine;

/* The callbacks, reading and writing `machine`. */
const struct nt_cpu_ops *machine_ops(void);

/* Forgets what the machine was asked. */
void machine_reset(void);

/* Runs @run(@arg); true when it returned, false when the image faulted
 * (machine.fault says how). */
bool machine_run(void (*run)(void *arg), void *arg);

/* From now on a fault ends the process with this status (a forked child). */
void machine_exit_on_fault(int status);

#endif /* WINPV_TESTS_NTCPU_MACHINE_H */
