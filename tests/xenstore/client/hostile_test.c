/*
 * tests/xenstore/client/hostile_test.c - the client against a daemon the test
 * plays (fake_store): replies in any order, replies for nothing, replies of
 * the wrong type, impossible headers, lying ring indices, malformed
 * payloads, silence, a flood of watch events, a reply stream that never
 * ends, reconnection, shutdown and destruction with requests in flight;
 * and watches removed from their own callbacks or after a failed XS_WATCH.
 * Real daemons never do most of this; a hostile or broken one may.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_store.h"
#include "os.h"

static struct fake_store fs;
static struct xsd_sockmsg hdr;
static char payload[XENSTORE_PAYLOAD_MAX + 1];

static int setup(void **state)
{
    fake_store_open(&fs);
    return 0;
}

static int teardown(void **state)
{
    fake_store_close(&fs);
    return 0;
}

/* One request made on a thread of its own, while the test plays the daemon. */
struct call {
    pthread_t thread;
    int (*op)(struct call *);
    const char *path;
    int rc;
    char *value;
    size_t len;
    char **names;
    unsigned int count;
    struct xs_perm *perms;
    xs_tx_t tx;
};

static int op_read(struct call *c)
{
    return xs_read(fs.client, XS_TX_NONE, c->path, &c->value, &c->len);
}

static int op_write(struct call *c)
{
    return xs_write(fs.client, XS_TX_NONE, c->path, c->value, c->len);
}

static int op_directory(struct call *c)
{
    return xs_directory(fs.client, XS_TX_NONE, c->path, &c->names, &c->count);
}

static int op_get_perms(struct call *c)
{
    return xs_get_perms(fs.client, XS_TX_NONE, c->path, &c->perms, &c->count);
}

static int op_tx_start(struct call *c)
{
    return xs_tx_start(fs.client, &c->tx);
}

static int op_reconnect(struct call *c)
{
    return xs_client_reconnect(fs.client);
}

static void *call_main(void *arg)
{
    struct call *c = arg;

    c->rc = c->op(c);
    return NULL;
}

static void call_start(struct call *c, int (*op)(struct call *), const char *path)
{
    c->op = op;
    c->path = path;
    assert_int_equal(pthread_create(&c->thread, NULL, call_main, c), 0);
}

static int call_end(struct call *c)
{
    pthread_join(c->thread, NULL);
    return c->rc;
}

/* Start @op on @path and take its request; returns the request's id. */
static uint32_t call_and_take(struct call *c, int (*op)(struct call *), const char *path,
                              uint32_t type)
{
    call_start(c, op, path);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, type);
    return hdr.req_id;
}

static struct xs_client_stats stats(void)
{
    struct xs_client_stats s;

    xs_client_get_stats(fs.client, &s);
    return s;
}

/* A read answered with @type and @len bytes of @reply; its status. */
static int read_answered_with(uint32_t type, const void *reply, size_t len)
{
    struct call c = {0};
    uint32_t id = call_and_take(&c, op_read, "node", XS_READ);
    int rc;

    fake_store_reply(&fs, type, id, reply, len);
    rc = call_end(&c);
    os_free(c.value);
    return rc;
}

static void test_replies_matched_by_id_in_any_order(void **state)
{
    struct call a = {0}, b = {0};
    uint32_t id_a = call_and_take(&a, op_read, "a", XS_READ);
    uint32_t id_b = call_and_take(&b, op_read, "b", XS_READ);

    assert_string_equal(payload, "b");
    assert_int_not_equal(id_a, id_b);
    fake_store_reply(&fs, XS_READ, id_b, "value of b", 10);
    fake_store_reply(&fs, XS_READ, id_a, "value of a", 10);
    assert_int_equal(call_end(&b), 0);
    assert_int_equal(call_end(&a), 0);
    assert_string_equal(a.value, "value of a");
    assert_string_equal(b.value, "value of b");
    os_free(a.value);
    os_free(b.value);
    assert_int_equal(stats().replies, 2);
}

static void test_reply_for_no_request_is_dropped_and_counted(void **state)
{
    struct call c = {0};
    uint32_t id = call_and_take(&c, op_read, "node", XS_READ);

    fake_store_reply(&fs, XS_READ, id + 1000, "made up", 7);
    fake_store_reply(&fs, XS_ERROR, id + 1001, "EACCES", 7);
    fake_store_reply(&fs, XS_READ, id, "real", 4);
    assert_int_equal(call_end(&c), 0);
    assert_string_equal(c.value, "real");
    os_free(c.value);
    assert_int_equal(stats().unsolicited, 2);
    assert_false(xs_client_broken(fs.client));
}

