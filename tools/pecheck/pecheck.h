/*
 * pecheck: checks that a Windows kernel driver image has the properties
 * Windows and its debuggers expect. Each property is one result, so that
 * a caller can report them one by one (main.c prints TAP).
 */
#ifndef PECHECK_PECHECK_H
#define PECHECK_PECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pecheck_property {
    PECHECK_FORMAT,       /* a valid PE32+ image for AMD64 */
    PECHECK_SUBSYSTEM,    /* subsystem NATIVE */
    PECHECK_NOT_DLL,      /* IMAGE_FILE_DLL clear */
    PECHECK_CHECKSUM,     /* header checksum right and non-zero */
    PECHECK_INIT_SECTION, /* a discardable INIT section */
    PECHECK_RELOCATIONS,  /* base relocations present */
    PECHECK_IMPORTS,      /* imports only from allowed kernel modules */
    PECHECK_DEBUG_RECORD, /* CodeView record matches the PDB */
    PECHECK_PROPERTY_COUNT
};

const char *pecheck_property_name(enum pecheck_property property);

#define PECHECK_TEXT_MAX 1024

struct pecheck_result {
    bool ok;
    /* Why the property does not hold; on success, an optional note of
     * what was found (empty when there is nothing to say). One line. */
    char text[PECHECK_TEXT_MAX];
};

struct pecheck_config {
    /* Modules the image may import from, compared ignoring case. */
    const char *const *allowed_imports;
    size_t allowed_import_count;
};

/* The modules a driver may import from unless told otherwise. */
extern const char *const pecheck_default_imports[];
extern const size_t pecheck_default_import_count;

struct pecheck_input {
    const uint8_t *image;
    size_t image_size;
    /* The PDB, or NULL with the reason in pdb_problem when it could not be
     * read. pdb_name names it in messages. */
    const uint8_t *pdb;
    size_t pdb_size;
    const char *pdb_name;
    const char *pdb_problem;
};

/* Checks every property of an image held in memory. True when all hold. */
bool pecheck_buffers(const struct pecheck_config *config, const struct pecheck_input *input,
                     struct pecheck_result results[PECHECK_PROPERTY_COUNT]);

/* Checks every property of the image in a file, with its PDB in pdb_path,
 * or, when pdb_path is NULL, beside it with the extension .pdb. */
bool pecheck_file(const struct pecheck_config *config, const char *image_path, const char *pdb_path,
                  struct pecheck_result results[PECHECK_PROPERTY_COUNT]);

/* The default PDB path of an image: .sys (any case) replaced by .pdb, or
 * .pdb appended when the name has no .sys extension. Returns a string to
 * free, or NULL when out of memory. */
char *pecheck_default_pdb_path(const char *image_path);

#endif
