/*
 * pecheck against a real driver image: the fixture built by the Windows
 * toolchain must pass every check, and each corruption of a copy must fail
 * exactly the check it breaks (the test keeps the checksum right, with its
 * own implementation, so that only the intended property changes).
 *
 * The fixture directory is PECHECK_FIXTURE_DIR in the environment, or the
 * one module.mk compiles in; the pecheck binary is PECHECK_TOOL likewise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pecheck.h"

#ifndef PECHECK_FIXTURE_DIR
#define PECHECK_FIXTURE_DIR "build/win64"
#endif
#ifndef PECHECK_TOOL
#define PECHECK_TOOL "build/tools/pecheck"
#endif

/* -- the fixture and a scratch directory ----------------------------------- */

struct bytes {
    uint8_t *data;
    size_t size;
};

static struct bytes fixture_sys, fixture_pdb;
static char scratch_dir[PATH_MAX];

static const char *setting(const char *name, const char *fallback)
{
    const char *value = getenv(name);

    return value && *value ? value : fallback;
}

static bool load(const char *path, struct bytes *out)
{
    FILE *f = fopen(path, "rb");
    long size = -1;
    bool ok;

    out->data = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    ok = size > 0 && fseek(f, 0, SEEK_SET) == 0 && (out->data = malloc((size_t)size)) &&
         fread(out->data, 1, (size_t)size, f) == (size_t)size;
    if (f)
        fclose(f);
    if (!ok) {
        print_error("cannot read %s (is the fixture built?)\n", path);
        free(out->data);
        out->data = NULL;
        return false;
    }
    out->size = (size_t)size;
    return true;
}

/* A heap copy of exactly size bytes, so that ASan sees any read past it. */
static struct bytes copy_of(const struct bytes *from, size_t size)
{
    struct bytes b = {malloc(size ? size : 1), size};

    assert_non_null(b.data);
    memcpy(b.data, from->data, size);
    return b;
}

static void scratch_path(char *path, const char *name)
{
    snprintf(path, PATH_MAX, "%s/%s", scratch_dir, name);
}

static void write_scratch(const char *name, const struct bytes *b)
{
    char path[PATH_MAX];
    FILE *f;

    scratch_path(path, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->size, f), b->size);
    assert_int_equal(fclose(f), 0);
}

