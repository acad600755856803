/*
 * sim/nt/inf_impl.h - what the parts of the INF reader share (see inf.h).
 */
#ifndef WINPV_SIM_NT_INF_IMPL_H
#define WINPV_SIM_NT_INF_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inf.h"

#define INF_MAX_SECTIONS     65536
#define INF_MAX_SECTION_NAME 255 /* as Windows */

/* -- inf_arena.c: allocations released all at once ---------------------------------------- */

struct inf_arena *inf_arena_new(void);
void inf_arena_free(struct inf_arena *arena);
/* @size zeroed bytes, aligned for any type; NULL when out of memory. */
void *inf_arena_alloc(struct inf_arena *arena, size_t size);
char *inf_arena_strndup(struct inf_arena *arena, const char *s, size_t n);
char *inf_arena_strdup(struct inf_arena *arena, const char *s);
__attribute__((format(printf, 2, 3))) char *inf_arena_printf(struct inf_arena *arena,
                                                             const char *fmt, ...);
/*
 * Room for one more element in *@array (@count used of *@capacity, each
 * @elem_size bytes): a larger copy in @arena when full. 0 or -ENOMEM.
 */
int inf_arena_grow(struct inf_arena *arena, void **array, size_t *capacity, size_t count,
                   size_t elem_size);

/* -- inf_text.c: encodings ------------------------------------------------------------------ */

/*
 * @size bytes of an INF file as NUL-terminated UTF-8 in *@text (free()):
 * UTF-16LE after its byte-order mark, else UTF-8 (its mark skipped). 0, or
 * -EILSEQ with the line of the first bad character in *@bad_line, -ENOMEM.
 */
int inf_text_decode(const uint8_t *bytes, size_t size, char **text, unsigned int *bad_line);
/*
 * The UTF-16LE bytes of @utf8 (no terminator) written to @out unless NULL;
 * returns their number, or SIZE_MAX when @utf8 is not UTF-8.
 */
size_t inf_utf16_encode(const char *utf8, uint8_t *out);
/*
 * The UTF-16LE string of @size bytes at @bytes as NUL-terminated UTF-8 in
 * @out (room for @size / 2 * 3 + 1 bytes). 0, or -EILSEQ (an unpaired
 * surrogate, a NUL, an odd size).
 */
int inf_utf16_decode(const uint8_t *bytes, size_t size, char *out);

/* -- inf_lines.c: logical lines --------------------------------------------------------------- */

struct inf_reader {
    const char *text; /* NUL-terminated */
    size_t pos;
    unsigned int lineno; /* of the physical line at pos */
};

/*
 * The next logical line of @reader in @line (NT_INF_MAX_LINE + 1 bytes):
 * comments dropped, continued lines joined, quotes kept, no line break.
 * Returns 1 with the line's first physical line in *@start, 0 at the end,
 * -EINVAL (an unterminated quote, its physical line in *@start) or -EFBIG
 * (longer than NT_INF_MAX_LINE).
 */
int inf_read_line(struct inf_reader *reader, char *line, unsigned int *start);

/* -- inf_lookup.c: finding things, messages, numbers --------------------------------------------- */

bool inf_name_eq(const char *a, const char *b); /* case-insensitive (ASCII) */
uint64_t inf_name_hash(const char *name);       /* case-insensitive */

/* The next line at or after *@pos keyed @key, *@pos moved past it; NULL at the end. */
const struct nt_inf_line *inf_next_keyed(const struct nt_inf_section *section, const char *key,
                                         size_t *pos);

/*
 * Write "path:line: message" (or "path: message" with no @line) to @error;
 * returns @err, so a failing path ends "return inf_error(...)".
 */
__attribute__((format(printf, 6, 7))) int inf_error(char *error, size_t error_size, int err,
                                                    const struct nt_inf *inf,
                                                    const struct nt_inf_line *line, const char *fmt,
                                                    ...);
/* "path:line" of @line, in @arena (NULL when out of memory). */
const char *inf_origin(struct inf_arena *arena, const struct nt_inf *inf,
                       const struct nt_inf_line *line);

/* An INF number: decimal, or hexadecimal after 0x. 0, or -EINVAL (empty, junk, > 32 bits). */
int inf_number(const char *text, uint32_t *value);

/* -- inf_strings.c: %substitutions% ----------------------------------------------------------- */

/* The simulated system's directory for DIRID @dirid (C:\Windows\...), or NULL. */
const char *inf_dirid_path(uint32_t dirid);
bool inf_is_strings_section(const char *name);
/* Replace every %strkey%, %dirid% and %% in keys and fields outside [Strings]. */
int inf_substitute(struct nt_inf *inf, char *error, size_t error_size);

/* -- inf_version.c: [Version] --------------------------------------------------------------- */

struct inf_version {
    const char *class_name, *class_guid, *provider; /* "" when absent */
    uint32_t driver_date;
    uint64_t driver_version;
};
/* Checks the Signature and reads DriverVer, Class, ClassGuid, Provider. */
int inf_read_version(const struct nt_inf *inf, struct inf_version *version, char *error,
                     size_t error_size);

/* -- inf_install.c, inf_copyfiles.c, inf_addreg.c ------------------------------------------ */

/* The DDInstall section for x64 named @name: @name.NTamd64, @name.NT or @name; NULL if none. */
const struct nt_inf_section *inf_ddinstall(const struct nt_inf *inf, const char *name);

struct inf_copy {
    const char *destination; /* the simulated system's path: C:\Windows\System32\drivers\x.sys */
    const char *source;      /* relative to the INF's directory, '/'-separated */
};
struct inf_copies {
    struct inf_copy *items;
    size_t count, capacity;
};
/* Append the files @ddinstall's CopyFiles directives copy. */
int inf_copyfiles(const struct nt_inf *inf, const struct nt_inf_section *ddinstall,
                  struct inf_arena *arena, struct inf_copies *copies, char *error,
                  size_t error_size);

struct inf_reg_values {
    struct nt_inf_reg_value *items;
    size_t count, capacity;
};
/* Append the values of the sections @section's AddReg directives name, for @root. */
int inf_addreg(const struct nt_inf *inf, const struct nt_inf_section *section,
               enum nt_inf_reg_root root, struct inf_arena *arena, struct inf_reg_values *values,
               char *error, size_t error_size);

#endif /* WINPV_SIM_NT_INF_IMPL_H */
