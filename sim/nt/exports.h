/*
 * sim/nt/exports.h - what the simulated kernel exports to driver images.
 *
 * Each implemented function is an ms_abi function of the kernel, registered
 * (exports_impl.h) under the module and name a driver imports it by. There are no
 * stubs: a name not listed is not implemented, and an image importing it
 * does not load.
 */
#ifndef WINPV_SIM_NT_EXPORTS_H
#define WINPV_SIM_NT_EXPORTS_H

#include <stdbool.h>

/*
 * The address of @module!@name, or NULL when the kernel does not implement
 * it; *@data (unless NULL) says whether it is a variable, not a function.
 */
const void *nt_export_find(const char *module, const char *name, bool *data);

/* Whether @module is a module of the simulated kernel at all. */
int nt_export_module_known(const char *module);

#endif /* WINPV_SIM_NT_EXPORTS_H */
