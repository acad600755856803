#include "pdb.h"
#include "msf.h"
#include "bytes.h"

#include <string.h>

#define PDB_STREAM_INFO        1
#define PDB_STREAM_DBI         3
#define PDB_INFO_HEADER_SIZE   28 /* version, signature, age, GUID */
#define DBI_HEADER_PREFIX_SIZE 12 /* signature, version, age */
#define DBI_SIGNATURE          0xffffffffu

static bool read_info_stream(const struct msf *msf, struct pdb_identity *id, struct failure *why)
{
    uint8_t header[PDB_INFO_HEADER_SIZE];

    if (!msf_read(msf, PDB_STREAM_INFO, 0, header, sizeof(header), why))
        return false;
    id->version = le32(header);
    id->signature = le32(header + 4);
    id->age = le32(header + 8);
    memcpy(id->guid, header + 12, sizeof(id->guid));
    return true;
}

static bool read_dbi_age(const struct msf *msf, struct pdb_identity *id, struct failure *why)
{
    uint8_t header[DBI_HEADER_PREFIX_SIZE];

    id->has_dbi = msf_stream_size(msf, PDB_STREAM_DBI) != 0;
    if (!id->has_dbi)
        return true;
    if (!msf_read(msf, PDB_STREAM_DBI, 0, header, sizeof(header), why))
        return false;
    if (le32(header) != DBI_SIGNATURE)
        return fail(why, "DBI stream signature is 0x%x, not 0x%x", le32(header), DBI_SIGNATURE);
    id->dbi_age = le32(header + 8);
    return true;
}

bool pdb_read_identity(const uint8_t *data, size_t size, struct pdb_identity *id,
                       struct failure *why)
{
    struct msf msf;
    bool ok;

    memset(id, 0, sizeof(*id));
    if (!msf_open(&msf, data, size, why))
        return false;
    ok = read_info_stream(&msf, id, why) && read_dbi_age(&msf, id, why);
    msf_close(&msf);
    return ok;
}
