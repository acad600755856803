/*
 * winpv/agent_ioctl.h - how XENBUS hands the toolstack's power-off and
 * reboot requests to the guest's user-mode agent, which carries them out
 * as Windows must be shut down: by asking Windows (InitiateShutdown), so
 * every service and driver gets its say. A kernel driver has no call that
 * shuts Windows down cleanly; that is why an agent exists.
 *
 * XENBUS registers a device interface of class WINPV_AGENT_INTERFACE on
 * the platform device while it serves. The agent opens it for read and
 * write (administrators and SYSTEM only: the INF's security) and keeps one
 * WINPV_IOCTL_AGENT_WAIT pending; XENBUS completes it with the next
 * request. While a wait is pending XENBUS advertises control/feature-poweroff
 * and control/feature-reboot, so the toolstack asks only a guest that will
 * act; when the agent's handle closes it withdraws them. A request that
 * comes while no wait is pending is kept for the next one.
 *
 * The agent may keep one wait pending per handle; a second on any handle
 * fails with STATUS_DEVICE_BUSY. CancelIoEx or closing the handle
 * completes a pending wait with STATUS_CANCELLED. The output buffer must be
 * exactly sizeof(struct winpv_agent_request) (else STATUS_INFO_LENGTH_MISMATCH),
 * with no input (else STATUS_INVALID_PARAMETER).
 *
 * Depends on <stdint.h> only: the agent includes it too.
 */
#ifndef WINPV_AGENT_IOCTL_H
#define WINPV_AGENT_IOCTL_H

#include <stdint.h>

/* {f844cfbb-f2dc-45a5-a90c-390bbfc43ea7}: the interface class, as a GUID's fields. */
#define WINPV_AGENT_INTERFACE_INIT                         \
    {                                                      \
        0xf844cfbb, 0xf2dc, 0x45a5,                        \
        {                                                  \
            0xa9, 0x0c, 0x39, 0x0b, 0xbf, 0xc4, 0x3e, 0xa7 \
        }                                                  \
    }

/*
 * CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED,
 *          FILE_READ_ACCESS | FILE_WRITE_ACCESS): the handle must be opened
 * for both, which only those the security allows can.
 */
#define WINPV_IOCTL_AGENT_WAIT 0x0022e000u

/* What the agent is asked to do. */
enum winpv_agent_action {
    WINPV_AGENT_POWER_OFF = 1, /* shut Windows down and power off (xl shutdown, XAPI halt) */
    WINPV_AGENT_REBOOT = 2,    /* shut Windows down and restart (xl reboot) */
};

struct winpv_agent_request {
    uint32_t version; /* 1 */
    uint32_t action;  /* enum winpv_agent_action */
};

#define WINPV_AGENT_REQUEST_VERSION 1

#endif /* WINPV_AGENT_IOCTL_H */
