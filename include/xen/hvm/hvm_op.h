/*
 * xen/hvm/hvm_op.h - __HYPERVISOR_hvm_op: operations of HVM guests.
 */
#ifndef WINPV_XEN_HVM_HVM_OP_H
#define WINPV_XEN_HVM_HVM_OP_H

#include <stdint.h>

#include "../xen.h"

#define HVMOP_set_param                0  /* struct xen_hvm_param */
#define HVMOP_get_param                1  /* struct xen_hvm_param */
#define HVMOP_pagetable_dying          9  /* struct xen_hvm_pagetable_dying */
#define HVMOP_set_evtchn_upcall_vector 23 /* struct xen_hvm_evtchn_upcall_vector */

/* Reads or writes parameter index (HVM_PARAM_*) of domid. */
struct xen_hvm_param {
    domid_t domid; /* DOMID_SELF for the caller */
    uint16_t pad;
    uint32_t index;
    uint64_t value;
};
typedef struct xen_hvm_param xen_hvm_param_t;

/* Tells Xen the page table at guest physical address gpa is going away. */
struct xen_hvm_pagetable_dying {
    domid_t domid;
    uint16_t pad[3];
    uint64_t gpa;
};
typedef struct xen_hvm_pagetable_dying xen_hvm_pagetable_dying_t;

/*
 * Delivers vcpu's event upcalls as interrupt vector on that vCPU, in
 * preference to HVM_PARAM_CALLBACK_IRQ. Set it on every vCPU.
 */
struct xen_hvm_evtchn_upcall_vector {
    uint32_t vcpu;
    uint8_t vector;
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;

#endif /* WINPV_XEN_HVM_HVM_OP_H */
