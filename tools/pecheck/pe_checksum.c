/* The PE image checksum (the algorithm of imagehlp's CheckSumMappedFile). */
#include "pe.h"

/* Byte i of the file, with the 4-byte CheckSum field read as zero. */
static unsigned byte_at(const uint8_t *data, size_t i, size_t checksum_offset)
{
    if (i >= checksum_offset && i - checksum_offset < 4)
        return 0;
    return data[i];
}

uint32_t pe_compute_checksum(const uint8_t *data, size_t size, size_t checksum_offset)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < size; i += 2) {
        unsigned word = byte_at(data, i, checksum_offset);

        /* An odd last byte counts as a word with a zero high byte. */
        if (i + 1 < size)
            word |= byte_at(data, i + 1, checksum_offset) << 8;
        sum += word;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return sum + (uint32_t)size;
}
