/* tests/support/sim/sim_fixture.c - see sim_fixture.h. */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/sched.h>
#include <xen/xen.h>

#include "fdpass.h"
#include "guest.h"
#include "os.h"
#include "sim_fixture.h"

/* 64 MiB: room for a disk's copy pools (a few MiB a queue) beside the tests' own pages. */
#define GUEST_PAGES 16384

struct sim_fixture fx;
static uint8_t *memory;
static uint64_t memory_size;

int dom0_call(struct sim_conn *conn, uint32_t type, const union sim_request_body *body,
              struct sim_reply *reply)
{
    struct sim_request req = {.type = type};

    if (body)
        req.body = *body;
    return sim_call(conn, &req, reply, NULL);
}

int dom0_next_event(int ms)
{
    struct pollfd p = {.fd = fx.evtchn_fd, .events = POLLIN};
    uint32_t port;

    if (poll(&p, 1, ms) != 1 || read(fx.evtchn_fd, &port, sizeof(port)) != sizeof(port))
        return -1;
    return (int)port;
}

int64_t evtchn_op(uint32_t cmd, void *arg)
{
    return os_hypercall2(__HYPERVISOR_event_channel_op, cmd, (uint64_t)(uintptr_t)arg);
}

void wait_for_upcalls(uint64_t count)
{
    for (int i = 0; i < 500 && sim_guest_upcalls() < count; i++)
        usleep(2000);
}

void dom0_notify(uint32_t dom0_port)
{
    union sim_request_body body = {.port.port = dom0_port};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_NOTIFY, &body, &reply), 0);
}

void dom0_unmask(uint32_t dom0_port)
{
    union sim_request_body body = {.port.port = dom0_port};
    struct sim_reply reply;

    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_UNMASK, &body, &reply), 0);
}

uint32_t dom0_bind_to_guest(uint32_t guest_port)
{
    union sim_request_body body = {0};
    struct sim_reply reply;
    uint32_t dom0_port;

    body.bind.remote_domid = fx.domid;
    body.bind.remote_port = guest_port;
    assert_int_equal(dom0_call(&fx.evtchn, SIM_EVTCHN_BIND_INTERDOMAIN, &body, &reply), 0);
    dom0_port = reply.body.port.port;
    /* Binding marks the new dom0 port pending: drain that first event. */
    assert_int_equal(dom0_next_event(1000), (int)dom0_port);
    dom0_unmask(dom0_port);
    return dom0_port;
}

uint32_t connect_to_dom0(uint32_t *dom0_port)
{
    struct evtchn_alloc_unbound alloc = {.dom = DOMID_SELF, .remote_dom = 0};

    assert_int_equal(evtchn_op(EVTCHNOP_alloc_unbound, &alloc), 0);
    *dom0_port = dom0_bind_to_guest(alloc.port);
    return alloc.port;
}

static void *suspend_vcpu(void *unused)
{
    struct sched_shutdown reason = {.reason = SHUTDOWN_suspend};

    return (void *)(intptr_t)os_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
                                           (uint64_t)(uintptr_t)&reason);
}

pthread_t guest_suspend_start(void)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    pthread_t vcpu;

    assert_int_equal(pthread_create(&vcpu, NULL, suspend_vcpu, NULL), 0);
    for (int i = 0; i < 500; i++) {
        assert_int_equal(dom0_call(&fx.privcmd, SIM_DOMAIN_INFO, &body, &reply), 0);
        if (reply.body.info.flags & SIM_DOMINFO_SHUTDOWN)
            return vcpu;
        usleep(2000);
    }
    fail_msg("domain %u did not suspend", fx.domid);
    return vcpu;
}

int64_t guest_suspend_end(pthread_t vcpu)
{
    void *result;

    pthread_join(vcpu, &result);
    return (int64_t)(intptr_t)result;
}

void guest_migrate(const char *image)
{
    union sim_request_body body = {.domid.domid = fx.domid};
    struct sim_reply reply;
    uint32_t restored;
    pthread_t vcpu = guest_suspend_start();

    assert_int_equal(simd_domain_save(&fx.simd, fx.domid, image), 0);
    assert_int_equal(simd_domain_restore(&fx.simd, image, &restored), 0);
    assert_int_equal(guest_suspend_end(vcpu), 0);
    assert_int_equal(sim_guest_domid(), restored);
    assert_int_equal(dom0_call(&fx.simd.toolstack, SIM_DOMAIN_DESTROY, &body, &reply), 0);
    fx.domid = restored;
}

void *domain_memory_at(uint64_t offset)
{
    return offset < memory_size ? memory + offset : NULL;
}

static int map_domain_memory(void)
{
    struct sim_request req = {.type = SIM_DOMAIN_MEMORY};
    struct sim_reply reply;
    int fds[SIM_MAX_REPLY_FDS];

    req.body.domid.domid = fx.domid;
    if (sim_call(&fx.privcmd, &req, &reply, fds) != 0 || fds[0] < 0)
        return -1;
    memory_size = reply.body.memory.size;
    memory = mmap(NULL, memory_size, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
    sim_close_fds(fds, SIM_MAX_REPLY_FDS);
    return memory == MAP_FAILED ? -1 : 0;
}

int sim_fixture_setup(void **state)
{
    int fds[SIM_MAX_REPLY_FDS];

    fx.evtchn.fd = fx.gnttab.fd = fx.privcmd.fd = fx.evtchn_fd = -1;
    if (simd_start(&fx.simd) != 0)
        return -1;
    if (simd_domain_create(&fx.simd, GUEST_PAGES, 2, &fx.domid) != 0 ||
        sim_connect(&fx.evtchn, fx.simd.dir, SIM_ROLE_EVTCHN, 0, fds) != 0)
        goto fail;
    fx.evtchn_fd = fds[0];
    if (sim_connect(&fx.gnttab, fx.simd.dir, SIM_ROLE_GNTTAB, 0, NULL) != 0 ||
        sim_connect(&fx.privcmd, fx.simd.dir, SIM_ROLE_PRIVCMD, 0, NULL) != 0 ||
        sim_guest_attach(fx.simd.dir, fx.domid) != 0 || map_domain_memory() != 0)
        goto fail;
    return 0;
fail:
    fprintf(stderr, "sim fixture: set-up failed; run directory %s\n", fx.simd.dir);
    sim_fixture_teardown(state);
    return -1;
}

int sim_fixture_teardown(void **state)
{
    sim_guest_detach();
    if (memory && memory != MAP_FAILED)
        munmap(memory, memory_size);
    memory = NULL;
    sim_disconnect(&fx.evtchn);
    if (fx.evtchn_fd >= 0)
        close(fx.evtchn_fd);
    sim_disconnect(&fx.gnttab);
    sim_disconnect(&fx.privcmd);
    return simd_stop(&fx.simd);
}
