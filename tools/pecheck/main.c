/*
 * pecheck [--allow-import DLL]... [--pdb FILE] IMAGE.sys...
 *
 * Checks Windows kernel driver images and prints one TAP line per property
 * per image. Exits 0 when every property of every image holds, 1 when one
 * does not, 2 on a usage error.
 */
#include "pecheck.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: pecheck [--allow-import DLL]... [--pdb FILE] IMAGE.sys...\n"
                 "\n"
                 "Checks Windows kernel driver images; prints TAP.\n"
                 "  --allow-import DLL  also allow imports from DLL; allowed anyway:\n"
                 "                     ");
    for (size_t i = 0; i < pecheck_default_import_count; i++)
        fprintf(out, " %s", pecheck_default_imports[i]);
    fprintf(out, "\n"
                 "  --pdb FILE          the PDB of the image (one image only; default: the\n"
                 "                      image path with .sys replaced by .pdb)\n");
}

static void print_results(unsigned *number, const char *image,
                          const struct pecheck_result results[PECHECK_PROPERTY_COUNT])
{
    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++) {
        const char *name = pecheck_property_name(p);

        ++*number;
        if (!results[p].ok)
            printf("not ok %u - %s: %s: %s\n", *number, image, name, results[p].text);
        else if (results[p].text[0])
            printf("ok %u - %s: %s\n# %s\n", *number, image, name, results[p].text);
        else
            printf("ok %u - %s: %s\n", *number, image, name);
    }
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"allow-import", required_argument, NULL, 'a'},
        {"pdb", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char **allowed;
    struct pecheck_config config;
    const char *pdb = NULL;
    unsigned number = 0;
    bool all_ok = true;
    int opt;

    /* Room for the defaults and every argument, whatever they turn out to be. */
    allowed = calloc(pecheck_default_import_count + (size_t)argc, sizeof(*allowed));
    if (!allowed) {
        fprintf(stderr, "pecheck: out of memory\n");
        return 2;
    }
    memcpy(allowed, pecheck_default_imports, pecheck_default_import_count * sizeof(*allowed));
    config.allowed_imports = allowed;
    config.allowed_import_count = pecheck_default_import_count;

    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (opt) {
        case 'a':
            allowed[config.allowed_import_count++] = optarg;
            break;
        case 'p':
            pdb = optarg;
            break;
        case 'h':
            usage(stdout);
            free(allowed);
            return 0;
        default:
            usage(stderr);
            free(allowed);
            return 2;
        }
    }
    if (optind >= argc || (pdb && argc - optind != 1)) {
        fprintf(stderr, optind >= argc ? "pecheck: no image given\n"
                                       : "pecheck: --pdb needs exactly one image\n");
        usage(stderr);
        free(allowed);
        return 2;
    }

    printf("1..%u\n", (unsigned)(argc - optind) * PECHECK_PROPERTY_COUNT);
    for (int i = optind; i < argc; i++) {
        struct pecheck_result results[PECHECK_PROPERTY_COUNT];

        if (!pecheck_file(&config, argv[i], pdb, results))
            all_ok = false;
        print_results(&number, argv[i], results);
    }

    free(allowed);
    return all_ok ? 0 : 1;
}
