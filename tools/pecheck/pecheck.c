/* pecheck on files: reads an image and its PDB, then checks the image. */
#include "pecheck.h"
#include "file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *pecheck_default_pdb_path(const char *image_path)
{
    size_t len = strlen(image_path);
    char *pdb = malloc(len + sizeof(".pdb"));

    if (!pdb)
        return NULL;
    memcpy(pdb, image_path, len + 1);
    if (len >= 4 && strcasecmp(pdb + len - 4, ".sys") == 0)
        len -= 4;
    memcpy(pdb + len, ".pdb", sizeof(".pdb"));
    return pdb;
}

bool pecheck_file(const struct pecheck_config *config, const char *image_path, const char *pdb_path,
                  struct pecheck_result results[PECHECK_PROPERTY_COUNT])
{
    struct file_contents image, pdb = {NULL, 0};
    struct failure image_problem, pdb_problem = {""};
    struct pecheck_input in = {0};
    char *default_pdb = NULL;
    bool ok;

    if (!file_read(image_path, &image, &image_problem)) {
        results[PECHECK_FORMAT].ok = false;
        snprintf(results[PECHECK_FORMAT].text, PECHECK_TEXT_MAX, "%s", image_problem.text);
        for (int p = PECHECK_FORMAT + 1; p < PECHECK_PROPERTY_COUNT; p++) {
            results[p].ok = false;
            snprintf(results[p].text, PECHECK_TEXT_MAX, "not checked: the image is unreadable");
        }
        return false;
    }

    if (!pdb_path)
        pdb_path = default_pdb = pecheck_default_pdb_path(image_path);
    if (!pdb_path)
        fail(&pdb_problem, "out of memory");
    else if (file_read(pdb_path, &pdb, &pdb_problem))
        in.pdb = pdb.data;

    in.image = image.data;
    in.image_size = image.size;
    in.pdb_size = pdb.size;
    in.pdb_name = pdb_path;
    in.pdb_problem = pdb_problem.text;
    ok = pecheck_buffers(config, &in, results);

    file_release(&pdb);
    file_release(&image);
    free(default_pdb);
    return ok;
}
