/*
 * What identifies a PDB to a debugger: the GUID and age in the PDB info
 * stream (stream 1), and the age the DBI stream (stream 3) repeats.
 */
#ifndef PECHECK_PDB_H
#define PECHECK_PDB_H

#include "failure.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pdb_identity {
    uint32_t version;   /* of the info stream; 20000404 (VC70) from current linkers */
    uint32_t signature; /* a timestamp, or a hash with /Brepro */
    uint32_t age;
    uint8_t guid[16];
    bool has_dbi; /* false when the PDB has no DBI stream */
    uint32_t dbi_age;
};

bool pdb_read_identity(const uint8_t *data, size_t size, struct pdb_identity *id,
                       struct failure *why);

#endif
