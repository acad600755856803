/* tests/support/vbd/front_fixture.c - see front_fixture.h. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include <xen/errno.h>
#include <xen/io/blkif.h>

#include "support/blkfront/blkio.h"
#include "support/sim/sim_fixture.h"
#include "front_fixture.h"
#include "guest.h"
#include "os.h"
#include "os_posix.h"
#include "winpv/evtchn_interface.h"
#include "winpv/gnttab_interface.h"
#include "winpv/store_interface.h"
#include "winpv/suspend_interface.h"
#include "winpv/xenbus_interface.h"

struct xenstore store;
struct xenbus_services services;
struct vbd_front_services svc;
char image_path[320];
int image_fd = -1;

struct guest_rings rings;
static size_t pages_at_start;
static struct winpv_store_interface_v1 store_table;
static struct winpv_xenbus_interface_v1 xenbus_table;
static struct winpv_gnttab_interface_v1 gnttab_table;
static struct winpv_evtchn_interface_v1 evtchn_table;
static struct winpv_suspend_interface_v1 suspend_table;

static pthread_mutex_t io_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t io_cond = PTHREAD_COND_INITIALIZER;

static void on_upcall(void *ctx, unsigned int vcpu)
{
    xenbus_services_upcall(ctx, vcpu);
}

static int query(const struct winpv_guid guid, struct winpv_interface_header *table, size_t size)
{
    return xenbus_query_interface(&services.provider, &guid, 1, table, (uint16_t)size);
}

/* The five tables XENVBD asks XENBUS for. */
static int query_tables(void)
{
    if (query((struct winpv_guid)WINPV_STORE_INTERFACE_GUID, &store_table.header,
              sizeof(store_table)) ||
        query((struct winpv_guid)WINPV_XENBUS_INTERFACE_GUID, &xenbus_table.header,
              sizeof(xenbus_table)) ||
        query((struct winpv_guid)WINPV_GNTTAB_INTERFACE_GUID, &gnttab_table.header,
              sizeof(gnttab_table)) ||
        query((struct winpv_guid)WINPV_EVTCHN_INTERFACE_GUID, &evtchn_table.header,
              sizeof(evtchn_table)) ||
        query((struct winpv_guid)WINPV_SUSPEND_INTERFACE_GUID, &suspend_table.header,
              sizeof(suspend_table)))
        return -1;
    svc = (struct vbd_front_services){&store_table, &xenbus_table, &gnttab_table, &evtchn_table,
                                      &suspend_table};
    return 0;
}

static void release_tables(void)
{
    struct winpv_interface_header *tables[] = {&store_table.header, &xenbus_table.header,
                                               &gnttab_table.header, &evtchn_table.header,
                                               &suspend_table.header};

    for (int i = 0; i < 5; i++)
        if (tables[i]->dereference)
            tables[i]->dereference(tables[i]->context);
}

