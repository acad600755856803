/*
 * windows/common/query_interface.h - what XENBUS's child drivers share: a
 * table of XENBUS's asked for with IRP_MN_QUERY_INTERFACE down the
 * driver's stack, as every child driver reaches its bus (the tables are in
 * include/winpv/).
 */
#ifndef WINPV_WINDOWS_COMMON_QUERY_INTERFACE_H
#define WINPV_WINDOWS_COMMON_QUERY_INTERFACE_H

#include "nt_headers.h"
#include "winpv/interface.h"

/*
 * Ask the stack below, from @lower down, for interface @guid at @version
 * into @table (@size bytes): its status, STATUS_NOT_SUPPORTED when no
 * driver below has it. Context: PASSIVE_LEVEL.
 */
NTSTATUS winpv_query_interface(DEVICE_OBJECT *lower, const struct winpv_guid *guid, USHORT version,
                               void *table, USHORT size);

#endif /* WINPV_WINDOWS_COMMON_QUERY_INTERFACE_H */
