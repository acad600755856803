/* Reading a whole file into memory. */
#ifndef PECHECK_FILE_H
#define PECHECK_FILE_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

/* Larger than any driver or its PDB; a bigger file is refused rather than
 * read. */
#define FILE_SIZE_MAX (1024u * 1024 * 1024)

struct file_contents {
    uint8_t *data;
    size_t size;
};

/* On success, file_release must be called. */
bool file_read(const char *path, struct file_contents *file, struct failure *why);
void file_release(struct file_contents *file);

#endif
