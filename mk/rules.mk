# Compile rules, one per variant. Every object records its header
# dependencies (-MMD -MP) in a .d file beside it.
#
#   build/host/...   host code with ASan + UBSan (tests, emulator)
#   build/tsan/...   host code with TSan (tests where threads meet)
#   build/tools/...  host tools without sanitizers (also linked into
#                    build/bench/bin and build/release/bin)
#   build/win64/...  Windows x64 kernel mode
#
# A module may set INCLUDES_<path-of-object> to replace the include path of
# one object (the ABI test compiles Debian's headers without ours in view).

DEPFLAGS = -MMD -MP

# Every object depends on its variant's flags file, rewritten only when the
# compiler or its flags change, so a flag change rebuilds what it affects.
define track_flags
ifneq ($$(strip $(2)),$$(strip $$(file <$(BUILD)/$(1)/.flags)))
$$(shell mkdir -p $(BUILD)/$(1))
$$(file >$(BUILD)/$(1)/.flags,$(strip $(2)))
endif
endef
$(eval $(call track_flags,host,$(HOST_CC) $(HOST_CFLAGS) $(SAN_ASAN) $(HOST_INCLUDES)))
$(eval $(call track_flags,tsan,$(HOST_CC) $(HOST_CFLAGS) $(SAN_TSAN) $(HOST_INCLUDES)))
$(eval $(call track_flags,tools,$(HOST_CC) $(TOOL_CFLAGS) $(HOST_INCLUDES)))
$(eval $(call track_flags,win64,$(WIN_CC) $(WIN_CFLAGS) $(WIN_INCLUDES) $(WIN_LDFLAGS)))

includes_for = $(if $(filter undefined,$(origin INCLUDES_$(1))),$(2),$(INCLUDES_$(1)))

$(BUILD)/host/%.o: %.c $(BUILD)/host/.flags
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_ASAN) $(call includes_for,$*,$(HOST_INCLUDES)) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tsan/%.o: %.c $(BUILD)/tsan/.flags
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(SAN_TSAN) $(call includes_for,$*,$(HOST_INCLUDES)) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: %.c $(BUILD)/tools/.flags
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(TOOL_CFLAGS) $(call includes_for,$*,$(HOST_INCLUDES)) $(DEPFLAGS) -c $< -o $@

$(BUILD)/win64/%.o: %.c $(BUILD)/win64/.flags
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) $(WIN_CFLAGS) $(call includes_for,$*,$(WIN_INCLUDES)) $(DEPFLAGS) -c $< -o $@

objs = $(patsubst %.S,$(BUILD)/$(1)/%.o,$(patsubst %.c,$(BUILD)/$(1)/%.o,$(2)))

# Assembly (.S, preprocessed) for the host variants: no sanitizer instruments it.
$(BUILD)/host/%.o: %.S $(BUILD)/host/.flags
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tsan/%.o: %.S $(BUILD)/tsan/.flags
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(DEPFLAGS) -c $< -o $@

$(BUILD)/tools/%.o: %.S $(BUILD)/tools/.flags
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(DEPFLAGS) -c $< -o $@

# $(call host_test,NAME,VARIANT): link build/VARIANT/bin/NAME from
# NAME_SRCS, the portable core and os/posix built for VARIANT, and cmocka.
define host_test
$(BUILD)/$(2)/bin/$(1): $(call objs,$(2),$($(1)_SRCS)) $(BUILD)/$(2)/libwinpv.a
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $(if $(filter tsan,$(2)),$(SAN_TSAN),$(SAN_ASAN)) $$(filter %.o %.a,$$^) -lcmocka -lpthread $($(1)_LDLIBS) -o $$@
CHECK_BINS += $(BUILD)/$(2)/bin/$(1)
endef

# $(call host_program,NAME): link build/host/bin/NAME (ASan + UBSan) from
# NAME_SRCS: programs the tests run (the simulator).
define host_program
$(BUILD)/host/bin/$(1): $(call objs,host,$($(1)_SRCS))
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $(SAN_ASAN) $$^ $($(1)_LDLIBS) -o $$@
HOST_PROGRAM_BINS += $(BUILD)/host/bin/$(1)
endef