static void test_reply_of_the_wrong_type_fails_that_request(void **state)
{
    assert_int_equal(read_answered_with(XS_WRITE, "OK", 3), -XEN_EIO);
    assert_false(xs_client_broken(fs.client));
    assert_int_equal(read_answered_with(XS_READ, "fine", 4), 0);
}

static void test_error_replies_become_statuses(void **state)
{
    assert_int_equal(read_answered_with(XS_ERROR, "ENOENT", 7), -XEN_ENOENT);
    assert_int_equal(read_answered_with(XS_ERROR, "EQUOTA", 7), -XEN_ENOSPC);
    assert_int_equal(read_answered_with(XS_ERROR, "EWHATEVER", 10), -XEN_EIO);
    assert_int_equal(stats().errors, 3);
}

/* In flight, then @bytes from the daemon: the connection breaks, it fails -XEN_EIO. */
static void assert_breaks(const void *bytes, size_t len)
{
    struct call c = {0};
    uint32_t prod;
    char *value;

    call_and_take(&c, op_read, "node", XS_READ);
    fake_store_put(&fs, bytes, len);
    fake_store_event(&fs);
    assert_int_equal(call_end(&c), -XEN_EIO);
    assert_true(xs_client_broken(fs.client));
    /* Later requests fail at once, nothing sent. */
    prod = fs.intf->req_prod;
    assert_int_equal(xs_read(fs.client, XS_TX_NONE, "node", &value, NULL), -XEN_EIO);
    assert_int_equal(fs.intf->req_prod, prod);
}

static void test_oversized_header_breaks_the_connection(void **state)
{
    struct xsd_sockmsg bad = {.type = XS_READ, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};

    assert_breaks(&bad, sizeof(bad));
}

static void test_unknown_type_breaks_the_connection(void **state)
{
    struct xsd_sockmsg bad = {.type = XS_TYPE_COUNT, .req_id = 1, .len = 0};

    assert_breaks(&bad, sizeof(bad));
}

static void test_reply_ring_index_beyond_the_ring_breaks(void **state)
{
    struct call c = {0};

    call_and_take(&c, op_read, "node", XS_READ);
    fs.intf->rsp_prod = fs.intf->rsp_cons + XENSTORE_RING_SIZE + 1;
    fake_store_event(&fs);
    assert_int_equal(call_end(&c), -XEN_EIO);
    assert_true(xs_client_broken(fs.client));
}

static void test_request_ring_index_beyond_the_ring_breaks(void **state)
{
    char *value;

    fs.intf->req_cons = fs.intf->req_prod + 1; /* consumed what was never written */
    assert_int_equal(xs_read(fs.client, XS_TX_NONE, "node", &value, NULL), -XEN_EIO);
    assert_true(xs_client_broken(fs.client));
}

static void test_silence_times_out_and_the_late_reply_is_dropped(void **state)
{
    struct call c = {0};
    uint32_t id;

    xs_client_set_timeout(fs.client, 50ull * 1000 * 1000);
    id = call_and_take(&c, op_read, "node", XS_READ);
    assert_int_equal(call_end(&c), -XEN_ETIMEDOUT);
    fake_store_reply(&fs, XS_READ, id, "late", 4);
    assert_int_equal(stats().unsolicited, 1);
    assert_int_equal(stats().timeouts, 1);
    assert_int_equal(read_answered_with(XS_READ, "on time", 7), 0);
}

