/*
 * The reason a parse or a check failed, as one line of text in a fixed
 * buffer, so that no error path has anything to free.
 */
#ifndef PECHECK_FAILURE_H
#define PECHECK_FAILURE_H

#include <stdbool.h>

#define FAILURE_TEXT_MAX 512

struct failure {
    char text[FAILURE_TEXT_MAX];
};

/* Records the reason (printf-style) and returns false, so that a parser can
 * end with "return fail(why, ...);". */
bool fail(struct failure *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
