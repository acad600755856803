/* sim/toolstack/console.c - see console.h. */
#include <stdio.h>
#include <sys/stat.h>

#include <xen/errno.h>

#include "console.h"

#define XENCONSOLED_BIN "/usr/lib/xen-4.17/bin/xenconsoled"

int console_start(struct simd *simd, struct component *daemon, char *log_dir, size_t size)
{
    char dir_arg[320], pid_arg[320];
    char *argv[] = {XENCONSOLED_BIN, "-i", "--log=guest", dir_arg, pid_arg, NULL};

    snprintf(log_dir, size, "%s/console", simd->dir);
    if (mkdir(log_dir, 0755) != 0)
        return -XEN_EIO;
    snprintf(dir_arg, sizeof(dir_arg), "--log-dir=%s", log_dir);
    snprintf(pid_arg, sizeof(pid_arg), "--pid-file=%s/xenconsoled.pid", simd->dir);
    daemon->before_exec = NULL;
    return component_start(simd, daemon, "xenconsoled", argv, NULL);
}
