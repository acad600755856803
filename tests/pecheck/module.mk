# pecheck's tests: a fixture driver built by the Windows toolchain, a cmocka
# test that corrupts copies of it, and pecheck run over every driver image.

TEST_DRIVERS += pecheck_fixture
pecheck_fixture_SRCS := tests/pecheck/fixture_driver.c
pecheck_fixture_LIBS := ntoskrnl hal

include tools/pecheck/sources.mk

# The tests link pecheck's sources (built with ASan and UBSan) and read the
# fixture; they also run the pecheck binary once, end to end.
HOST_TESTS += pecheck_test
pecheck_test_SRCS := tests/pecheck/pecheck_test.c $(PECHECK_LIB_SRCS)
INCLUDES_tests/pecheck/pecheck_test = $(HOST_INCLUDES) -Itools/pecheck
$(BUILD)/host/tests/pecheck/pecheck_test.o: HOST_CFLAGS += \
    -DPECHECK_FIXTURE_DIR='"$(BUILD)/win64"' -DPECHECK_TOOL='"$(BUILD)/tools/pecheck"'
# Needed when the test runs, not to build it: order-only, so that building
# the test alone also builds them (make check builds them anyway).
$(BUILD)/host/tests/pecheck/pecheck_test.o: | \
    $(BUILD)/win64/pecheck_fixture.sys $(BUILD)/tools/pecheck

# pecheck over every driver image the build makes. DRIVER_IMAGES is complete
# only once mk/targets.mk has expanded the driver templates: deferred.
CHECKS += pecheck-images
pecheck-images_CMD = $(BUILD)/tools/pecheck $(DRIVER_IMAGES)
pecheck-images_DEPS = $(BUILD)/tools/pecheck $(DRIVER_IMAGES)

# A libFuzzer target for the PE and PDB readers, seeded with the fixture.
FUZZERS += pecheck-fuzz
pecheck-fuzz_SRCS := tests/pecheck/fuzz_pecheck.c $(PECHECK_LIB_SRCS)
pecheck-fuzz_INCLUDES := -Itools/pecheck
pecheck-fuzz_SEEDS := $(BUILD)/win64/pecheck_fixture.sys $(BUILD)/win64/pecheck_fixture.pdb
