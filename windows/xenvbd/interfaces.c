/*
 * windows/xenvbd/interfaces.c - XENBUS's tables, asked for with
 * IRP_MN_QUERY_INTERFACE down the adapter's stack (to the device Storport
 * attached its FDO to), as every child driver reaches its bus
 * (windows/common/query_interface.c).
 */
#include "adapter.h"
#include "query_interface.h"

static const struct {
    struct winpv_guid guid;
    USHORT version;
    size_t offset; /* of the table in struct xenvbd_adapter */
    USHORT size;
} interfaces[XENVBD_INTERFACES] = {
    [XENVBD_STORE] = {WINPV_STORE_INTERFACE_GUID, 1, offsetof(struct xenvbd_adapter, store),
                      sizeof(struct winpv_store_interface_v1)},
    [XENVBD_XENBUS] = {WINPV_XENBUS_INTERFACE_GUID, 1, offsetof(struct xenvbd_adapter, xenbus),
                       sizeof(struct winpv_xenbus_interface_v1)},
    [XENVBD_EVTCHN] = {WINPV_EVTCHN_INTERFACE_GUID, 1, offsetof(struct xenvbd_adapter, evtchn),
                       sizeof(struct winpv_evtchn_interface_v1)},
    [XENVBD_GNTTAB] = {WINPV_GNTTAB_INTERFACE_GUID, 1, offsetof(struct xenvbd_adapter, gnttab),
                       sizeof(struct winpv_gnttab_interface_v1)},
    [XENVBD_SUSPEND] = {WINPV_SUSPEND_INTERFACE_GUID, 1, offsetof(struct xenvbd_adapter, suspend),
                        sizeof(struct winpv_suspend_interface_v1)},
};

NTSTATUS xenvbd_query_interface(struct xenvbd_adapter *adapter, enum xenvbd_interface which)
{
    NTSTATUS status =
        winpv_query_interface(adapter->lower, &interfaces[which].guid, interfaces[which].version,
                              (UCHAR *)adapter + interfaces[which].offset, interfaces[which].size);

    adapter->held[which] = NT_SUCCESS(status);
    return status;
}
