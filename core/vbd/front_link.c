/*
 * core/vbd/front_link.c - whether the frontend's requests may go on the
 * rings (enum front_link): the one place that changes it. It matters while
 * the frontend serves (enum front_life, front_life.c); once the life says
 * requests fail, the link is left as it is or brought back UP.
 *
 *   OPENING -> UP           vbd_front_open connected: a backend leaving is now a disconnection
 *   UP -> RECONNECTING      the backend left, or a request went unanswered
 *   RECONNECTING -> UP      connected again, or given up (everything failed)
 *   UP -> SUSPENDED         the domain suspends (the early callback)
 *   SUSPENDED -> UP         the suspend was cancelled: the same backend goes on
 *   SUSPENDED -> RESTORED   restored as a new domain, the device opened again
 *   RESTORED -> RECONNECTING  the work connects to the new domain's backend
 */
#include "vbd/front_internal.h"

#define BIT(link) (1u << (link))

static const uint32_t allowed[] = {
    [FRONT_LINK_OPENING] = BIT(FRONT_LINK_UP),
    [FRONT_LINK_UP] = BIT(FRONT_LINK_RECONNECTING) | BIT(FRONT_LINK_SUSPENDED),
    [FRONT_LINK_RECONNECTING] = BIT(FRONT_LINK_UP),
    [FRONT_LINK_SUSPENDED] = BIT(FRONT_LINK_UP) | BIT(FRONT_LINK_RESTORED),
    [FRONT_LINK_RESTORED] = BIT(FRONT_LINK_RECONNECTING),
};

bool front_link_move(struct vbd_front *front, enum front_link from, enum front_link to)
{
    bool moved =
        front_state_move(&front->link, allowed, sizeof(allowed) / sizeof(allowed[0]), from, to);

    if (moved)
        front_dump_refresh(front);
    return moved;
}

enum front_link front_link_state(const struct vbd_front *front)
{
    return (enum front_link)os_atomic_load32(&front->link);
}
