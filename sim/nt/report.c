/*
 * sim/nt/report.c - the kernel log, addresses described from the images'
 * PDBs, verifier failures and bugchecks.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "kernel.h"

#define DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
/* What the process exits with after a bugcheck, for whoever started it. */
#define NT_BUGCHECK_EXIT                   66
#define SYMBOLIZER                         "/usr/lib/llvm-16/bin/llvm-symbolizer"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;

void nt_log_open(const char *path)
{
    FILE *f = path ? fopen(path, "a") : NULL;

    pthread_mutex_lock(&log_lock);
    if (log_file && log_file != stderr)
        fclose(log_file);
    log_file = f ? f : stderr;
    if (f)
        setvbuf(f, NULL, _IOLBF, 0);
    pthread_mutex_unlock(&log_lock);
}

void nt_log(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    pthread_mutex_lock(&log_lock);
    vfprintf(log_file ? log_file : stderr, fmt, args);
    fflush(log_file ? log_file : stderr);
    pthread_mutex_unlock(&log_lock);
    va_end(args);
}

/* The function and file:line llvm-symbolizer reads from the image's PDB. */
static void symbolize(const struct nt_image *image, uint64_t rva, char *out, size_t size)
{
    char command[8192], line[1024];
    FILE *pipe;
    size_t used = 0;

    snprintf(command, sizeof(command),
             SYMBOLIZER " --obj='%s' --relative-address --functions=linkage 0x%llx 2>/dev/null",
             image->path, (unsigned long long)rva);
    pipe = popen(command, "r");
    if (pipe == NULL)
        return;
    while (fgets(line, sizeof(line), pipe) && used < size) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            break;
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? " " : "", line);
    }
    pclose(pipe);
}

void nt_describe_address(uint64_t address, char *out, size_t size)
{
    const struct nt_image *image = nt_image_find(address);
    char symbol[1024] = "";
    uint64_t rva;

    if (image == NULL) {
        snprintf(out, size, "0x%llx (in the kernel)", (unsigned long long)address);
        return;
    }
    rva = address - (uint64_t)(uintptr_t)image->base;
    symbolize(image, rva, symbol, sizeof(symbol));
    snprintf(out, size, "%s+0x%llx%s%s", image->name, (unsigned long long)rva, symbol[0] ? " " : "",
             symbol);
}

void nt_bugcheck(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3, uint64_t p4, uint64_t caller)
{
    char where[1200];
    struct nt_thread *thread = nt_current();

    nt_describe_address(caller, where, sizeof(where));
    nt_log("*** STOP: 0x%08X (0x%llx, 0x%llx, 0x%llx, 0x%llx)\n", code, (unsigned long long)p1,
           (unsigned long long)p2, (unsigned long long)p3, (unsigned long long)p4);
    nt_log("*** thread %s at IRQL %u, called from %s\n", thread ? thread->name : "(none)",
           nt_irql(), where);
    _exit(NT_BUGCHECK_EXIT);
}

void nt_verifier_fail(enum nt_verifier_rule rule, uint64_t caller, const char *fmt, ...)
{
    char what[512];
    va_list args;

    va_start(args, fmt);
    vsnprintf(what, sizeof(what), fmt, args);
    va_end(args);
    nt_log("*** VERIFIER: %s\n", what);
    nt_bugcheck(DRIVER_VERIFIER_DETECTED_VIOLATION, rule, caller, 0, 0, caller);
}
