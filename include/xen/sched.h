/*
 * xen/sched.h - __HYPERVISOR_sched_op: yield, block, poll and shut down.
 */
#ifndef WINPV_XEN_SCHED_H
#define WINPV_XEN_SCHED_H

#include <stdint.h>

#include "event_channel.h"

#define SCHEDOP_yield           0 /* give up the CPU; no argument */
#define SCHEDOP_block           1 /* sleep until an event is pending; no argument */
#define SCHEDOP_shutdown        2 /* struct sched_shutdown */
#define SCHEDOP_poll            3 /* struct sched_poll */
#define SCHEDOP_remote_shutdown 4 /* struct sched_remote_shutdown */
#define SCHEDOP_shutdown_code   5 /* struct sched_shutdown: record the reason only */
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

/* Stops the calling domain for reason (SHUTDOWN_*). */
struct sched_shutdown {
    uint32_t reason;
};
typedef struct sched_shutdown sched_shutdown_t;

/*
 * Blocks until one of nr_ports ports is pending or until timeout (system
 * time in ns; 0 means none).
 */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;
    uint32_t nr_ports;
    uint64_t timeout;
};
typedef struct sched_poll sched_poll_t;

/* Shuts down another domain (privileged). */
struct sched_remote_shutdown {
    domid_t domain_id;
    uint32_t reason; /* SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;

/* Why a domain stopped; the toolstack acts on it. */
#define SHUTDOWN_poweroff   0 /* destroy the domain */
#define SHUTDOWN_reboot     1 /* restart it */
#define SHUTDOWN_suspend    2 /* save it (suspend, migration); the call returns on resume */
#define SHUTDOWN_crash      3 /* it crashed */
#define SHUTDOWN_watchdog   4 /* its watchdog expired */
#define SHUTDOWN_soft_reset 5 /* reset its state but keep its memory (kexec) */
#define SHUTDOWN_MAX        5

#endif /* WINPV_XEN_SCHED_H */
