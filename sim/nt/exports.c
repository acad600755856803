/*
 * sim/nt/exports.c - finding an export among those NT_REGISTER placed in
 * the nt_exports section.
 */
#include <string.h>
#include <strings.h>

#include "exports.h"
#include "exports_impl.h"

extern const struct nt_export_entry __start_nt_exports[];
extern const struct nt_export_entry __stop_nt_exports[];

const void *nt_export_find(const char *module, const char *name, bool *data)
{
    for (const struct nt_export_entry *e = __start_nt_exports; e < __stop_nt_exports; e++) {
        if (strcasecmp(e->module, module) == 0 && strcmp(e->name, name) == 0) {
            if (data)
                *data = e->data;
            return e->address;
        }
    }
    return NULL;
}

int nt_export_module_known(const char *module)
{
    for (const struct nt_export_entry *e = __start_nt_exports; e < __stop_nt_exports; e++) {
        if (strcasecmp(e->module, module) == 0)
            return 1;
    }
    return 0;
}