int front_fixture_setup(void **state)
{
    if (sim_fixture_setup(state) != 0)
        return -1;
    unsetenv("WINPV_SIMD_NO_FIFO");
    /* Where a dom0 backend's libxengnttab finds the daemon. */
    setenv(SIM_RUN_DIR_ENV, fx.simd.dir, 1);
    snprintf(image_path, sizeof(image_path), "%s/disk.img", fx.simd.dir);
    image_fd = open(image_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pages_at_start = os_posix_guest_pages_in_use();
    sim_guest_set_upcall(on_upcall, &services);
    if (image_fd < 0 || ftruncate(image_fd, DISK_BYTES) != 0 ||
        xenstore_start(&fx.simd, &store, XENSTORED_C) != 0)
        goto fail;
    if (xenstore_introduce(&fx.simd, &store, fx.domid, &rings) != 0 ||
        xenbus_services_start(&services, 2) != 0) {
        xenstore_stop(&store);
        goto fail;
    }
    if (query_tables() != 0) {
        xenbus_services_stop(&services);
        xenstore_stop(&store);
        goto fail;
    }
    return 0;
fail:
    fprintf(stderr, "vbdfront set-up failed; run directory %s\n", fx.simd.dir);
    sim_guest_set_upcall(NULL, NULL);
    if (image_fd >= 0)
        close(image_fd);
    image_fd = -1;
    sim_fixture_teardown(state);
    return -1;
}

int front_fixture_teardown(void **state)
{
    size_t pages;
    int stopped;

    release_tables();
    sim_guest_set_upcall(NULL, NULL);
    xenbus_services_stop(&services);
    pages = os_posix_guest_pages_in_use();
    stopped = xenstore_stop(&store);
    close(image_fd);
    image_fd = -1;
    if (pages != pages_at_start)
        fprintf(stderr, "vbdfront: %zu guest pages not given back\n", pages - pages_at_start);
    return sim_fixture_teardown(state) == 0 && stopped == 0 && pages == pages_at_start ? 0 : -1;
}

void reset_image(uint64_t bytes)
{
    assert_int_equal(ftruncate(image_fd, 0), 0);
    assert_int_equal(ftruncate(image_fd, (off_t)bytes), 0);
}

/* -- buffers ---------------------------------------------------------------- */

void buffer_alloc(struct test_buffer *b, uint32_t length, uint32_t offset)
{
    uint32_t left = length;

    assert_true(offset < 4096 && length > 0);
    memset(b, 0, sizeof(*b));
    b->pages = (offset + length + 4095) / 4096;
    b->offset = offset;
    b->length = length;
    b->gfns = calloc(b->pages, sizeof(*b->gfns));
    b->sg = calloc(b->pages, sizeof(*b->sg));
    assert_non_null(b->gfns);
    assert_non_null(b->sg);
    b->va = os_pages_alloc(b->pages, b->gfns);
    assert_non_null(b->va);
    b->data = b->va + offset;
    for (uint32_t p = 0; left > 0; p++) {
        uint32_t at = p == 0 ? offset : 0;
        uint32_t len = 4096 - at < left ? 4096 - at : left;

        b->sg[b->nr_sg++] = (struct vbd_front_sg){.gfn = b->gfns[p], .offset = at, .length = len};
        left -= len;
    }
}

void buffer_free(struct test_buffer *b)
{
    os_pages_free(b->va, b->pages);
    free(b->gfns);
    free(b->sg);
    memset(b, 0, sizeof(*b));
}

/* -- requests --------------------------------------------------------------- */

static void io_done(void *ctx, struct vbd_front_request *req, int16_t status)
{
    struct test_io *t = ctx;

    pthread_mutex_lock(&io_lock);
    /* Not in the test's thread: no cmocka assert here; a wrong request counts as many calls. */
    t->calls += req == &t->req ? 1 : 100;
    t->status = status;
    pthread_cond_broadcast(&io_cond);
    pthread_mutex_unlock(&io_lock);
}

void io_rw(struct test_io *t, enum vbd_scsi_op op, uint64_t sector, uint32_t sectors,
           const struct test_buffer *b)
{
    memset(t, 0, sizeof(*t));
    t->req.io.op = op;
    t->req.io.sector = sector;
    t->req.io.sectors = sectors;
    t->req.buffer = b->data;
    t->req.sg = b->sg;
    t->req.nr_sg = b->nr_sg;
}

void io_start(struct vbd_front *front, unsigned int queue, struct test_io *t)
{
    int rc;

    t->calls = 0;
    t->req.done = io_done;
    t->req.ctx = t;
    /* As Storport's StartIo, at DISPATCH_LEVEL: anything that may block aborts. */
    os_posix_dispatch_enter();
    rc = vbd_front_submit(front, queue, &t->req);
    os_posix_dispatch_leave();
    assert_int_equal(rc, 0);
}

int io_calls(struct test_io *t)
{
    int n;

    pthread_mutex_lock(&io_lock);
    n = t->calls;
    pthread_mutex_unlock(&io_lock);
    return n;
}

int16_t io_wait(struct test_io *t)
{
    struct timespec until;
    int16_t status;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&io_lock);
    while (t->calls == 0 && pthread_cond_timedwait(&io_cond, &io_lock, &until) == 0)
        ;
    status = t->status;
    pthread_mutex_unlock(&io_lock);
    if (io_calls(t) == 0)
        fail_msg("a request was never completed");
    return status;
}