/* Both rings wrap: indices start just short of 2^32, messages are 4 times the ring. */
static void test_largest_messages_through_the_small_rings(void **state)
{
    static char value[XENSTORE_PAYLOAD_MAX];
    const char *path = "big";
    size_t largest = XENSTORE_PAYLOAD_MAX - (strlen(path) + 1);
    struct call w = {0}, r = {0};
    uint32_t id;

    fs.intf->req_prod = fs.intf->req_cons = UINT32_MAX - 100;
    fs.intf->rsp_prod = fs.intf->rsp_cons = UINT32_MAX - 200;
    for (size_t i = 0; i < largest; i++)
        value[i] = (char)(i * 13);
    w.value = value;
    w.len = largest;
    id = call_and_take(&w, op_write, path, XS_WRITE);
    assert_int_equal(hdr.len, XENSTORE_PAYLOAD_MAX);
    assert_string_equal(payload, path);
    assert_memory_equal(payload + strlen(path) + 1, value, largest);
    fake_store_reply(&fs, XS_WRITE, id, "OK", 3);
    assert_int_equal(call_end(&w), 0);

    id = call_and_take(&r, op_read, path, XS_READ);
    fake_store_reply(&fs, XS_READ, id, value, XENSTORE_PAYLOAD_MAX);
    assert_int_equal(call_end(&r), 0);
    assert_int_equal(r.len, XENSTORE_PAYLOAD_MAX);
    assert_memory_equal(r.value, value, XENSTORE_PAYLOAD_MAX);
    os_free(r.value);

    /* One byte more is refused before anything is written. */
    id = fs.intf->req_prod;
    assert_int_equal(xs_write(fs.client, XS_TX_NONE, path, value, largest + 1), -XEN_E2BIG);
    assert_int_equal(fs.intf->req_prod, id);
}

static void test_directory_payloads(void **state)
{
    struct call c = {0};
    uint32_t id = call_and_take(&c, op_directory, "dir", XS_DIRECTORY);

    fake_store_reply(&fs, XS_DIRECTORY, id, "one\0two\0\0", 9);
    assert_int_equal(call_end(&c), 0);
    assert_int_equal(c.count, 3);
    assert_string_equal(c.names[0], "one");
    assert_string_equal(c.names[1], "two");
    assert_string_equal(c.names[2], "");
    os_free(c.names);

    id = call_and_take(&c, op_directory, "dir", XS_DIRECTORY);
    fake_store_reply(&fs, XS_DIRECTORY, id, "one\0two", 7); /* not terminated */
    assert_int_equal(call_end(&c), -XEN_EIO);
    assert_false(xs_client_broken(fs.client));
}

static int perms_answered_with(const char *reply, size_t len)
{
    struct call c = {0};
    uint32_t id = call_and_take(&c, op_get_perms, "node", XS_GET_PERMS);

    fake_store_reply(&fs, XS_GET_PERMS, id, reply, len);
    if (call_end(&c) == 0) {
        assert_int_equal(c.count, 2);
        assert_int_equal(c.perms[0].access, XS_PERM_BOTH);
        assert_int_equal(c.perms[0].domid, 0);
        assert_int_equal(c.perms[1].access, XS_PERM_READ);
        assert_int_equal(c.perms[1].domid, 4294967295u);
        os_free(c.perms);
    }
    return c.rc;
}

static void test_permission_payloads(void **state)
{
    assert_int_equal(perms_answered_with("b0\0r4294967295\0", 15), 0);
    assert_int_equal(perms_answered_with("b0\0r4294967296\0", 15), -XEN_EIO); /* > 32 bits */
    assert_int_equal(perms_answered_with("x0\0r5\0", 6), -XEN_EIO);
    assert_int_equal(perms_answered_with("b\0r5\0", 5), -XEN_EIO);
    assert_int_equal(perms_answered_with("b1a\0", 4), -XEN_EIO);
    assert_int_equal(perms_answered_with("b0", 2), -XEN_EIO);
    assert_int_equal(perms_answered_with("", 0), -XEN_EIO);
}

static int tx_answered_with(const char *reply, size_t len, xs_tx_t *tx)
{
    struct call c = {0};
    uint32_t id = call_and_take(&c, op_tx_start, NULL, XS_TRANSACTION_START);

    assert_int_equal(hdr.tx_id, 0);
    fake_store_reply(&fs, XS_TRANSACTION_START, id, reply, len);
    call_end(&c);
    *tx = c.tx;
    return c.rc;
}

static void test_transaction_ids(void **state)
{
    xs_tx_t tx;

    assert_int_equal(tx_answered_with("17", 3, &tx), 0);
    assert_int_equal(tx, 17);
    assert_int_equal(tx_answered_with("4294967295", 10, &tx), 0); /* NUL optional */
    assert_int_equal(tx, 4294967295u);
    assert_int_equal(tx_answered_with("0", 2, &tx), -XEN_EIO);
    assert_int_equal(tx_answered_with("12x", 4, &tx), -XEN_EIO);
    assert_int_equal(tx_answered_with("", 0, &tx), -XEN_EIO);
}

