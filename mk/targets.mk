# Top-level targets, after every module.mk has said what it builds.
#
# Variables a module.mk may append to:
#   CORE_SRCS            portable code, built for host, tsan and win64
#   POSIX_SRCS NT_SRCS   the two implementations of core/os.h
#   HOST_TESTS           cmocka tests run under ASan+UBSan (NAME_SRCS, NAME_LDLIBS)
#   TSAN_TESTS           cmocka tests run under TSan
#   TOOLS                host tools (NAME_SRCS, NAME_LDLIBS)
#   HOST_PROGRAMS        programs tests run, with ASan+UBSan (NAME_SRCS, NAME_LDLIBS)
#   DRIVERS              Windows kernel images (NAME_SRCS, NAME_LIBS), shipped in dist/
#                        with their INF (NAME_INF), if they have one
#   TEST_DRIVERS         Windows kernel images built for tests only
#   FUZZERS              libFuzzer targets run briefly as checks (NAME_SRCS,
#                        NAME_INCLUDES, NAME_SEEDS)
#   BENCHES              benchmarks run by make bench (NAME_SRCS, NAME_LDLIBS);
#                        each prints BENCH lines (see scripts/run-bench)
#   BENCH_PROGRAMS       programs the benchmarks start, built like them
#   RELEASE_PROGRAMS     programs people run (README), without sanitizers, in
#                        build/release/bin; built by make and make check
#   CHECKS               other checks: NAME_CMD a command, NAME_DEPS what it
#                        needs built first, NAME_KIND what it is and how
#                        scripts/run-tests judges it:
#                          test    (the default) a behavioural test printing
#                                  TAP, with a plan
#                          lint    a lint or format check printing TAP, with
#                                  a plan (counted apart from the tests)
#                          status  a behavioural test printing no TAP, judged
#                                  by its exit status (fuzzers)
#                        The test binaries above are of kind test.

$(foreach t,$(HOST_TESTS),$(eval $(call host_test,$(t),host)))
$(foreach t,$(TSAN_TESTS),$(eval $(call host_test,$(t),tsan)))
$(foreach t,$(TOOLS),$(eval $(call host_tool,$(t))))
$(foreach p,$(HOST_PROGRAMS),$(eval $(call host_program,$(p))))
$(foreach f,$(FUZZERS),$(eval $(call fuzzer,$(f))))
$(foreach b,$(BENCHES) $(BENCH_PROGRAMS),$(eval $(call plain_program,$(b),bench)))
$(foreach p,$(RELEASE_PROGRAMS),$(eval $(call plain_program,$(p),release)))
$(foreach d,$(DRIVERS) $(TEST_DRIVERS),$(eval $(call win_driver,$(d))))

define static_lib
$(BUILD)/$(1)/libwinpv.a: $(call objs,$(1),$(CORE_SRCS) $(2))
	$$(call say,AR,$$@)
	@rm -f $$@
	$(Q)$(3) rcsD $$@ $$^
endef
$(eval $(call static_lib,host,$(POSIX_SRCS),$(HOST_AR)))
$(eval $(call static_lib,tsan,$(POSIX_SRCS),$(HOST_AR)))
$(eval $(call static_lib,tools,$(POSIX_SRCS),$(HOST_AR)))
$(eval $(call static_lib,win64,$(NT_SRCS),$(WIN_AR)))

# -- the release package ---------------------------------------------------
DIST_FILES := $(foreach d,$(DRIVERS),$(DIST)/x64/$(d)/$(d).sys $(DIST)/x64/$(d)/$(d).pdb)

# A driver's INF (NAME_INF) goes beside its image, as Windows installs it,
# written for the build's vendor (mk/vendor.mk).
define dist_inf
DIST_FILES += $(DIST)/x64/$(1)/$(notdir $($(1)_INF))
$(DIST)/x64/$(1)/$(notdir $($(1)_INF)): $($(1)_INF) $(VENDOR_STAMP) scripts/vendor-inf
	$$(call say,DIST,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(call vendor_inf,$$<,$$@)
endef
$(foreach d,$(DRIVERS),$(if $($(d)_INF),$(eval $(call dist_inf,$(d)))))

.PHONY: dist release run-checks run-benches format-tree
dist: $(DIST_FILES)

# The simulator for people: its programs and the libraries its components load.
release: $(PLAIN_BINS_release) $(SIMLIB_FILES)

# An image enters dist/ only after pecheck has passed it.
$(DIST)/x64/%.sys: $(BUILD)/tools/pecheck
	@mkdir -p $(@D)
	$(Q)$(BUILD)/tools/pecheck $(BUILD)/win64/$(notdir $*).sys >/dev/null || \
	    { $(BUILD)/tools/pecheck $(BUILD)/win64/$(notdir $*).sys; exit 1; }
	$(call say,DIST,$@)
	$(Q)cp $(BUILD)/win64/$(notdir $*).sys $@

$(DIST)/x64/%.pdb: $(DIST)/x64/%.sys
	$(call say,DIST,$@)
	$(Q)cp $(BUILD)/win64/$(notdir $*).pdb $@

# Each dist image depends on its build output.
$(foreach d,$(DRIVERS),$(eval $(DIST)/x64/$(d)/$(d).sys: $(BUILD)/win64/$(d).sys))

# -- make check ------------------------------------------------------------
CHECK_LIST := $(BUILD)/checks.list
$(shell mkdir -p $(BUILD))
TAB := $(shell printf '\t')

run-checks: $(CHECK_BINS) $(TOOL_BINS) $(HOST_PROGRAM_BINS) $(DRIVER_IMAGES) release \
            $(foreach c,$(CHECKS),$($(c)_DEPS))
	@mkdir -p $(BUILD)
	$(file >$(CHECK_LIST),$(foreach b,$(CHECK_BINS),$(patsubst $(BUILD)/%,%,$(b))$(TAB)test$(TAB)$(b)$(newline))$(foreach c,$(CHECKS),$(c)$(TAB)$(or $($(c)_KIND),test)$(TAB)$($(c)_CMD)$(newline)))
	@scripts/run-tests $(CHECK_LIST) $(BUILD)/test-logs '$(T)'

define newline


endef

# -- make bench ------------------------------------------------------------
BENCH_BINS = $(foreach b,$(BENCHES),$(BUILD)/bench/bin/$(b))
run-benches: $(PLAIN_BINS_bench) $(foreach b,$(BENCHES),$($(b)_DEPS))
	@scripts/run-bench $(BUILD)/bench-logs '$(T)' $(BENCH_BINS)

# -- formatting ------------------------------------------------------------
FORMAT_FILES = $(shell git ls-files --cached --others --exclude-standard "*.c" "*.h" 2>/dev/null)
format-tree:
	$(Q)$(LLVM_BIN)/clang-format -i $(FORMAT_FILES)
