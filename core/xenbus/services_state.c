/* core/xenbus/services_state.c - the services' lifecycle: the one place that changes it. */
#include "os.h"
#include "xenbus/services.h"

#define BIT(state) (1u << (state))

/* From each state, the states it may move to. */
static const uint32_t allowed[] = {
    /* a failed start stops what it started: from STOPPED too */
    [XENBUS_SERVICES_STOPPED] = BIT(XENBUS_SERVICES_RUNNING) | BIT(XENBUS_SERVICES_STOPPED),
    [XENBUS_SERVICES_RUNNING] = BIT(XENBUS_SERVICES_STOPPED) | BIT(XENBUS_SERVICES_QUIESCING),
    [XENBUS_SERVICES_QUIESCING] = BIT(XENBUS_SERVICES_SUSPENDED) | BIT(XENBUS_SERVICES_RESUMING),
    [XENBUS_SERVICES_SUSPENDED] = BIT(XENBUS_SERVICES_RESUMING),
    [XENBUS_SERVICES_RESUMING] = BIT(XENBUS_SERVICES_RUNNING),
};

enum xenbus_services_state xenbus_services_state(const struct xenbus_services *s)
{
    return (enum xenbus_services_state)os_atomic_load32(&s->state);
}

void xenbus_services_transition(struct xenbus_services *s, enum xenbus_services_state to)
{
    uint32_t from = os_atomic_load32(&s->state);

    OS_ASSERT_CMP(from, <, sizeof(allowed) / sizeof(allowed[0]));
    OS_ASSERT_CMP(allowed[from] & BIT(to), !=, 0);
    os_atomic_store32(&s->state, to);
}
