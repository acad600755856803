/* The properties pecheck checks, each on an image already in memory. */
#include "pecheck.h"
#include "pe.h"
#include "pdb.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *const pecheck_default_imports[] = {"ntoskrnl.exe", "hal.dll", "ndis.sys",
                                               "storport.sys"};
const size_t pecheck_default_import_count =
    sizeof(pecheck_default_imports) / sizeof(pecheck_default_imports[0]);

static const char *const property_names[PECHECK_PROPERTY_COUNT] = {
    [PECHECK_FORMAT] = "PE32+ image for AMD64",
    [PECHECK_SUBSYSTEM] = "subsystem native",
    [PECHECK_NOT_DLL] = "not a DLL",
    [PECHECK_CHECKSUM] = "checksum",
    [PECHECK_INIT_SECTION] = "discardable INIT section",
    [PECHECK_RELOCATIONS] = "base relocations",
    [PECHECK_IMPORTS] = "imports only from allowed modules",
    [PECHECK_DEBUG_RECORD] = "CodeView record matches the PDB",
};

const char *pecheck_property_name(enum pecheck_property property)
{
    return property < PECHECK_PROPERTY_COUNT ? property_names[property] : "unknown property";
}

static void set_result(struct pecheck_result *r, bool ok, const char *fmt, va_list ap)
{
    r->ok = ok;
    vsnprintf(r->text, sizeof(r->text), fmt, ap);
}

