/*
 * sim/lib/xenguest.c - libxenguest.so.4.17 for oxenstored on winpv-simd.
 *
 * oxenstored links against two functions of the domain builder's library
 * and never calls them; the simulator builds no domains this way. Both
 * fail with ENOSYS, returning -1.
 */
#include <xenctrl.h>
#include <xenguest.h>

#include "simlib.h"

int xc_domain_resume(xc_interface *xch, uint32_t domid, int fast)
{
    return simlib_unsupported();
}

int xc_get_cpu_featureset(xc_interface *xch, uint32_t index, uint32_t *nr_features,
                          uint32_t *featureset)
{
    return simlib_unsupported();
}
