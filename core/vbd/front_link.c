/*
 * core/vbd/front_link.c - whether the frontend's requests may go on the
 * rings (enum front_link): the one place that changes it.
 *
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
    [FRONT_LINK_UP] = BIT(FRONT_LINK_RECONNECTING) | BIT(FRONT_LINK_SUSPENDED),
    [FRONT_LINK_RECONNECTING] = BIT(FRONT_LINK_UP),
    [FRONT_LINK_SUSPENDED] = BIT(FRONT_LINK_UP) | BIT(FRONT_LINK_RESTORED),
    [FRONT_LINK_RESTORED] = BIT(FRONT_LINK_RECONNECTING),
};

enum front_link front_link_state(const struct vbd_front *front)
{
    return (enum front_link)os_atomic_load32(&front->link);
}

bool front_link_move(struct vbd_front *front, enum front_link from, enum front_link to)
{
    OS_ASSERT_CMP(from, <, sizeof(allowed) / sizeof(allowed[0]));
    OS_ASSERT_CMP(allowed[from] & BIT(to), !=, 0);
    return os_atomic_cas32(&front->link, from, to);
}