/* Watch callbacks count what they were given; while hold is set they wait. */
struct seen {
    atomic_uint entered, calls;
    atomic_bool hold;
    char last[64];
};

static void seen_event(void *ctx, const char *path)
{
    struct seen *s = ctx;

    atomic_fetch_add(&s->entered, 1);
    while (atomic_load(&s->hold))
        usleep(1000);
    snprintf(s->last, sizeof(s->last), "%s", path);
    atomic_fetch_add(&s->calls, 1);
}

static void wait_for(atomic_uint *counter, unsigned int n)
{
    for (int i = 0; i < 5000 && atomic_load(counter) < n; i++)
        usleep(1000);
    assert_int_equal(atomic_load(counter), n);
}

static struct seen *seen_by_add;

static int op_watch_add(struct call *c)
{
    return xs_watch_add(fs.client, c->path, seen_event, seen_by_add, (struct xs_watch **)&c->value);
}

static int op_watch_remove(struct call *c)
{
    xs_watch_remove(fs.client, (struct xs_watch *)c->value);
    return 0;
}

static char token[32];

/* A watch on "watched" counting into @s; its token (as the daemon got it) in token. */
static struct xs_watch *add_watch(struct seen *s)
{
    struct call c = {0};
    uint32_t id;

    seen_by_add = s;
    id = call_and_take(&c, op_watch_add, "watched", XS_WATCH);
    assert_string_equal(payload, "watched");
    snprintf(token, sizeof(token), "%s", payload + strlen(payload) + 1);
    assert_true(strlen(token) > 0);
    fake_store_reply(&fs, XS_WATCH, id, "OK", 3);
    assert_int_equal(call_end(&c), 0);
    return (struct xs_watch *)c.value;
}

/* Remove @watch, answering its XS_UNWATCH; @before runs while removal waits. */
static void remove_watch(struct xs_watch *watch, void (*before)(void))
{
    struct call c = {.value = (char *)watch};
    uint32_t id;

    call_start(&c, op_watch_remove, NULL);
    if (before)
        before();
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_UNWATCH);
    assert_string_equal(payload + strlen(payload) + 1, token);
    id = hdr.req_id;
    fake_store_reply(&fs, XS_UNWATCH, id, "OK", 3);
    assert_int_equal(call_end(&c), 0);
}

static void send_event(const char *path, const char *its_token)
{
    static char event[XENSTORE_PAYLOAD_MAX];
    size_t path_len = strlen(path) + 1, token_len = strlen(its_token) + 1;

    assert_true(path_len + token_len <= sizeof(event));
    memcpy(event, path, path_len);
    memcpy(event + path_len, its_token, token_len);
    fake_store_reply(&fs, XS_WATCH_EVENT, 0, event, path_len + token_len);
}

static void test_watch_events_reach_their_watch_only(void **state)
{
    struct seen s = {0};
    struct call c = {0};
    char other[40];
    uint32_t id;

    /* The first event may come before the reply to XS_WATCH. */
    seen_by_add = &s;
    id = call_and_take(&c, op_watch_add, "watched", XS_WATCH);
    snprintf(token, sizeof(token), "%s", payload + strlen(payload) + 1);
    send_event("watched", token);
    fake_store_reply(&fs, XS_WATCH, id, "OK", 3);
    assert_int_equal(call_end(&c), 0);
    wait_for(&s.calls, 1);

    snprintf(other, sizeof(other), "%sx", token);
    send_event("watched/a", other);                              /* no such token */
    fake_store_reply(&fs, XS_WATCH_EVENT, 0, "watched/b", 10);   /* no token at all */
    fake_store_reply(&fs, XS_WATCH_EVENT, 0, "watched/c\0", 10); /* nor here */
    send_event("watched/d", token);
    wait_for(&s.calls, 2);
    assert_string_equal(s.last, "watched/d");
    assert_int_equal(stats().watch_events, 5);
    remove_watch((struct xs_watch *)c.value, NULL);
}

static struct seen *held;

static void release_held(void)
{
    usleep(50000); /* removal is waiting for the running callback by now */
    assert_int_equal(atomic_load(&held->calls), 0);
    atomic_store(&held->hold, false);
}

