/* PE headers, the section table and the mapping of RVAs to file offsets. */
#include "pe.h"
#include "bytes.h"
#include "text.h"

#include <string.h>

static bool parse_optional_header(struct pe_image *img, size_t offset, uint16_t size,
                                  struct failure *why)
{
    const uint8_t *opt = img->data + offset;
    uint16_t magic;
    uint32_t count;

    if (size < PE_OPTIONAL_FIXED_SIZE)
        return fail(why, "optional header is %u bytes, a PE32+ header needs at least %u", size,
                    PE_OPTIONAL_FIXED_SIZE);
    if (!span_within(img->size, offset, size))
        return fail(why, "optional header (0x%zx + 0x%x) extends beyond the end of the file",
                    offset, size);

    magic = le16(opt);
    if (magic != PE_OPTIONAL_MAGIC_PE32P)
        return fail(why, "optional header magic is 0x%x, not 0x%x (PE32+)", magic,
                    PE_OPTIONAL_MAGIC_PE32P);

    img->entry_point = le32(opt + 16);
    img->image_base = (uint64_t)le32(opt + 24) | (uint64_t)le32(opt + 28) << 32;
    img->size_of_image = le32(opt + 56);
    img->size_of_headers = le32(opt + 60);
    img->checksum = le32(opt + PE_CHECKSUM_OFFSET);
    img->checksum_offset = offset + PE_CHECKSUM_OFFSET;
    img->subsystem = le16(opt + 68);

    count = le32(opt + 108);
    if (count > PE_DIRECTORY_MAX)
        return fail(why, "NumberOfRvaAndSizes is %u, more than %u", count, PE_DIRECTORY_MAX);
    if (PE_OPTIONAL_FIXED_SIZE + 8 * count > size)
        return fail(why, "%u data directories do not fit in an optional header of %u bytes", count,
                    size);
    img->directory_count = count;
    for (uint32_t i = 0; i < count; i++) {
        img->directories[i].rva = le32(opt + PE_OPTIONAL_FIXED_SIZE + 8 * i);
        img->directories[i].size = le32(opt + PE_OPTIONAL_FIXED_SIZE + 8 * i + 4);
    }
    return true;
}

static bool check_sections(const struct pe_image *img, struct failure *why)
{
    uint64_t table_end = img->section_table + (uint64_t)img->section_count * PE_SECTION_HEADER_SIZE;

    if (!span_within(img->size, img->section_table, table_end - img->section_table))
        return fail(why, "section table (%u headers at 0x%zx) extends beyond the end of the file",
                    img->section_count, img->section_table);
    if (table_end > img->size_of_headers)
        return fail(why, "section table ends at 0x%llx, beyond SizeOfHeaders 0x%x",
                    (unsigned long long)table_end, img->size_of_headers);

    for (unsigned i = 0; i < img->section_count; i++) {
        struct pe_section sec;
        char name[4 * sizeof(sec.name)];

        pe_section(img, i, &sec);
        escape_text(name, sizeof(name), sec.name);
        if (sec.raw_size != 0 && !span_within(img->size, sec.raw_offset, sec.raw_size))
            return fail(why,
                        "section %u (%s): raw data 0x%x + 0x%x extends beyond the end of the "
                        "file (0x%zx bytes)",
                        i + 1, name, sec.raw_offset, sec.raw_size, img->size);
        if ((uint64_t)sec.virtual_address + sec.virtual_size > img->size_of_image)
            return fail(why, "section %u (%s): 0x%x + 0x%x extends beyond SizeOfImage 0x%x", i + 1,
                        name, sec.virtual_address, sec.virtual_size, img->size_of_image);
    }
    return true;
}

