/*
 * windows/xenvbd/target_use.c - a target's frontend, used by HwStartIo on
 * several processors at once (Storport's concurrent channels) while
 * passive code may take it away: a rundown count in t->users. HwStartIo
 * enters the target and leaves it once the SRB is on the ring or
 * answered; withdrawing the frontend closes the door (TARGET_CLOSING) and
 * waits until the last one inside has left. No lock is shared between
 * targets or between processors using one target.
 */
#include "adapter.h"
#include "os.h"

#define TARGET_CLOSING 0x80000000u /* in t->users: no one enters any more */

void xenvbd_target_init(struct xenvbd_target *t)
{
    t->front = NULL;
    t->users = 0;
    os_event_init(&t->drained);
}

struct vbd_front *xenvbd_target_enter(struct xenvbd_target *t)
{
    struct vbd_front *front;
    uint32_t users;

    do {
        users = os_atomic_load32(&t->users);
        if (users & TARGET_CLOSING)
            return NULL;
    } while (!os_atomic_cas32(&t->users, users, users + 1));
    front = __atomic_load_n(&t->front, __ATOMIC_ACQUIRE);
    if (front == NULL)
        xenvbd_target_leave(t);
    return front;
}

void xenvbd_target_leave(struct xenvbd_target *t)
{
    if (os_atomic_sub32(&t->users, 1) == TARGET_CLOSING)
        os_event_set(&t->drained); /* the last one out of a closing target */
}

void xenvbd_target_publish(struct xenvbd_target *t, struct vbd_front *front)
{
    __atomic_store_n(&t->front, front, __ATOMIC_RELEASE);
}

struct vbd_front *xenvbd_target_withdraw(struct xenvbd_target *t)
{
    struct vbd_front *front;
    uint32_t users;

    os_event_clear(&t->drained);
    do
        users = os_atomic_load32(&t->users);
    while (!os_atomic_cas32(&t->users, users, users | TARGET_CLOSING));
    if (users != 0)
        os_event_wait(&t->drained, OS_WAIT_FOREVER); /* HwStartIo never waits: it is short */
    front = t->front;
    __atomic_store_n(&t->front, NULL, __ATOMIC_RELAXED);
    os_atomic_store32(&t->users, 0); /* open again, to find no frontend until one is published */
    return front;
}
