/* sim/blkback/options.c - see options.h. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static const char usage[] =
    "usage: winpv-blkback [options] BACKEND-PATH\n"
    "  Serves the vbd whose backend directory is BACKEND-PATH\n"
    "  (/local/domain/0/backend/vbd/DOMID/VDEV; params, mode, device-type and\n"
    "  removable there, written by the toolstack). Options (defaults in brackets):\n"
    "  --max-queues N             multi-queue-max-queues; 1: not offered [4]\n"
    "  --max-ring-page-order N    max-ring-page-order; 0: not offered [4]\n"
    "  --max-indirect-segments N  feature-max-indirect-segments; 0: not offered [256]\n"
    "  --no-persistent            no feature-persistent\n"
    "  --max-persistent-grants N  grants kept mapped at once, per queue [8320]\n"
    "  --no-flush                 no feature-flush-cache\n"
    "  --no-barrier               no feature-barrier\n"
    "  --no-discard               no feature-discard\n"
    "  --no-discard-secure        no discard-secure\n"
    "  --discard-granularity B    [sector size]\n"
    "  --discard-alignment B      [0]\n"
    "  --sector-size B            512, 1024, 2048 or 4096 [512]\n"
    "  --physical-sector-size B   a multiple of the sector size [sector size]\n"
    "  --max-inflight N           requests served at once [128]\n"
    "  --poll-us N                before sleeping, look for requests this long\n"
    "                             (0: sleep at once) [50]\n"
    "  A backend that breaks the rules, to test a frontend (sim/blkback/misbehave.h):\n"
    "  --misbehave KIND           one answer wrong: unknown-id, duplicate, status,\n"
    "                             operation or overrun (its response index)\n"
    "  --misbehave-after N        answers given properly before it [0]\n"
    "  --node NAME=VALUE          node NAME of the backend's directory holds VALUE,\n"
    "                             whatever it would write there (up to 8)\n";

enum {
    OPT_MAX_QUEUES = 256,
    OPT_RING_ORDER,
    OPT_INDIRECT,
    OPT_NO_PERSISTENT,
    OPT_MAX_PGRANTS,
    OPT_NO_FLUSH,
    OPT_NO_BARRIER,
    OPT_NO_DISCARD,
    OPT_NO_DISCARD_SECURE,
    OPT_DISCARD_GRANULARITY,
    OPT_DISCARD_ALIGNMENT,
    OPT_SECTOR_SIZE,
    OPT_PHYSICAL_SECTOR_SIZE,
    OPT_MAX_INFLIGHT,
    OPT_POLL_US,
    OPT_MISBEHAVE,
    OPT_MISBEHAVE_AFTER,
    OPT_NODE,
};

static const struct option long_options[] = {
    {"max-queues", required_argument, NULL, OPT_MAX_QUEUES},
    {"max-ring-page-order", required_argument, NULL, OPT_RING_ORDER},
    {"max-indirect-segments", required_argument, NULL, OPT_INDIRECT},
    {"no-persistent", no_argument, NULL, OPT_NO_PERSISTENT},
    {"max-persistent-grants", required_argument, NULL, OPT_MAX_PGRANTS},
    {"no-flush", no_argument, NULL, OPT_NO_FLUSH},
    {"no-barrier", no_argument, NULL, OPT_NO_BARRIER},
    {"no-discard", no_argument, NULL, OPT_NO_DISCARD},
    {"no-discard-secure", no_argument, NULL, OPT_NO_DISCARD_SECURE},
    {"discard-granularity", required_argument, NULL, OPT_DISCARD_GRANULARITY},
    {"discard-alignment", required_argument, NULL, OPT_DISCARD_ALIGNMENT},
    {"sector-size", required_argument, NULL, OPT_SECTOR_SIZE},
    {"physical-sector-size", required_argument, NULL, OPT_PHYSICAL_SECTOR_SIZE},
    {"max-inflight", required_argument, NULL, OPT_MAX_INFLIGHT},
    {"poll-us", required_argument, NULL, OPT_POLL_US},
    {"misbehave", required_argument, NULL, OPT_MISBEHAVE},
    {"misbehave-after", required_argument, NULL, OPT_MISBEHAVE_AFTER},
    {"node", required_argument, NULL, OPT_NODE},
    {NULL, 0, NULL, 0},
};

/* A decimal number in [min, max] into *value; false (with a message) otherwise. */
static bool number(const char *name, const char *text, uint32_t min, uint32_t max, uint32_t *value)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno || n < min || n > max) {
        fprintf(stderr, "winpv-blkback: --%s wants a number from %u to %u, not '%s'\n", name, min,
                max, text);
        return false;
    }
    *value = (uint32_t)n;
    return true;
}