static int setup_fixture(void **state)
{
    char sys[PATH_MAX], pdb[PATH_MAX];
    const char *dir = setting("PECHECK_FIXTURE_DIR", PECHECK_FIXTURE_DIR);

    snprintf(sys, sizeof(sys), "%s/pecheck_fixture.sys", dir);
    snprintf(pdb, sizeof(pdb), "%s/pecheck_fixture.pdb", dir);
    if (!load(sys, &fixture_sys) || !load(pdb, &fixture_pdb))
        return -1;

    snprintf(scratch_dir, sizeof(scratch_dir), "%s/pecheck_test.XXXXXX", setting("TMPDIR", "/tmp"));
    if (!mkdtemp(scratch_dir))
        fail_msg("mkdtemp %s: %s", scratch_dir, strerror(errno));
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int teardown_fixture(void **state)
{
    free(fixture_sys.data);
    free(fixture_pdb.data);
    /* The scratch directory exists only when setup got that far. */
    return scratch_dir[0] ? nftw(scratch_dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) : 0;
}

/* -- reading and writing the images, independently of pecheck ------------- */

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | (uint32_t)get16(p + 2) << 16;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* Offsets in the fixture image (PE/COFF specification). */
static size_t file_header(const uint8_t *img)
{
    return get32(img + 0x3c) + 4;
}

static size_t optional_header(const uint8_t *img)
{
    return file_header(img) + 20;
}

static size_t checksum_field(const uint8_t *img)
{
    return optional_header(img) + 64;
}

static size_t data_directory(const uint8_t *img, unsigned index)
{
    return optional_header(img) + 112 + 8 * index;
}

static uint8_t *section_header(uint8_t *img, const char *name)
{
    size_t table = optional_header(img) + get16(img + file_header(img) + 16);
    unsigned count = get16(img + file_header(img) + 2);

    for (unsigned i = 0; i < count; i++) {
        uint8_t *h = img + table + 40 * i;

        if (strncmp((const char *)h, name, 8) == 0)
            return h;
    }
    fail_msg("no section %s in the fixture", name);
    return NULL;
}

/* The file offset of an RVA in a section's raw data. */
static size_t file_offset_of(uint8_t *img, uint32_t rva)
{
    size_t table = optional_header(img) + get16(img + file_header(img) + 16);
    unsigned count = get16(img + file_header(img) + 2);

    for (unsigned i = 0; i < count; i++) {
        const uint8_t *h = img + table + 40 * i;
        uint32_t va = get32(h + 12), raw_size = get32(h + 16);

        if (rva >= va && rva - va < raw_size)
            return get32(h + 20) + (rva - va);
    }
    fail_msg("RVA 0x%x is in no section", rva);
    return 0;
}

/* The PE checksum, computed differently from pecheck: the CheckSum field
 * zeroed in place, a 64-bit sum of all words, carries folded at the end. */
static void fix_checksum(struct bytes *img)
{
    size_t field = checksum_field(img->data);
    uint64_t sum = 0;

    put32(img->data + field, 0);
    for (size_t i = 0; i < img->size; i += 2)
        sum += i + 1 < img->size ? get16(img->data + i) : img->data[i];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    put32(img->data + field, (uint32_t)sum + (uint32_t)img->size);
}

/* The one place in b where needle occurs. */
static uint8_t *find_once(const struct bytes *b, const void *needle, size_t length)
{
    uint8_t *first = memmem(b->data, b->size, needle, length);
    uint8_t *again;

    assert_non_null(first);
    again = memmem(first + 1, b->size - (size_t)(first + 1 - b->data), needle, length);
    assert_null(again);
    return first;
}

static uint8_t *find_string_once(const struct bytes *b, const char *s)
{
    return find_once(b, s, strlen(s) + 1);
}

/* The RSDS record of the image: "RSDS", GUID, age. */
static uint8_t *rsds_record(const struct bytes *img)
{
    return find_once(img, "RSDS", 4);
}

/* The PDB info stream header: version 20000404, signature, age, then the
 * GUID the image names. */
static uint8_t *pdb_info_header(const struct bytes *pdb)
{
    uint8_t pattern[28];
    const uint8_t *rsds = rsds_record(&fixture_sys);
    uint8_t *at = pdb->data;

    put32(pattern, 20000404);
    memcpy(pattern + 12, rsds + 4, 16);
    /* The signature and age vary; match the version and the GUID. */
    for (;;) {
        at = memmem(at, pdb->size - (size_t)(at - pdb->data), pattern, 4);
        assert_non_null(at);
        if ((size_t)(at - pdb->data) + 28 <= pdb->size && memcmp(at + 12, pattern + 12, 16) == 0)
            return at;
        at++;
    }
}

/* The DBI stream header: signature -1, version 19990903, age. */
static uint8_t *pdb_dbi_header(const struct bytes *pdb)
{
    static const uint8_t pattern[8] = {0xff, 0xff, 0xff, 0xff, 0x77, 0x09, 0x31, 0x01};

    return find_once(pdb, pattern, sizeof(pattern));
}

/* The MSF stream directory: stream count, then stream sizes. The fixture's
 * fits in one block (the superblock gives the block size and the block
 * that lists the directory's blocks). */
static uint8_t *pdb_directory(const struct bytes *pdb)
{
    uint32_t block_size = get32(pdb->data + 32);
    uint32_t directory_bytes = get32(pdb->data + 44);
    uint32_t map_block = get32(pdb->data + 52);
    uint32_t directory_block = get32(pdb->data + (size_t)map_block * block_size);

    assert_true(directory_bytes <= block_size);
    return pdb->data + (size_t)directory_block * block_size;
}

static void set_stream_size(const struct bytes *pdb, uint32_t stream, uint32_t size)
{
    put32(pdb_directory(pdb) + 4 + 4 * stream, size);
}

/* -- running pecheck ------------------------------------------------------- */

static struct pecheck_config default_config(void)
{
    struct pecheck_config config = {pecheck_default_imports, pecheck_default_import_count};

    return config;
}

static bool check_buffers(const struct pecheck_config *config, const struct bytes *img,
                          const struct bytes *pdb, struct pecheck_result *results)
{
    struct pecheck_config defaults = default_config();
    struct pecheck_input in = {
        .image = img->data,
        .image_size = img->size,
        .pdb = pdb ? pdb->data : NULL,
        .pdb_size = pdb ? pdb->size : 0,
        .pdb_name = "fixture.pdb",
        .pdb_problem = "no PDB given",
    };

    return pecheck_buffers(config ? config : &defaults, &in, results);
}

static void print_results(const struct pecheck_result *results)
{
    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++)
        print_message("# %s %s: %s\n", results[p].ok ? "ok" : "FAILED", pecheck_property_name(p),
                      results[p].text);
}