static void test_remove_waits_for_the_callback_and_drops_queued_events(void **state)
{
    struct seen s = {.hold = true};
    struct xs_watch *watch = add_watch(&s);

    send_event("watched", token);
    wait_for(&s.entered, 1);
    for (int i = 0; i < 3; i++)
        send_event("watched/queued", token);
    held = &s;
    remove_watch(watch, release_held);
    assert_int_equal(atomic_load(&s.calls), 1);
    usleep(20000);
    assert_int_equal(atomic_load(&s.entered), 1);
}

/*
 * Behind a callback that does not return, events queue up to
 * XS_CLIENT_WATCH_QUEUE_BYTES of memory (each charged its payload and some
 * bookkeeping); the rest are dropped and counted. The queued ones run.
 */
static void test_watch_event_queue_is_bounded(void **state)
{
    enum { PATH_LEN = 1000, SENT = XS_CLIENT_WATCH_QUEUE_BYTES / PATH_LEN + 100 };
    static char path[PATH_LEN + 1];
    struct seen s = {.hold = true};
    struct xs_watch *watch = add_watch(&s);
    uint64_t dropped;

    memset(path, 'p', PATH_LEN);
    memcpy(path, "watched/", 8);
    send_event("watched", token);
    wait_for(&s.entered, 1);
    for (unsigned int i = 0; i < SENT; i++)
        send_event(path, token);
    dropped = stats().watch_dropped;
    /* Each queued event took its payload and at most 64 bytes more. */
    assert_in_range(SENT - dropped,
                    XS_CLIENT_WATCH_QUEUE_BYTES / (PATH_LEN + strlen(token) + 2 + 64),
                    XS_CLIENT_WATCH_QUEUE_BYTES / PATH_LEN);
    atomic_store(&s.hold, false);
    wait_for(&s.calls, (unsigned int)(1 + SENT - dropped));
    assert_memory_equal(s.last, path, sizeof(s.last) - 1);
    remove_watch(watch, NULL);
}

/* The watch this callback removes, from inside its own callback. */
static struct xs_watch *self_removing;

static void remove_itself(void *ctx, const char *path)
{
    struct seen *s = ctx;

    atomic_fetch_add(&s->entered, 1);
    if (strcmp(path, "watched/closed") == 0)
        xs_watch_remove(fs.client, __atomic_load_n(&self_removing, __ATOMIC_ACQUIRE));
    atomic_fetch_add(&s->calls, 1);
}

static int op_watch_add_self_removing(struct call *c)
{
    return xs_watch_add(fs.client, c->path, remove_itself, seen_by_add,
                        (struct xs_watch **)&c->value);
}

/*
 * A callback may remove its own watch (a frontend closing its device when
 * the backend says Closed): removal does not wait for the callback it is
 * called from, the callback goes on to its end, no later event reaches it,
 * the watch is freed after (ASan: neither leaked nor used after), and the
 * client's other watches go on.
 */
static void test_a_callback_removes_its_own_watch(void **state)
{
    struct seen mine = {0}, other = {0};
    struct xs_watch *kept = add_watch(&other);
    char kept_token[sizeof(token)];
    struct call c = {0};
    uint32_t id;

    snprintf(kept_token, sizeof(kept_token), "%s", token);
    seen_by_add = &mine;
    id = call_and_take(&c, op_watch_add_self_removing, "watched", XS_WATCH);
    snprintf(token, sizeof(token), "%s", payload + strlen(payload) + 1);
    fake_store_reply(&fs, XS_WATCH, id, "OK", 3);
    assert_int_equal(call_end(&c), 0);
    __atomic_store_n(&self_removing, (struct xs_watch *)c.value, __ATOMIC_RELEASE);

    send_event("watched", token);
    wait_for(&mine.calls, 1);
    send_event("watched/closed", token);
    /* Its callback removes it: XS_UNWATCH goes out from there, then the callback ends. */
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_UNWATCH);
    assert_string_equal(payload + strlen(payload) + 1, token);
    fake_store_reply(&fs, XS_UNWATCH, hdr.req_id, "OK", 3);
    wait_for(&mine.calls, 2);
    /* Gone: its next event finds nothing (events run in order); the other watch hears its own. */
    send_event("watched/after", token);
    send_event("watched/other", kept_token);
    wait_for(&other.calls, 1);
    assert_int_equal(atomic_load(&mine.entered), 2);
    snprintf(token, sizeof(token), "%s", kept_token);
    remove_watch(kept, NULL);
}

