/* core/xenbus/console.c - see console.h. */
#include <xen/errno.h>
#include <xen/hvm/params.h>

#include "evtchn/evtchn.h"
#include "log/sink.h"
#include "os.h"
#include "xenbus/console.h"
#include "xenbus/toolstack_ring.h"

static void console_event(void *ctx, unsigned int vcpu)
{
    struct xenbus_console *xc = ctx;

    (void)vcpu;
    console_on_event(&xc->console);
}

static void console_notify(void *ctx)
{
    struct xenbus_console *xc = ctx;
    /* Set once the channel is open; before that the backend hears from us when it is. */
    struct evtchn_channel *channel = __atomic_load_n(&xc->channel, __ATOMIC_ACQUIRE);

    if (channel)
        evtchn_notify(channel);
}

/* The log sink: each line whole, or dropped and counted when the ring is full. */
static void console_log_line(void *ctx, enum os_log_level level, const char *line, size_t len)
{
    struct xenbus_console *xc = ctx;

    (void)level;
    console_write_whole(&xc->console, line, len);
}

int xenbus_console_connect(struct xenbus_console *xc, struct evtchn_engine *evtchn)
{
    struct console_transport transport = {.notify = console_notify, .ctx = xc};
    struct evtchn_channel *channel = NULL;
    struct evtchn_bind bind;
    int rc;

    *xc = (struct xenbus_console){0};
    rc = xenbus_toolstack_ring(HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, &xc->gfn, &bind);
    if (rc == 0) {
        xc->page = os_map_gfn(xc->gfn);
        rc = xc->page ? 0 : -XEN_EFAULT;
    }
    if (rc == 0) {
        /* Attached before the channel opens: its callback finds the engine ready. */
        console_attach(&xc->console, xc->page, &transport);
        rc = evtchn_open(evtchn, &bind, console_event, xc, &channel);
    }
    if (rc) {
        xenbus_console_disconnect(xc);
        return rc;
    }
    __atomic_store_n(&xc->channel, channel, __ATOMIC_RELEASE);
    /* What the backend wrote, or waited to be told of, before the channel was ours. */
    console_on_event(&xc->console);
    log_sink_attach(console_log_line, xc);
    return 0;
}

void xenbus_console_disconnect(struct xenbus_console *xc)
{
    struct console_stats stats;

    OS_ASSERT(os_atomic_load32(&xc->reader) == 0);
    if (xc->channel) {
        log_sink_detach();
        console_stats(&xc->console, &stats);
        if (stats.bytes_dropped)
            os_log(OS_LOG_INFO, "xenbus: %llu bytes of log lines did not fit the console's ring\n",
                   (unsigned long long)stats.bytes_dropped);
    }
    /* The channel goes first: no callback reaches the engine after that. */
    if (xc->channel)
        evtchn_close(xc->channel);
    __atomic_store_n(&xc->channel, NULL, __ATOMIC_RELEASE);
    console_detach(&xc->console);
    if (xc->page)
        os_unmap_gfn(xc->page);
    *xc = (struct xenbus_console){0};
}

void xenbus_console_suspend(struct xenbus_console *xc)
{
    if (xc->channel)
        console_suspend(&xc->console);
}

int xenbus_console_resume(struct xenbus_console *xc, bool restored)
{
    struct evtchn_bind bind;
    void *old = NULL;
    uint64_t gfn;
    int rc = 0;

    if (xc->channel == NULL)
        return 0;
    if (restored) {
        rc = xenbus_toolstack_ring(HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, &gfn, &bind);
        if (rc == 0)
            rc = evtchn_reconnect(xc->channel, &bind);
        if (rc == 0)
            rc = xenbus_toolstack_page_move(&xc->page, &xc->gfn, gfn, &old);
    }
    if (rc) {
        /* Suspended it stays: no notification through a port that is not ours. */
        os_log(OS_LOG_ERROR, "xenbus: the console after restore: %d\n", rc);
        return rc;
    }
    console_resume(&xc->console, xc->page);
    if (old)
        os_unmap_gfn(old);
    return 0;
}

int xenbus_console_reader_add(struct xenbus_console *xc, console_line_fn fn, void *arg)
{
    if (!os_atomic_cas32(&xc->reader, 0, 1))
        return -XEN_EBUSY;
    console_set_input(&xc->console, fn, arg);
    return 0;
}

void xenbus_console_reader_remove(struct xenbus_console *xc)
{
    console_set_input(&xc->console, NULL, NULL);
    os_atomic_store32(&xc->reader, 0);
}
