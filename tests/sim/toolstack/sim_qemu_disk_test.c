/*
 * tests/sim/toolstack/sim_qemu_disk_test.c - Debian's Xen QEMU, on winpv-simd,
 * serves a guest's blkif ring: requests the guest builds (granted data
 * pages, several segments, sub-page sector ranges) reach the disk image as
 * the host sees it, what the host writes to the image the guest reads,
 * flushes complete, and malformed requests get BLKIF_RSP_ERROR without
 * harming QEMU or the image.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>

#include "support/sim/sim_fixture.h"
#include "support/sim/xs_ring_client.h"
#include "support/blkfront/blkfront.h"
#include "support/blkfront/blkio.h"
#include "support/blkfront/guest_grants.h"
#include "os.h"
#include "qemu.h"
#include "store.h"

#define PAGE_SIZE        4096
#define SECTOR_SIZE      512
#define SECTORS_PER_PAGE (PAGE_SIZE / SECTOR_SIZE)
#define DISK_BYTES       (4u << 20)

static struct xenstore store;
static struct guest_rings rings;
static struct xs_ring xs;
static struct qemu qemu;
static struct blkfront bf;
static char image_path[320];
static int image_fd = -1;
static uint64_t next_id = 1;

static const struct span whole_page = {0, SECTORS_PER_PAGE - 1};

/* The disk, zero-filled, in the run directory. */
static int create_image(void)
{
    snprintf(image_path, sizeof(image_path), "%s/disk.img", fx.simd.dir);
    image_fd = open(image_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (image_fd < 0 || ftruncate(image_fd, DISK_BYTES) != 0) {
        perror(image_path);
        return -1;
    }
    return 0;
}

static int setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    if (create_image() != 0 || xenstore_start(&fx.simd, &store, XENSTORED_C) != 0)
        goto fail;
    if (xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 || xs_ring_open(&xs) != 0 ||
        guest_grants_init() != 0)
        goto stop_store;
    if (qemu_start(&fx.simd, &store, fx.domid, 0, image_path, &qemu) != 0)
        goto stop_store;
    if (blkfront_connect(&bf, &xs, qemu.frontend_path) != 0)
        goto stop_qemu;
    return 0;
stop_qemu:
    qemu_stop(&qemu);
stop_store:
    xenstore_stop(&store);
fail:
    fprintf(stderr, "qemu disk set-up failed; run directory %s\n", fx.simd.dir);
    if (image_fd >= 0)
        close(image_fd);
    image_fd = -1;
    sim_fixture_teardown(state);
    return -1;
}

static int teardown(void **state)
{
    int closed = blkfront_close(&bf);
    int qemu_stopped = qemu_stop(&qemu);
    int store_stopped = xenstore_stop(&store);

    close(image_fd);
    image_fd = -1;
    return sim_fixture_teardown(state) == 0 && qemu_stopped == 0 && store_stopped == 0 &&
                   closed == 0
               ? 0
               : -1;
}

static struct blkif_request request(uint8_t op, uint64_t sector, const struct granted_pages *p,
                                    const struct span *spans, unsigned int count)
{
    return make_request(op, QEMU_DISK_VDEV, next_id++, sector, p, spans, count);
}

/*
 * QEMU 7.2 answers a request it rejects (a parse error, a failed grant copy
 * for a write) from inside its request loop. The tail check after that
 * response may find a request published meanwhile, but nothing then
 * processes it; and as it was published before QEMU re-armed req_event,
 * the hold-off rules told the frontend not to notify. That request would
 * wait forever. After such a response the test waits for the re-arm, so
 * that the next request is notified.
 */
static void wait_for_backend_rearm(void)
{
    const struct xen_sring_header *shared = bf.queue[0].ring.ring.shared;

    for (int waited_ms = 0; waited_ms < 5000; waited_ms++) {
        if (__atomic_load_n(&shared->req_event, __ATOMIC_ACQUIRE) ==
            bf.queue[0].ring.req_published + 1)
            return;
        usleep(1000);
    }
    fail_msg("QEMU did not re-arm req_event after an error response");
}

/* One request, one response: checks it answers this request; returns its status. */
static int16_t transact(const struct blkif_request *req)
{
    struct blkif_response rsp;

    assert_int_equal(blkfront_submit(&bf, req, 1), 0);
    assert_int_equal(blkfront_collect(&bf, &rsp, 1), 0);
    assert_int_equal(rsp.id, req->id);
    assert_int_equal(rsp.operation, req->operation);
    if (rsp.status != BLKIF_RSP_OKAY)
        wait_for_backend_rearm();
    return rsp.status;
}