static void test_destroy_fails_requests_in_flight(void **state)
{
    struct call c = {0};

    call_and_take(&c, op_read, "node", XS_READ);
    xs_client_destroy(fs.client); /* waits for the request to give up */
    fs.client = NULL;
    assert_int_equal(call_end(&c), -XEN_ENOTCONN);
}

static void test_reconnection_not_offered(void **state)
{
    assert_int_equal(xs_client_reconnect(fs.client), -XEN_EOPNOTSUPP);
    assert_int_equal(fs.intf->connection, XENSTORE_CONNECTED);
}

/* The daemon's side of reconnection: wait for the request, reset the rings. */
static void daemon_reconnects(void)
{
    uint32_t *indices[] = {&fs.intf->req_cons, &fs.intf->req_prod, &fs.intf->rsp_cons,
                           &fs.intf->rsp_prod};

    for (int i = 0;
         i < 5000 && __atomic_load_n(&fs.intf->connection, __ATOMIC_ACQUIRE) != XENSTORE_RECONNECT;
         i++)
        usleep(1000);
    assert_int_equal(__atomic_load_n(&fs.intf->connection, __ATOMIC_ACQUIRE), XENSTORE_RECONNECT);
    for (size_t i = 0; i < 4; i++)
        __atomic_store_n(indices[i], 0, __ATOMIC_RELAXED);
    __atomic_store_n(&fs.intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
    fake_store_event(&fs);
}

static void test_reconnection_resets_and_registers_watches_again(void **state)
{
    struct seen s = {0};
    struct xs_watch *watch;
    struct call reader = {0}, reconnect = {0};
    struct xsd_sockmsg bad = {.type = XS_TYPE_COUNT};

    fs.intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    fs.intf->req_prod = fs.intf->req_cons = 1000; /* not where the reset puts them */
    fs.intf->rsp_prod = fs.intf->rsp_cons = 2000;
    watch = add_watch(&s);
    call_and_take(&reader, op_read, "node", XS_READ);
    fake_store_put(&fs, &bad, sizeof(bad)); /* half read or not: the reset drops it */

    call_start(&reconnect, op_reconnect, NULL);
    assert_int_equal(call_end(&reader), -XEN_ENOTCONN);
    daemon_reconnects();
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_WATCH);
    assert_string_equal(payload, "watched");
    assert_string_equal(payload + strlen(payload) + 1, token);
    fake_store_reply(&fs, XS_WATCH, hdr.req_id, "OK", 3);
    assert_int_equal(call_end(&reconnect), 0);
    assert_false(xs_client_broken(fs.client));

    assert_int_equal(read_answered_with(XS_READ, "after", 5), 0);
    send_event("watched", token);
    wait_for(&s.calls, 1);
    remove_watch(watch, NULL);
}

static void test_broken_connection_is_repaired_by_reconnection(void **state)
{
    struct xsd_sockmsg bad = {.type = XS_TYPE_COUNT};
    struct call reconnect = {0};

    fs.intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    assert_breaks(&bad, sizeof(bad));
    call_start(&reconnect, op_reconnect, NULL);
    daemon_reconnects();
    assert_int_equal(call_end(&reconnect), 0);
    assert_false(xs_client_broken(fs.client));
    assert_int_equal(read_answered_with(XS_READ, "repaired", 8), 0);
}

static void test_reconnection_the_daemon_ignores_times_out(void **state)
{
    fs.intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    xs_client_set_timeout(fs.client, 50ull * 1000 * 1000);
    assert_int_equal(xs_client_reconnect(fs.client), -XEN_ETIMEDOUT);
    assert_true(xs_client_broken(fs.client));
}

/*
 * A watch whose XS_WATCH failed in a way that does not say the daemon
 * refused it (a reconnection cut it short, the connection broke, the
 * daemon answered EIO) may be registered with the daemon all the same: it
 * is unwatched, or it would stay in the guest's quota. A refusal (EACCES)
 * leaves nothing to undo: nothing more is sent.
 */
