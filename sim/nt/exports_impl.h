/*
 * sim/nt/exports_impl.h - how a kernel function is offered to driver
 * images.
 *
 *     static NT_EXPORT NTSTATUS IoCreateDevice(...) { ... }
 *     NT_REGISTER(NTOSKRNL, IoCreateDevice);
 *
 * NT_REGISTER puts the function in the export table (a linker section the
 * loader searches), so a function is offered exactly where it is written.
 * NT_REGISTER_AS gives the name where the C name cannot be Windows's
 * (memcpy). NT_REGISTER_DATA offers a variable (PsThreadType): a driver's
 * import slot holds the variable's address, as Windows's loader fills it.
 */
#ifndef WINPV_SIM_NT_EXPORTS_IMPL_H
#define WINPV_SIM_NT_EXPORTS_IMPL_H

#include <stdbool.h>

#include "ntabi.h"

#define NT_EXPORT __attribute__((ms_abi))

#define NTOSKRNL "ntoskrnl.exe"
#define HAL      "hal.dll"
#define STORPORT "storport.sys"

struct nt_export_entry {
    const char *module;
    const char *name;
    const void *address;
    bool data; /* a variable, not a function */
};

#define NT_REGISTER_ENTRY(module_name, export_name, symbol, address, is_data)                 \
    static const struct nt_export_entry nt_export_entry_##symbol                              \
        __attribute__((used, section("nt_exports"), aligned(8))) = {module_name, export_name, \
                                                                    (address), (is_data)}
#define NT_REGISTER_AS(module_name, export_name, fn) \
    NT_REGISTER_ENTRY(module_name, export_name, fn, (const void *)(fn), false)
#define NT_REGISTER(module_name, fn) NT_REGISTER_AS(module_name, #fn, fn)
#define NT_REGISTER_DATA(module_name, export_name, variable) \
    NT_REGISTER_ENTRY(module_name, export_name, variable, &(variable), true)

/* Waiting on a dispatcher object, with the checks every wait makes. */
NTSTATUS nt_wait_for_object(DISPATCHER_HEADER *header, const int64_t *timeout, uint64_t caller,
                            const char *function);

#endif /* WINPV_SIM_NT_EXPORTS_IMPL_H */
