/*
 * sim/nt/kernel.h - the simulated Windows kernel's own model, shared by its
 * parts (not by drivers: they see only the exports).
 *
 * Threads. Every thread that runs driver code is an nt_thread: GS points
 * at its processor control region, whose CurrentThread (gs:0x188) names
 * the thread and whose processor number (gs:0x184) is the vCPU it runs
 * on, and it carries its IRQL. A thread at DISPATCH_LEVEL or above
 * owns a vCPU, as a Windows thread at that level owns its processor: no
 * other thread runs at or above DISPATCH_LEVEL on that vCPU until it
 * lowers, so per-processor data needs no lock there, as on Windows. DPCs
 * run on one thread per vCPU that takes the vCPU to run them.
 *
 * Lock order: a vCPU, then dispatcher_lock (objects and waits), then
 * pool_lock, then the I/O manager's locks. The memory manager's lists
 * (mm_*.c, held.c) are taken alone, never with another.
 */
#ifndef WINPV_SIM_NT_KERNEL_H
#define WINPV_SIM_NT_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ntabi.h"

#define NT_MAX_VCPUS         8
#define NT_PCR_SELF          0x018 /* KPCR.Self */
#define NT_PCR_PRCB          0x020 /* KPCR.CurrentPrcb */
#define NT_PCR_PRCB_START    0x180 /* KPCR.Prcb, the processor block within it */
#define NT_PCR_NUMBER        0x184 /* KPCR.Prcb.Number: KeGetCurrentProcessorNumber reads it inline */
#define NT_PCR_THREAD        0x188 /* KPCR.Prcb.CurrentThread on x64 */
/* The kernel's own, where Windows keeps nothing a driver reads (stack_switch.S). */
#define NT_PCR_HOST_RSP      0x800 /* where the kernel's code goes on when a driver calls it */
#define NT_PCR_DRIVER_RSP    0x808 /* where a driver's code goes on when the kernel calls it */
#define NT_PCR_ON_DRIVER     0x810 /* 1 while the thread runs on its driver stack */
#define NT_PCR_CALLER        0x818 /* the driver's return address of the kernel call running */
/* Windows x64's kernel stack (KERNEL_STACK_SIZE), with a guard page below. */
#define NT_DRIVER_STACK_SIZE (24 * 1024)
#define NT_PCR_SIZE          0x1000
/*
 * In a kernel function: the driver code that called it. A driver's call
 * goes through nt_export_thunk, which notes it; a call from a driver image
 * straight is its own return address.
 */
#define NT_CALLER            nt_caller((uint64_t)(uintptr_t)__builtin_return_address(0))

/*
 * A thread is a dispatcher object, as a KTHREAD is: KeGetCurrentThread
 * (gs:0x188) names the header, which is signalled when the thread ends
 * (only threads PsCreateSystemThread made end while the kernel runs).
 */
struct nt_thread {
    DISPATCHER_HEADER header; /* first, as in a KTHREAD: Type NT_THREAD */
    uint64_t id;              /* PsGetCurrentThreadId: a multiple of 4, as Windows gives them */
    uint8_t pcr[NT_PCR_SIZE]; /* GS base: the processor control region as the thread sees it */
    const char *name;
    KIRQL irql;
    int vcpu;                /* owned while irql >= DISPATCH_LEVEL, else -1 */
    unsigned int ideal_vcpu; /* the vCPU taken at DISPATCH_LEVEL */
    unsigned int spinlocks;  /* spinlocks held */
    KIRQL interrupt_irql;    /* in a service routine: the interrupt's IRQL, else 0 */
    uint8_t *driver_stack;   /* its guard page, then NT_DRIVER_STACK_SIZE for driver code */
    bool system;             /* a thread of the kernel's own (DPCs, PnP) */
    LIST_ENTRY mutexes;      /* the KMUTEXes it owns, by MutantListEntry; nt_dispatcher_lock */
};

/* Make the calling pthread a kernel thread (GS, IRQL PASSIVE). */
int nt_thread_enter(struct nt_thread *thread, const char *name, unsigned int ideal_vcpu);
void nt_thread_exit(struct nt_thread *thread);
struct nt_thread *nt_current(void);

/* The driver stack (stack.c): made and freed with the thread. */
int nt_stack_create(struct nt_thread *thread);
void nt_stack_destroy(struct nt_thread *thread);
/* Whether @address is the calling thread's driver stack guard page (an overflow). */
bool nt_stack_guard_hit(uint64_t address);
/* Whether [@address, @address + @length) is the calling thread's driver stack. */
bool nt_stack_holds(uint64_t address, size_t length);
/*
 * Call @fn(a1, a2, a3, a4), Microsoft x64 convention: driver code on the
 * driver stack, the kernel's own on the host stack. Returns rax.
 */