# $(call fuzzer,NAME): a libFuzzer target (ASan + UBSan) from NAME_SRCS, with
# NAME_INCLUDES added to the include path, linked with NAME_LDLIBS, and a check of the same name that
# runs it for FUZZ_TIME seconds. Its corpus stays in build/fuzz/NAME/corpus,
# so each run starts where the last stopped; NAME_SEEDS (files) seed it, and
# a crash is saved beside the corpus. A seed build/fuzz/NAME/seeds/S is made
# from the line "S: hex bytes" of NAME_SEED_FILE, where one is given.
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_TIME ?= 5
define fuzzer
$(BUILD)/fuzz/$(1)/obj/%.o: %.c $(BUILD)/host/.flags
	$$(call say,CC,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) $(FUZZ_SAN) $(HOST_INCLUDES) $($(1)_INCLUDES) $(DEPFLAGS) -c $$< -o $$@

$(BUILD)/fuzz/$(1)/$(1): $(patsubst %.c,$(BUILD)/fuzz/$(1)/obj/%.o,$($(1)_SRCS))
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) -fsanitize=fuzzer,address,undefined $$^ $($(1)_LDLIBS) -o $$@

CHECKS += $(1)
$(1)_KIND := status
$(1)_CMD = mkdir -p $(BUILD)/fuzz/$(1)/corpus && $(BUILD)/fuzz/$(1)/$(1) \
    -max_total_time=$(FUZZ_TIME) -timeout=10 -artifact_prefix=$(BUILD)/fuzz/$(1)/ \
    $(if $($(1)_SEEDS),-seed_inputs=$(subst $(space),$(comma),$(strip $($(1)_SEEDS)))) \
    $(BUILD)/fuzz/$(1)/corpus
$(1)_DEPS = $(BUILD)/fuzz/$(1)/$(1) $($(1)_SEEDS)

ifneq ($($(1)_SEED_FILE),)
$(BUILD)/fuzz/$(1)/seeds/%: $($(1)_SEED_FILE)
	$$(call say,GEN,$$@)
	@mkdir -p $$(@D)
	$(Q)perl -ne 'print pack("H*", join("", split(" ", $$$$1))) if /^$$*:(.*)$$$$/' $$< >$$@
	@test -s $$@
endif
endef
comma := ,
space := $(empty) $(empty)

# $(call host_tool,NAME): link build/tools/NAME from NAME_SRCS.
define host_tool
$(BUILD)/tools/$(1): $(call objs,tools,$($(1)_SRCS))
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $$^ $($(1)_LDLIBS) -o $$@
TOOL_BINS += $(BUILD)/tools/$(1)
endef

# $(call plain_program,NAME,DIR): link build/DIR/bin/NAME from NAME_SRCS
# built without sanitizers (as tools are: -O2), the portable core and
# os/posix; its path is added to PLAIN_BINS_DIR.
#   bench    benchmarks and the programs they start (winpv-simd), so a
#            figure never measures a sanitizer
#   release  the programs people run (README), beside each other as they
#            expect, the replacement libraries at build/sim/lib as from
#            build/host/bin
define plain_program
$(BUILD)/$(2)/bin/$(1): $(call objs,tools,$($(1)_SRCS)) $(BUILD)/tools/libwinpv.a
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) $$(filter %.o %.a,$$^) -lpthread $($(1)_LDLIBS) -o $$@
PLAIN_BINS_$(2) += $(BUILD)/$(2)/bin/$(1)
endef

# $(call win_driver,NAME): link build/win64/NAME.sys (+ .pdb) from
# NAME_SRCS, the portable core and os/nt, and the NAME_LIBS import libraries.
define win_driver
$(BUILD)/win64/$(1).sys: $(call objs,win64,$($(1)_SRCS)) $(BUILD)/win64/libwinpv.a $(BUILD)/win64/.flags
	$$(call say,LINK,$$@)
	@mkdir -p $$(@D)
	$(Q)$(WIN_CC) $(WIN_LDFLAGS) -Wl,--pdb=$(BUILD)/win64/$(1).pdb $$(filter %.o %.a,$$^) $(addprefix -l,$($(1)_LIBS)) -o $$@
$(BUILD)/win64/$(1).pdb: $(BUILD)/win64/$(1).sys
DRIVER_IMAGES += $(BUILD)/win64/$(1).sys
endef

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
