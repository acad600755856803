/*
 * sim/nt/storport_perf.c - StorPortInitializePerfOpts, as far as the
 * simulated Storport goes: concurrent channels (several HwStartIo calls at
 * once, none under the StartIo lock: storport_srb.c), from structure
 * version 2 on. DPC redirection, interrupt message ranges and the later
 * optimizations are not offered: a query does not list them, and a miniport
 * asking for one is refused as Windows refuses a flag it does not know.
 * As documented: only during HwInitialize or the passive initialization
 * routine, else STOR_STATUS_UNSUCCESSFUL.
 */
#include "kernel.h"
#include "storport.h"

uint32_t storport_perf_opts(struct adapter *a, bool query, PERF_CONFIGURATION_DATA *data,
                            uint64_t caller)
{
    uint32_t offered;

    nt_require_irql(ADAPTER_DIRQL, caller, "StorPortInitializePerfOpts");
    if (data == NULL)
        return STOR_STATUS_INVALID_PARAMETER;
    if (data->Size < sizeof(*data))
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortInitializePerfOpts with Size %u, not sizeof "
                         "(PERF_CONFIGURATION_DATA) %zu",
                         data->Size, sizeof(*data));
    if (a->init_phase == ADAPTER_INIT_NONE) {
        nt_log("storport: StorPortInitializePerfOpts outside HwInitialize and passive "
               "initialization: refused\n");
        return STOR_STATUS_UNSUCCESSFUL;
    }
    offered = data->Version >= STOR_PERF_VERSION_2 ? STOR_PERF_CONCURRENT_CHANNELS : 0;
    if (query) {
        data->Flags = offered;
        return STOR_STATUS_SUCCESS;
    }
    if (data->Flags & ~offered) {
        nt_log("storport: StorPortInitializePerfOpts: flags %#x not supported (version %u offers "
               "%#x): refused\n",
               data->Flags, data->Version, offered);
        return STOR_STATUS_UNSUCCESSFUL;
    }
    if ((data->Flags & STOR_PERF_CONCURRENT_CHANNELS) && data->ConcurrentChannels == 0)
        nt_verifier_fail(NT_VERIFY_ARGUMENT, caller,
                         "StorPortInitializePerfOpts: concurrent channels, none of them");
    a->concurrent_channels =
        data->Flags & STOR_PERF_CONCURRENT_CHANNELS ? data->ConcurrentChannels : 0;
    nt_log("storport: %u concurrent channel(s) of HwStartIo\n", a->concurrent_channels);
    return STOR_STATUS_SUCCESS;
}
