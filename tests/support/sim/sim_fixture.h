/*
 * tests/support/sim/sim_fixture.h - a test process as toolstack, dom0 and guest of
 * one winpv-simd: the daemon started in a fresh run directory, one domain
 * created, this process attached as its guest.
 */
#ifndef WINPV_TESTS_SIM_FIXTURE_H
#define WINPV_TESTS_SIM_FIXTURE_H

#include <pthread.h>
#include <stdint.h>

#include "simd.h"

struct sim_fixture {
    struct simd simd;
    uint32_t domid;
    struct sim_conn evtchn; /* a dom0 event-channel handle */
    int evtchn_fd;          /* its event stream */
    struct sim_conn gnttab; /* a dom0 grant handle */
    struct sim_conn privcmd;
};

extern struct sim_fixture fx;

int sim_fixture_setup(void **state);
int sim_fixture_teardown(void **state);

/* A dom0 call on @conn; returns the reply's error. */
int dom0_call(struct sim_conn *conn, uint32_t type, const union sim_request_body *body,
              struct sim_reply *reply);

/* The next port on the dom0 handle's event stream, or -1 if none within @ms. */
int dom0_next_event(int ms);

/* An EVTCHNOP_* hypercall from the guest. */
int64_t evtchn_op(uint32_t cmd, void *arg);

/* Wait (up to a second) until the guest has seen @count upcalls in all. */
void wait_for_upcalls(uint64_t count);

/* Dom0 signals its port; dom0 unmasks its port for its handle. */
void dom0_notify(uint32_t dom0_port);
void dom0_unmask(uint32_t dom0_port);

/*
 * Dom0's handle binds to the guest's unbound @guest_port; returns dom0's
 * port, the binding's own first event drained and the port unmasked.
 */
uint32_t dom0_bind_to_guest(uint32_t guest_port);

/*
 * A fresh guest port that dom0's handle bound; returns the guest's port and
 * dom0's in *dom0_port, with binding's own first event already drained.
 */
uint32_t connect_to_dom0(uint32_t *dom0_port);

/*
 * The guest suspends itself: a new thread makes SCHEDOP_shutdown(suspend)
 * and stays in it until the toolstack restores or resumes the domain.
 * Returns that thread once dom0 sees the domain suspended.
 */
pthread_t guest_suspend_start(void);

/* Join the thread; the hypercall's result (0: restored as a new domain; 1: cancelled). */
int64_t guest_suspend_end(pthread_t vcpu);

/*
 * Suspend, save to @image, restore as a new domain (the guest moves there)
 * and destroy the old one; fx.domid is then the new domain.
 */
void guest_migrate(const char *image);

/* A pointer to byte @offset of the domain's memory file, mapped in this process. */
void *domain_memory_at(uint64_t offset);

#endif /* WINPV_TESTS_SIM_FIXTURE_H */
