/*
 * sim/lib/xc_handle.h - a libxenctrl handle on winpv-simd, shared by the
 * files of libxenctrl.so.4.17 (xc_interface.c, xc_domain.c).
 */
#ifndef WINPV_SIMLIB_XC_HANDLE_H
#define WINPV_SIMLIB_XC_HANDLE_H

#define XC_WANT_COMPAT_MAP_FOREIGN_API
#include <xenctrl.h>
#include <xenforeignmemory.h>

#include "simlib.h"

struct xc_interface_core {
    struct simlib_conn conn;       /* SIM_ROLE_PRIVCMD; none for XC_OPENFLAG_DUMMY */
    xenforeignmemory_handle *fmem; /* opened by the first foreign map */
    xc_error last_error;           /* failures are reported through errno */
};

/*
 * One request on @xch's connection, under its lock. Returns 0, or -1 with
 * errno set from the daemon's error.
 */
int simxc_call(xc_interface *xch, const struct sim_request *req, struct sim_reply *reply);

#endif /* WINPV_SIMLIB_XC_HANDLE_H */
