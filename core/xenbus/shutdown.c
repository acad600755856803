/*
 * core/xenbus/shutdown.c - see shutdown.h.
 *
 * A watch event reads control/shutdown in a transaction and, for a request
 * the OS side carries out, clears it in the same transaction: the
 * toolstack sees it taken exactly when it was. Whether it is handed over
 * is decided after the commit by the one state (taking, or carrying one
 * out), so a transaction tried again never hands a request over twice.
 */
#include <string.h>

#include <xen/errno.h>

#include "os.h"
#include "xenbus/shutdown.h"

#define SHUTDOWN_PATH "control/shutdown"
#define TX_ATTEMPTS   8
#define VALUE_LOGGED  32 /* characters of a value that is no request shown in the log */
#define REQUEST_KINDS 6

static const struct {
    enum xenbus_shutdown_request request;
    const char *name;
    const char *feature; /* what advertises it, NULL for none */
} requests[REQUEST_KINDS] = {
    {XENBUS_SHUTDOWN_POWEROFF, "poweroff", "control/feature-poweroff"},
    {XENBUS_SHUTDOWN_REBOOT, "reboot", "control/feature-reboot"},
    {XENBUS_SHUTDOWN_HALT, "halt", NULL}, /* XAPI asks it where feature-poweroff is set */
    {XENBUS_SHUTDOWN_SUSPEND, "suspend", "control/feature-suspend"},
    {XENBUS_SHUTDOWN_S3, "s3", "control/feature-s3"},
    {XENBUS_SHUTDOWN_S4, "s4", "control/feature-s4"},
};

enum shutdown_state {
    SHUTDOWN_TAKING,      /* the next request is handed over */
    SHUTDOWN_CARRYING_OUT /* one is with the OS side */
};

struct xenbus_shutdown {
    struct xs_client *client;
    unsigned int handled; /* under lock: it changes as the OS side can do more or less */
    xenbus_shutdown_fn fn;
    void *ctx;
    struct xs_watch *watch;
    struct os_mutex lock; /* guards state */
    enum shutdown_state state;
    enum xenbus_shutdown_request carrying_out;
    char last_left[VALUE_LOGGED + 1]; /* the value last left for the toolstack, as logged */
};

/* What one look at control/shutdown found. */
struct look {
    struct xenbus_shutdown *shutdown;
    enum { LOOK_NOTHING, LOOK_TAKEN, LOOK_LEFT } outcome;
    enum xenbus_shutdown_request request; /* LOOK_TAKEN, or a request not carried out */
    char shown[VALUE_LOGGED + 1];         /* LOOK_LEFT: the value, printable */
};

const char *xenbus_shutdown_name(enum xenbus_shutdown_request request)
{
    for (unsigned int i = 0; i < REQUEST_KINDS; i++) {
        if (requests[i].request == request)
            return requests[i].name;
    }
    return "?";
}

/* The request @value names, or 0. Only the exact names count: the toolstack writes no other. */
static enum xenbus_shutdown_request parse(const char *value, size_t length)
{
    for (unsigned int i = 0; i < REQUEST_KINDS; i++) {
        if (length == strlen(requests[i].name) && memcmp(value, requests[i].name, length) == 0)
            return requests[i].request;
    }
    return 0;
}

/* @value as the log may show it: printable ASCII, the rest '?', cut short. */
static void printable(char *out, const char *value, size_t length)
{
    size_t i = 0;

    for (; i < length && i < VALUE_LOGGED; i++)
        out[i] = value[i] >= 0x20 && value[i] < 0x7f ? value[i] : '?';
    out[i] = '\0';
}

static unsigned int handled_now(struct xenbus_shutdown *shutdown)
{
    unsigned int handled;

    os_mutex_lock(&shutdown->lock);
    handled = shutdown->handled;
    os_mutex_unlock(&shutdown->lock);
    return handled;
}

static int look_body(struct xs_client *client, xs_tx_t tx, void *ctx)
{
    struct look *look = ctx;
    char *value;
    size_t length;
    int rc = xs_read(client, tx, SHUTDOWN_PATH, &value, &length);

    look->outcome = LOOK_NOTHING;
    if (rc == -XEN_ENOENT)
        return 0;
    if (rc)
        return rc;
    look->request = parse(value, length);
    if (look->request & handled_now(look->shutdown)) {
        look->outcome = LOOK_TAKEN;
        rc = xs_write_str(client, tx, SHUTDOWN_PATH, "");
    } else if (length > 0) {
        look->outcome = LOOK_LEFT;
        printable(look->shown, value, length);
    }
    os_free(value);
    return rc;
}

/*
 * The one transition to carrying out: hand @request over unless one is
 * being carried out already (then *@busy says which).
 */
static bool hand_over(struct xenbus_shutdown *shutdown, enum xenbus_shutdown_request request,
                      enum xenbus_shutdown_request *busy)
{
    bool taken;

    os_mutex_lock(&shutdown->lock);
    taken = shutdown->state == SHUTDOWN_TAKING;
    if (taken) {
        shutdown->state = SHUTDOWN_CARRYING_OUT;
        shutdown->carrying_out = request;
    }
    *busy = shutdown->carrying_out;
    os_mutex_unlock(&shutdown->lock);
    return taken;
}

