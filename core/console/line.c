/* core/console/line.c - see line.h. */
#include "console/line.h"

void console_line_reset(struct console_line *line)
{
    line->len = 0;
    line->after_cr = false;
    line->dropping = false;
}

static void hand_up(struct console_line *line, bool cut, console_line_fn fn, void *ctx)
{
    line->text[line->len] = '\0';
    fn(ctx, line->text, line->len, cut);
    line->len = 0;
}

void console_line_feed(struct console_line *line, const char *bytes, size_t n, console_line_fn fn,
                       void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        char c = bytes[i];
        bool after_cr = line->after_cr;

        line->after_cr = c == '\r';
        if (c == '\n' && after_cr)
            continue; /* the second half of "\r\n" */
        if (c == '\n' || c == '\r') {
            if (line->dropping)
                line->dropping = false; /* the cut line's end: went up already */
            else
                hand_up(line, false, fn, ctx);
            continue;
        }
        if (line->dropping)
            continue;
        if (line->len == CONSOLE_LINE_MAX) {
            hand_up(line, true, fn, ctx);
            line->dropping = true;
            continue;
        }
        line->text[line->len++] = c;
    }
}
