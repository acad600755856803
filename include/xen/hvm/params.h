/*
 * xen/hvm/params.h - HVM parameters (HVMOP_get_param, HVMOP_set_param): how
 * an HVM guest finds xenstore and the console, and how it asks for event
 * upcalls.
 */
#ifndef WINPV_XEN_HVM_PARAMS_H
#define WINPV_XEN_HVM_PARAMS_H

#include "hvm_op.h"

/*
 * How vCPU 0's event upcalls are delivered; 0 turns them off. Bits 63:56
 * hold a HVM_PARAM_CALLBACK_TYPE_*, the rest depends on the type.
 */
#define HVM_PARAM_CALLBACK_IRQ            0
#define HVM_PARAM_CALLBACK_IRQ_TYPE_MASK  0xFF00000000000000ULL
#define HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT 56

/* Bits 55:0 are a GSI, not 0 (which would read as "off"). */
#define HVM_PARAM_CALLBACK_TYPE_GSI      0
/* A PCI INTx line: domain in bits 47:32, bus 31:16, devfn 15:8, INTx pin 1:0. */
#define HVM_PARAM_CALLBACK_TYPE_PCI_INTX 1
/* Bits 7:0 are an interrupt vector; needs XENFEAT_hvm_callback_vector. */
#define HVM_PARAM_CALLBACK_TYPE_VECTOR   2

/* Where the toolstack put the xenstore ring (a guest frame) and its port. */
#define HVM_PARAM_STORE_PFN    1
#define HVM_PARAM_STORE_EVTCHN 2

/* Where the toolstack put the PV console ring (a guest frame) and its port. */
#define HVM_PARAM_CONSOLE_PFN    17
#define HVM_PARAM_CONSOLE_EVTCHN 18

#endif /* WINPV_XEN_HVM_PARAMS_H */
