/*
 * libFuzzer target for pecheck's readers of untrusted input: each input is
 * read as a PDB (MSF container, info and DBI streams) and as a driver image
 * checked against itself as its PDB (PE headers, sections, imports,
 * relocations, debug directory, checksum). Seeded with the fixture's .sys
 * and .pdb, mutations reach deep into both.
 */
#include "pecheck.h"
#include "pdb.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pecheck_config config = {pecheck_default_imports, pecheck_default_import_count};
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct pecheck_input in = {
        .image = data,
        .image_size = size,
        .pdb = data,
        .pdb_size = size,
        .pdb_name = "input",
    };
    struct pdb_identity id;
    struct failure why;

    pdb_read_identity(data, size, &id, &why);
    pecheck_buffers(&config, &in, results);
    return 0;
}