static void assert_all_pass(const struct pecheck_result *results)
{
    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++) {
        if (!results[p].ok) {
            print_results(results);
            fail_msg("%s failed: %s", pecheck_property_name(p), results[p].text);
        }
    }
}

/* Exactly one property fails, and its reason contains each given text. */
static void assert_only_failure(const struct pecheck_result *results, enum pecheck_property bad,
                                const char *expect, const char *expect_too)
{
    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++) {
        if (results[p].ok != (p != (int)bad)) {
            print_results(results);
            fail_msg("%s: expected %s", pecheck_property_name(p),
                     p == (int)bad ? "a failure" : "a pass");
        }
    }
    if (!strstr(results[bad].text, expect) ||
        (expect_too && !strstr(results[bad].text, expect_too)))
        fail_msg("%s failed for another reason: \"%s\"", pecheck_property_name(bad),
                 results[bad].text);
}

/* Corrupts a copy of the fixture image, keeps its checksum right, and
 * checks that pecheck rejects it for the expected reason only. */
static void expect_image_rejected(void (*corrupt)(struct bytes *img), enum pecheck_property bad,
                                  const char *expect, const char *expect_too)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

    corrupt(&img);
    fix_checksum(&img);
    assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
    assert_only_failure(results, bad, expect, expect_too);
    free(img.data);
}

/* The same for a corrupted copy of the PDB. */
static void expect_pdb_rejected(void (*corrupt)(struct bytes *pdb), const char *expect,
                                const char *expect_too)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes pdb = copy_of(&fixture_pdb, fixture_pdb.size);

    corrupt(&pdb);
    assert_false(check_buffers(NULL, &fixture_sys, &pdb, results));
    assert_only_failure(results, PECHECK_DEBUG_RECORD, expect, expect_too);
    free(pdb.data);
}

/* -- the fixture passes ---------------------------------------------------- */

static void test_fixture_accepted(void **state)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];

    assert_true(check_buffers(NULL, &fixture_sys, &fixture_pdb, results));
    assert_all_pass(results);
    /* lld names HAL.dll in capitals: the allow-list ignores case. */
    assert_non_null(strstr(results[PECHECK_IMPORTS].text, "HAL.dll"));
    assert_non_null(strstr(results[PECHECK_IMPORTS].text, "ntoskrnl.exe"));
    /* lld writes the age into the DBI stream too, and pecheck compares it. */
    assert_non_null(strstr(results[PECHECK_DEBUG_RECORD].text, "DBI stream age 1"));
}

static void test_checksum_matches_linker(void **state)
{
    /* lld /release wrote the checksum; the test's own sum agrees. */
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);
    uint32_t written = get32(img.data + checksum_field(img.data));

    fix_checksum(&img);
    assert_int_not_equal(written, 0);
    assert_int_equal(get32(img.data + checksum_field(img.data)), written);
    free(img.data);
}

/* -- each corruption of the image fails its check -------------------------- */

static void set_dll_flag(struct bytes *img)
{
    uint8_t *flags = img->data + file_header(img->data) + 18;

    put16(flags, get16(flags) | 0x2000);
}

static void test_dll_flag_rejected(void **state)
{
    expect_image_rejected(set_dll_flag, PECHECK_NOT_DLL, "IMAGE_FILE_DLL", NULL);
}

static void set_subsystem_windows_gui(struct bytes *img)
{
    put16(img->data + optional_header(img->data) + 68, 2);
}

static void test_subsystem_rejected(void **state)
{
    expect_image_rejected(set_subsystem_windows_gui, PECHECK_SUBSYSTEM, "subsystem is 2", NULL);
}

static void test_wrong_checksum_rejected(void **state)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);
    uint8_t *field = img.data + checksum_field(img.data);

    put32(field, get32(field) + 1);
    assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
    assert_only_failure(results, PECHECK_CHECKSUM, "the file sums to", NULL);
    free(img.data);
}

static void test_changed_byte_fails_checksum(void **state)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

    /* A byte of code, with the header left as the linker wrote it. */
    img.data[get32(section_header(img.data, ".text") + 20)] ^= 0x01;
    assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
    assert_only_failure(results, PECHECK_CHECKSUM, "the file sums to", NULL);
    free(img.data);
}

static void test_zero_checksum_rejected(void **state)
{
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

    put32(img.data + checksum_field(img.data), 0);
    assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
    assert_only_failure(results, PECHECK_CHECKSUM, "zero", NULL);
    free(img.data);
}