bool pe_parse(struct pe_image *img, const uint8_t *data, size_t size, struct failure *why)
{
    uint32_t pe_offset;
    const uint8_t *file_header;
    uint16_t optional_size;

    memset(img, 0, sizeof(*img));
    img->data = data;
    img->size = size;

    if (size < PE_DOS_HEADER_SIZE)
        return fail(why, "file is %zu bytes, too short for a DOS header", size);
    if (data[0] != 'M' || data[1] != 'Z')
        return fail(why, "no MZ signature at the start of the file");

    pe_offset = le32(data + PE_DOS_LFANEW_OFFSET);
    if (!span_within(size, pe_offset, 4 + PE_FILE_HEADER_SIZE))
        return fail(why, "PE header offset 0x%x lies beyond the end of the file (0x%zx bytes)",
                    pe_offset, size);
    if (memcmp(data + pe_offset, "PE\0\0", 4) != 0)
        return fail(why, "no PE signature at offset 0x%x", pe_offset);

    file_header = data + pe_offset + 4;
    img->machine = le16(file_header);
    img->section_count = le16(file_header + 2);
    optional_size = le16(file_header + 16);
    img->characteristics = le16(file_header + 18);
    img->timestamp = le32(file_header + 4);

    if (!parse_optional_header(img, pe_offset + 4 + PE_FILE_HEADER_SIZE, optional_size, why))
        return false;
    if (img->size_of_headers > size)
        return fail(why, "SizeOfHeaders 0x%x is beyond the end of the file (0x%zx bytes)",
                    img->size_of_headers, size);

    img->section_table = (size_t)pe_offset + 4 + PE_FILE_HEADER_SIZE + optional_size;
    return check_sections(img, why);
}

void pe_section(const struct pe_image *img, unsigned i, struct pe_section *sec)
{
    const uint8_t *h = img->data + img->section_table + (size_t)i * PE_SECTION_HEADER_SIZE;

    memcpy(sec->name, h, 8);
    sec->name[8] = '\0';
    sec->virtual_size = le32(h + 8);
    sec->virtual_address = le32(h + 12);
    sec->raw_size = le32(h + 16);
    sec->raw_offset = le32(h + 20);
    sec->characteristics = le32(h + 36);
}

bool pe_find_section(const struct pe_image *img, const char *name, struct pe_section *sec)
{
    for (unsigned i = 0; i < img->section_count; i++) {
        pe_section(img, i, sec);
        if (strcmp(sec->name, name) == 0)
            return true;
    }
    return false;
}

struct pe_data_directory pe_directory(const struct pe_image *img, unsigned i)
{
    struct pe_data_directory none = {0, 0};

    return i < img->directory_count ? img->directories[i] : none;
}

/* The bytes of a section that come from the file: the raw data, cut to the
 * virtual size (the rest of the raw data is alignment padding). */
static uint32_t section_file_bytes(const struct pe_section *sec)
{
    if (sec->virtual_size != 0 && sec->virtual_size < sec->raw_size)
        return sec->virtual_size;
    return sec->raw_size;
}

bool pe_rva_to_offset(const struct pe_image *img, uint32_t rva, uint32_t length, size_t *offset)
{
    for (unsigned i = 0; i < img->section_count; i++) {
        struct pe_section sec;
        uint64_t start, end;

        pe_section(img, i, &sec);
        start = sec.virtual_address;
        end = start + section_file_bytes(&sec);
        if (rva >= start && (uint64_t)rva + length <= end) {
            /* pe_parse checked that the raw data lies within the file. */
            *offset = (size_t)sec.raw_offset + (rva - sec.virtual_address);
            return true;
        }
    }
    return false;
}

const char *pe_string_at(const struct pe_image *img, uint32_t rva, size_t max_length)
{
    for (unsigned i = 0; i < img->section_count; i++) {
        struct pe_section sec;
        uint64_t end, available;
        const char *s;

        pe_section(img, i, &sec);
        end = (uint64_t)sec.virtual_address + section_file_bytes(&sec);
        if (rva < sec.virtual_address || rva >= end)
            continue;
        available = end - rva;
        if (available > max_length)
            available = max_length;
        s = (const char *)img->data + sec.raw_offset + (rva - sec.virtual_address);
        return memchr(s, '\0', available) ? s : NULL;
    }
    return NULL;
}