void xenbus_shutdown_done(struct xenbus_shutdown *shutdown)
{
    os_mutex_lock(&shutdown->lock);
    shutdown->state = SHUTDOWN_TAKING;
    os_mutex_unlock(&shutdown->lock);
}

/* A value left for the toolstack is logged once, not at every event that finds it again. */
static void log_left(struct xenbus_shutdown *shutdown, const struct look *look)
{
    if (strcmp(shutdown->last_left, look->shown) == 0)
        return;
    strcpy(shutdown->last_left, look->shown);
    if (look->request)
        os_log(OS_LOG_WARN, "xenbus: control/shutdown asks \"%s\", which this guest does not do\n",
               look->shown);
    else
        os_log(OS_LOG_WARN, "xenbus: control/shutdown holds \"%s\", no request: ignored\n",
               look->shown);
}

static void changed(void *ctx, const char *path)
{
    struct xenbus_shutdown *shutdown = ctx;
    struct look look = {.shutdown = shutdown};
    enum xenbus_shutdown_request busy;
    int rc = xs_transact(shutdown->client, look_body, &look, TX_ATTEMPTS);

    if (rc) {
        os_log(OS_LOG_WARN,
               "xenbus: control/shutdown not read or not acknowledged (%d): nothing done\n", rc);
        return;
    }
    if (look.outcome == LOOK_LEFT) {
        log_left(shutdown, &look);
        return;
    }
    shutdown->last_left[0] = '\0';
    if (look.outcome != LOOK_TAKEN)
        return;
    if (!hand_over(shutdown, look.request, &busy)) {
        os_log(OS_LOG_INFO, "xenbus: %s requested while a %s is carried out: ignored\n",
               xenbus_shutdown_name(look.request), xenbus_shutdown_name(busy));
        return;
    }
    os_log(OS_LOG_INFO, "xenbus: the toolstack requests %s\n", xenbus_shutdown_name(look.request));
    shutdown->fn(shutdown->ctx, look.request);
}

/*
 * Withdraw the features of the first @count kinds: "0", not removed (the
 * toolstack made the nodes under a control/ the guest may not write, so a
 * removed one could not be written again).
 */
static void withdraw(struct xenbus_shutdown *shutdown, unsigned int handled, unsigned int count)
{
    for (unsigned int i = 0; i < count; i++) {
        if (requests[i].feature && (handled & requests[i].request))
            xs_write_str(shutdown->client, XS_TX_NONE, requests[i].feature, "0");
    }
}

/* Advertise every request in @handled: "1" under its feature. 0, or the first error. */
static int advertise(struct xs_client *client, unsigned int handled, unsigned int *advertised)
{
    int rc = 0;

    for (*advertised = 0; *advertised < REQUEST_KINDS && rc == 0; (*advertised)++) {
        if (requests[*advertised].feature && (handled & requests[*advertised].request))
            rc = xs_write_str(client, XS_TX_NONE, requests[*advertised].feature, "1");
    }
    return rc;
}

int xenbus_shutdown_offer(struct xenbus_shutdown *shutdown, unsigned int handled)
{
    unsigned int before, advertised;
    int rc;

    os_mutex_lock(&shutdown->lock);
    before = shutdown->handled;
    shutdown->handled = handled;
    os_mutex_unlock(&shutdown->lock);
    withdraw(shutdown, before & ~handled, REQUEST_KINDS);
    rc = advertise(shutdown->client, handled & ~before, &advertised);
    if (rc)
        os_log(OS_LOG_WARN, "xenbus: the control/feature-* keys not written (%d)\n", rc);
    /* A request left for the toolstack may be one carried out now. */
    if (handled & ~before)
        changed(shutdown, SHUTDOWN_PATH);
    return rc;
}

int xenbus_shutdown_restored(struct xenbus_shutdown *shutdown)
{
    unsigned int advertised;
    int rc = advertise(shutdown->client, handled_now(shutdown), &advertised);

    if (rc)
        os_log(OS_LOG_WARN, "xenbus: the control/feature-* keys not written again (%d)\n", rc);
    return rc;
}

int xenbus_shutdown_start(struct xs_client *client, unsigned int handled, xenbus_shutdown_fn fn,
                          void *ctx, struct xenbus_shutdown **out)
{
    struct xenbus_shutdown *shutdown = os_alloc(sizeof(*shutdown));
    unsigned int advertised = 0;
    int rc;

    if (shutdown == NULL)
        return -XEN_ENOMEM;
    *shutdown = (struct xenbus_shutdown){
        .client = client, .handled = handled, .fn = fn, .ctx = ctx, .state = SHUTDOWN_TAKING};
    os_mutex_init(&shutdown->lock);
    rc = advertise(client, handled, &advertised);
    if (rc == 0)
        rc = xs_watch_add(client, SHUTDOWN_PATH, changed, shutdown, &shutdown->watch);
    if (rc) {
        withdraw(shutdown, handled, advertised);
        os_free(shutdown);
        return rc;
    }
    *out = shutdown;
    return 0;
}

void xenbus_shutdown_stop(struct xenbus_shutdown *shutdown)
{
    xs_watch_remove(shutdown->client, shutdown->watch);
    withdraw(shutdown, shutdown->handled, REQUEST_KINDS);
    os_free(shutdown);
}
