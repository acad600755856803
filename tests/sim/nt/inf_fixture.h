/*
 * tests/sim/nt/inf_fixture.h - INF snippets parsed, driver packages written to a
 * scratch directory, for the tests of sim/nt's INF reader and registry.
 * Every helper fails the running test (cmocka) when it cannot do its job.
 */
#ifndef WINPV_TESTS_NT_INF_FIXTURE_H
#define WINPV_TESTS_NT_INF_FIXTURE_H

#include <stddef.h>

#include "nt/inf.h"

/* A [Version] section with DriverVer @date_version ("mm/dd/yyyy,w.x.y.z"). */
#define INF_FIXTURE_VERSION(date_version)                                       \
    "[Version]\r\nSignature = \"$Windows NT$\"\r\nClass = System\r\n"           \
    "ClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}\r\nProvider = test\r\n" \
    "DriverVer = " date_version "\r\n"

/* @text parsed as "test.inf"; the test fails if it does not parse. */
struct nt_inf *inf_fixture_parse(const char *text);
/* The error parsing @text as "test.inf" gives (the test fails if none), its message in @error. */
int inf_fixture_parse_error(const void *text, size_t size, char *error, size_t error_size);

/* The best model of @inf for @ids on the simulated system, and what installing it means. */
void inf_fixture_install(const struct nt_inf *inf, const struct nt_device_ids *ids,
                         struct nt_inf_driver *driver);

/* A fresh scratch directory, removed by inf_fixture_remove_scratch. */
const char *inf_fixture_scratch(void);
void inf_fixture_remove_scratch(void);

/* Write @size bytes to @dir/@relative, making its directories. */
void inf_fixture_write(const char *dir, const char *relative, const void *data, size_t size);

/*
 * A package @dir/@name/: @name.inf made of @head ([Version], [Manufacturer]
 * and Models lines installing "Install") and an install of service @name
 * from @name.sys, written beside it.
 */
void inf_fixture_package(const char *dir, const char *name, const char *head);

#endif /* WINPV_TESTS_NT_INF_FIXTURE_H */
