/* tests/vbd/front/hostile_backend.c - see hostile_backend.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include <xen/io/xenbus.h>
#include <blkif/nodes.h>

#include "support/gnttab/backend.h"
#include "support/sim/sim_fixture.h"
#include "support/vbd/front_fixture.h"
#include "hostile_backend.h"
#include "xenstore/number.h"

static void write_in(const char *dir, const char *node, const char *value)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", dir, node);
    store_write(path, value);
}

static const char *read_in(const char *dir, const char *node)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", dir, node);
    return store_read(path);
}

/* @dir owned by @owner, readable by @reader. */
static void make_dir(const char *dir, uint32_t owner, uint32_t reader)
{
    struct xs_permissions perms[] = {{.id = owner, .perms = XS_PERM_NONE},
                                     {.id = reader, .perms = XS_PERM_READ}};

    assert_true(xs_mkdir(store.xsh, XBT_NULL, dir));
    assert_true(xs_set_permissions(store.xsh, XBT_NULL, dir, perms, 2));
}

static void write_nodes(const char *dir, const char *const *nodes)
{
    for (unsigned int i = 0; nodes && nodes[i]; i += 2)
        write_in(dir, nodes[i], nodes[i + 1]);
}

static void *open_frontend(void *arg)
{
    struct hostile *h = arg;

    h->open_rc = vbd_front_open(&svc, VDEV_ID, &h->opt, &h->front);
    __atomic_store_n(&h->opened, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

void hostile_start(struct hostile *h, const char *const *nodes, const struct vbd_front_options *opt)
{
    char id[16];

    memset(h, 0, sizeof(*h));
    snprintf(h->backend_path, sizeof(h->backend_path), "/local/domain/0/backend/vbd/%u/%u",
             fx.domid, VDEV);
    snprintf(h->frontend_path, sizeof(h->frontend_path), "/local/domain/%u/device/vbd/%u", fx.domid,
             VDEV);
    snprintf(id, sizeof(id), "%u", fx.domid);
    make_dir(h->backend_path, 0, fx.domid);
    write_in(h->backend_path, "frontend", h->frontend_path);
    write_in(h->backend_path, "frontend-id", id);
    write_nodes(h->backend_path, nodes);
    write_in(h->backend_path, "state", "2"); /* InitWait */
    make_dir(h->frontend_path, fx.domid, 0);
    write_in(h->frontend_path, "backend", h->backend_path);
    write_in(h->frontend_path, "backend-id", "0");
    write_in(h->frontend_path, BLKIF_NODE_VIRTUAL_DEVICE, VDEV_ID);
    write_in(h->frontend_path, BLKIF_NODE_DEVICE_TYPE, "disk");
    write_in(h->frontend_path, "state", "1");
    h->opt = opt ? *opt : (struct vbd_front_options){0};
    /* Nobody answers our Closing: do not wait long for it. */
    if (h->opt.close_timeout_ns == 0)
        h->opt.close_timeout_ns = 50ull * 1000 * 1000;
    assert_int_equal(pthread_create(&h->opener, NULL, open_frontend, h), 0);
}

void hostile_set_state(struct hostile *h, const char *state)
{
    write_in(h->backend_path, "state", state);
}

void hostile_wait_frontend(struct hostile *h, const char *state)
{
    for (int waited_ms = 0; waited_ms < 5000; waited_ms++) {
        const char *value = read_in(h->frontend_path, "state");

        if (value && strcmp(value, state) == 0)
            return;
        usleep(1000);
    }
    fail_msg("the frontend never reached state %s", state);
}

bool hostile_connect(struct hostile *h, const char *const *nodes)
{
    const char *value;
    uint64_t ref, port;

    for (int waited_ms = 0;; waited_ms++) {
        value = read_in(h->frontend_path, "state");
        if (value && strcmp(value, "3") == 0)
            break;
        /* Gave up opening (a reconnection's frontend has no opener). */
        if (h->opener && __atomic_load_n(&h->opened, __ATOMIC_SEQ_CST))
            return false;
        if (waited_ms > 10000)
            fail_msg("the frontend never became Initialised");
        usleep(1000);
    }
    value = read_in(h->frontend_path, BLKIF_NODE_RING_REF);
    assert_non_null(value);
    assert_int_equal(xs_number_parse(value, strlen(value), UINT32_MAX, &ref), 0);
    value = read_in(h->frontend_path, BLKIF_NODE_EVENT_CHANNEL);
    assert_non_null(value);
    assert_int_equal(xs_number_parse(value, strlen(value), UINT32_MAX, &port), 0);
    if (!h->grants)
        h->grants = backend_open();
    assert_non_null(h->grants);
    h->ring_page = backend_map(h->grants, fx.domid, (uint32_t)ref, true);
    assert_non_null(h->ring_page);
    assert_int_equal(
        ring_back_attach(&h->ring, h->ring_page, 4096, sizeof(union blkif_sring_entry), 0), 0);
    /* Events earlier tests left on dom0's stream would be taken for the binding's own. */
    while (dom0_next_event(0) >= 0)
        ;
    h->dom0_port = dom0_bind_to_guest((uint32_t)port);
    write_nodes(h->backend_path, nodes);
    write_in(h->backend_path, "state", "4");
    return true;
}

int hostile_opened(struct hostile *h)
{
    pthread_join(h->opener, NULL);
    h->opener = 0;
    return h->open_rc;
}

void hostile_take(struct hostile *h, union blkif_sring_entry *req)
{
    for (int waited_ms = 0; waited_ms < 5000; waited_ms++) {
        int n = ring_back_poll(&h->ring);

        assert_true(n >= 0);
        if (n > 0 && ring_back_take(&h->ring, req))
            return;
        usleep(1000);
    }
    fail_msg("no request came");
}

void hostile_answer(struct hostile *h, uint64_t id, uint8_t operation, int16_t status)
{
    union blkif_sring_entry e;

    memset(&e, 0, sizeof(e));
    e.rsp.id = id;
    e.rsp.operation = operation;
    e.rsp.status = status;
    memcpy(ring_back_next_response(&h->ring), &e, sizeof(e));
}

void hostile_push(struct hostile *h)
{
    ring_back_push(&h->ring);
    dom0_notify(h->dom0_port);
}

void hostile_overrun(struct hostile *h, uint32_t extra)
{
    __atomic_store_n(&h->ring.ring.shared->rsp_prod, h->ring.rsp_published + extra,
                     __ATOMIC_SEQ_CST);
    dom0_notify(h->dom0_port);
}

void hostile_disconnect(struct hostile *h)
{
    union sim_request_body body = {.port.port = h->dom0_port};
    struct sim_reply reply;

    if (h->ring_page)
        assert_int_equal(backend_unmap(h->grants, h->ring_page), 0);
    h->ring_page = NULL;
    memset(&h->ring, 0, sizeof(h->ring));
    dom0_call(&fx.evtchn, SIM_EVTCHN_UNBIND, &body, &reply);
}

void *hostile_map(struct hostile *h, grant_ref_t ref, bool writable)
{
    void *page = backend_map(h->grants, fx.domid, ref, writable);

    assert_non_null(page);
    return page;
}

bool hostile_maps_writable(struct hostile *h, grant_ref_t ref)
{
    void *page = backend_map(h->grants, fx.domid, (uint32_t)ref, true);

    if (page)
        hostile_unmap(h, page);
    return page != NULL;
}

void hostile_unmap(struct hostile *h, void *page)
{
    assert_int_equal(backend_unmap(h->grants, page), 0);
}

void hostile_stop(struct hostile *h)
{
    char error[64];

    write_in(h->backend_path, "state", "6");
    if (h->opener)
        hostile_opened(h);
    if (h->front)
        vbd_front_close(h->front);
    h->front = NULL;
    if (h->ring_page)
        backend_unmap(h->grants, h->ring_page);
    if (h->grants)
        backend_close(h->grants);
    h->ring_page = NULL;
    h->grants = NULL;
    xs_rm(store.xsh, XBT_NULL, h->frontend_path);
    xs_rm(store.xsh, XBT_NULL, h->backend_path);
    snprintf(error, sizeof(error), "/local/domain/%u/error/device", fx.domid);
    xs_rm(store.xsh, XBT_NULL, error);
}
