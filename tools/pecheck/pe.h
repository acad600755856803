/*
 * A bounds-checked reader of PE32+ images (Microsoft PE/COFF specification).
 * It reads a file held in memory and never writes to it; every offset taken
 * from the file is checked against the file size before use.
 */
#ifndef PECHECK_PE_H
#define PECHECK_PE_H

#include "failure.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PE_MACHINE_AMD64        0x8664
#define PE_OPTIONAL_MAGIC_PE32P 0x20b
#define PE_SUBSYSTEM_NATIVE     1

/* File header characteristics */
#define PE_FILE_RELOCS_STRIPPED 0x0001
#define PE_FILE_DLL             0x2000

/* Section characteristics */
#define PE_SCN_MEM_DISCARDABLE 0x02000000u
#define PE_SCN_MEM_EXECUTE     0x20000000u
#define PE_SCN_MEM_READ        0x40000000u
#define PE_SCN_MEM_WRITE       0x80000000u

/* Data directory indexes */
#define PE_DIRECTORY_IMPORT    1
#define PE_DIRECTORY_BASERELOC 5
#define PE_DIRECTORY_EXCEPTION 3
#define PE_DIRECTORY_DEBUG     6
#define PE_DIRECTORY_MAX       16

/* Sizes and offsets of the fixed structures */
#define PE_DOS_HEADER_SIZE     64
#define PE_DOS_LFANEW_OFFSET   0x3c
#define PE_FILE_HEADER_SIZE    20
#define PE_OPTIONAL_FIXED_SIZE 112 /* PE32+ fields before the data directories */
#define PE_CHECKSUM_OFFSET     64  /* within the optional header */
#define PE_SECTION_HEADER_SIZE 40

struct pe_data_directory {
    uint32_t rva;
    uint32_t size;
};

struct pe_section {
    char name[9]; /* the 8-byte name field, NUL-terminated */
    uint32_t virtual_size;
    uint32_t virtual_address;
    uint32_t raw_size;
    uint32_t raw_offset;
    uint32_t characteristics;
};

struct pe_image {
    const uint8_t *data;
    size_t size;

    /* file header */
    uint16_t machine;
    uint16_t section_count;
    uint16_t characteristics;
    uint32_t timestamp;

    /* optional header */
    uint32_t entry_point; /* RVA */
    uint64_t image_base;  /* preferred */
    uint16_t subsystem;
    uint32_t checksum;
    size_t checksum_offset; /* of the CheckSum field in the file */
    uint32_t size_of_image;
    uint32_t size_of_headers;
    uint32_t directory_count;
    struct pe_data_directory directories[PE_DIRECTORY_MAX];

    size_t section_table; /* file offset of the first section header */
};

/* Parses and validates the headers and the section table of data[0..size),
 * which must outlive img. */
bool pe_parse(struct pe_image *img, const uint8_t *data, size_t size, struct failure *why);

/* Decodes section header i (< img->section_count). */
void pe_section(const struct pe_image *img, unsigned i, struct pe_section *sec);

/* Finds the first section with this name; false when there is none. */
bool pe_find_section(const struct pe_image *img, const char *name, struct pe_section *sec);

/* Data directory i, or an empty one when the image has fewer. */
struct pe_data_directory pe_directory(const struct pe_image *img, unsigned i);

/* The file offset of [rva, rva + length) when that range lies entirely in
 * the raw data of one section. */
bool pe_rva_to_offset(const struct pe_image *img, uint32_t rva, uint32_t length, size_t *offset);

/* The NUL-terminated string at rva, when it ends within the raw data of its
 * section and within max_length bytes; NULL otherwise. */
const char *pe_string_at(const struct pe_image *img, uint32_t rva, size_t max_length);

/* The PE checksum as Windows computes it: a 16-bit sum with carries folded
 * back in over the whole file, with the CheckSum field read as zero, plus
 * the file length. */
uint32_t pe_compute_checksum(const uint8_t *data, size_t size, size_t checksum_offset);

/* Calls fn with the name of each DLL in the import directory, in order,
 * until fn returns false. False with a reason when the directory is
 * malformed. */
typedef bool (*pe_import_fn)(void *ctx, const char *dll_name);
bool pe_for_each_import(const struct pe_image *img, pe_import_fn fn, void *ctx,
                        struct failure *why);

/* One imported function: by name (ordinal 0) or by ordinal (name NULL),
 * and the RVA of the 8-byte slot of the import address table that the
 * loader fills with its address. */
struct pe_import_function {
    const char *dll_name;
    const char *name;
    uint16_t ordinal;
    uint32_t slot_rva;
};
typedef bool (*pe_import_function_fn)(void *ctx, const struct pe_import_function *function);

/* Calls fn for each imported function of each DLL, in order, until fn
 * returns false. False with a reason when a table is malformed. */
bool pe_for_each_import_function(const struct pe_image *img, pe_import_function_fn fn, void *ctx,
                                 struct failure *why);

/* Calls fn with the type and RVA of each base relocation that does
 * something, in order; stops with fn's failure when fn returns false. False
 * with a reason when the directory is empty or malformed. */
#define PE_REL_BASED_DIR64 10
typedef bool (*pe_relocation_fn)(void *ctx, unsigned int type, uint64_t rva, struct failure *why);
bool pe_for_each_relocation(const struct pe_image *img, pe_relocation_fn fn, void *ctx,
                            struct failure *why);

/* Counts the base relocations that do something (not IMAGE_REL_BASED_ABSOLUTE
 * padding), checking the block structure of the directory. */
bool pe_count_relocations(const struct pe_image *img, size_t *count, struct failure *why);

/* The CodeView RSDS record that names the image's PDB. */
#define PE_PDB_NAME_MAX 260
struct pe_codeview {
    uint8_t guid[16];
    uint32_t age;
    char pdb_name[PE_PDB_NAME_MAX];
};
bool pe_find_codeview(const struct pe_image *img, struct pe_codeview *cv, struct failure *why);

#endif
