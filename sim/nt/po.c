/*
 * sim/nt/po.c - the power manager's system transitions: a sleep (S3),
 * hibernation (S4) or shutdown (S5) told to every device, and the return
 * to working (S0), as Windows orders them: a sleep or hibernation is
 * queried first, children before their parent, and if a device refuses,
 * those asked are told the system stays working; then the transition goes
 * children first; waking goes parents first. A power IRP a driver never
 * completes, or completes twice, stops the guest as any IRP does.
 *
 * Devices' own D-state IRPs (PoRequestPowerIrp, which a power policy owner
 * sends itself) are not modelled yet.
 */
#include <string.h>

#include "kernel.h"
#include "pnp.h"

#define SYSTEM_POWER_STATE          0 /* POWER_STATE_TYPE SystemPowerState */
#define POWER_SYSTEM_WORKING        1
#define POWER_SYSTEM_SLEEPING3      4
#define POWER_SYSTEM_HIBERNATE      5
#define POWER_SYSTEM_SHUTDOWN       6
#define POWER_ACTION_NONE           0
#define POWER_ACTION_SLEEP          2
#define POWER_ACTION_HIBERNATE      3
#define POWER_ACTION_SHUTDOWN_RESET 5
#define POWER_ACTION_SHUTDOWN_OFF   6

static NTSTATUS power_irp(struct nt_pnp *pnp, DEVICE_OBJECT *pdo, const char *name, uint8_t minor,
                          uint32_t state, uint32_t action)
{
    IO_STACK_LOCATION request = {.MajorFunction = IRP_MJ_POWER, .MinorFunction = minor};
    NTSTATUS status;

    request.Parameters.Power.Type = SYSTEM_POWER_STATE;
    request.Parameters.Power.State = state;
    request.Parameters.Power.ShutdownType = action;
    status = nt_pnp_irp(pnp, pdo, &request, NULL);
    nt_pnp_check_passive("a power IRP", NULL);
    nt_log("po: %s: %s S%u%s -> %#x\n", name, minor == IRP_MN_QUERY_POWER ? "query" : "set",
           state - 1, action == POWER_ACTION_SHUTDOWN_RESET ? " (restart)" : "", (unsigned)status);
    return status;
}

/* Every device with a driver, children first (the order a sleep goes in); the parent last. */
static unsigned int devices(struct nt_pnp *pnp, DEVICE_OBJECT **pdos, const char **names,
                            unsigned int max)
{
    unsigned int n = 0;

    for (struct nt_child *c = pnp->children; c && n + 1 < max; c = c->next) {
        if (c->state == NT_DEVNODE_STARTED) {
            pdos[n] = c->pdo;
            names[n++] = c->device_id;
        }
    }
    pdos[n] = pnp->platform_pdo;
    names[n++] = "platform device";
    return n;
}

void nt_po_shutdown(struct nt_pnp *pnp, bool restart)
{
    DEVICE_OBJECT *pdos[16];
    const char *names[16];
    unsigned int n = devices(pnp, pdos, names, 16);

    /* A shutdown is not asked: it is told, children first. */
    for (unsigned int i = 0; i < n; i++)
        power_irp(pnp, pdos[i], names[i], IRP_MN_SET_POWER, POWER_SYSTEM_SHUTDOWN,
                  restart ? POWER_ACTION_SHUTDOWN_RESET : POWER_ACTION_SHUTDOWN_OFF);
}

int nt_po_set_system_state(struct nt_pnp *pnp, unsigned int s)
{
    static const uint32_t states[] = {
        POWER_SYSTEM_WORKING, 0, 0, POWER_SYSTEM_SLEEPING3, POWER_SYSTEM_HIBERNATE,
        POWER_SYSTEM_SHUTDOWN};
    static const uint32_t actions[] = {
        POWER_ACTION_NONE,        0, 0, POWER_ACTION_SLEEP, POWER_ACTION_HIBERNATE,
        POWER_ACTION_SHUTDOWN_OFF};
    DEVICE_OBJECT *pdos[16];
    const char *names[16];
    unsigned int n, refused;

    if (s > 5 || states[s] == 0 || pnp->state != NT_DEVNODE_STARTED)
        return -1;
    n = devices(pnp, pdos, names, 16);
    if (s == 0) { /* waking: parents first */
        for (unsigned int i = n; i-- > 0;)
            power_irp(pnp, pdos[i], names[i], IRP_MN_SET_POWER, states[0], actions[0]);
        return 0;
    }
    if (s != 5) { /* a sleep or hibernation may be refused; a shutdown may not */
        for (refused = 0; refused < n; refused++) {
            if (!NT_SUCCESS(power_irp(pnp, pdos[refused], names[refused], IRP_MN_QUERY_POWER,
                                      states[s], actions[s])))
                break;
        }
        if (refused < n) {
            for (unsigned int i = 0; i < refused; i++)
                power_irp(pnp, pdos[i], names[i], IRP_MN_SET_POWER, states[0], actions[0]);
            return -1;
        }
    }
    for (unsigned int i = 0; i < n; i++)
        power_irp(pnp, pdos[i], names[i], IRP_MN_SET_POWER, states[s], actions[s]);
    return 0;
}