static void test_odd_length_image_accepted(void **state)
{
    /* A trailing byte (data after the last section) makes the length odd:
     * the checksum counts it as a word with a zero high byte. */
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = {malloc(fixture_sys.size + 1), fixture_sys.size + 1};

    assert_non_null(img.data);
    memcpy(img.data, fixture_sys.data, fixture_sys.size);
    img.data[fixture_sys.size] = 0xab;
    fix_checksum(&img);
    assert_true(check_buffers(NULL, &img, &fixture_pdb, results));
    assert_all_pass(results);
    free(img.data);
}

static void make_init_not_discardable(struct bytes *img)
{
    uint8_t *flags = section_header(img->data, "INIT") + 36;

    put32(flags, get32(flags) & ~0x02000000u);
}

static void test_init_not_discardable_rejected(void **state)
{
    expect_image_rejected(make_init_not_discardable, PECHECK_INIT_SECTION, "not discardable", NULL);
}

static void rename_init(struct bytes *img)
{
    memcpy(section_header(img->data, "INIT"), "INIX", 4);
}

static void test_init_missing_rejected(void **state)
{
    expect_image_rejected(rename_init, PECHECK_INIT_SECTION, "no section named INIT", NULL);
}

static void zero_reloc_directory(struct bytes *img)
{
    memset(img->data + data_directory(img->data, 5), 0, 8);
}

static void test_reloc_directory_zeroed_rejected(void **state)
{
    expect_image_rejected(zero_reloc_directory, PECHECK_RELOCATIONS, "empty", NULL);
}

static void point_relocs_outside(struct bytes *img)
{
    put32(img->data + data_directory(img->data, 5), 0x7fff0000);
}

static void test_reloc_directory_outside_rejected(void **state)
{
    expect_image_rejected(point_relocs_outside, PECHECK_RELOCATIONS, "not inside a section", NULL);
}

static void make_relocs_padding_only(struct bytes *img)
{
    /* Every entry of every block becomes IMAGE_REL_BASED_ABSOLUTE, which
     * relocates nothing. */
    uint8_t *dir = img->data + data_directory(img->data, 5);
    uint8_t *blocks = img->data + file_offset_of(img->data, get32(dir));
    uint32_t size = get32(dir + 4);

    for (uint32_t at = 0; at < size; at += get32(blocks + at + 4)) {
        assert_true(get32(blocks + at + 4) >= 8);
        for (uint32_t e = at + 8; e < at + get32(blocks + at + 4); e += 2)
            put16(blocks + e, get16(blocks + e) & 0x0fff);
    }
}

static void test_relocs_padding_only_rejected(void **state)
{
    expect_image_rejected(make_relocs_padding_only, PECHECK_RELOCATIONS, "holds no relocations",
                          NULL);
}

static void set_relocs_stripped(struct bytes *img)
{
    uint8_t *flags = img->data + file_header(img->data) + 18;

    put16(flags, get16(flags) | 0x0001);
}

static void test_relocs_stripped_rejected(void **state)
{
    expect_image_rejected(set_relocs_stripped, PECHECK_RELOCATIONS, "RELOCS_STRIPPED", NULL);
}

static void import_kernel32(struct bytes *img)
{
    memcpy(find_string_once(img, "ntoskrnl.exe"), "kernel32.dll", 12);
}

static void test_disallowed_import_rejected(void **state)
{
    expect_image_rejected(import_kernel32, PECHECK_IMPORTS, "1 module not allowed: kernel32.dll",
                          NULL);
}

static void import_two_disallowed(struct bytes *img)
{
    import_kernel32(img);
    memcpy(find_string_once(img, "HAL.dll"), "HAX.dll", 7);
}

static void test_every_disallowed_import_reported(void **state)
{
    expect_image_rejected(import_two_disallowed, PECHECK_IMPORTS, "2 modules not allowed",
                          "HAX.dll, kernel32.dll");
}

static void test_allow_import_extends_list(void **state)
{
    const char *allowed[] = {"ntoskrnl.exe", "hal.dll", "KERNEL32.DLL"};
    const struct pecheck_config config = {allowed, 3};
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

    import_kernel32(&img);
    fix_checksum(&img);
    assert_true(check_buffers(&config, &img, &fixture_pdb, results));
    assert_all_pass(results);
    free(img.data);
}

static void test_fixture_needs_its_imports_allowed(void **state)
{
    /* An allow-list without hal.dll rejects the untouched fixture. */
    const char *allowed[] = {"ntoskrnl.exe"};
    const struct pecheck_config config = {allowed, 1};
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];

    assert_false(check_buffers(&config, &fixture_sys, &fixture_pdb, results));
    assert_only_failure(results, PECHECK_IMPORTS, "not allowed: HAL.dll", NULL);
}

