/*
 * sim/guest/guest.h - run this process as a guest domain of winpv-simd.
 *
 * Attaching adopts the domain's memory (os_pages_alloc then hands out its
 * frames), routes os_hypercall and the I/O port functions to the daemon,
 * and starts a thread that delivers the domain's upcalls: the function set
 * with sim_guest_set_upcall runs in dispatch context (as XENBUS's interrupt
 * handler runs in a DPC on Windows) for each vCPU whose upcall was raised.
 *
 * Each thread that makes hypercalls gets its own connection, so a vCPU
 * blocked in SCHEDOP_block holds up no other thread. The calling thread is
 * vCPU 0 unless sim_guest_set_vcpu says otherwise.
 */
#ifndef WINPV_SIM_GUEST_H
#define WINPV_SIM_GUEST_H

#include <stdint.h>

typedef void (*sim_upcall_fn)(void *ctx, unsigned int vcpu);

/*
 * Attach to domain @domid of the daemon serving @run_dir (NULL:
 * $WINPV_SIM_DIR). One domain per process. Returns 0 or a negative XEN_E*.
 */
int sim_guest_attach(const char *run_dir, uint32_t domid);

/* Stop the upcall thread, close every connection, leave the domain's memory. */
void sim_guest_detach(void);

/*
 * Replace the upcall handler (NULL: upcalls are counted only). Returns once
 * the old handler is not running (unless called from the handler itself).
 */
void sim_guest_set_upcall(sim_upcall_fn fn, void *ctx);

/* Upcalls delivered so far. */
uint64_t sim_guest_upcalls(void);

/* The domain this process runs as (it changes when the domain is restored). */
uint32_t sim_guest_domid(void);

/* The vCPU the calling thread's hypercalls are made on. */
void sim_guest_set_vcpu(unsigned int vcpu);

#endif /* WINPV_SIM_GUEST_H */
