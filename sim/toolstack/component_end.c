/* sim/toolstack/component_end.c - see component_end.h. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "component_end.h"

/*
 * A sanitizer's report starts with "==PID==ERROR: AddressSanitizer: ..."
 * (LeakSanitizer: the same), "WARNING: ThreadSanitizer: ...", or, for
 * UBSan, "FILE:LINE:COL: runtime error: ...".
 */
static bool is_sanitizer_report(const char *line)
{
    static const char *const starts[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                         "WARNING: ThreadSanitizer", ": runtime error: "};

    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
        if (strstr(line, starts[i]) != NULL)
            return true;
    return false;
}

static void find_sanitizer_report(const char *log, char *found, size_t size)
{
    char line[512];
    FILE *f = fopen(log, "r");

    found[0] = '\0';
    if (f == NULL)
        return;
    while (fgets(line, sizeof(line), f)) {
        if (is_sanitizer_report(line)) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(found, size, "%s", line);
            break;
        }
    }
    fclose(f);
}

void component_end_read(struct component_end *end, int status, bool killed_after_grace,
                        const char *log)
{
    if (killed_after_grace) {
        end->kind = COMPONENT_KILLED_AFTER_GRACE;
        end->code = SIGKILL;
    } else if (WIFSIGNALED(status)) {
        end->kind = COMPONENT_SIGNALLED;
        end->code = WTERMSIG(status);
    } else {
        end->kind = COMPONENT_EXITED;
        end->code = WEXITSTATUS(status);
    }
    find_sanitizer_report(log, end->sanitizer_report, sizeof(end->sanitizer_report));
}

bool component_end_is(const struct component_end *end, int planned_signal)
{
    if (end->sanitizer_report[0] != '\0')
        return false;
    if (planned_signal == 0)
        return end->kind == COMPONENT_EXITED && end->code == 0;
    return end->kind == COMPONENT_SIGNALLED && end->code == planned_signal;
}

const char *component_end_describe(const struct component_end *end, char *buf, size_t size)
{
    int n;

    switch (end->kind) {
    case COMPONENT_EXITED:
        n = snprintf(buf, size, "exited with status %d", end->code);
        break;
    case COMPONENT_SIGNALLED:
        n = snprintf(buf, size, "was killed by signal %d (%s)", end->code, strsignal(end->code));
        break;
    default:
        n = snprintf(buf, size,
                     "was still running after SIGTERM and its grace period: needed SIGKILL");
        break;
    }
    if (end->sanitizer_report[0] != '\0' && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", with a sanitizer report: %s", end->sanitizer_report);
    return buf;
}