static void import_name_unterminated(struct bytes *img)
{
    /* The name string of the last import runs to the end of its section. */
    uint8_t *rdata = section_header(img->data, ".rdata");
    uint8_t *name = find_string_once(img, "ntoskrnl.exe");
    uint8_t *end = img->data + get32(rdata + 20) + get32(rdata + 8);

    assert_true(name < end);
    memset(name, 'x', (size_t)(end - name));
}

static void test_unterminated_import_name_rejected(void **state)
{
    expect_image_rejected(import_name_unterminated, PECHECK_IMPORTS, "no terminated DLL name",
                          NULL);
}

static void change_image_age(struct bytes *img)
{
    put32(rsds_record(img) + 20, 7);
}

static void test_image_age_changed_rejected(void **state)
{
    expect_image_rejected(change_image_age, PECHECK_DEBUG_RECORD,
                          "age differs from the PDB info stream",
                          "age differs from the DBI stream");
}

static void remove_codeview_entry(struct bytes *img)
{
    size_t dir = data_directory(img->data, 6);
    size_t entries = file_offset_of(img->data, get32(img->data + dir));
    uint32_t count = get32(img->data + dir + 4) / 28;
    bool found = false;

    /* Each entry's type: CodeView (2) becomes unknown (0). */
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *type = img->data + entries + 28 * i + 12;

        if (get32(type) == 2) {
            put32(type, 0);
            found = true;
        }
    }
    assert_true(found);
}

static void test_missing_codeview_rejected(void **state)
{
    expect_image_rejected(remove_codeview_entry, PECHECK_DEBUG_RECORD, "no CodeView entry", NULL);
}

static void move_codeview_rva(struct bytes *img)
{
    /* The record's RVA no longer leads to its file offset. */
    size_t dir = data_directory(img->data, 6);
    uint8_t *entries = img->data + file_offset_of(img->data, get32(img->data + dir));
    uint32_t count = get32(img->data + dir + 4) / 28;

    for (uint32_t i = 0; i < count; i++) {
        if (get32(entries + 28 * i + 12) == 2)
            put32(entries + 28 * i + 20, get32(entries + 28 * i + 20) + 4);
    }
}

static void test_codeview_rva_mismatch_rejected(void **state)
{
    expect_image_rejected(move_codeview_rva, PECHECK_DEBUG_RECORD, "does not map to file offset",
                          NULL);
}

static void set_machine_i386(struct bytes *img)
{
    put16(img->data + file_header(img->data), 0x14c);
}

static void test_wrong_machine_rejected(void **state)
{
    expect_image_rejected(set_machine_i386, PECHECK_FORMAT, "machine is 0x14c", NULL);
}

/* -- the PDB must be the image's ------------------------------------------- */

static void test_pdb_missing_rejected(void **state)
{
    struct pecheck_config config = default_config();
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    char sys[PATH_MAX];

    write_scratch("lonely.sys", &fixture_sys);
    scratch_path(sys, "lonely.sys");
    assert_false(pecheck_file(&config, sys, NULL, results));
    assert_only_failure(results, PECHECK_DEBUG_RECORD, "cannot open", "lonely.pdb");
}

static void change_pdb_guid(struct bytes *pdb)
{
    pdb_info_header(pdb)[12 + 15] ^= 0xff;
}

static void test_pdb_guid_changed_rejected(void **state)
{
    expect_pdb_rejected(change_pdb_guid, "GUID differs", NULL);
}

static void change_pdb_info_age(struct bytes *pdb)
{
    put32(pdb_info_header(pdb) + 8, 2);
}

static void test_pdb_info_age_changed_rejected(void **state)
{
    expect_pdb_rejected(change_pdb_info_age, "age differs from the PDB info stream",
                        "info stream age 2");
}

static void change_pdb_dbi_age(struct bytes *pdb)
{
    put32(pdb_dbi_header(pdb) + 8, 3);
}

static void test_pdb_dbi_age_changed_rejected(void **state)
{
    expect_pdb_rejected(change_pdb_dbi_age, "age differs from the DBI stream", "DBI stream age 3");
}

static void break_msf_signature(struct bytes *pdb)
{
    pdb->data[20] = 'X';
}

static void shorten_info_stream(struct bytes *pdb)
{
    set_stream_size(pdb, 1, 20);
}

static void test_pdb_info_stream_short_rejected(void **state)
{
    expect_pdb_rejected(shorten_info_stream, "PDB stream 1 is 20 bytes, too short", NULL);
}

static void break_dbi_signature(struct bytes *pdb)
{
    put32(pdb_dbi_header(pdb), 0);
}