uint64_t nt_driver_call(const void *fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
/* As nt_driver_call, for a driver function of six arguments. */
uint64_t nt_driver_call6(const void *fn, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                         uint64_t a5, uint64_t a6);
/* Whether @address lies in a loaded driver image. */
bool nt_image_of(const void *address);

static inline uint64_t nt_caller(uint64_t return_address)
{
    uint64_t noted = 0;

    if (nt_image_of((const void *)(uintptr_t)return_address))
        return return_address;
    __asm__("mov %%gs:%c1, %0" : "=r"(noted) : "i"(NT_PCR_CALLER));
    return noted ? noted : return_address;
}

/* IRQL changes, with the checks Windows makes (a bugcheck when wrong). */
KIRQL nt_irql(void);
KIRQL nt_raise_irql(KIRQL irql, uint64_t caller);
void nt_lower_irql(KIRQL irql, uint64_t caller);
/*
 * A service routine runs on @thread as vCPU @vcpu at @irql without taking
 * the vCPU (an interrupt preempts its owner); leave restores PASSIVE_LEVEL.
 */
void nt_interrupt_enter(struct nt_thread *thread, unsigned int vcpu, KIRQL irql);
void nt_interrupt_leave(struct nt_thread *thread);
/* Raise line @line for @vcpu: run the connected service routines; how many claimed it. */
unsigned int nt_interrupt_raise(uint32_t line, unsigned int vcpu);
/* Interrupts whose service routine lies in [base, base + size). */
size_t nt_interrupts_connected_in(uint64_t base, uint64_t size);

/* Spinlocks as KeAcquireSpinLockAtDpcLevel takes them (owner checked, counted). */
void nt_spinlock_acquire(KSPIN_LOCK *lock, uint64_t caller);
void nt_spinlock_release(KSPIN_LOCK *lock, uint64_t caller);

/*
 * A crash: the calling thread, at HIGH_LEVEL, takes every other vCPU (each
 * is taken as its owner gives it up) and no interrupt is delivered any
 * more, so nothing at DISPATCH_LEVEL or above runs but the caller. There
 * is no way back: the machine ends after. Threads at PASSIVE_LEVEL go on.
 */
void nt_machine_freeze(void);
extern volatile int nt_machine_frozen;

void nt_vcpus_init(unsigned int count);
unsigned int nt_vcpu_count(void);
unsigned int nt_current_vcpu(void);

/*
 * The verifier: a DDI called wrongly. Prints what was wrong, with the
 * driver's calling address symbolized, and bugchecks
 * (DRIVER_VERIFIER_DETECTED_VIOLATION, 0xC4) with @rule as parameter 1.
 */
enum nt_verifier_rule {
    NT_VERIFY_IRQL = 0x1000, /* a DDI above its documented IRQL */
    NT_VERIFY_WAIT_AT_DISPATCH = 0x1001,
    NT_VERIFY_SPINLOCK_HELD = 0x1002, /* a spinlock held on return to the kernel */
    NT_VERIFY_IRP_COMPLETED_TWICE = 0x1003,
    NT_VERIFY_IRP_NOT_COMPLETED = 0x1004,
    NT_VERIFY_POOL_LEAK = 0x1005,
    NT_VERIFY_POOL_CORRUPTION = 0x1006,
    NT_VERIFY_ARGUMENT = 0x1007, /* an argument the documentation forbids */
};
__attribute__((noreturn, format(printf, 3, 4))) void
nt_verifier_fail(enum nt_verifier_rule rule, uint64_t caller, const char *fmt, ...);

/* Check that the caller runs at or below @max (a documented IRQL bound). */
void nt_require_irql(KIRQL max, uint64_t caller, const char *function);

/* Stop the machine: report @code and its parameters with the stack from @stack, then exit. */
struct nt_frame;
__attribute__((noreturn)) void nt_bugcheck_at(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3,
                                              uint64_t p4, uint64_t caller, struct nt_frame stack);
/* Stop the machine: report @code and its parameters with the caller's stack, then exit. */
__attribute__((noreturn)) void nt_bugcheck(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3,
                                           uint64_t p4, uint64_t caller);

/* Describe @address as image+offset (function, file:line from the PDB). */
void nt_describe_address(uint64_t address, char *out, size_t size);

/* The kernel log: what drivers print, and what the kernel says. */
__attribute__((format(printf, 1, 2))) void nt_log(const char *fmt, ...);
void nt_log_open(const char *path); /* NULL: stderr */

/* Dispatcher objects (events, timers): one lock and one condition. */
extern pthread_mutex_t nt_dispatcher_lock;
void nt_dispatcher_signal_locked(void); /* wake every waiter to look again */
/* A wait takes @mutex if it is free or the caller's (ke_mutex.c); whether it did. Locked. */
bool nt_mutex_try_acquire_locked(KMUTANT *mutex);
/*
 * @thread ends: a kernel mutex it still owns stops the machine
 * (THREAD_TERMINATE_HELD_MUTEX), the driver's @code (its start routine)
 * named, as Windows stops when such a thread exits.
 */
void nt_mutexes_check_released(struct nt_thread *thread, uint64_t code);

/*
 * Pool. nt_pool_alloc is ExAllocatePoolWithTag, checks and fault injection
 * included; nt_pool_alloc_block only allocates, for a kernel function that
 * checked and counted its own allocation (MmAllocatePagesForMdlEx's MDL).
 */
void *nt_pool_alloc(uint32_t pool_type, size_t size, uint32_t tag, uint64_t caller);
void *nt_pool_alloc_block(uint32_t pool_type, size_t size, uint32_t tag, uint64_t caller);
void nt_pool_free(void *p, uint32_t tag, bool check_tag, uint64_t caller);
/* Whether @va lies in a block of paged pool. */
bool nt_pool_is_paged(const void *va);
/* Whether @length bytes at @va lie within the bytes a driver asked of one live pool block. */
bool nt_pool_holds(const void *va, uint64_t length);
/* Allocations still outstanding by an image's code; each printed. */
size_t nt_pool_report_leaks(uint64_t image_base, uint64_t image_size);

/*
 * Fault injection over every allocation a driver can see fail (pool, MDLs,
 * pages, mappings): each counts one, and the @n-th from now fails
 * (1: the next; 0: none); with @image (a module's file name, as
 * "xenvbd.sys"), only allocations asked for by code in that image count,
 * so that one driver's are swept whatever the others do meanwhile.
 * nt_alloc_fails counts one asked for by @caller and says whether it is
 * to fail, logged with @what.
 */
void nt_pool_fail_nth(uint64_t n, const char *image);
uint64_t nt_pool_allocations(void);
bool nt_alloc_fails(const char *what, uint64_t caller);

/* I/O space an image's code mapped and did not unmap; each printed. */
size_t nt_iospace_report_leaks(uint64_t image_base, uint64_t image_size);

/*
 * MDLs and the pages they describe (mm_*.c). What an image's code still
 * holds at its unload is printed, each item, and counted: MDLs of
 * IoAllocateMdl, MDL mappings, pages of MmAllocatePagesForMdlEx, contiguous
 * memory.
 */
size_t nt_mdl_report_leaks(uint64_t image_base, uint64_t image_size);
size_t nt_mdl_mappings_report_leaks(uint64_t image_base, uint64_t image_size);
size_t nt_mdl_pages_report_leaks(uint64_t image_base, uint64_t image_size);
size_t nt_contiguous_report_leaks(uint64_t image_base, uint64_t image_size);
/* The guest-physical address behind @va in an MDL mapping, or 0. */
uint64_t nt_mdl_mapping_physical(const void *va);

/* Guest-physical address of @va (guest memory or an MDL mapping), or 0 when it has none. */
uint64_t nt_physical_address(const void *va);

/* Whether @length bytes at @start lie within the @size bytes at @base. */
static inline bool nt_range_within(const void *start, uint64_t length, const void *base,
                                   uint64_t size)
{
    uintptr_t offset = (uintptr_t)start - (uintptr_t)base;

    return (uintptr_t)start >= (uintptr_t)base && offset <= size && length <= size - offset;
}

/* DPCs: one queue and thread per vCPU. */
int nt_dpc_start(void);
void nt_dpc_stop(void);
/* Queue @dpc (KeInsertQueueDpc); false when it was queued already. Any IRQL. */
bool nt_dpc_queue(KDPC *dpc, void *a1, void *a2, uint64_t caller);

/* Timers: one thread fires them. */
int nt_timers_start(void);
void nt_timers_stop(void);
/* Timers still set whose object or DPC routine lies in [base, base + size): taken off, counted. */
size_t nt_timers_set_in(uint64_t base, uint64_t size);

/* System worker threads (ExQueueWorkItem). */
int nt_workers_start(void);
void nt_workers_stop(void);
/* Queue @item to them (ExQueueWorkItem's work, its IRQL checked by the caller). */
void nt_work_enqueue(WORK_QUEUE_ITEM *item, uint64_t caller);

/* Time in 100 ns units: since boot (interrupt time) and since 1601 (system time). */
uint64_t nt_interrupt_time(void);
uint64_t nt_system_time(void);

#endif /* WINPV_SIM_NT_KERNEL_H */
