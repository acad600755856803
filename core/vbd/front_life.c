/*
 * core/vbd/front_life.c - what the frontend is in its life (enum
 * front_life): the one place that changes it.
 *
 *   LIVE -> UNPLUGGING        the toolstack unplugs the disk (seen by the state
 *                             callback, or by the reconnection work)
 *   UNPLUGGING -> UNPLUGGED   the removal fails what is left and closes
 *   LIVE -> BROKEN            the backend broke the protocol, or did not come back
 *   UNPLUGGING -> BROKEN      ... while the removal still served the rings
 *   LIVE -> CLOSING           the owner closes
 *   BROKEN -> CLOSING         ... a broken device
 *   UNPLUGGING -> CLOSING     ... a device whose removal never got to run
 *                             (seen just before a suspend, closed before the
 *                             resume); a removal under way is waited for
 *
 * UNPLUGGED and CLOSING are the ends: the owner's close leaves UNPLUGGED as
 * it is, so that vbd_front_close knows the removal closed the handshake.
 */
#include "vbd/front_internal.h"

#define BIT(life) (1u << (life))

static const uint32_t allowed[] = {
    [FRONT_LIFE_LIVE] =
        BIT(FRONT_LIFE_UNPLUGGING) | BIT(FRONT_LIFE_BROKEN) | BIT(FRONT_LIFE_CLOSING),
    [FRONT_LIFE_UNPLUGGING] =
        BIT(FRONT_LIFE_UNPLUGGED) | BIT(FRONT_LIFE_BROKEN) | BIT(FRONT_LIFE_CLOSING),
    [FRONT_LIFE_UNPLUGGED] = 0,
    [FRONT_LIFE_BROKEN] = BIT(FRONT_LIFE_CLOSING),
    [FRONT_LIFE_CLOSING] = 0,
};

bool front_life_move(struct vbd_front *front, enum front_life from, enum front_life to)
{
    bool moved =
        front_state_move(&front->life, allowed, sizeof(allowed) / sizeof(allowed[0]), from, to);

    if (moved)
        front_dump_refresh(front);
    return moved;
}

enum front_life front_life_state(const struct vbd_front *front)
{
    return (enum front_life)os_atomic_load32(&front->life);
}

bool front_life_serving(const struct vbd_front *front)
{
    enum front_life life = front_life_state(front);

    return life == FRONT_LIFE_LIVE || life == FRONT_LIFE_UNPLUGGING;
}

bool front_life_gone(const struct vbd_front *front)
{
    enum front_life life = front_life_state(front);

    return life == FRONT_LIFE_UNPLUGGING || life == FRONT_LIFE_UNPLUGGED;
}

bool front_life_closed(const struct vbd_front *front)
{
    enum front_life life = front_life_state(front);

    return life == FRONT_LIFE_CLOSING || life == FRONT_LIFE_UNPLUGGED;
}