static void test_pdb_dbi_signature_rejected(void **state)
{
    expect_pdb_rejected(break_dbi_signature, "DBI stream signature is 0x0", NULL);
}

static void test_pdb_without_dbi_accepted(void **state)
{
    /* Without a DBI stream only the info stream's age is compared. Stream 3
     * becomes nil; the streams after it are no longer read correctly, but
     * pecheck reads only streams 1 and 3. */
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    struct bytes pdb = copy_of(&fixture_pdb, fixture_pdb.size);

    set_stream_size(&pdb, 3, 0xffffffff);
    assert_true(check_buffers(NULL, &fixture_sys, &pdb, results));
    assert_all_pass(results);
    assert_non_null(strstr(results[PECHECK_DEBUG_RECORD].text, "no DBI stream"));
    free(pdb.data);
}

static void test_pdb_signature_rejected(void **state)
{
    expect_pdb_rejected(break_msf_signature, "MSF 7.00 signature", NULL);
}

static void huge_stream_count(struct bytes *pdb)
{
    put32(pdb_directory(pdb), 0x40000000);
}

static void test_pdb_stream_count_rejected(void **state)
{
    expect_pdb_rejected(huge_stream_count, "too short for 1073741824 streams", NULL);
}

/* -- truncated and malformed files fail cleanly ---------------------------- */

static void test_every_truncated_image_rejected(void **state)
{
    /* The last section's raw data ends at the end of the file, so every
     * cut loses something the headers promise. */
    for (size_t size = 0; size < fixture_sys.size; size++) {
        struct pecheck_result results[PECHECK_PROPERTY_COUNT];
        struct bytes img = copy_of(&fixture_sys, size);

        if (check_buffers(NULL, &img, &fixture_pdb, results) || results[PECHECK_FORMAT].ok)
            fail_msg("image cut to %zu bytes accepted", size);
        free(img.data);
    }
}

static void test_truncated_image_messages(void **state)
{
    static const struct {
        size_t size;
        const char *expect;
    } cuts[] = {
        {0, "too short for a DOS header"}, {0x3f, "too short for a DOS header"},
        {0x40, "PE header offset"},        {0x88, "PE header offset"},
        {0x100, "optional header (0x"},    {0x200, "SizeOfHeaders"},
        {0x500, ": raw data 0x"},          {0xfff, ": raw data 0x"},
    };

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        struct pecheck_result results[PECHECK_PROPERTY_COUNT];
        struct bytes img = copy_of(&fixture_sys, cuts[i].size);

        assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
        if (!strstr(results[PECHECK_FORMAT].text, cuts[i].expect))
            fail_msg("cut at 0x%zx: \"%s\"", cuts[i].size, results[PECHECK_FORMAT].text);
        for (int p = PECHECK_FORMAT + 1; p < PECHECK_PROPERTY_COUNT; p++)
            assert_false(results[p].ok);
        free(img.data);
    }
}

static void test_truncated_pdb_rejected(void **state)
{
    /* lld writes the stream directory into the last block, so every cut
     * loses a block the directory check needs. Every block boundary, the
     * bytes either side, and points between. */
    for (size_t size = 0; size < fixture_pdb.size; size++) {
        struct pecheck_result results[PECHECK_PROPERTY_COUNT];
        size_t within = size % 4096;
        struct bytes pdb;

        if (within > 1 && within < 4095 && size % 509 != 0 && size > 64)
            continue;
        pdb = copy_of(&fixture_pdb, size);
        if (check_buffers(NULL, &fixture_sys, &pdb, results) || results[PECHECK_DEBUG_RECORD].ok)
            fail_msg("PDB cut to %zu bytes accepted", size);
        free(pdb.data);
    }
}

static void set_lfanew(struct bytes *img)
{
    put32(img->data + 0x3c, 0xfffffff0);
}

static void set_section_count(struct bytes *img)
{
    put16(img->data + file_header(img->data) + 2, 0xffff);
}

static void set_directory_count(struct bytes *img)
{
    put32(img->data + optional_header(img->data) + 108, 0xffffffff);
}

static void set_optional_size(struct bytes *img)
{
    put16(img->data + file_header(img->data) + 16, 0xffff);
}

static void set_section_raw_offset(struct bytes *img)
{
    put32(section_header(img->data, ".reloc") + 20, 0xfffffe00);
}

static void set_section_name_hostile(struct bytes *img)
{
    /* A name that would end the TAP line and start a directive. */
    uint8_t *h = section_header(img->data, ".reloc");

    memcpy(h, "\n# TODO", 8);
    put32(h + 20, 0xfffffe00);
}