static bool power_of_two(uint32_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

static bool check(struct blkback_options *opt)
{
    if (!power_of_two(opt->sector_size)) {
        fprintf(stderr, "winpv-blkback: --sector-size must be a power of two\n");
        return false;
    }
    if (opt->physical_sector_size == 0)
        opt->physical_sector_size = opt->sector_size;
    if (opt->physical_sector_size % opt->sector_size != 0) {
        fprintf(stderr, "winpv-blkback: --physical-sector-size must be a multiple of the sector "
                        "size\n");
        return false;
    }
    if (opt->discard_granularity == 0)
        opt->discard_granularity = opt->sector_size;
    if (!opt->discard)
        opt->discard_secure = false;
    return true;
}

static bool set(struct blkback_options *opt, int c, const char *arg)
{
    switch (c) {
    case OPT_MAX_QUEUES:
        return number("max-queues", arg, 1, BLKBACK_MAX_QUEUES, &opt->max_queues);
    case OPT_RING_ORDER:
        return number("max-ring-page-order", arg, 0, BLKBACK_MAX_RING_PAGE_ORDER,
                      &opt->max_ring_page_order);
    case OPT_INDIRECT:
        return number("max-indirect-segments", arg, 0, BLKBACK_MAX_INDIRECT_SEGS,
                      &opt->max_indirect_segments);
    case OPT_NO_PERSISTENT:
        opt->persistent = false;
        return true;
    case OPT_MAX_PGRANTS:
        return number("max-persistent-grants", arg, 0, 1u << 16, &opt->max_persistent_grants);
    case OPT_NO_FLUSH:
        opt->flush = false;
        return true;
    case OPT_NO_BARRIER:
        opt->barrier = false;
        return true;
    case OPT_NO_DISCARD:
        opt->discard = false;
        return true;
    case OPT_NO_DISCARD_SECURE:
        opt->discard_secure = false;
        return true;
    case OPT_DISCARD_GRANULARITY:
        return number("discard-granularity", arg, 0, 1u << 30, &opt->discard_granularity);
    case OPT_DISCARD_ALIGNMENT:
        return number("discard-alignment", arg, 0, 1u << 30, &opt->discard_alignment);
    case OPT_SECTOR_SIZE:
        return number("sector-size", arg, 512, 4096, &opt->sector_size);
    case OPT_PHYSICAL_SECTOR_SIZE:
        return number("physical-sector-size", arg, 512, 1u << 20, &opt->physical_sector_size);
    case OPT_MAX_INFLIGHT:
        return number("max-inflight", arg, 1, BLKBACK_MAX_INFLIGHT, &opt->max_inflight);
    case OPT_POLL_US:
        return number("poll-us", arg, 0, 1000000, &opt->poll_us);
    case OPT_MISBEHAVE:
        if (misbehave_parse(arg, &opt->misbehave))
            return true;
        fprintf(stderr, "winpv-blkback: --misbehave: no such misbehaviour '%s'\n", arg);
        return false;
    case OPT_MISBEHAVE_AFTER:
        return number("misbehave-after", arg, 0, UINT32_MAX, &opt->misbehave_after);
    case OPT_NODE:
        if (strchr(arg, '=') == NULL || arg[0] == '=' || opt->nr_nodes == BLKBACK_MAX_NODES) {
            fprintf(stderr, "winpv-blkback: --node wants NAME=VALUE, %u at most, not '%s'\n",
                    BLKBACK_MAX_NODES, arg);
            return false;
        }
        opt->nodes[opt->nr_nodes++] = arg;
        return true;
    default:
        return false;
    }
}

int options_parse(struct blkback_options *opt, int argc, char **argv)
{
    int c;

    *opt = (struct blkback_options){
        .max_queues = 4,
        .max_ring_page_order = 4,
        .max_indirect_segments = 256,
        .persistent = true,
        .max_persistent_grants = 8320,
        .flush = true,
        .barrier = true,
        .discard = true,
        .discard_secure = true,
        .sector_size = 512,
        .max_inflight = 128,
        .poll_us = 50,
    };
    optind = 1;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (!set(opt, c, optarg)) {
            fputs(usage, stderr);
            return -1;
        }
    }
    if (optind != argc - 1 || argv[optind][0] != '/') {
        fputs(usage, stderr);
        return -1;
    }
    opt->backend_path = argv[optind];
    return check(opt) ? 0 : -1;
}

const char *options_node(const struct blkback_options *opt, const char *name)
{
    size_t n = strlen(name);

    for (uint32_t i = 0; i < opt->nr_nodes; i++)
        if (strncmp(opt->nodes[i], name, n) == 0 && opt->nodes[i][n] == '=')
            return opt->nodes[i] + n + 1;
    return NULL;
}