static void pass(struct pecheck_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pass(struct pecheck_result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_result(r, true, fmt, ap);
    va_end(ap);
}

static void pass_silently(struct pecheck_result *r)
{
    r->ok = true;
    r->text[0] = '\0';
}

static void reject(struct pecheck_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reject(struct pecheck_result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    set_result(r, false, fmt, ap);
    va_end(ap);
}

static void check_format(const struct pe_image *img, struct pecheck_result *r)
{
    if (img->machine != PE_MACHINE_AMD64)
        reject(r, "machine is 0x%x, not 0x%x (AMD64)", img->machine, PE_MACHINE_AMD64);
    else
        pass(r, "%u sections", img->section_count);
}

static void check_subsystem(const struct pe_image *img, struct pecheck_result *r)
{
    if (img->subsystem != PE_SUBSYSTEM_NATIVE)
        reject(r, "subsystem is %u, not %u (native)", img->subsystem, PE_SUBSYSTEM_NATIVE);
    else
        pass_silently(r);
}

static void check_not_dll(const struct pe_image *img, struct pecheck_result *r)
{
    if (img->characteristics & PE_FILE_DLL)
        reject(r, "IMAGE_FILE_DLL is set in the characteristics 0x%04x", img->characteristics);
    else
        pass_silently(r);
}

static void check_checksum(const struct pe_image *img, struct pecheck_result *r)
{
    uint32_t computed = pe_compute_checksum(img->data, img->size, img->checksum_offset);

    if (img->checksum == 0)
        reject(r, "the header checksum is zero (computed 0x%08x)", computed);
    else if (img->checksum != computed)
        reject(r, "the header says 0x%08x, the file sums to 0x%08x", img->checksum, computed);
    else
        pass(r, "0x%08x", computed);
}

static void check_init_section(const struct pe_image *img, struct pecheck_result *r)
{
    struct pe_section sec;

    if (!pe_find_section(img, "INIT", &sec))
        reject(r, "no section named INIT");
    else if (!(sec.characteristics & PE_SCN_MEM_DISCARDABLE))
        reject(r, "INIT is not discardable (characteristics 0x%08x)", sec.characteristics);
    else
        pass_silently(r);
}

static void check_relocations(const struct pe_image *img, struct pecheck_result *r)
{
    struct failure why;
    size_t count;

    if (img->characteristics & PE_FILE_RELOCS_STRIPPED)
        reject(r, "IMAGE_FILE_RELOCS_STRIPPED is set in the characteristics 0x%04x",
               img->characteristics);
    else if (!pe_count_relocations(img, &count, &why))
        reject(r, "%s", why.text);
    else if (count == 0)
        reject(r, "the base relocation directory holds no relocations");
    else
        pass(r, "%zu relocations", count);
}

/* Gathers the imported DLL names, escaped, into two lists: all of them and
 * those that are not allowed. */
struct import_lists {
    const struct pecheck_config *config;
    char all[PECHECK_TEXT_MAX / 2];
    char offending[PECHECK_TEXT_MAX / 2];
    size_t offending_count;
};

static void append_name(char *list, size_t size, const char *name)
{
    size_t used = strlen(list);

    if (used < size)
        snprintf(list + used, size - used, "%s%s", used ? ", " : "", name);
}

static bool is_allowed(const struct pecheck_config *config, const char *dll)
{
    for (size_t i = 0; i < config->allowed_import_count; i++) {
        if (ascii_equal_nocase(dll, config->allowed_imports[i]))
            return true;
    }
    return false;
}

static bool gather_import(void *ctx, const char *dll)
{
    struct import_lists *lists = ctx;
    char name[128];

    escape_text(name, sizeof(name), dll);
    append_name(lists->all, sizeof(lists->all), name);
    if (!is_allowed(lists->config, dll)) {
        append_name(lists->offending, sizeof(lists->offending), name);
        lists->offending_count++;
    }
    return true;
}

static void check_imports(const struct pecheck_config *config, const struct pe_image *img,
                          struct pecheck_result *r)
{
    struct import_lists lists = {.config = config};
    struct failure why;

    if (!pe_for_each_import(img, gather_import, &lists, &why))
        reject(r, "%s", why.text);
    else if (lists.offending_count > 0)
        reject(r, "imports from %zu module%s not allowed: %s", lists.offending_count,
               lists.offending_count == 1 ? "" : "s", lists.offending);
    else
        pass(r, "imports from %s", lists.all[0] ? lists.all : "no module");
}

static void check_debug_record(const struct pe_image *img, const struct pecheck_input *in,
                               struct pecheck_result *r)
{
    char image_guid[GUID_TEXT_SIZE], pdb_guid[GUID_TEXT_SIZE], pdb_name[256], dbi_note[64];
    char mismatch[PECHECK_TEXT_MAX] = "";
    struct pe_codeview cv;
    struct pdb_identity id;
    struct failure why;

    if (!pe_find_codeview(img, &cv, &why)) {
        reject(r, "%s", why.text);
        return;
    }
    escape_text(pdb_name, sizeof(pdb_name), in->pdb_name ? in->pdb_name : "the PDB");
    if (!in->pdb) {
        reject(r, "%s", in->pdb_problem ? in->pdb_problem : "no PDB");
        return;
    }
    if (!pdb_read_identity(in->pdb, in->pdb_size, &id, &why)) {
        reject(r, "%s: %s", pdb_name, why.text);
        return;
    }

    format_guid(image_guid, cv.guid);
    format_guid(pdb_guid, id.guid);
    if (memcmp(cv.guid, id.guid, sizeof(cv.guid)) != 0)
        append_name(mismatch, sizeof(mismatch), "GUID differs");
    if (cv.age != id.age)
        append_name(mismatch, sizeof(mismatch), "age differs from the PDB info stream");
    if (id.has_dbi && cv.age != id.dbi_age)
        append_name(mismatch, sizeof(mismatch), "age differs from the DBI stream");

    if (id.has_dbi)
        snprintf(dbi_note, sizeof(dbi_note), "DBI stream age %u", id.dbi_age);
    else
        snprintf(dbi_note, sizeof(dbi_note), "no DBI stream");

    if (mismatch[0])
        reject(r, "%s: image GUID %s age %u; %s: GUID %s, info stream age %u, %s", mismatch,
               image_guid, cv.age, pdb_name, pdb_guid, id.age, dbi_note);
    else
        pass(r, "GUID %s age %u, as in %s (info stream age %u, %s)", image_guid, cv.age, pdb_name,
             id.age, dbi_note);
}

bool pecheck_buffers(const struct pecheck_config *config, const struct pecheck_input *in,
                     struct pecheck_result results[PECHECK_PROPERTY_COUNT])
{
    struct pe_image img;
    struct failure why;
    bool all_ok = true;

    if (!pe_parse(&img, in->image, in->image_size, &why)) {
        reject(&results[PECHECK_FORMAT], "%s", why.text);
        for (int p = PECHECK_FORMAT + 1; p < PECHECK_PROPERTY_COUNT; p++)
            reject(&results[p], "not checked: the file is not a valid PE32+ image");
        return false;
    }

    check_format(&img, &results[PECHECK_FORMAT]);
    check_subsystem(&img, &results[PECHECK_SUBSYSTEM]);
    check_not_dll(&img, &results[PECHECK_NOT_DLL]);
    check_checksum(&img, &results[PECHECK_CHECKSUM]);
    check_init_section(&img, &results[PECHECK_INIT_SECTION]);
    check_relocations(&img, &results[PECHECK_RELOCATIONS]);
    check_imports(config, &img, &results[PECHECK_IMPORTS]);
    check_debug_record(&img, in, &results[PECHECK_DEBUG_RECORD]);

    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++)
        all_ok = all_ok && results[p].ok;
    return all_ok;
}