static void set_optional_magic(struct bytes *img)
{
    put16(img->data + optional_header(img->data), 0x10b);
}

static void test_malformed_headers_rejected(void **state)
{
    static const struct {
        void (*corrupt)(struct bytes *img);
        const char *expect;
    } cases[] = {
        {set_lfanew, "PE header offset 0xfffffff0"},
        {set_section_count, "section table (65535 headers"},
        {set_directory_count, "NumberOfRvaAndSizes is 4294967295"},
        {set_optional_size, " + 0xffff) extends beyond"},
        {set_section_raw_offset, "section 6 (.reloc): raw data 0xfffffe00"},
        {set_optional_magic, "magic is 0x10b"},
        {set_section_name_hostile, "section 6 (\\x0a\\x23 TODO): raw data"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pecheck_result results[PECHECK_PROPERTY_COUNT];
        struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

        cases[i].corrupt(&img);
        assert_false(check_buffers(NULL, &img, &fixture_pdb, results));
        if (!strstr(results[PECHECK_FORMAT].text, cases[i].expect))
            fail_msg("case %zu: expected \"%s\", got \"%s\"", i, cases[i].expect,
                     results[PECHECK_FORMAT].text);
        free(img.data);
    }
}

/* -- files and the command ------------------------------------------------- */

static void test_default_pdb_path(void **state)
{
    static const char *const cases[][2] = {
        {"build/win64/xenbus.sys", "build/win64/xenbus.pdb"},
        {"DRIVER.SYS", "DRIVER.pdb"},
        {"noext", "noext.pdb"},
        {"a.sys.bak", "a.sys.bak.pdb"},
        {".sys", ".pdb"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *pdb = pecheck_default_pdb_path(cases[i][0]);

        assert_non_null(pdb);
        assert_string_equal(pdb, cases[i][1]);
        free(pdb);
    }
}

static void test_files_accepted(void **state)
{
    struct pecheck_config config = default_config();
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    char sys[PATH_MAX], other_pdb[PATH_MAX];

    write_scratch("pair.sys", &fixture_sys);
    write_scratch("pair.pdb", &fixture_pdb);
    scratch_path(sys, "pair.sys");
    assert_true(pecheck_file(&config, sys, NULL, results));
    assert_all_pass(results);

    write_scratch("elsewhere.pdb", &fixture_pdb);
    scratch_path(other_pdb, "elsewhere.pdb");
    assert_true(pecheck_file(&config, sys, other_pdb, results));
    assert_all_pass(results);
}

static void test_unreadable_image_rejected(void **state)
{
    struct pecheck_config config = default_config();
    struct pecheck_result results[PECHECK_PROPERTY_COUNT];
    char sys[PATH_MAX];

    scratch_path(sys, "absent.sys");
    assert_false(pecheck_file(&config, sys, NULL, results));
    assert_non_null(strstr(results[PECHECK_FORMAT].text, "cannot open"));
    for (int p = 0; p < PECHECK_PROPERTY_COUNT; p++)
        assert_false(results[p].ok);
}

/* Runs the pecheck binary with arguments; returns its exit status and
 * its output in out. */
static int run_tool(char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int run_tool(char *out, size_t out_size, const char *fmt, ...)
{
    char command[4 * PATH_MAX];
    size_t used = 0, n;
    va_list ap;
    FILE *p;
    int status;

    used = (size_t)snprintf(command, sizeof(command), "%s ", setting("PECHECK_TOOL", PECHECK_TOOL));
    va_start(ap, fmt);
    vsnprintf(command + used, sizeof(command) - used, fmt, ap);
    va_end(ap);

    p = popen(command, "r");
    assert_non_null(p);
    used = 0;
    while (used + 1 < out_size && (n = fread(out + used, 1, out_size - 1 - used, p)) > 0)
        used += n;
    out[used] = '\0';
    status = pclose(p);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static int count_lines_starting(const char *text, const char *prefix)
{
    const char *line = text;
    int count = 0;

    while (*line) {
        const char *end = strchr(line, '\n');

        if (strncmp(line, prefix, strlen(prefix)) == 0)
            count++;
        if (!end)
            break;
        line = end + 1;
    }
    return count;
}

static void test_tool_end_to_end(void **state)
{
    static char out[64 * 1024];
    char sys[PATH_MAX], bad[PATH_MAX], pdb[PATH_MAX];
    struct bytes img = copy_of(&fixture_sys, fixture_sys.size);

    write_scratch("tool.sys", &fixture_sys);
    write_scratch("tool.pdb", &fixture_pdb);
    scratch_path(sys, "tool.sys");
    scratch_path(pdb, "tool.pdb");

    import_kernel32(&img);
    fix_checksum(&img);
    write_scratch("tool_bad.sys", &img);
    write_scratch("tool_bad.pdb", &fixture_pdb);
    scratch_path(bad, "tool_bad.sys");
    free(img.data);

    assert_int_equal(run_tool(out, sizeof(out), "'%s'", sys), 0);
    assert_int_equal(count_lines_starting(out, "1..8\n"), 1);
    assert_int_equal(count_lines_starting(out, "ok "), 8);
    assert_int_equal(count_lines_starting(out, "not ok "), 0);

    /* Two images: one good, one with a disallowed import. */
    assert_int_equal(run_tool(out, sizeof(out), "'%s' '%s'", sys, bad), 1);
    assert_int_equal(count_lines_starting(out, "1..16\n"), 1);
    assert_int_equal(count_lines_starting(out, "ok "), 15);
    assert_int_equal(count_lines_starting(out, "not ok 15 - "), 1);
    assert_non_null(strstr(out, "imports only from allowed modules: imports from 1 module not "
                                "allowed: kernel32.dll"));

    assert_int_equal(run_tool(out, sizeof(out), "--allow-import kernel32.dll '%s'", bad), 0);
    assert_int_equal(run_tool(out, sizeof(out), "--pdb '%s' '%s'", pdb, bad), 1);
    assert_int_equal(
        run_tool(out, sizeof(out), "'%s' --pdb '%s' --allow-import Kernel32.DLL", bad, pdb), 0);

    /* Usage errors. */
    assert_int_equal(run_tool(out, sizeof(out), "2>/dev/null"), 2);
    assert_int_equal(run_tool(out, sizeof(out), "--pdb '%s' '%s' '%s' 2>/dev/null", pdb, sys, bad),
                     2);
    assert_int_equal(run_tool(out, sizeof(out), "--no-such-option '%s' 2>/dev/null", sys), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_accepted),
        cmocka_unit_test(test_checksum_matches_linker),
        cmocka_unit_test(test_dll_flag_rejected),
        cmocka_unit_test(test_subsystem_rejected),
        cmocka_unit_test(test_wrong_checksum_rejected),
        cmocka_unit_test(test_changed_byte_fails_checksum),
        cmocka_unit_test(test_zero_checksum_rejected),
        cmocka_unit_test(test_odd_length_image_accepted),
        cmocka_unit_test(test_init_not_discardable_rejected),
        cmocka_unit_test(test_init_missing_rejected),
        cmocka_unit_test(test_reloc_directory_zeroed_rejected),
        cmocka_unit_test(test_reloc_directory_outside_rejected),
        cmocka_unit_test(test_relocs_padding_only_rejected),
        cmocka_unit_test(test_relocs_stripped_rejected),
        cmocka_unit_test(test_disallowed_import_rejected),
        cmocka_unit_test(test_every_disallowed_import_reported),
        cmocka_unit_test(test_allow_import_extends_list),
        cmocka_unit_test(test_fixture_needs_its_imports_allowed),
        cmocka_unit_test(test_unterminated_import_name_rejected),
        cmocka_unit_test(test_image_age_changed_rejected),
        cmocka_unit_test(test_missing_codeview_rejected),
        cmocka_unit_test(test_codeview_rva_mismatch_rejected),
        cmocka_unit_test(test_wrong_machine_rejected),
        cmocka_unit_test(test_pdb_missing_rejected),
        cmocka_unit_test(test_pdb_guid_changed_rejected),
        cmocka_unit_test(test_pdb_info_age_changed_rejected),
        cmocka_unit_test(test_pdb_dbi_age_changed_rejected),
        cmocka_unit_test(test_pdb_info_stream_short_rejected),
        cmocka_unit_test(test_pdb_dbi_signature_rejected),
        cmocka_unit_test(test_pdb_without_dbi_accepted),
        cmocka_unit_test(test_pdb_signature_rejected),
        cmocka_unit_test(test_pdb_stream_count_rejected),
        cmocka_unit_test(test_every_truncated_image_rejected),
        cmocka_unit_test(test_truncated_image_messages),
        cmocka_unit_test(test_truncated_pdb_rejected),
        cmocka_unit_test(test_malformed_headers_rejected),
        cmocka_unit_test(test_default_pdb_path),
        cmocka_unit_test(test_files_accepted),
        cmocka_unit_test(test_unreadable_image_rejected),
        cmocka_unit_test(test_tool_end_to_end),
    };

    return cmocka_run_group_tests(tests, setup_fixture, teardown_fixture);
}
