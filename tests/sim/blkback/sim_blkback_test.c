/*
 * tests/sim/blkback/sim_blkback_test.c - winpv-blkback serving the test
 * blkfront through winpv-simd: what the guest writes is in the image file
 * and reads back, flushes and barriers complete, discard punches the file,
 * a read-only disk refuses writes, malformed requests get errors while the
 * backend serves on, every feature's nodes come and go with its option, the
 * disk grows while connected, and a killed backend comes back with the
 * image intact and the frontend reconnected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/io/blkif.h>
#include <xen/io/xenbus.h>
#include <xen/xen.h>
#include <blkif/nodes.h>

#include "support/blkfront/guest_grants.h"
#include "support/sim/sim_fixture.h"
#include "os.h"
#include "blkback_fixture.h"

#define HANDLE BLKBACK_VDEV(0)

static const struct span whole_page = {0, 7};

static struct blkif_request request(uint8_t op, uint64_t sector, const struct granted_pages *p,
                                    const struct span *spans, unsigned int count)
{
    return make_request(op, HANDLE, next_id(), sector, p, spans, count);
}

/* Write the pattern to @count whole pages at @sector; the write must succeed. */
static void write_pages(uint64_t sector, unsigned int count, uint8_t seed)
{
    struct span spans[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    struct granted_pages out;
    struct blkif_request req;

    for (unsigned int i = 0; i < count; i++)
        spans[i] = whole_page;
    grant_pages(&out, bf.backend_id, count, true);
    fill_spans(&out, spans, count, SECTOR, sector * SECTOR, seed);
    req = request(BLKIF_OP_WRITE, sector, &out, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    end_grants(&out);
}

/* Read @count whole pages at @sector: whether they hold the pattern. */
static bool read_pages_hold(uint64_t sector, unsigned int count, uint8_t seed)
{
    struct span spans[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    struct granted_pages in;
    struct blkif_request req;
    bool same;

    for (unsigned int i = 0; i < count; i++)
        spans[i] = whole_page;
    grant_pages(&in, bf.backend_id, count, false);
    req = request(BLKIF_OP_READ, sector, &in, spans, count);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    same = spans_hold_pattern(&in, spans, count, SECTOR, sector * SECTOR, seed);
    end_grants(&in);
    return same;
}

static int16_t flush(uint8_t op)
{
    struct blkif_request req = {.operation = op, .handle = HANDLE, .id = next_id()};

    return transact(&req);
}

static int16_t discard(uint64_t sector, uint64_t count, uint8_t flag)
{
    struct blkif_request_discard d = {.operation = BLKIF_OP_DISCARD,
                                      .flag = flag,
                                      .handle = HANDLE,
                                      .id = next_id(),
                                      .sector_number = sector,
                                      .nr_sectors = count};
    struct blkif_request req;

    memset(&req, 0, sizeof(req));
    memcpy(&req, &d, sizeof(d));
    return transact(&req);
}

static void test_full_and_partial_requests_reach_the_image(void **state)
{
    const struct span odd[] = {{3, 7}, {0, 7}, {2, 4}};
    struct granted_pages out, in;
    struct blkif_request req;
    size_t bytes = span_bytes(odd, 3, SECTOR);

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    assert_int_equal(bf.sector_size, SECTOR);
    assert_int_equal(bf.sectors, DISK_BYTES / SECTOR);

    write_pages(64, BLKIF_MAX_SEGMENTS_PER_REQUEST, 1);
    assert_true(image_holds_pattern(image_fd, 64 * SECTOR, 11 * BLKIO_PAGE_SIZE, 1));
    assert_true(image_is_zero(image_fd, 63 * SECTOR, SECTOR));
    assert_true(image_is_zero(image_fd, 64 * SECTOR + 11 * BLKIO_PAGE_SIZE, SECTOR));
    assert_true(read_pages_hold(64, BLKIF_MAX_SEGMENTS_PER_REQUEST, 1));

    /* Sub-page segments at a sector that is not page-aligned. */
    grant_pages(&out, bf.backend_id, 3, true);
    fill_spans(&out, odd, 3, SECTOR, 13 * SECTOR, 2);
    req = request(BLKIF_OP_WRITE, 13, &out, odd, 3);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 13 * SECTOR, bytes, 2));
    assert_true(image_is_zero(image_fd, 13 * SECTOR + bytes, SECTOR));
    grant_pages(&in, bf.backend_id, 3, false);
    memset(in.va, 0xee, 3 * BLKIO_PAGE_SIZE);
    req = request(BLKIF_OP_READ, 13, &in, odd, 3);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(spans_hold_pattern(&in, odd, 3, SECTOR, 13 * SECTOR, 2));
    assert_int_equal(in.va[3 * SECTOR - 1], 0xee); /* before the first span */
    end_grants(&out);
    end_grants(&in);
    stop_all();
}

static void test_many_requests_in_flight_answered_by_id(void **state)
{
    enum { REQUESTS = 24 };
    const struct span spans[] = {whole_page, {0, 3}};
    struct granted_pages out[REQUESTS];
    struct blkif_request reqs[REQUESTS];
    struct blkif_response rsps[REQUESTS];
    bool answered[REQUESTS] = {false};

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    for (unsigned int i = 0; i < REQUESTS; i++) {
        grant_pages(&out[i], bf.backend_id, 2, true);
        fill_spans(&out[i], spans, 2, SECTOR, (2048 + i * 32) * SECTOR, (uint8_t)(10 + i));
        reqs[i] = request(BLKIF_OP_WRITE, 2048 + i * 32, &out[i], spans, 2);
    }
    assert_int_equal(blkfront_submit(&bf, reqs, REQUESTS), 0);
    assert_int_equal(blkfront_collect(&bf, rsps, REQUESTS), 0);
    for (unsigned int r = 0; r < REQUESTS; r++) {
        unsigned int i;

        for (i = 0; i < REQUESTS && reqs[i].id != rsps[r].id; i++)
            ;
        assert_true(i < REQUESTS);
        assert_false(answered[i]);
        answered[i] = true;
        assert_int_equal(rsps[r].operation, BLKIF_OP_WRITE);
        assert_int_equal(rsps[r].status, BLKIF_RSP_OKAY);
    }
    for (unsigned int i = 0; i < REQUESTS; i++) {
        assert_true(image_holds_pattern(image_fd, (2048 + i * 32) * SECTOR,
                                        span_bytes(spans, 2, SECTOR), (uint8_t)(10 + i)));
        end_grants(&out[i]);
    }
    stop_all();
}

static void test_flush_and_barrier(void **state)
{
    struct granted_pages out;
    struct blkif_request req;

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    assert_true(bf.flush_cache);
    write_pages(3000, 2, 4);
    assert_int_equal(flush(BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
    assert_int_equal(flush(BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_OKAY);
    /* A barrier and a flush that carry data write it. */
    grant_pages(&out, bf.backend_id, 1, true);
    fill_spans(&out, &whole_page, 1, SECTOR, 4000 * SECTOR, 5);
    req = request(BLKIF_OP_WRITE_BARRIER, 4000, &out, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 4000 * SECTOR, BLKIO_PAGE_SIZE, 5));
    fill_spans(&out, &whole_page, 1, SECTOR, 4100 * SECTOR, 6);
    req = request(BLKIF_OP_FLUSH_DISKCACHE, 4100, &out, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 4100 * SECTOR, BLKIO_PAGE_SIZE, 6));
    end_grants(&out);
    assert_true(image_holds_pattern(image_fd, 3000 * SECTOR, 2 * BLKIO_PAGE_SIZE, 4));
    stop_all();
}

static void test_barrier_among_requests_in_flight(void **state)
{
    enum { REQUESTS = 17, BARRIER = 8 };
    const char *const few_slots[] = {"--max-inflight", "3", NULL};
    struct granted_pages out;
    struct blkif_request reqs[REQUESTS];
    struct blkif_response rsps[REQUESTS];

    reset_image();
    /* Three requests served at a time: the rest wait in the ring, the barrier for all before it. */
    start_backend(few_slots);
    connect_frontend(NULL);
    grant_pages(&out, bf.backend_id, REQUESTS, true);
    for (unsigned int i = 0; i < REQUESTS; i++) {
        struct granted_pages one = {.va = out.va + (size_t)i * BLKIO_PAGE_SIZE, .count = 1};

        one.refs[0] = out.refs[i];
        fill_spans(&one, &whole_page, 1, SECTOR, (600 + 8 * i) * SECTOR, 16);
        reqs[i] = request(i == BARRIER ? BLKIF_OP_WRITE_BARRIER : BLKIF_OP_WRITE, 600 + 8 * i, &one,
                          &whole_page, 1);
    }
    assert_int_equal(blkfront_submit(&bf, reqs, REQUESTS), 0);
    assert_int_equal(blkfront_collect(&bf, rsps, REQUESTS), 0);
    for (unsigned int i = 0; i < REQUESTS; i++)
        assert_int_equal(rsps[i].status, BLKIF_RSP_OKAY);
    /* Nothing after the barrier was answered before it. */
    for (unsigned int r = 0; r < REQUESTS; r++) {
        if (rsps[r].id == reqs[BARRIER].id)
            break;
        for (unsigned int i = BARRIER + 1; i < REQUESTS; i++)
            assert_int_not_equal(rsps[r].id, reqs[i].id);
    }
    assert_true(image_holds_pattern(image_fd, 600 * SECTOR, REQUESTS * BLKIO_PAGE_SIZE, 16));
    end_grants(&out);
    stop_all();
}

static blkcnt_t image_blocks(void)
{
    struct stat st;

    assert_int_equal(fstat(image_fd, &st), 0);
    return st.st_blocks;
}

static void test_discard_punches_the_file(void **state)
{
    blkcnt_t before;

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    /* 8 pages (64 sectors) of data, then the middle 32 sectors discarded. */
    write_pages(256, 8, 7);
    write_pages(320, 8, 8);
    before = image_blocks();
    assert_int_equal(discard(272, 96, 0), BLKIF_RSP_OKAY);
    assert_true(image_is_zero(image_fd, 272 * SECTOR, 96 * SECTOR));
    assert_true(image_holds_pattern(image_fd, 256 * SECTOR, 16 * SECTOR, 7));
    assert_true(image_holds_pattern(image_fd, 368 * SECTOR, 16 * SECTOR, 8));
    /* The file gave the space back: the range is a hole now. */
    assert_true(image_blocks() < before);
    assert_true(read_pages_hold(256, 2, 7));
    /* A secure discard zeroes too; an empty one does nothing. */
    assert_int_equal(discard(256, 16, BLKIF_DISCARD_SECURE), BLKIF_RSP_OKAY);
    assert_true(image_is_zero(image_fd, 256 * SECTOR, 16 * SECTOR));
    assert_int_equal(discard(368, 0, 0), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 368 * SECTOR, 16 * SECTOR, 8));
    /* Past the end of the disk: an error, nothing discarded. */
    assert_int_equal(discard(368, DISK_BYTES / SECTOR, 0), BLKIF_RSP_ERROR);
    assert_int_equal(discard(UINT64_MAX - 8, 16, 0), BLKIF_RSP_ERROR);
    assert_true(image_holds_pattern(image_fd, 368 * SECTOR, 16 * SECTOR, 8));
    stop_all();
}

static void test_readonly_disk_refuses_writes(void **state)
{
    struct granted_pages out;
    struct blkif_request req;
    uint8_t data[BLKIO_PAGE_SIZE];

    reset_image();
    fill_pattern(data, sizeof(data), 8 * SECTOR, 9);
    assert_int_equal(pwrite(image_fd, data, sizeof(data), 8 * SECTOR), (ssize_t)sizeof(data));
    start_backend_with(&(struct blkback_disk){.readonly = true, .cdrom = true, .removable = true});
    assert_string_equal(backend_node(BLKIF_NODE_INFO), "7"); /* CDROM | REMOVABLE | READONLY */
    assert_null(backend_node(BLKIF_NODE_FLUSH_CACHE));
    assert_null(backend_node(BLKIF_NODE_BARRIER));
    assert_null(backend_node(BLKIF_NODE_DISCARD));
    connect_frontend(NULL);
    assert_true(read_pages_hold(8, 1, 9));

    grant_pages(&out, bf.backend_id, 1, true);
    fill_spans(&out, &whole_page, 1, SECTOR, 8 * SECTOR, 10);
    req = request(BLKIF_OP_WRITE, 8, &out, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req = request(BLKIF_OP_WRITE_BARRIER, 8, &out, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(discard(8, 8, 0), BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(flush(BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_EOPNOTSUPP);
    assert_true(image_holds_pattern(image_fd, 8 * SECTOR, BLKIO_PAGE_SIZE, 9));
    end_grants(&out);
    stop_all();
}

static void test_bad_requests_are_errors_and_the_backend_serves_on(void **state)
{
    const struct span two[] = {whole_page, whole_page};
    const uint64_t sector = 4000, offset = sector * SECTOR;
    struct granted_pages out, in;
    struct blkif_request req;

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    grant_pages(&out, bf.backend_id, 2, true);
    grant_pages(&in, bf.backend_id, 1, false);
    fill_spans(&out, two, 2, SECTOR, offset, 5);

    /* Grants: never granted, past the table, read-only for a read. */
    req = request(BLKIF_OP_WRITE, sector, &out, two, 2);
    req.seg[1].gref = guest_grant_unused_ref();
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req.seg[1].gref = 100000;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    assert_true(image_is_zero(image_fd, offset, 2 * BLKIO_PAGE_SIZE));
    req = request(BLKIF_OP_READ, sector, &out, two, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    /* Segment bounds: backwards, past the page. */
    req = request(BLKIF_OP_READ, sector, &in, &whole_page, 1);
    req.seg[0].first_sect = 5;
    req.seg[0].last_sect = 4;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req.seg[0].first_sect = 0;
    req.seg[0].last_sect = 8;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    /* Segment counts: none for a read, more than a request holds. */
    req = request(BLKIF_OP_READ, sector, &in, &whole_page, 1);
    req.nr_segments = 0;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    /* Sectors: straddling the end, past it, so far that the sum wraps. */
    req = request(BLKIF_OP_READ, DISK_BYTES / SECTOR - 4, &in, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req.sector_number = DISK_BYTES / SECTOR;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    req.sector_number = UINT64_MAX - 3;
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    /* An operation nobody knows. */
    req = request(99, sector, &in, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_EOPNOTSUPP);
    req = request(BLKIF_OP_RESERVED_1, sector, &in, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_EOPNOTSUPP);

    assert_true(component_alive(&backend.process));
    assert_int_equal(blkfront_backend_state(&bf), XenbusStateConnected);
    /* And the last sectors of the disk, exactly, still work. */
    req = request(BLKIF_OP_WRITE, sector, &out, two, 2);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, offset, 2 * BLKIO_PAGE_SIZE, 5));
    write_pages(DISK_BYTES / SECTOR - 8, 1, 6);
    assert_true(image_holds_pattern(image_fd, DISK_BYTES - BLKIO_PAGE_SIZE, BLKIO_PAGE_SIZE, 6));
    end_grants(&out);
    end_grants(&in);
    stop_all();
}

static void test_an_impossible_ring_index_fails_the_device_cleanly(void **state)
{
    struct xen_sring_header *shared;
    struct evtchn_send send;

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    shared = bf.queue[0].ring.ring.shared;
    /* A producer index claiming far more requests than the ring holds. */
    __atomic_store_n(&shared->req_prod, shared->rsp_prod + 1000, __ATOMIC_RELEASE);
    send.port = bf.queue[0].port;
    assert_int_equal(
        os_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, (uint64_t)(uintptr_t)&send), 0);
    for (int i = 0; i < 500 && blkfront_backend_state(&bf) == XenbusStateConnected; i++)
        usleep(2000);
    assert_int_equal(blkfront_backend_state(&bf), XenbusStateClosing);
    assert_non_null(strstr(backend_node("error"), "ring protocol"));
    assert_true(component_alive(&backend.process));
    /* It let go of the ring; a fresh connection works. */
    assert_int_equal(blkfront_close(&bf), 0);
    connect_frontend(NULL);
    write_pages(8, 1, 17);
    stop_all();
}

static void test_features_switched_off_answer_not_supported(void **state)
{
    const char *const args[] = {
        "--no-flush", "--no-barrier", "--no-discard", "--max-indirect-segments", "0", NULL};
    struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
                                         .indirect_op = BLKIF_OP_READ,
                                         .nr_segments = 1,
                                         .handle = HANDLE};
    struct blkif_request req;

    reset_image();
    start_backend(args);
    connect_frontend(NULL);
    assert_false(bf.flush_cache);
    assert_int_equal(flush(BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(flush(BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(discard(0, 8, 0), BLKIF_RSP_EOPNOTSUPP);
    ind.id = next_id();
    memset(&req, 0, sizeof(req));
    memcpy(&req, &ind, sizeof(ind));
    assert_int_equal(transact(&req), BLKIF_RSP_EOPNOTSUPP);
    /* Plain writes (written through: nothing else could make them stable) still work. */
    write_pages(16, 1, 3);
    assert_true(image_holds_pattern(image_fd, 16 * SECTOR, BLKIO_PAGE_SIZE, 3));
    stop_all();
}

/* Each feature's option, the nodes it publishes, and their value with every feature on. */
static const struct {
    const char *args[3];
    const char *nodes[4];
    const char *values[4];
} features[] = {
    {{"--max-queues", "1"}, {BLKIF_NODE_MAX_QUEUES}, {"4"}},
    {{"--max-ring-page-order", "0"}, {BLKIF_NODE_MAX_RING_PAGE_ORDER}, {"4"}},
    {{"--max-indirect-segments", "0"}, {BLKIF_NODE_MAX_INDIRECT_SEGMENTS}, {"256"}},
    {{"--no-persistent"}, {BLKIF_NODE_PERSISTENT}, {"1"}},
    {{"--no-flush"}, {BLKIF_NODE_FLUSH_CACHE}, {"1"}},
    {{"--no-barrier"}, {BLKIF_NODE_BARRIER}, {"1"}},
    {{"--no-discard"},
     {BLKIF_NODE_DISCARD, BLKIF_NODE_DISCARD_GRANULARITY, BLKIF_NODE_DISCARD_ALIGNMENT,
      BLKIF_NODE_DISCARD_SECURE},
     {"1", "512", "0", "1"}},
    {{"--no-discard-secure"}, {BLKIF_NODE_DISCARD_SECURE}, {"1"}},
};
#define FEATURES (sizeof(features) / sizeof(features[0]))

/* Whether feature @off's option takes node @node away. */
static bool switched_off(unsigned int off, const char *node)
{
    for (unsigned int n = 0; off < FEATURES && n < 4 && features[off].nodes[n]; n++)
        if (strcmp(features[off].nodes[n], node) == 0)
            return true;
    return false;
}

/* Every feature's nodes as published with feature @off switched off (FEATURES: none). */
static void assert_feature_nodes(unsigned int off)
{
    for (unsigned int f = 0; f < FEATURES; f++) {
        for (unsigned int n = 0; n < 4 && features[f].nodes[n]; n++) {
            const char *node = features[f].nodes[n], *value = backend_node(node);

            if (switched_off(off, node)) {
                assert_null(value);
                continue;
            }
            if (value == NULL)
                fail_msg("with %s: %s absent", off < FEATURES ? features[off].args[0] : "all",
                         node);
            assert_string_equal(value, features[f].values[n]);
        }
    }
}

static void test_each_feature_publishes_its_nodes_and_switches_off(void **state)
{
    reset_image();
    start_backend(NULL);
    assert_feature_nodes(FEATURES);
    assert_string_equal(backend_node(BLKIF_NODE_SECTOR_SIZE), "512");
    assert_string_equal(backend_node(BLKIF_NODE_PHYSICAL_SECTOR_SIZE), "512");
    assert_string_equal(backend_node(BLKIF_NODE_INFO), "0");
    assert_string_equal(backend_node("hotplug-status"), "connected");
    {
        char sectors[32];

        snprintf(sectors, sizeof(sectors), "%u", DISK_BYTES / SECTOR);
        assert_string_equal(backend_node(BLKIF_NODE_SECTORS), sectors);
    }
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
    for (unsigned int off = 0; off < FEATURES; off++) {
        start_backend(features[off].args);
        assert_feature_nodes(off);
        /* Still a disk a frontend uses. */
        connect_frontend(NULL);
        write_pages(8, 1, (uint8_t)off);
        assert_true(read_pages_hold(8, 1, (uint8_t)off));
        stop_all();
    }
}

static void test_sector_size_and_geometry_options(void **state)
{
    const char *const args[] = {"--sector-size",
                                "4096",
                                "--physical-sector-size",
                                "8192",
                                "--discard-granularity",
                                "65536",
                                "--discard-alignment",
                                "4096",
                                NULL};
    struct blkfront_options large = {.large_sectors = true};
    const struct span one = {0, 0};
    struct granted_pages out;
    struct blkif_request req;

    reset_image();
    start_backend(args);
    assert_string_equal(backend_node(BLKIF_NODE_SECTOR_SIZE), "4096");
    assert_string_equal(backend_node(BLKIF_NODE_PHYSICAL_SECTOR_SIZE), "8192");
    assert_string_equal(backend_node(BLKIF_NODE_DISCARD_GRANULARITY), "65536");
    assert_string_equal(backend_node(BLKIF_NODE_DISCARD_ALIGNMENT), "4096");
    /* A frontend that counts 512-byte sectors cannot use this disk. */
    assert_int_equal(blkfront_connect(&bf, &xs, backend.frontend_path), -XEN_EIO);
    assert_non_null(strstr(backend_node("error"), BLKIF_NODE_LARGE_SECTOR_SIZE));

    connect_frontend(&large);
    assert_int_equal(bf.sector_size, 4096);
    assert_int_equal(bf.sectors, DISK_BYTES / 4096);
    /* Sector 3 is byte 12288; a segment is one whole 4096-byte sector. */
    grant_pages(&out, bf.backend_id, 1, true);
    fill_spans(&out, &one, 1, 4096, 3 * 4096, 11);
    req = request(BLKIF_OP_WRITE, 3, &out, &one, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    assert_true(image_holds_pattern(image_fd, 3 * 4096, 4096, 11));
    req.seg[0].last_sect = 1; /* a second 4096-byte sector does not fit the page */
    req.id = next_id();
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);
    end_grants(&out);
    stop_all();
}

static void test_other_protocols_are_refused(void **state)
{
    struct blkfront_options x86_32 = {.protocol = "x86_32-abi"};

    reset_image();
    start_backend(NULL);
    assert_int_equal(blkfront_connect_with(&bf, &xs, backend.frontend_path, &x86_32), -XEN_EIO);
    assert_non_null(strstr(backend_node("error"), "x86_32-abi"));
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateClosed);
    /* The same backend takes a native frontend next. */
    connect_frontend(NULL);
    assert_null(backend_node("error"));
    write_pages(8, 1, 12);
    stop_all();
}

static void test_resize_while_connected(void **state)
{
    const uint64_t old_sectors = DISK_BYTES / SECTOR;
    struct granted_pages in;
    struct blkif_request req;
    char want[32];

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    grant_pages(&in, bf.backend_id, 1, false);
    req = request(BLKIF_OP_READ, old_sectors, &in, &whole_page, 1);
    assert_int_equal(transact(&req), BLKIF_RSP_ERROR);

    assert_int_equal(blkback_resize(&store, &backend, 2 * DISK_BYTES), 0);
    snprintf(want, sizeof(want), "%llu", (unsigned long long)(2 * old_sectors));
    assert_string_equal(backend_node(BLKIF_NODE_SECTORS), want);
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateConnected);
    /* The new sectors are there, on the same connection. */
    req.id = next_id();
    assert_int_equal(transact(&req), BLKIF_RSP_OKAY);
    write_pages(2 * old_sectors - 8, 1, 13);
    assert_true(
        image_holds_pattern(image_fd, 2 * DISK_BYTES - BLKIO_PAGE_SIZE, BLKIO_PAGE_SIZE, 13));
    end_grants(&in);
    stop_all();
    reset_image();
}

static void test_killed_backend_restarts_and_the_frontend_reconnects(void **state)
{
    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    write_pages(512, 4, 14);
    assert_int_equal(flush(BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
    /* Acknowledged without a flush: the page cache outlives the process. */
    write_pages(1024, 2, 15);

    assert_int_equal(blkback_restart(&fx.simd, &store, &backend), 0);
    /* The new process cannot serve the old ring: it asks the frontend to close. */
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateClosing);
    assert_int_equal(blkfront_close(&bf), 0); /* the dead process's maps are gone too */
    connect_frontend(NULL);
    assert_true(read_pages_hold(512, 4, 14));
    assert_true(read_pages_hold(1024, 2, 15));
    assert_true(image_holds_pattern(image_fd, 512 * SECTOR, 4 * BLKIO_PAGE_SIZE, 14));

    /* A restart while the frontend is closed: Closed, then a normal connection. */
    assert_int_equal(blkfront_close(&bf), 0);
    assert_int_equal(blkback_restart(&fx.simd, &store, &backend), 0);
    assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateClosed);
    connect_frontend(NULL);
    assert_true(read_pages_hold(1024, 2, 15));
    stop_all();
}

static void test_frontend_reconnects_and_sigterm_stops_cleanly(void **state)
{
    reset_image();
    start_backend(NULL);
    for (int i = 0; i < 3; i++) {
        connect_frontend(NULL);
        write_pages(64 + 8 * (uint64_t)i, 1, (uint8_t)(20 + i));
        assert_int_equal(blkfront_close(&bf), 0);
        assert_int_equal(blkback_backend_state(&store, &backend), XenbusStateClosed);
    }
    for (int i = 0; i < 3; i++)
        assert_true(image_holds_pattern(image_fd, (64 + 8 * (uint64_t)i) * SECTOR, BLKIO_PAGE_SIZE,
                                        (uint8_t)(20 + i)));
    connect_frontend(NULL);
    assert_true(guest_grant_flags(bf.queue[0].refs[0]) & GTF_writing);
    assert_int_equal(blkback_stop(&backend), 0);
    /* SIGTERM: it let go of the ring before it ended. */
    assert_int_equal(guest_grant_flags(bf.queue[0].refs[0]) & (GTF_reading | GTF_writing), 0);
    assert_int_equal(blkback_restart(&fx.simd, &store, &backend), 0);
    assert_int_equal(blkfront_close(&bf), 0);
    connect_frontend(NULL);
    assert_true(read_pages_hold(64, 1, 20));
    stop_all();
}

static void test_unplug_while_connected_closes_the_frontend_first(void **state)
{
    char path[192];

    reset_image();
    start_backend(NULL);
    connect_frontend(NULL);
    snprintf(path, sizeof(path), "%s/online", backend.backend_path);
    assert_true(xs_write(store.xsh, XBT_NULL, path, "0", 1));
    for (int i = 0; i < 500 && blkfront_backend_state(&bf) == XenbusStateConnected; i++)
        usleep(2000);
    /* It asks the frontend to close, and stays until it has. */
    assert_int_equal(blkfront_backend_state(&bf), XenbusStateClosing);
    assert_true(component_alive(&backend.process));
    assert_int_equal(blkfront_close(&bf), 0);
    /* Then it is Closed and has exited with status 0. */
    assert_int_equal(blkback_unplug(&store, &backend, 5000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_full_and_partial_requests_reach_the_image, cleanup),
        cmocka_unit_test_teardown(test_many_requests_in_flight_answered_by_id, cleanup),
        cmocka_unit_test_teardown(test_flush_and_barrier, cleanup),
        cmocka_unit_test_teardown(test_barrier_among_requests_in_flight, cleanup),
        cmocka_unit_test_teardown(test_discard_punches_the_file, cleanup),
        cmocka_unit_test_teardown(test_readonly_disk_refuses_writes, cleanup),
        cmocka_unit_test_teardown(test_bad_requests_are_errors_and_the_backend_serves_on, cleanup),
        cmocka_unit_test_teardown(test_an_impossible_ring_index_fails_the_device_cleanly, cleanup),
        cmocka_unit_test_teardown(test_features_switched_off_answer_not_supported, cleanup),
        cmocka_unit_test_teardown(test_each_feature_publishes_its_nodes_and_switches_off, cleanup),
        cmocka_unit_test_teardown(test_sector_size_and_geometry_options, cleanup),
        cmocka_unit_test_teardown(test_other_protocols_are_refused, cleanup),
        cmocka_unit_test_teardown(test_resize_while_connected, cleanup),
        cmocka_unit_test_teardown(test_killed_backend_restarts_and_the_frontend_reconnects,
                                  cleanup),
        cmocka_unit_test_teardown(test_frontend_reconnects_and_sigterm_stops_cleanly, cleanup),
        cmocka_unit_test_teardown(test_unplug_while_connected_closes_the_frontend_first, cleanup),
    };

    return cmocka_run_group_tests_name("sim_blkback", tests, blkback_fixture_setup,
                                       blkback_fixture_teardown);
}
