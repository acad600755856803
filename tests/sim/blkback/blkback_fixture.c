/* tests/sim/blkback/blkback_fixture.c - see blkback_fixture.h. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/io/xenbus.h>

#include "support/blkfront/guest_grants.h"
#include "support/sim/sim_fixture.h"
#include "blkback_fixture.h"

struct xenstore store;
struct xs_ring xs;
struct blkback backend;
struct blkfront bf;
char image_path[320];
int image_fd = -1;
static uint64_t last_id;
static struct guest_rings rings;

void reset_image(void)
{
    assert_int_equal(ftruncate(image_fd, 0), 0);
    assert_int_equal(ftruncate(image_fd, DISK_BYTES), 0);
}

int blkback_fixture_setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    snprintf(image_path, sizeof(image_path), "%s/disk.img", fx.simd.dir);
    image_fd = open(image_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (image_fd < 0 || ftruncate(image_fd, DISK_BYTES) != 0 ||
        xenstore_start(&fx.simd, &store, XENSTORED_C) != 0)
        goto fail;
    if (xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 || xs_ring_open(&xs) != 0 ||
        guest_grants_init() != 0) {
        xenstore_stop(&store);
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "blkback set-up failed; run directory %s\n", fx.simd.dir);
    if (image_fd >= 0)
        close(image_fd);
    image_fd = -1;
    sim_fixture_teardown(state);
    return -1;
}

int blkback_fixture_teardown(void **state)
{
    int stopped = xenstore_stop(&store);

    close(image_fd);
    image_fd = -1;
    return sim_fixture_teardown(state) == 0 && stopped == 0 ? 0 : -1;
}

void start_backend_with(const struct blkback_disk *disk)
{
    struct blkback_disk d = *disk;

    d.image = image_path;
    memset(&bf, 0, sizeof(bf));
    assert_int_equal(blkback_start(&fx.simd, &store, fx.domid, 0, &d, &backend), 0);
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateInitWait);
}

void start_backend(const char *const *args)
{
    start_backend_with(&(struct blkback_disk){.args = args});
}

void connect_frontend(const struct blkfront_options *opt)
{
    assert_int_equal(blkfront_connect_with(&bf, &xs, backend.frontend_path, opt), 0);
    assert_int_equal(blkfront_backend_state(&bf), XenbusStateConnected);
}

void stop_all(void)
{
    assert_int_equal(blkfront_close(&bf), 0);
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

int cleanup(void **state)
{
    int rc = 0;

    if (bf.nr_queues > 0)
        blkfront_close(&bf);
    if (backend.process.pid > 0)
        rc = blkback_unplug(&store, &backend, 2000);
    memset(&bf, 0, sizeof(bf));
    memset(&backend, 0, sizeof(backend));
    return rc == 0 ? 0 : -1;
}

uint64_t next_id(void)
{
    return ++last_id * 1000003; /* ids are the frontend's own: any 64-bit value */
}

int16_t transact(const struct blkif_request *req)
{
    struct blkif_response rsp;

    assert_int_equal(blkfront_submit(&bf, req, 1), 0);
    assert_int_equal(blkfront_collect(&bf, &rsp, 1), 0);
    assert_int_equal(rsp.id, req->id);
    return rsp.status;
}

const char *backend_node(const char *node)
{
    static char value[256];

    return blkback_read_node(&store, &backend, node, value, sizeof(value)) == 0 ? value : NULL;
}
