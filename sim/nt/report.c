/*
 * sim/nt/report.c - the kernel log, addresses described from the images'
 * PDBs, verifier failures and bugchecks.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "kernel.h"
#include "unwind.h"

#define DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4
/* What the process exits with after a bugcheck, for whoever started it. */
#define NT_BUGCHECK_EXIT                   66
#define SYMBOLIZER                         "/usr/lib/llvm-16/bin/llvm-symbolizer"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;

void nt_log_open(const char *path)
{
    FILE *f = path ? fopen(path, "w") : NULL; /* a kernel that starts begins its log */

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

/* The function and file:line llvm-symbolizer reads from @path's debug data (an image's PDB). */
static void symbolize(const char *path, uint64_t rva, char *out, size_t size)
{
    char command[8192], line[1024];
    FILE *pipe;
    size_t used = 0;

    snprintf(command, sizeof(command),
             SYMBOLIZER " --obj='%s' --relative-address --functions=linkage 0x%llx 2>/dev/null",
             path, (unsigned long long)rva);
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
    symbolize(image->path, rva, symbol, sizeof(symbol));
    snprintf(out, size, "%s+0x%llx%s%s", image->name, (unsigned long long)rva, symbol[0] ? " " : "",
             symbol);
}

#define STACK_FRAMES_MAX 24

/* A frame of the kernel itself: its function and line, from this program's own debug data. */
static void describe_kernel_address(uint64_t address, char *out, size_t size)
{
    Dl_info info;
    char symbol[1024] = "";

    if (dladdr((void *)(uintptr_t)address, &info) && info.dli_fname)
        symbolize(info.dli_fname, address - (uint64_t)(uintptr_t)info.dli_fbase, symbol,
                  sizeof(symbol));
    snprintf(out, size, "[kernel] %s", symbol[0] ? symbol : "?");
}

/* The stack from @start, each driver frame named from its image's PDB. */
static void log_stack(struct nt_frame start)
{
    uint64_t rips[STACK_FRAMES_MAX];
    size_t n = nt_unwind(start, rips, STACK_FRAMES_MAX);
    char where[1200];

    nt_log("*** stack:\n");
    for (size_t i = 0; i < n; i++) {
        if (nt_image_find(rips[i]) == NULL) {
            describe_kernel_address(i == 0 ? rips[i] : rips[i] - 1, where, sizeof(where));
            nt_log("***   #%zu %s\n", i, where);
            continue;
        }
        /* A return address names the instruction after the call: describe the call. */
        nt_describe_address(i == 0 ? rips[i] : rips[i] - 1, where, sizeof(where));
        nt_log("***   #%zu %s\n", i, where);
    }
}

void nt_bugcheck_at(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3, uint64_t p4,
                    uint64_t caller, struct nt_frame stack)
{
    char where[1200];
    struct nt_thread *thread = nt_current();

    nt_describe_address(caller, where, sizeof(where));
    nt_log("*** STOP: 0x%08X (0x%llx, 0x%llx, 0x%llx, 0x%llx)\n", code, (unsigned long long)p1,
           (unsigned long long)p2, (unsigned long long)p3, (unsigned long long)p4);
    nt_log("*** thread %s at IRQL %u, called from %s\n", thread ? thread->name : "(none)",
           nt_irql(), where);
    log_stack(stack);
    _exit(NT_BUGCHECK_EXIT);
}

void nt_bugcheck(uint32_t code, uint64_t p1, uint64_t p2, uint64_t p3, uint64_t p4, uint64_t caller)
{
    nt_bugcheck_at(code, p1, p2, p3, p4, caller, nt_unwind_here());
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
