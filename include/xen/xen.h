/*
 * xen/xen.h - the core of the Xen guest ABI: hypercall numbers, domain ids,
 * virtual IRQs, and the shared_info page through which Xen signals events
 * and publishes time.
 */
#ifndef WINPV_XEN_XEN_H
#define WINPV_XEN_XEN_H

#include <stdint.h>

#include "arch-x86/xen.h"

/*
 * Hypercall numbers. The hypercall page holds one 32-byte stub per number;
 * the number also goes in RAX when a stub is not used.
 */
#define __HYPERVISOR_set_trap_table                0
#define __HYPERVISOR_mmu_update                    1
#define __HYPERVISOR_set_gdt                       2
#define __HYPERVISOR_stack_switch                  3
#define __HYPERVISOR_set_callbacks                 4
#define __HYPERVISOR_fpu_taskswitch                5
#define __HYPERVISOR_sched_op_compat               6 /* superseded by sched_op */
#define __HYPERVISOR_platform_op                   7
#define __HYPERVISOR_set_debugreg                  8
#define __HYPERVISOR_get_debugreg                  9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16 /* superseded by event_channel_op */
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19 /* superseded by physdev_op */
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_tmem_op                       38
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42

/* Numbers reserved for each architecture's own hypercalls. */
#define __HYPERVISOR_arch_0 48
#define __HYPERVISOR_arch_1 49
#define __HYPERVISOR_arch_2 50
#define __HYPERVISOR_arch_3 51
#define __HYPERVISOR_arch_4 52
#define __HYPERVISOR_arch_5 53
#define __HYPERVISOR_arch_6 54
#define __HYPERVISOR_arch_7 55

/* Operations of __HYPERVISOR_console_io(op, count, buffer). */
#define CONSOLEIO_write 0 /* write count bytes to Xen's console */
#define CONSOLEIO_read  1 /* read up to count bytes of input */

/*
 * Virtual IRQs, bound to event channels with EVTCHNOP_bind_virq. Per-vCPU
 * ones (TIMER, DEBUG, XENOPROF, XENPMU) are bound once on each vCPU; the
 * others are global and mostly of interest to dom0.
 */
#define VIRQ_TIMER      0  /* per vCPU: the single-shot timer expired */
#define VIRQ_DEBUG      1  /* per vCPU: dump debug state */
#define VIRQ_CONSOLE    2  /* dom0: input on the emergency console */
#define VIRQ_DOM_EXC    3  /* dom0: a domain hit an exceptional event */
#define VIRQ_TBUF       4  /* dom0: trace buffer has records */
#define VIRQ_DEBUGGER   6  /* dom0: a domain paused for the debugger */
#define VIRQ_XENOPROF   7  /* per vCPU: profiling sample ready */
#define VIRQ_CON_RING   8  /* dom0: console ring has bytes */
#define VIRQ_PCPU_STATE 9  /* dom0: a physical CPU changed state */
#define VIRQ_MEM_EVENT  10 /* dom0: a memory event occurred */
#define VIRQ_ARGO       11 /* Argo message notification */
#define VIRQ_ENOMEM     12 /* dom0: Xen is short of heap memory */
#define VIRQ_XENPMU     13 /* per vCPU: performance counter interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* A domain id. Ordinary domains are numbered below DOMID_FIRST_RESERVED. */
typedef uint16_t domid_t;

#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U /* the calling domain */
#define DOMID_IO             0x7FF1U /* owner of I/O memory (privileged callers only) */
#define DOMID_XEN            0x7FF2U /* Xen itself, owner of its shared pages */
#define DOMID_COW            0x7FF3U /* owner of shared copy-on-write pages */
#define DOMID_INVALID        0x7FF4U /* an unknown or absent owner */
#define DOMID_IDLE           0x7FFFU /* the idle domain */
#define DOMID_MASK           0x7FFFU /* the bits a domain id may use */

DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(char);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);

/*
 * Per-vCPU time, updated by Xen. Read it like a seqlock: read version,
 * the fields, then version again; retry if the two differ or are odd (an
 * update was in progress). The current system time in nanoseconds is
 *   system_time + ((((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32)
 * where a negative tsc_shift shifts right.
 */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC when the fields were last set */
    uint64_t system_time;       /* nanoseconds since the domain booted */
    uint32_t tsc_to_system_mul; /* TSC ticks to ns, a 32.32 fixed-point factor */
    int8_t tsc_shift;           /* applied to the TSC delta before scaling */
    uint8_t flags;              /* XEN_PVCLOCK_* */
    uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;

#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* the TSC is the same on all vCPUs */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* the guest was paused meanwhile */

/*
 * What Xen shares with one vCPU. Xen sets evtchn_upcall_pending and a bit
 * in evtchn_pending_sel (one per word of shared_info.evtchn_pending) when a
 * 2-level event becomes pending; the guest clears the flag before it scans,
 * so an event that arrives during the scan raises it again.
 */
struct vcpu_info {
    uint8_t evtchn_upcall_pending;
    uint8_t evtchn_upcall_mask; /* PV: non-zero blocks upcalls to this vCPU */
    xen_ulong_t evtchn_pending_sel;
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;

/*
 * The page Xen and the guest share (mapped with XENMAPSPACE_shared_info).
 * evtchn_pending and evtchn_mask are the 2-level event channel bitmaps:
 * one bit per port, 64 words of 64 bits. Wall-clock time (seconds since
 * 1970 when the system time was zero) follows the same version protocol
 * as vcpu_time_info, with wc_version.
 */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8];
    xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi; /* bits 63:32 of the seconds */
    struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;

#endif /* WINPV_XEN_XEN_H */
