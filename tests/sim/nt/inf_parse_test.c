/*
 * sim/nt's INF reader on hand-written snippets: each syntax rule Windows
 * reads INFs by, and each error, named with its file and line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inf_fixture.h"

static const struct nt_inf_line *line_of(const struct nt_inf *inf, const char *section, size_t i)
{
    const struct nt_inf_section *s = nt_inf_section(inf, section);

    assert_non_null(s);
    assert_true(i < s->line_count);
    return &s->lines[i];
}

static void assert_fields(const struct nt_inf_line *line, size_t count, const char *const *fields)
{
    assert_int_equal(line->field_count, count);
    for (size_t i = 0; i < count; i++)
        assert_string_equal(nt_inf_field(line, i), fields[i]);
}

/* The message names test.inf and @line, and says @what. */
static void assert_error_at(const char *error, unsigned int line, const char *what)
{
    char where[32];

    snprintf(where, sizeof(where), "test.inf:%u: ", line);
    assert_memory_equal(error, where, strlen(where));
    assert_non_null(strstr(error, what));
}

static int expect_error(const char *text, char *error)
{
    return inf_fixture_parse_error(text, strlen(text), error, NT_INF_ERROR_SIZE);
}

static void test_sections_and_keys_are_case_insensitive(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("[Version]\nSignature=\"$Windows NT$\"\n"
                                           "[Other Section]\nKey=value\n");

    assert_non_null(nt_inf_section(inf, "VERSION"));
    assert_string_equal(nt_inf_value(inf, "version", "SIGNATURE"), "$Windows NT$");
    assert_string_equal(nt_inf_value(inf, "other section", "key"), "value");
    assert_null(nt_inf_section(inf, "Versio"));
    assert_null(nt_inf_value(inf, "Version", "Sign"));
    nt_inf_free(inf);
}

static void test_keys_values_and_bare_lines(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("[S]\n"
                                           "  Key  =  one ,two words,  , three\t\n"
                                           "bare, line ,\n"
                                           "Group = Boot Bus Extender\n");
    const struct nt_inf_line *keyed = line_of(inf, "S", 0), *bare = line_of(inf, "S", 1);

    assert_string_equal(keyed->key, "Key");
    assert_fields(keyed, 4, (const char *const[]){"one", "two words", "", "three"});
    assert_null(bare->key);
    assert_fields(bare, 3, (const char *const[]){"bare", "line", ""});
    assert_string_equal(nt_inf_value(inf, "S", "Group"), "Boot Bus Extender");
    nt_inf_free(inf);
}

static void test_comments_end_a_line_outside_quotes(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("; a comment before anything\n"
                                           "[S] ; after a header\n"
                                           "A = 1 ; one\n"
                                           ";B = 2\n"
                                           "C = \"x;y\", z ; w\n");

    assert_int_equal(nt_inf_section(inf, "S")->line_count, 2);
    assert_fields(line_of(inf, "S", 0), 1, (const char *const[]){"1"});
    assert_null(nt_inf_value(inf, "S", "B"));
    assert_fields(line_of(inf, "S", 1), 2, (const char *const[]){"x;y", "z"});
    nt_inf_free(inf);
}

static void test_a_backslash_at_the_end_continues_the_line(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("[S]\n"
                                           "List = a, \\\n"
                                           "       b, \\  \r\n"
                                           "       c\n"
                                           "Path = C:\\dir\\file\n"
                                           "Kept = d ; not continued \\\n"
                                           "Next = e\n");
    const struct nt_inf_line *list = line_of(inf, "S", 0);

    assert_fields(list, 3, (const char *const[]){"a", "b", "c"});
    assert_int_equal(list->lineno, 2);
    assert_string_equal(nt_inf_value(inf, "S", "Path"), "C:\\dir\\file");
    assert_string_equal(nt_inf_value(inf, "S", "Kept"), "d");
    assert_int_equal(line_of(inf, "S", 3)->lineno, 7);
    nt_inf_free(inf);
}

static void test_quotes_group_and_double_quotes_escape(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("[S]\n"
                                           "A = \"a, b\", \" padded \", \"say \"\"hi\"\"\"\n"
                                           "\"x = y\", \"\"\n"
                                           "B = half\"quoted, part\"\n");

    assert_fields(line_of(inf, "S", 0), 3, (const char *const[]){"a, b", " padded ", "say \"hi\""});
    assert_null(line_of(inf, "S", 1)->key);
    assert_fields(line_of(inf, "S", 1), 2, (const char *const[]){"x = y", ""});
    assert_fields(line_of(inf, "S", 2), 1, (const char *const[]){"halfquoted, part"});
    nt_inf_free(inf);
}

