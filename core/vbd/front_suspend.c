/*
 * core/vbd/front_suspend.c - the disk across a suspend of the domain (save
 * and restore, migration), through XENBUS's SUSPEND interface.
 *
 * Early: nothing new goes on the rings (the link SUSPENDED); what is on
 * them gets a short while to be answered. A request still unanswered
 * when the domain stops is not lost: it stays ours, and is sent again
 * after a restore (see the reconnection in front.h), or answered in place
 * after a cancelled suspend.
 *
 * Late, cancelled: the same domain and backend; the requests held back go,
 * and what the backend did meanwhile is acted on.
 * Late, restored as a new domain: the toolstack made the disk a backend of
 * the new domain, at a path of its own; the device is opened again to find
 * it, and the reconnection work connects to it as to a restarted backend
 * (without asking the new backend to close first: it never saw our rings,
 * and the old one went with the old domain), sending every request in
 * flight or waiting again, each queue in submission order.
 */
#include "vbd/front_internal.h"
#include "winpv/suspend_interface.h"

/*
 * How long the early callback waits for answers. The suspend is the
 * guest's downtime; what a slower backend has not answered by then goes
 * again after the restore.
 */
#define SUSPEND_DRAIN_NS (100ull * 1000 * 1000)

static void suspend_early(void *arg)
{
    struct vbd_front *front = arg;

    /* A reconnection under way ends first (at most reconnect_timeout_ns). */
    while (!front_link_move(front, FRONT_LINK_UP, FRONT_LINK_SUSPENDED))
        os_work_flush(&front->reconnect_work);
    front_drain(front, SUSPEND_DRAIN_NS);
}

static void suspend_late(void *arg, bool cancelled)
{
    struct vbd_front *front = arg;

    /* Unplugged, broken or closing: nothing to reconnect, submissions fail. */
    if (cancelled || !front_life_serving(front)) {
        front_link_move(front, FRONT_LINK_SUSPENDED, FRONT_LINK_UP);
        front_pump_all(front);
        /* What the backend did meanwhile was not acted on: a removal, a restart, a resize. */
        front_catch_up(front);
        return;
    }
    os_log(OS_LOG_INFO, "vbd: %s: restored in a new domain: reconnecting\n", front->nodename);
    front_reopen_device(front);
    front_dump_follow_backend(front);
    front_link_move(front, FRONT_LINK_SUSPENDED, FRONT_LINK_RESTORED);
    os_work_queue(&front->reconnect_work);
}

int front_suspend_register(struct vbd_front *front)
{
    const struct winpv_suspend_interface_v1 *su = front->svc.suspend;
    int rc;

    if (!su)
        return 0;
    rc = su->register_early(su->header.context, suspend_early, front, &front->suspend_early);
    if (rc == 0)
        rc = su->register_late(su->header.context, suspend_late, front, &front->suspend_late);
    if (rc)
        front_suspend_deregister(front);
    return rc;
}

void front_suspend_deregister(struct vbd_front *front)
{
    const struct winpv_suspend_interface_v1 *su = front->svc.suspend;

    if (front->suspend_early)
        su->deregister(su->header.context, front->suspend_early);
    if (front->suspend_late)
        su->deregister(su->header.context, front->suspend_late);
    front->suspend_early = front->suspend_late = NULL;
}