static void test_a_watch_that_may_have_reached_the_daemon_is_unwatched(void **state)
{
    struct seen s = {0};
    struct call c = {0};
    uint32_t id;

    seen_by_add = &s;
    id = call_and_take(&c, op_watch_add, "watched", XS_WATCH);
    snprintf(token, sizeof(token), "%s", payload + strlen(payload) + 1);
    fake_store_reply(&fs, XS_ERROR, id, "EIO", 4);
    assert_true(fake_store_take(&fs, &hdr, payload));
    assert_int_equal(hdr.type, XS_UNWATCH);
    assert_string_equal(payload, "watched");
    assert_string_equal(payload + strlen(payload) + 1, token);
    fake_store_reply(&fs, XS_UNWATCH, hdr.req_id, "OK", 3);
    assert_int_equal(call_end(&c), -XEN_EIO);

    id = call_and_take(&c, op_watch_add, "watched", XS_WATCH);
    fake_store_reply(&fs, XS_ERROR, id, "EACCES", 7);
    assert_int_equal(call_end(&c), -XEN_EACCES);
    assert_int_equal(__atomic_load_n(&fs.intf->req_prod, __ATOMIC_ACQUIRE), fs.intf->req_cons);
}

/*
 * A daemon that never stops writing: it tops the reply ring up the moment
 * the client takes from it (the test wraps xs_ring_get, the client's only
 * way to read the ring, see module.mk), for FLOOD_RINGS rings' worth of
 * 64-byte messages (replies for no request: a ring's worth written once
 * reads as an endless stream as the daemon moves its index).
 */
#define FLOOD_MESSAGE 64u
#define FLOOD_RINGS   64u

static atomic_uint flood_left; /* messages the daemon has still to write */

int __real_xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len);
int __wrap_xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len);

int __wrap_xs_ring_get(struct xenstore_domain_interface *intf, void *buf, size_t len)
{
    uint32_t prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_RELAXED);
    uint32_t room =
        XENSTORE_RING_SIZE - (prod - __atomic_load_n(&intf->rsp_cons, __ATOMIC_RELAXED));
    uint32_t n = room / FLOOD_MESSAGE, left = atomic_load(&flood_left);

    if (intf == fs.intf && left > 0) {
        n = n < left ? n : left;
        atomic_fetch_sub(&flood_left, n);
        __atomic_store_n(&intf->rsp_prod, prod + n * FLOOD_MESSAGE, __ATOMIC_RELEASE);
    }
    return __real_xs_ring_get(intf, buf, len);
}

/*
 * One xs_client_on_event takes at most XS_CLIENT_EVENT_BYTES, however much
 * the daemon writes (on Windows it runs in a DPC, which may not keep the
 * processor); what it leaves is taken on deferred work, without another
 * signal, every message counted.
 */
static void test_a_daemon_that_never_stops_writing_does_not_hold_the_event_path(void **state)
{
    const uint32_t total = FLOOD_RINGS * (XENSTORE_RING_SIZE / FLOOD_MESSAGE);
    struct xsd_sockmsg reply = {.type = XS_READ, .req_id = 0};

    reply.len = FLOOD_MESSAGE - (uint32_t)sizeof(reply);
    for (uint32_t at = 0; at < XENSTORE_RING_SIZE; at += FLOOD_MESSAGE) {
        memset(fs.intf->rsp + at, 'f', FLOOD_MESSAGE);
        memcpy(fs.intf->rsp + at, &reply, sizeof(reply));
    }
    atomic_store(&flood_left, total);
    fake_store_event(&fs);
    /* It told the daemon there is room (the ring was full), after taking what it took. */
    assert_in_range(atomic_load(&fs.first_notify_cons), FLOOD_MESSAGE, XS_CLIENT_EVENT_BYTES);
    for (int i = 0; i < 5000 && stats().unsolicited < total; i++)
        usleep(1000);
    assert_int_equal(stats().unsolicited, total);
    assert_int_equal(atomic_load(&flood_left), 0);
    assert_int_equal(__atomic_load_n(&fs.intf->rsp_cons, __ATOMIC_ACQUIRE), fs.intf->rsp_prod);
}

/* Destroy while a reconnection waits for a daemon that ignores it: at once, not at its timeout. */
static void test_destroy_cuts_a_reconnection_short(void **state)
{
    struct call reconnect = {0};
    uint64_t start;

    fs.intf->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION;
    xs_client_set_timeout(fs.client, 10000ull * 1000 * 1000);
    call_start(&reconnect, op_reconnect, NULL);
    for (int i = 0;
         i < 5000 && __atomic_load_n(&fs.intf->connection, __ATOMIC_ACQUIRE) != XENSTORE_RECONNECT;
         i++)
        usleep(1000);
    start = os_time_ns();
    xs_client_destroy(fs.client);
    fs.client = NULL;
    assert_true(os_time_ns() - start < 2000ull * 1000 * 1000);
    assert_int_equal(call_end(&reconnect), -XEN_ENOTCONN);
}