static void test_strings_and_dirids_are_substituted(void **state)
{
    struct nt_inf *inf =
        inf_fixture_parse("[S]\n"
                          "%KeyName% = %Desc%, \"%%SystemRoot%%\\x\", %12%\\a.sys\n"
                          "Local = %LOCAL%, 100%%\n"
                          "[Strings]\n"
                          "keyname = Renamed\n"
                          "Desc = \"A, b %Desc%\"\n"
                          "Local = neutral\n"
                          "[Strings.0409]\n"
                          "Local = \"en-US\"\n");
    const struct nt_inf_line *line = line_of(inf, "S", 0);

    assert_string_equal(line->key, "Renamed");
    /* A [Strings] value is one field, commas and all, and is not substituted again. */
    assert_fields(line, 3,
                  (const char *const[]){"A, b %Desc%", "%SystemRoot%\\x",
                                        "C:\\Windows\\System32\\drivers\\a.sys"});
    assert_fields(line_of(inf, "S", 1), 2, (const char *const[]){"en-US", "100%"});
    nt_inf_free(inf);
}

static void test_a_section_named_again_continues_the_first(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("[A]\none\n[B]\nx\n[a]\ntwo\n");
    const struct nt_inf_section *a = nt_inf_section(inf, "A");

    assert_int_equal(inf->section_count, 2);
    assert_string_equal(a->name, "A");
    assert_int_equal(a->line_count, 2);
    assert_string_equal(line_of(inf, "A", 0)->fields[0], "one");
    assert_string_equal(line_of(inf, "A", 1)->fields[0], "two");
    assert_int_equal(line_of(inf, "A", 1)->lineno, 6);
    nt_inf_free(inf);
}

static void test_line_endings_and_the_utf8_mark(void **state)
{
    struct nt_inf *inf = inf_fixture_parse("\xef\xbb\xbf[S]\r\nA = 1\rB = 2\nC = caf\xc3\xa9\x1a"
                                           "ignored after Ctrl-Z");

    assert_string_equal(nt_inf_value(inf, "S", "A"), "1");
    assert_string_equal(nt_inf_value(inf, "S", "B"), "2");
    assert_int_equal(line_of(inf, "S", 1)->lineno, 3);
    assert_string_equal(nt_inf_value(inf, "S", "C"), "caf\xc3\xa9");
    assert_int_equal(nt_inf_section(inf, "S")->line_count, 3);
    nt_inf_free(inf);
}

