/*
 * sim/nt/inf_copyfiles.c - the files a DDInstall section's CopyFiles
 * directives copy: where each goes on the simulated system (from
 * [DestinationDirs]: the file-list section's own entry, else DefaultDestDir,
 * else DIRID 11) and where it comes from in the driver package (from
 * [SourceDisksFiles] and [SourceDisksNames], the .amd64 ones first).
 *
 * Source paths are the INF's to choose, so none may climb out of the
 * package's directory ("..") or name a drive.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "inf_impl.h"

#define DIRID_SYSTEM32 11u

struct copier {
    const struct nt_inf *inf;
    struct inf_arena *arena;
    struct inf_copies *copies;
    char *error;
    size_t error_size;
};

static bool is_plain_name(const char *name)
{
    return name[0] && strpbrk(name, "\\/:") == NULL && strcmp(name, ".") != 0 &&
           strcmp(name, "..") != 0;
}

/* The simulated system's directory that @section's files go to. */
static int destination_dir(const struct copier *c, const char *section, const char **dir)
{
    const struct nt_inf_section *dirs = nt_inf_section(c->inf, "DestinationDirs");
    const struct nt_inf_line *line = nt_inf_line(dirs, section);
    const char *subdir, *base;
    uint32_t dirid = DIRID_SYSTEM32;

    if (line == NULL)
        line = nt_inf_line(dirs, "DefaultDestDir");
    if (line == NULL) {
        *dir = inf_dirid_path(dirid);
        return 0;
    }
    subdir = nt_inf_field(line, 1);
    if (strcmp(line->fields[0], "-1") == 0 && subdir && subdir[0]) {
        *dir = subdir; /* -1: an absolute path */
        return 0;
    }
    if (inf_number(line->fields[0], &dirid) || (base = inf_dirid_path(dirid)) == NULL)
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, line,
                         "\"%s\" is not a DIRID the simulated system has", line->fields[0]);
    *dir = subdir && subdir[0] ? inf_arena_printf(c->arena, "%s\\%s", base, subdir) : base;
    return *dir ? 0 : -ENOMEM;
}

/* A line of @section (the .amd64 one first) keyed @key, or with @number as its key's value. */
static const struct nt_inf_line *source_line(const struct nt_inf *inf, const char *section,
                                             const char *key, const uint32_t *number)
{
    char decorated[64];

    snprintf(decorated, sizeof(decorated), "%s.amd64", section);
    for (int pass = 0; pass < 2; pass++) {
        const struct nt_inf_section *s = nt_inf_section(inf, pass == 0 ? decorated : section);

        for (size_t i = 0; s && i < s->line_count; i++) {
            uint32_t value;

            if (s->lines[i].key == NULL)
                continue;
            if (key ? inf_name_eq(s->lines[i].key, key)
                    : inf_number(s->lines[i].key, &value) == 0 && value == *number)
                return &s->lines[i];
        }
    }
    return NULL;
}

/* Append the components of @path ('\' or '/' separated) to @out; -EINVAL for ".." or a drive. */
static int append_components(char *out, size_t size, const char *path)
{
    char copy[NT_INF_MAX_LINE + 1];
    char *save = NULL;

    snprintf(copy, sizeof(copy), "%s", path);
    for (char *part = strtok_r(copy, "\\/", &save); part; part = strtok_r(NULL, "\\/", &save)) {
        size_t len = strlen(out);

        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0 || strchr(part, ':'))
            return -EINVAL;
        if (snprintf(out + len, size - len, "%s%s", len ? "/" : "", part) >= (int)(size - len))
            return -EINVAL;
    }
    return 0;
}

/* Where @name comes from, relative to the INF's directory. */
static int source_path(const struct copier *c, const struct nt_inf_line *at, const char *name,
                       const char **path)
{
    const struct nt_inf_line *file = source_line(c->inf, "SourceDisksFiles", name, NULL);
    const struct nt_inf_line *disk;
    char joined[NT_INF_MAX_LINE + 1] = "";
    uint32_t id;

    if (file == NULL)
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, at,
                         "%s is not in [SourceDisksFiles]", name);
    if (inf_number(file->fields[0], &id) ||
        (disk = source_line(c->inf, "SourceDisksNames", NULL, &id)) == NULL)
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, file,
                         "disk \"%s\" is not in [SourceDisksNames]", file->fields[0]);
    if (append_components(joined, sizeof(joined), nt_inf_field(disk, 3) ? disk->fields[3] : "") ||
        append_components(joined, sizeof(joined), nt_inf_field(file, 1) ? file->fields[1] : "") ||
        append_components(joined, sizeof(joined), name))
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, file,
                         "%s's source path leaves the driver package", name);
    *path = inf_arena_strdup(c->arena, joined);
    return *path ? 0 : -ENOMEM;
}

static int copy_file(const struct copier *c, const struct nt_inf_line *at, const char *dir,
                     const char *destination, const char *source)
{
    struct inf_copies *copies = c->copies;
    struct inf_copy *copy;
    int err;

    if (!is_plain_name(destination) || !is_plain_name(source))
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, at,
                         "a file to copy is a file name, with no directory");
    err = inf_arena_grow(c->arena, (void **)&copies->items, &copies->capacity, copies->count,
                         sizeof(*copies->items));
    if (err)
        return err;
    copy = &copies->items[copies->count];
    err = source_path(c, at, source, &copy->source);
    if (err)
        return err;
    copy->destination = inf_arena_printf(c->arena, "%s%s%s", dir,
                                         dir[strlen(dir) - 1] == '\\' ? "" : "\\", destination);
    if (copy->destination == NULL)
        return -ENOMEM;
    copies->count++;
    return 0;
}

/* The files of the file-list section @name: "destination[,source]" lines. */
static int copy_section(const struct copier *c, const struct nt_inf_line *at, const char *name)
{
    const struct nt_inf_section *list = nt_inf_section(c->inf, name);
    const char *dir;
    int err;

    if (list == NULL)
        return inf_error(c->error, c->error_size, -EINVAL, c->inf, at,
                         "CopyFiles names [%s], which is not in the INF", name);
    err = destination_dir(c, list->name, &dir);
    for (size_t i = 0; err == 0 && i < list->line_count; i++) {
        const struct nt_inf_line *line = &list->lines[i];
        const char *source = nt_inf_field(line, 1);

        if (line->key)
            return inf_error(c->error, c->error_size, -EINVAL, c->inf, line,
                             "a file-list line is destination[,source[,,flags]]");
        err = copy_file(c, line, dir, line->fields[0],
                        source && source[0] ? source : line->fields[0]);
    }
    return err;
}

int inf_copyfiles(const struct nt_inf *inf, const struct nt_inf_section *ddinstall,
                  struct inf_arena *arena, struct inf_copies *copies, char *error,
                  size_t error_size)
{
    const struct copier c = {inf, arena, copies, error, error_size};
    const struct nt_inf_line *line;
    size_t pos = 0;

    while ((line = inf_next_keyed(ddinstall, "CopyFiles", &pos)) != NULL) {
        for (size_t i = 0; i < line->field_count; i++) {
            const char *entry = line->fields[i];
            const char *dir;
            int err;

            if (entry[0] == '@') { /* one file, to DefaultDestDir */
                err = destination_dir(&c, "DefaultDestDir", &dir);
                if (err == 0)
                    err = copy_file(&c, line, dir, entry + 1, entry + 1);
            } else if (entry[0])
                err = copy_section(&c, line, entry);
            else
                err = inf_error(error, error_size, -EINVAL, inf, line, "an empty CopyFiles entry");
            if (err)
                return err;
        }
    }
    return 0;
}