int16_t io_run(struct vbd_front *front, unsigned int queue, struct test_io *t)
{
    io_start(front, queue, t);
    return io_wait(t);
}

void write_pattern(struct vbd_front *front, uint64_t sector, uint32_t bytes, uint32_t offset,
                   uint8_t seed)
{
    struct test_buffer b;
    struct test_io t;

    buffer_alloc(&b, bytes, offset);
    fill_pattern(b.data, bytes, sector * 512, seed);
    io_rw(&t, VBD_SCSI_OP_WRITE, sector, bytes / 512, &b);
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    assert_int_equal(io_calls(&t), 1);
    buffer_free(&b);
}

void read_pattern(struct vbd_front *front, uint64_t sector, uint32_t bytes, uint32_t offset,
                  uint8_t seed)
{
    struct test_buffer b;
    struct test_io t;
    bool same = true;

    buffer_alloc(&b, bytes, offset);
    memset(b.va, 0xee, (size_t)b.pages * 4096);
    io_rw(&t, VBD_SCSI_OP_READ, sector, bytes / 512, &b);
    assert_int_equal(io_run(front, 0, &t), BLKIF_RSP_OKAY);
    for (uint32_t i = 0; same && i < bytes; i++)
        same = b.data[i] == pattern_byte(sector * 512 + i, seed);
    /* Nothing around the data was touched. */
    for (uint32_t i = 0; same && i < offset; i++)
        same = b.va[i] == 0xee;
    buffer_free(&b);
    assert_true(same);
}

uint8_t scsi_sense[VBD_SCSI_SENSE_LEN];

/* What the initiator was told of the disk, as the Storport shell keeps it for each disk. */
static struct vbd_scsi_attention attention;
static const struct vbd_front *attention_of;

uint8_t scsi_run(struct vbd_front *front, const uint8_t *cdb, uint32_t cdb_len,
                 const struct test_buffer *b, enum vbd_scsi_dir dir, uint8_t *sense_key)
{
    struct vbd_scsi_disk disk = vbd_front_disk(front);
    struct vbd_scsi_request req = {.cdb = cdb,
                                   .cdb_len = cdb_len,
                                   .buffer = b ? b->data : NULL,
                                   .length = b ? b->length : 0,
                                   .dir = dir};
    struct vbd_scsi_result res;
    struct test_io t;

    if (attention_of != front) {
        vbd_scsi_attention_init(&attention, &disk);
        attention_of = front;
    }
    if (!vbd_scsi_attention_check(&attention, &disk, &req, &res))
        vbd_scsi_execute(&disk, &req, &res);
    if (res.io.op != VBD_SCSI_OP_NONE) {
        memset(&t, 0, sizeof(t));
        t.req.io = res.io;
        if (b) {
            t.req.buffer = b->data;
            t.req.sg = b->sg;
            t.req.nr_sg = b->nr_sg;
        }
        if (io_run(front, 0, &t) != BLKIF_RSP_OKAY)
            vbd_scsi_io_failed(&res, t.status);
    }
    memset(scsi_sense, 0, sizeof(scsi_sense));
    memcpy(scsi_sense, res.sense, res.sense_len);
    *sense_key = res.sense_len ? res.sense[2] & 0x0f : 0;
    return res.status;
}

/* -- xenstore as dom0 ------------------------------------------------------- */

const char *store_read(const char *path)
{
    static char value[512];
    unsigned int len;
    char *text = xs_read(store.xsh, XBT_NULL, path, &len);

    if (!text)
        return NULL;
    snprintf(value, sizeof(value), "%s", text);
    free(text);
    return value;
}

void store_write(const char *path, const char *value)
{
    assert_true(xs_write(store.xsh, XBT_NULL, path, value, (unsigned int)strlen(value)));
}

const char *guest_node(const char *node)
{
    char path[256];

    snprintf(path, sizeof(path), "/local/domain/%u/%s", fx.domid, node);
    return store_read(path);
}