/* @utf8 (BMP characters only, and one surrogate pair for U+1F600) as UTF-16LE with its mark. */
static size_t to_utf16(const char *utf8, uint8_t *out)
{
    size_t n = 0;

    out[n++] = 0xff;
    out[n++] = 0xfe;
    for (const unsigned char *s = (const unsigned char *)utf8; *s;) {
        unsigned int c;

        if (s[0] == 0xf0) { /* U+1F600 */
            memcpy(out + n, "\x3d\xd8\x00\xde", 4);
            n += 4;
            s += 4;
            continue;
        }
        c = s[0] < 0x80 ? s[0] : (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
        s += s[0] < 0x80 ? 1 : 2;
        out[n++] = (uint8_t)c;
        out[n++] = (uint8_t)(c >> 8);
    }
    return n;
}

static void test_utf16le_with_its_mark_reads_as_utf8(void **state)
{
    const char *text = "[Version]\r\nSignature = \"$Windows NT$\"\r\n[S]\r\n"
                       "Name = \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\r\n%k% = v\r\n"
                       "[Strings]\r\nk = \xc3\xa9t\xc3\xa9\r\n";
    uint8_t utf16[512];
    size_t size = to_utf16(text, utf16);
    char error[NT_INF_ERROR_SIZE];
    struct nt_inf *inf;

    assert_int_equal(nt_inf_parse(utf16, size, "test.inf", &inf, error, sizeof(error)), 0);
    assert_string_equal(nt_inf_value(inf, "Version", "Signature"), "$Windows NT$");
    assert_string_equal(nt_inf_value(inf, "S", "Name"), "caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(nt_inf_value(inf, "S", "\xc3\xa9t\xc3\xa9"), "v");
    nt_inf_free(inf);
}

static void test_encoding_errors_name_the_line(void **state)
{
    uint8_t utf16[64];
    char error[NT_INF_ERROR_SIZE];
    size_t n;

    assert_int_equal(inf_fixture_parse_error("[S]\nA = 1\nB = \xff\n", 15, error, sizeof(error)),
                     -EILSEQ);
    assert_error_at(error, 3, "not UTF-8");
    assert_int_equal(inf_fixture_parse_error("[S]\nA = \xc0\xaf\n", 11, error, sizeof(error)),
                     -EILSEQ); /* an overlong '/' */
    assert_error_at(error, 2, "UTF-16LE");
    assert_int_equal(inf_fixture_parse_error("[S]\nA = 1\0\n", 11, error, sizeof(error)), -EILSEQ);
    assert_error_at(error, 2, "not UTF-8");
    /* UTF-16 big-endian is not what Windows reads. */
    assert_int_equal(inf_fixture_parse_error("\xfe\xff\0[", 4, error, sizeof(error)), -EILSEQ);
    n = to_utf16("[S]\nA = 1\n", utf16);
    assert_int_equal(inf_fixture_parse_error(utf16, n - 1, error, sizeof(error)), -EILSEQ);
    assert_error_at(error, 2, "UTF-16LE"); /* half of the last line break */
    memcpy(utf16 + n - 2, "\x00\xdc", 2);  /* a low surrogate alone */
    assert_int_equal(inf_fixture_parse_error(utf16, n, error, sizeof(error)), -EILSEQ);
    assert_error_at(error, 2, "UTF-16LE");
}

static void test_syntax_errors_name_the_line(void **state)
{
    char error[NT_INF_ERROR_SIZE];

    assert_int_equal(expect_error("[S]\nA = 1\nB = \"open\n", error), -EINVAL);
    assert_error_at(error, 3, "quoted string");
    assert_int_equal(expect_error("[S]\nA = \"a \\\n b\"\n", error), -EINVAL);
    assert_error_at(error, 2, "quoted string");
    assert_int_equal(expect_error("; comment\nA = 1\n[S]\n", error), -EINVAL);
    assert_error_at(error, 2, "before the first [section]");
    assert_int_equal(expect_error("[S]\n[Broken\n", error), -EINVAL);
    assert_error_at(error, 2, "no ']'");
    assert_int_equal(expect_error("[S] x\n", error), -EINVAL);
    assert_error_at(error, 1, "after the section name");
    assert_int_equal(expect_error("[S]\n[  ]\n", error), -EINVAL);
    assert_error_at(error, 2, "section name");
    assert_int_equal(expect_error("[S]\n\n = value\n", error), -EINVAL);
    assert_error_at(error, 3, "nothing before '='");
    assert_int_equal(expect_error("[S]\nA = %Missing%\n[Strings]\nOther = 1\n", error), -EINVAL);
    assert_error_at(error, 2, "%Missing% is not defined");
    assert_int_equal(expect_error("[S]\nA = 100% sure\n", error), -EINVAL);
    assert_error_at(error, 2, "no closing '%'");
    assert_int_equal(expect_error("[S]\nA = %99%\n", error), -EINVAL);
    assert_error_at(error, 2, "DIRID");
}

static void test_limits_are_errors(void **state)
{
    size_t size = NT_INF_MAX_FILE_SIZE + 1;
    char *text = malloc(size + 1), error[NT_INF_ERROR_SIZE];
    size_t n;

    assert_non_null(text);
    /* A line of NT_INF_MAX_LINE characters is read; one more is too long. */
    n = (size_t)sprintf(text, "[S]\nA = ");
    memset(text + n, 'x', NT_INF_MAX_LINE - 4);
    strcpy(text + n + NT_INF_MAX_LINE - 4, "\n");
    nt_inf_free(inf_fixture_parse(text));
    strcpy(text + n + NT_INF_MAX_LINE - 4, "x\n");
    assert_int_equal(expect_error(text, error), -EFBIG);
    assert_error_at(error, 2, "longer than 4096");
    /* A substitution may not make a field longer either. */
    n = (size_t)sprintf(text, "[S]\nA = ");
    for (int i = 0; i < 3; i++)
        n += (size_t)sprintf(text + n, "%%Long%%");
    n += (size_t)sprintf(text + n, "\n[Strings]\nLong = ");
    memset(text + n, 'y', 2000);
    strcpy(text + n + 2000, "\n");
    assert_int_equal(expect_error(text, error), -EFBIG);
    assert_error_at(error, 2, "substituted");
    /* The file itself is bounded. */
    memset(text, ';', size);
    assert_int_equal(inf_fixture_parse_error(text, size, error, sizeof(error)), -EFBIG);
    assert_non_null(strstr(error, "test.inf: "));
    free(text);
}

static void test_sections_are_bounded(void **state)
{
    size_t max = 65536, size = (max + 1) * 8 + 1;
    char *text = malloc(size), error[NT_INF_ERROR_SIZE];
    size_t n = 0;
    struct nt_inf *inf;

    assert_non_null(text);
    for (size_t i = 0; i < max; i++)
        n += (size_t)sprintf(text + n, "[%05zx]\n", i);
    inf = inf_fixture_parse(text);
    assert_int_equal(inf->section_count, max);
    assert_non_null(nt_inf_section(inf, "0ffff"));
    nt_inf_free(inf);
    sprintf(text + n, "[x]\n");
    assert_int_equal(expect_error(text, error), -EFBIG);
    assert_error_at(error, (unsigned int)max + 1, "sections");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sections_and_keys_are_case_insensitive),
        cmocka_unit_test(test_keys_values_and_bare_lines),
        cmocka_unit_test(test_comments_end_a_line_outside_quotes),
        cmocka_unit_test(test_a_backslash_at_the_end_continues_the_line),
        cmocka_unit_test(test_quotes_group_and_double_quotes_escape),
        cmocka_unit_test(test_strings_and_dirids_are_substituted),
        cmocka_unit_test(test_a_section_named_again_continues_the_first),
        cmocka_unit_test(test_line_endings_and_the_utf8_mark),
        cmocka_unit_test(test_utf16le_with_its_mark_reads_as_utf8),
        cmocka_unit_test(test_encoding_errors_name_the_line),
        cmocka_unit_test(test_syntax_errors_name_the_line),
        cmocka_unit_test(test_limits_are_errors),
        cmocka_unit_test(test_sections_are_bounded),
    };

    return cmocka_run_group_tests_name("inf_parse", tests, NULL, NULL);
}