struct shutdown_call {
    pthread_t thread;
    atomic_bool done;
};

static void *shutdown_main(void *arg)
{
    struct shutdown_call *sd = arg;

    xs_client_shutdown(fs.client);
    atomic_store(&sd->done, true);
    return NULL;
}

/*
 * Shutdown (the store port is about to close): it waits for a signal under
 * way, fails the request in flight, and after it nothing is sent and no
 * signal given, whatever the daemon does.
 */
static void test_shutdown_waits_for_signals_and_stops_them(void **state)
{
    struct shutdown_call sd = {0};
    struct call reader = {0};
    unsigned int notified;
    char *value;

    atomic_store(&fs.hold, true);
    call_start(&reader, op_read, "node"); /* its request goes out; the signal takes its time */
    for (int i = 0; i < 5000 && atomic_load(&fs.notifying) == 0; i++)
        usleep(1000);
    assert_int_equal(atomic_load(&fs.notifying), 1);
    assert_int_equal(pthread_create(&sd.thread, NULL, shutdown_main, &sd), 0);
    usleep(50000);
    assert_false(atomic_load(&sd.done));
    atomic_store(&fs.hold, false);
    pthread_join(sd.thread, NULL);
    assert_int_equal(atomic_load(&fs.notifying), 0);
    assert_int_equal(call_end(&reader), -XEN_ENOTCONN);

    notified = atomic_load(&fs.notified);
    assert_int_equal(xs_read(fs.client, XS_TX_NONE, "node", &value, NULL), -XEN_ENOTCONN);
    assert_true(fake_store_take(&fs, &hdr, payload)); /* the read before shutdown */
    fake_store_reply(&fs, XS_READ, hdr.req_id, "late", 4);
    assert_int_equal(atomic_load(&fs.notified), notified);
    assert_int_equal(__atomic_load_n(&fs.intf->req_prod, __ATOMIC_ACQUIRE), fs.intf->req_cons);
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replies_matched_by_id_in_any_order),
        cmocka_unit_test(test_reply_for_no_request_is_dropped_and_counted),
        cmocka_unit_test(test_reply_of_the_wrong_type_fails_that_request),
        cmocka_unit_test(test_error_replies_become_statuses),
        cmocka_unit_test(test_oversized_header_breaks_the_connection),
        cmocka_unit_test(test_unknown_type_breaks_the_connection),
        cmocka_unit_test(test_reply_ring_index_beyond_the_ring_breaks),
        cmocka_unit_test(test_request_ring_index_beyond_the_ring_breaks),
        cmocka_unit_test(test_silence_times_out_and_the_late_reply_is_dropped),
        cmocka_unit_test(test_largest_messages_through_the_small_rings),
        cmocka_unit_test(test_directory_payloads),
        cmocka_unit_test(test_permission_payloads),
        cmocka_unit_test(test_transaction_ids),
        cmocka_unit_test(test_watch_events_reach_their_watch_only),
        cmocka_unit_test(test_remove_waits_for_the_callback_and_drops_queued_events),
        cmocka_unit_test(test_watch_event_queue_is_bounded),
        cmocka_unit_test(test_destroy_fails_requests_in_flight),
        cmocka_unit_test(test_reconnection_not_offered),
        cmocka_unit_test(test_reconnection_resets_and_registers_watches_again),
        cmocka_unit_test(test_broken_connection_is_repaired_by_reconnection),
        cmocka_unit_test(test_reconnection_the_daemon_ignores_times_out),
        cmocka_unit_test(test_a_callback_removes_its_own_watch),
        cmocka_unit_test(test_a_watch_that_may_have_reached_the_daemon_is_unwatched),
        cmocka_unit_test(test_a_daemon_that_never_stops_writing_does_not_hold_the_event_path),
        cmocka_unit_test(test_destroy_cuts_a_reconnection_short),
        cmocka_unit_test(test_shutdown_waits_for_signals_and_stops_them),
    };

    /* Each test on a page and client of its own. */
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        tests[i].setup_func = setup;
        tests[i].teardown_func = teardown;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
