/*
 * sim/nt/inf_lines.c - an INF's logical lines: what is left of one or more
 * physical lines once comments are dropped and continuations joined.
 *
 * A ';' outside quotes starts a comment that runs to the end of the
 * physical line. A '\' that is the last character before the line break
 * (trailing blanks and a comment aside) joins the next physical line to
 * this one, as Windows does; a quote must close on the line it opens. Lines
 * end with LF, CR LF or a lone CR; a Ctrl-Z ends the file, as in old DOS
 * INFs.
 */
#include <errno.h>

#include "inf_impl.h"

#define CTRL_Z '\x1a'

static bool at_end(const struct inf_reader *reader)
{
    char c = reader->text[reader->pos];

    return c == '\0' || c == CTRL_Z;
}

/* Past the line break at reader->pos, if there is one. */
static void skip_line_break(struct inf_reader *reader)
{
    if (reader->text[reader->pos] == '\r')
        reader->pos++;
    if (reader->text[reader->pos] == '\n')
        reader->pos++;
    reader->lineno++;
}

static void skip_comment(struct inf_reader *reader)
{
    for (char c = reader->text[reader->pos]; c != '\0' && c != CTRL_Z && c != '\r' && c != '\n';
         c = reader->text[reader->pos])
        reader->pos++;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int inf_read_line(struct inf_reader *reader, char *line, unsigned int *start)
{
    size_t len = 0;
    bool quoted = false;

    if (at_end(reader))
        return 0;
    *start = reader->lineno;
    for (;;) {
        char c = reader->text[reader->pos];

        if (c == '\0' || c == CTRL_Z || c == '\r' || c == '\n') {
            size_t end = len;

            if (quoted) {
                *start = reader->lineno; /* where the quote should have closed */
                return -EINVAL;
            }
            while (end && is_blank(line[end - 1]))
                end--;
            if (!at_end(reader))
                skip_line_break(reader);
            if (end && line[end - 1] == '\\' && !at_end(reader)) {
                len = end - 1; /* continued: the backslash goes, the next line follows */
                continue;
            }
            line[len] = '\0';
            return 1;
        }
        reader->pos++;
        if (c == ';' && !quoted) {
            reader->pos--;
            skip_comment(reader);
            continue;
        }
        if (c == '"')
            quoted = !quoted;
        if (len == NT_INF_MAX_LINE)
            return -EFBIG;
        line[len++] = c;
    }
}
