/*
 * core/console/line.h - console input cut into lines. The backend sends
 * bytes in any chunking (a line may arrive over several events); each
 * complete line goes up once, without its end. A line ends at '\n', '\r'
 * or "\r\n" (one end, as a terminal sends it). A line longer than
 * CONSOLE_LINE_MAX bytes is cut: its first CONSOLE_LINE_MAX bytes go up
 * marked cut, the rest up to its end is dropped.
 *
 * The bytes are untrusted input: whatever they are, the assembler stays
 * within its buffer. It uses nothing of the OS. Context: any; the caller
 * serialises calls on one assembler.
 */
#ifndef WINPV_CORE_CONSOLE_LINE_H
#define WINPV_CORE_CONSOLE_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_LINE_MAX 256

/*
 * A complete line: @len bytes at @text, NUL-terminated after them (the
 * line may hold NULs of its own), @cut when it was longer. The text is
 * valid only during the call.
 */
typedef void (*console_line_fn)(void *ctx, const char *text, size_t len, bool cut);

struct console_line {
    char text[CONSOLE_LINE_MAX + 1];
    size_t len;
    bool after_cr; /* the last line ended at '\r': a '\n' now belongs to it */
    bool dropping; /* the line was cut: the rest of it is dropped */
};

/* Start empty (also the zeroed state). */
void console_line_reset(struct console_line *line);

/* Take @n bytes; each line they complete goes to @fn(@ctx, ...). */
void console_line_feed(struct console_line *line, const char *bytes, size_t n, console_line_fn fn,
                       void *ctx);

#endif /* WINPV_CORE_CONSOLE_LINE_H */