static void test_handshake_reaches_connected(void **state)
{
    char path[160];
    unsigned int len;
    char *value;

    assert_int_equal(blkfront_backend_state(&bf), XenbusStateConnected);
    snprintf(path, sizeof(path), "%s/state", bf.frontend_path);
    value = xs_read(store.xsh, XBT_NULL, path, &len);
    assert_non_null(value);
    assert_int_equal(atoi(value), XenbusStateConnected);
    free(value);
    assert_string_equal(bf.backend_path, qemu.backend_path);
    assert_int_equal(bf.backend_id, 0);
    assert_int_equal(bf.sector_size, SECTOR_SIZE);
    assert_int_equal(bf.sectors, DISK_BYTES / SECTOR_SIZE);
    /* QEMU has the ring mapped through its grant. */
    assert_true(guest_grant_flags(bf.queue[0].refs[0]) & GTF_writing);
}

static void test_full_request_reaches_the_image_and_reads_back(void **state)
{
    struct span spans[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    const unsigned int count = BLKIF_MAX_SEGMENTS_PER_REQUEST;
    const uint64_t sector = 64, offset = sector * SECTOR_SIZE;
    struct granted_pages out, in;
    struct blkif_request req;
    size_t bytes;

    for (unsigned int i = 0; i < count; i++)
        spans[i] = whole_page;
    bytes = span_bytes(spans, count, SECTOR_SIZE);
    grant_pages(&out, bf.backend_id, count, true);
    fill_spans(&out, spans, count, SECTOR_SIZE, offset, 1);
    req = request(BLKIF_OP_WRITE, sector, &out, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, offset, bytes, 1));
    /* Nothing beside it was touched. */
    assert_true(image_is_zero(image_fd, offset - SECTOR_SIZE, SECTOR_SIZE));
    assert_true(image_is_zero(image_fd, offset + bytes, SECTOR_SIZE));

    grant_pages(&in, bf.backend_id, count, false);
    req = request(BLKIF_OP_READ, sector, &in, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(spans_hold_pattern(&in, spans, count, SECTOR_SIZE, offset, 1));
    assert_memory_equal(in.va, out.va, (size_t)count * PAGE_SIZE);
    end_grants(&out);
    end_grants(&in);
}

static void test_sub_page_segments_at_an_odd_sector(void **state)
{
    /* Sector 13 is not page-aligned; the segments cover parts of their pages. */
    const struct span spans[] = {{3, 7}, {0, 7}, {2, 4}};
    const unsigned int count = 3;
    const uint64_t sector = 13, offset = sector * SECTOR_SIZE;
    size_t bytes = span_bytes(spans, count, SECTOR_SIZE);
    struct granted_pages out, in;
    struct blkif_request req;

    grant_pages(&out, bf.backend_id, count, true);
    fill_spans(&out, spans, count, SECTOR_SIZE, offset, 2);
    req = request(BLKIF_OP_WRITE, sector, &out, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_int_equal(bytes, 16 * SECTOR_SIZE);
    assert_true(image_holds_pattern(image_fd, offset, bytes, 2));
    assert_true(image_is_zero(image_fd, offset - SECTOR_SIZE, SECTOR_SIZE));
    assert_true(image_is_zero(image_fd, offset + bytes, SECTOR_SIZE));

    /* A read fills exactly the named sectors of each page. */
    grant_pages(&in, bf.backend_id, count, false);
    memset(in.va, 0xee, (size_t)count * PAGE_SIZE);
    req = request(BLKIF_OP_READ, sector, &in, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(spans_hold_pattern(&in, spans, count, SECTOR_SIZE, offset, 2));
    assert_int_equal(in.va[spans[0].first * SECTOR_SIZE - 1], 0xee);
    assert_int_equal(in.va[2 * PAGE_SIZE + spans[2].first * SECTOR_SIZE - 1], 0xee);
    assert_int_equal(in.va[2 * PAGE_SIZE + (spans[2].last + 1) * SECTOR_SIZE], 0xee);
    end_grants(&out);
    end_grants(&in);
}

static void test_what_the_host_writes_the_guest_reads(void **state)
{
    const struct span spans[] = {whole_page, whole_page};
    const uint64_t sector = 1000, offset = sector * SECTOR_SIZE;
    uint8_t data[2 * PAGE_SIZE];
    struct granted_pages in;
    struct blkif_request req;

    fill_pattern(data, sizeof(data), offset, 3);
    assert_int_equal(pwrite(image_fd, data, sizeof(data), (off_t)offset), (ssize_t)sizeof(data));
    grant_pages(&in, bf.backend_id, 2, false);
    req = request(BLKIF_OP_READ, sector, &in, spans, 2);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_memory_equal(in.va, data, sizeof(data));
    end_grants(&in);
}

static void test_requests_in_flight_together(void **state)
{
    enum { REQUESTS = 8 };
    const struct span spans[] = {whole_page, {0, 3}};
    const size_t bytes = span_bytes(spans, 2, SECTOR_SIZE);
    struct granted_pages out[REQUESTS];
    struct blkif_request reqs[REQUESTS];
    struct blkif_response rsps[REQUESTS];
    bool answered[REQUESTS] = {false};

    for (unsigned int i = 0; i < REQUESTS; i++) {
        uint64_t sector = 2048 + i * 32;

        grant_pages(&out[i], bf.backend_id, 2, true);
        fill_spans(&out[i], spans, 2, SECTOR_SIZE, sector * SECTOR_SIZE, (uint8_t)(10 + i));
        reqs[i] = request(BLKIF_OP_WRITE, sector, &out[i], spans, 2);
    }
    /* One push, one notification, eight requests. */
    assert_int_equal(blkfront_submit(&bf, reqs, REQUESTS), 0);
    assert_int_equal(blkfront_collect(&bf, rsps, REQUESTS), 0);
    for (unsigned int r = 0; r < REQUESTS; r++) {
        unsigned int i = (unsigned int)(rsps[r].id - reqs[0].id);

        assert_true(i < REQUESTS);
        assert_false(answered[i]);
        answered[i] = true;
        assert_int_equal(rsps[r].operation, BLKIF_OP_WRITE);
        assert_int_equal(rsps[r].status, BLKIF_RSP_OKAY);
    }
    for (unsigned int i = 0; i < REQUESTS; i++) {
        uint64_t offset = (2048 + i * 32) * SECTOR_SIZE;

        assert_true(image_holds_pattern(image_fd, offset, bytes, (uint8_t)(10 + i)));
        end_grants(&out[i]);
    }
}

static void test_flush_completes(void **state)
{
    const uint64_t sector = 3000;
    struct granted_pages out;
    struct blkif_request req;
    struct blkif_request flush = {
        .operation = BLKIF_OP_FLUSH_DISKCACHE, .handle = QEMU_DISK_VDEV, .id = next_id++};

    /* QEMU offers it (feature-flush-cache); the frontend must not send it otherwise. */
    assert_true(bf.flush_cache);
    grant_pages(&out, bf.backend_id, 1, true);
    fill_spans(&out, &whole_page, 1, SECTOR_SIZE, sector * SECTOR_SIZE, 4);
    req = request(BLKIF_OP_WRITE, sector, &out, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_int_equal(transact(&flush), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, sector * SECTOR_SIZE, PAGE_SIZE, 4));
    end_grants(&out);
}

static void test_bad_requests_are_errors_and_qemu_lives_on(void **state)
{
    const struct span two[] = {whole_page, whole_page};
    const uint64_t sector = 4000, offset = sector * SECTOR_SIZE;
    struct granted_pages out, in;
    struct blkif_request req;

    grant_pages(&out, bf.backend_id, 2, true);
    grant_pages(&in, bf.backend_id, 1, false);
    fill_spans(&out, two, 2, SECTOR_SIZE, offset, 5);

    /* A write whose second page was never granted: nothing reaches the image. */
    req = request(BLKIF_OP_WRITE, sector, &out, two, 2);
    req.seg[1].gref = guest_grant_unused_ref();
    assert_int_equal(guest_grant_flags(req.seg[1].gref), 0);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    assert_true(image_is_zero(image_fd, offset, 2 * PAGE_SIZE));

    /* A reference past the end of the grant table. */
    req = request(BLKIF_OP_WRITE, sector, &out, two, 2);
    req.seg[0].gref = 100000;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    assert_true(image_is_zero(image_fd, offset, 2 * PAGE_SIZE));

    /* A read into a read-only grant: the backend may not write there. */
    req = request(BLKIF_OP_READ, sector, &out, two, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    /* Sectors backwards within a page; past the end of the disk. */
    req = request(BLKIF_OP_READ, sector, &in, &whole_page, 1);
    req.seg[0].first_sect = 5;
    req.seg[0].last_sect = 4;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = request(BLKIF_OP_READ, DISK_BYTES / SECTOR_SIZE - 4, &in, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    assert_true(component_alive(&qemu.process));
    /* And the ring still works. */
    req = request(BLKIF_OP_WRITE, sector, &out, two, 2);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, offset, 2 * PAGE_SIZE, 5));
    end_grants(&out);
    end_grants(&in);
}

static void test_close_releases_the_ring(void **state)
{
    grant_ref_t ring_ref = bf.queue[0].refs[0];

    /* Closing returns 0 only once QEMU is Closed and has let go of the ring's grant. */
    assert_int_equal(blkfront_close(&bf), 0);
    assert_int_equal(guest_grant_flags(ring_ref), 0);
    assert_int_equal(qemu_backend_state(&store, &qemu), XenbusStateClosed);
    assert_true(component_alive(&qemu.process));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_reaches_connected),
        cmocka_unit_test(test_full_request_reaches_the_image_and_reads_back),
        cmocka_unit_test(test_sub_page_segments_at_an_odd_sector),
        cmocka_unit_test(test_what_the_host_writes_the_guest_reads),
        cmocka_unit_test(test_requests_in_flight_together),
        cmocka_unit_test(test_flush_completes),
        cmocka_unit_test(test_bad_requests_are_errors_and_qemu_lives_on),
        cmocka_unit_test(test_close_releases_the_ring),
    };

    return cmocka_run_group_tests_name("sim_qemu_disk", tests, setup, teardown);
}
