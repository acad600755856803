/*
 * sim/toolstack/component_end.h - how a component's process ended, told
 * from its wait status, how it was stopped, and its log.
 */
#ifndef WINPV_SIM_COMPONENT_END_H
#define WINPV_SIM_COMPONENT_END_H

#include <stdbool.h>
#include <stddef.h>

enum component_end_kind {
    COMPONENT_EXITED,             /* code: its exit status */
    COMPONENT_SIGNALLED,          /* code: the signal that ended it */
    COMPONENT_KILLED_AFTER_GRACE, /* it outlived its grace period after SIGTERM: SIGKILL */
};

struct component_end {
    enum component_end_kind kind;
    int code;
    /* The first line of a sanitizer's report in its log; empty when none. */
    char sanitizer_report[160];
};

/*
 * @status as waitpid gave it; @killed_after_grace when the toolstack sent
 * SIGKILL because SIGTERM did not end it in time. @log is searched for a
 * report of ASan, LSan, UBSan or TSan.
 */
void component_end_read(struct component_end *end, int status, bool killed_after_grace,
                        const char *log);

/*
 * Whether this end is the one that was planned: an exit with status 0 when
 * @planned_signal is 0, else death by exactly @planned_signal; never with a
 * sanitizer report.
 */
bool component_end_is(const struct component_end *end, int planned_signal);

/* "exited with status 3", "was killed by signal 11 (Segmentation fault)", ... into @buf. */
const char *component_end_describe(const struct component_end *end, char *buf, size_t size);

#endif /* WINPV_SIM_COMPONENT_END_H */
