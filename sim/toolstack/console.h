/*
 * sim/toolstack/console.h - Debian's xenconsoled on winpv-simd, logging
 * every guest's console to RUN_DIR/console/guest-<name>.log.
 */
#ifndef WINPV_SIM_CONSOLE_H
#define WINPV_SIM_CONSOLE_H

#include "components.h"

/*
 * Start xenconsoled for @simd's run. xenstored must run (store.h): it finds
 * guests through xenstore. The log directory's path goes to @log_dir.
 */
int console_start(struct simd *simd, struct component *daemon, char *log_dir, size_t size);

#endif /* WINPV_SIM_CONSOLE_H */
