# tests/sim/nt: the simulated Windows kernel (sim/nt).
#
#   ntabi-win64   sim/nt/ntabi.h's structures (LP64) against mingw-w64's
#                 (LLP64) under the Windows x64 toolchain; a difference fails
#                 the build of the object

NTABI_BUILD := $(BUILD)/ntabi
NTABI_WIN64_OBJ := $(BUILD)/win64/tests/sim/nt/ntabi_win64.o

$(NTABI_BUILD)/ntabi_gen: $(call objs,tools,tests/sim/nt/ntabi_gen.c)
	$(call say,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $^ -o $@

$(NTABI_BUILD)/ntabi_expected.h: $(NTABI_BUILD)/ntabi_gen
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@

INCLUDES_tests/sim/nt/ntabi_win64 := -Ios/nt -Isim -Iwindows -I$(NTABI_BUILD)
$(NTABI_WIN64_OBJ): $(NTABI_BUILD)/ntabi_expected.h

CHECKS += ntabi-win64
ntabi-win64_DEPS := $(NTABI_WIN64_OBJ)
ntabi-win64_CMD := echo 1..1 && $(LLVM_BIN)/llvm-readobj --file-headers $(NTABI_WIN64_OBJ) | \
    grep -q 'Format: COFF-x86-64' && \
    echo 'ok 1 - sim/nt/ntabi.h matches mingw-w64 under LLP64 ($(NTABI_WIN64_OBJ))'

# A driver that breaks one kernel rule at a time (see the file), for the
# verifier's tests.
TEST_DRIVERS += misbehave
misbehave_SRCS := tests/sim/nt/drivers/misbehave.c
misbehave_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/misbehave := $(WIN_INCLUDES)

# A Storport miniport that breaks one of Storport's rules at a time (see the
# file), for the verifier's tests.
TEST_DRIVERS += badminiport
badminiport_SRCS := tests/sim/nt/drivers/badminiport.c
badminiport_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/badminiport := $(WIN_INCLUDES) -Iwindows/xenvbd
$(BUILD)/win64/badminiport.sys: $(BUILD)/win64/libstorport.a

# A miniport with a disk in its image and a dump mode (see the file), for
# the simulated Storport's dump mode.
TEST_DRIVERS += dumpdisk
dumpdisk_SRCS := tests/sim/nt/drivers/dumpdisk.c
dumpdisk_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/dumpdisk := $(WIN_INCLUDES) -Iwindows/xenvbd
$(BUILD)/win64/dumpdisk.sys: $(BUILD)/win64/libstorport.a

TEST_DRIVERS += unknown_import
unknown_import_SRCS := tests/sim/nt/drivers/unknown_import.c
unknown_import_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/unknown_import := $(WIN_INCLUDES)

# Driver packages as dist/x64 lays them out, for binding by INF: the shipped
# XENBUS, and the test child driver with its INF.
NTSIM_PACKAGES := $(BUILD)/ntsim-packages
NTSIM_PACKAGE_FILES := $(NTSIM_PACKAGES)/xenbus/xenbus.inf $(NTSIM_PACKAGES)/xenbus/xenbus.sys \
                       $(NTSIM_PACKAGES)/child/child.inf $(NTSIM_PACKAGES)/child/child.sys
$(NTSIM_PACKAGES)/xenbus/%: $(DIST)/x64/xenbus/%
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(NTSIM_PACKAGES)/child/child.inf: tests/sim/nt/drivers/child.inf $(VENDOR_STAMP) scripts/vendor-inf
	@mkdir -p $(@D)
	$(Q)$(call vendor_inf,$<,$@)
$(NTSIM_PACKAGES)/child/child.sys: $(BUILD)/win64/child.sys
	@mkdir -p $(@D)
	$(Q)cp $< $@

# Packages of PV drivers as XENBUS's unplug reads their installation
# (windows/xenbus/unplug.c): a disk and a network driver listing their
# classes, and one listing what it should not; the images are child.sys.
NTSIM_UNPLUG_PACKAGES := $(BUILD)/ntsim-unplug-packages
NTSIM_UNPLUG_DRIVERS := pvdisk pvnic misconfigured
NTSIM_UNPLUG_PACKAGE_FILES := $(NTSIM_UNPLUG_PACKAGES)/xenbus/xenbus.inf \
    $(NTSIM_UNPLUG_PACKAGES)/xenbus/xenbus.sys \
    $(foreach d,$(NTSIM_UNPLUG_DRIVERS),$(NTSIM_UNPLUG_PACKAGES)/$(d)/$(d).inf \
                                        $(NTSIM_UNPLUG_PACKAGES)/$(d)/$(d).sys)
$(NTSIM_UNPLUG_PACKAGES)/xenbus/%: $(DIST)/x64/xenbus/%
	@mkdir -p $(@D)
	$(Q)cp $< $@
define ntsim_unplug_package
$(NTSIM_UNPLUG_PACKAGES)/$(1)/$(1).inf: tests/sim/nt/drivers/$(1).inf $(VENDOR_STAMP) scripts/vendor-inf
	@mkdir -p $$(@D)
	$(Q)$$(call vendor_inf,$$<,$$@)
$(NTSIM_UNPLUG_PACKAGES)/$(1)/$(1).sys: $(BUILD)/win64/child.sys
	@mkdir -p $$(@D)
	$(Q)cp $$< $$@
endef
$(foreach d,$(NTSIM_UNPLUG_DRIVERS),$(eval $(call ntsim_unplug_package,$(d))))

# ddi.sys's package, apart from xenbus.inf (both name the platform device).
NTSIM_DDI_PACKAGE := $(BUILD)/ntsim-ddi-packages/ddi
NTSIM_DDI_PACKAGE_FILES := $(NTSIM_DDI_PACKAGE)/ddi.inf $(NTSIM_DDI_PACKAGE)/ddi.sys
$(NTSIM_DDI_PACKAGE)/ddi.inf: tests/sim/nt/drivers/ddi.inf
	@mkdir -p $(@D)
	$(Q)cp $< $@
$(NTSIM_DDI_PACKAGE)/ddi.sys: $(BUILD)/win64/ddi.sys
	@mkdir -p $(@D)
	$(Q)cp $< $@

# The shipped disk drivers as dist/x64 lays them out: XENBUS and XENVBD.
NTSIM_DISK_PACKAGES := $(BUILD)/ntsim-disk-packages
NTSIM_DISK_PACKAGE_FILES := $(foreach d,xenbus xenvbd,$(NTSIM_DISK_PACKAGES)/$(d)/$(d).inf \
                                                      $(NTSIM_DISK_PACKAGES)/$(d)/$(d).sys)
$(NTSIM_DISK_PACKAGES)/%: $(DIST)/x64/%
	@mkdir -p $(@D)
	$(Q)cp $< $@
# By name, for the disk bench, whose module is read before this one.
.PHONY: ntsim-disk-packages
ntsim-disk-packages: $(NTSIM_DISK_PACKAGE_FILES)

# The simulated kernel running xenbus.sys and the test drivers on winpv-simd.
NTSIM_TEST_SRCS := tests/sim/nt/ntsim_fixture.c $(SIM_TOOLSTACK_SRCS) $(SIM_NT_CPU_SRCS)
NTSIM_TEST_NEEDS := $(BUILD)/host/bin/winpv-ntsim $(BUILD)/host/bin/winpv-simd \
                    $(BUILD)/win64/xenbus.sys $(BUILD)/win64/misbehave.sys $(BUILD)/win64/child.sys $(BUILD)/win64/ddi.sys \
                    $(BUILD)/win64/badminiport.sys $(BUILD)/win64/dumpdisk.sys \
                    $(BUILD)/win64/unknown_import.sys $(SIMLIB_FILES) $(NTSIM_PACKAGE_FILES) \
                    $(NTSIM_DDI_PACKAGE_FILES) $(NTSIM_DISK_PACKAGE_FILES)

HOST_TESTS += ntsim_xenbus
ntsim_xenbus_SRCS := tests/sim/nt/xenbus_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenbus_unplug
ntsim_xenbus_unplug_SRCS := tests/sim/nt/xenbus_unplug_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_unplug_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_unplug: | $(NTSIM_TEST_NEEDS) $(NTSIM_UNPLUG_PACKAGE_FILES)

HOST_TESTS += ntsim_verifier
ntsim_verifier_SRCS := tests/sim/nt/verifier_test.c $(NTSIM_TEST_SRCS)
ntsim_verifier_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_verifier: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenbus_faults
ntsim_xenbus_faults_SRCS := tests/sim/nt/xenbus_faults_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_faults_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_faults: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenbus_agent
ntsim_xenbus_agent_SRCS := tests/sim/nt/xenbus_agent_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_agent_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_agent: | $(NTSIM_TEST_NEEDS)

# xenvbd.sys under the simulated Storport; hot-plug, unplug and resize apart.
HOST_TESTS += ntsim_xenvbd
ntsim_xenvbd_SRCS := tests/sim/nt/xenvbd_test.c tests/sim/nt/disk_fixture.c $(NTSIM_TEST_SRCS)
ntsim_xenvbd_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenvbd_faults
ntsim_xenvbd_faults_SRCS := tests/sim/nt/xenvbd_faults_test.c $(NTSIM_TEST_SRCS)
ntsim_xenvbd_faults_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenvbd_faults: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenvbd_boot
ntsim_xenvbd_boot_SRCS := tests/sim/nt/xenvbd_boot_test.c $(NTSIM_TEST_SRCS)
ntsim_xenvbd_boot_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenvbd_boot: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenvbd_io
ntsim_xenvbd_io_SRCS := tests/sim/nt/xenvbd_io_test.c tests/sim/nt/disk_fixture.c $(NTSIM_TEST_SRCS)
ntsim_xenvbd_io_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_io: | $(NTSIM_TEST_NEEDS)
HOST_TESTS += ntsim_storport_dump
ntsim_storport_dump_SRCS := tests/sim/nt/storport_dump_test.c tests/sim/nt/disk_fixture.c \
                            $(NTSIM_TEST_SRCS)
ntsim_storport_dump_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_storport_dump: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenvbd_hotplug
ntsim_xenvbd_hotplug_SRCS := tests/sim/nt/xenvbd_hotplug_test.c tests/sim/nt/disk_fixture.c \
                             $(NTSIM_TEST_SRCS)
ntsim_xenvbd_hotplug_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_hotplug: | $(NTSIM_TEST_NEEDS)

# The guest's disks served by winpv-blkback (tests/sim/nt/ntsim_blkback.h).
NTSIM_BLKBACK_SRCS := tests/sim/nt/ntsim_blkback.c sim/toolstack/blkback.c \
                      tests/sim/nt/disk_fixture.c $(NTSIM_TEST_SRCS)
NTSIM_BLKBACK_NEEDS := $(NTSIM_TEST_NEEDS) $(BUILD)/host/bin/winpv-blkback

# xenvbd.sys against winpv-blkback with each feature switched off, and read-only.
HOST_TESTS += ntsim_xenvbd_blkback
ntsim_xenvbd_blkback_SRCS := tests/sim/nt/xenvbd_blkback_test.c $(NTSIM_BLKBACK_SRCS)
ntsim_xenvbd_blkback_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_blkback: | $(NTSIM_BLKBACK_NEEDS)

# xenvbd.sys's dump mode: crash dumps and hibernations on QEMU and winpv-blkback.
HOST_TESTS += ntsim_xenvbd_dump
ntsim_xenvbd_dump_SRCS := tests/sim/nt/xenvbd_dump_test.c $(NTSIM_BLKBACK_SRCS)
ntsim_xenvbd_dump_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_dump: | $(NTSIM_BLKBACK_NEEDS)

# winpv-blkback killed 50 times under the guest's flushed writes, each one checked.
HOST_TESTS += ntsim_xenvbd_restart
ntsim_xenvbd_restart_SRCS := tests/sim/nt/xenvbd_restart_test.c $(NTSIM_BLKBACK_SRCS)
ntsim_xenvbd_restart_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_restart: | $(NTSIM_BLKBACK_NEEDS)

# xenvbd.sys against winpv-blkback breaking the rules (--misbehave, --node).
HOST_TESTS += ntsim_xenvbd_hostile
ntsim_xenvbd_hostile_SRCS := tests/sim/nt/xenvbd_hostile_test.c $(NTSIM_BLKBACK_SRCS)
ntsim_xenvbd_hostile_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) -lcrypto
$(BUILD)/host/bin/ntsim_xenvbd_hostile: | $(NTSIM_BLKBACK_NEEDS)

HOST_TESTS += ntsim_xenbus_balloon
ntsim_xenbus_balloon_SRCS := tests/sim/nt/xenbus_balloon_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_balloon_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_balloon: | $(NTSIM_TEST_NEEDS)

# xenbus.sys's log in xenconsoled's log of the guest's PV console.
HOST_TESTS += ntsim_xenbus_console
ntsim_xenbus_console_SRCS := tests/sim/nt/xenbus_console_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_console_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_console: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenbus_suspend
ntsim_xenbus_suspend_SRCS := tests/sim/nt/xenbus_suspend_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_suspend_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_suspend: | $(NTSIM_TEST_NEEDS)

HOST_TESTS += ntsim_xenbus_children
ntsim_xenbus_children_SRCS := tests/sim/nt/xenbus_children_test.c $(NTSIM_TEST_SRCS)
ntsim_xenbus_children_LDLIBS := $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntsim_xenbus_children: | $(NTSIM_TEST_NEEDS)

# A child driver of XENBUS for tests: asks for interfaces as XENVBD will.
TEST_DRIVERS += child
child_SRCS := tests/sim/nt/drivers/child.c windows/common/query_interface.c
child_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/child := $(WIN_INCLUDES) -Itests/sim/nt/drivers

# Built against Debian's Xen headers and libraries, as dom0 programs are (see tests/sim/lib).
HOST_TESTS += ntsim_child_driver
ntsim_child_driver_SRCS := tests/sim/nt/child_driver_test.c $(NTSIM_TEST_SRCS)
ntsim_child_driver_LDLIBS = $(SIMLIB_TEST_LDLIBS) $(SIM_TOOLSTACK_LDLIBS) $(SIM_NT_CPU_LDLIBS) \
                            -l:libxenevtchn.so.1 -l:libxengnttab.so.1
INCLUDES_tests/sim/nt/child_driver_test := -Isim -Isim/client -Isim/toolstack -Itests/sim/nt \
                                       -Itests/sim/nt/drivers
$(BUILD)/host/bin/ntsim_child_driver: $(SIMLIB_FILES) | $(NTSIM_TEST_NEEDS)

# The kernel's functions checked one by one from a driver image.
TEST_DRIVERS += ddi
ddi_SRCS := tests/sim/nt/drivers/ddi.c
ddi_LIBS := ntoskrnl hal
INCLUDES_tests/sim/nt/drivers/ddi := $(WIN_INCLUDES)
# sim/nt's INF reader, driver choice and registry (sim/nt/inf*.c, registry*.c),
# on their own: hand-written INFs, packages in a scratch directory, and the
# shipped dist/x64 with windows/xenbus/xenbus.inf.
INF_TEST_SRCS := tests/sim/nt/inf_fixture.c $(NT_INF_SRCS) tools/pecheck/file.c \
                 tools/pecheck/failure.c

HOST_TESTS += inf_parse
inf_parse_SRCS := tests/sim/nt/inf_parse_test.c $(INF_TEST_SRCS)

HOST_TESTS += inf_select
inf_select_SRCS := tests/sim/nt/inf_select_test.c $(INF_TEST_SRCS)

HOST_TESTS += nt_registry
nt_registry_SRCS := tests/sim/nt/registry_test.c $(INF_TEST_SRCS)

HOST_TESTS += inf_addreg
inf_addreg_SRCS := tests/sim/nt/inf_addreg_test.c $(INF_TEST_SRCS)

# The shipped package, as make leaves it in dist/x64 (needed to run, not to build).
HOST_TESTS += inf_xenbus
inf_xenbus_SRCS := tests/sim/nt/inf_xenbus_test.c $(INF_TEST_SRCS)
$(BUILD)/host/tests/sim/nt/inf_xenbus_test.o: HOST_CFLAGS += -DINF_TEST_DIST='"$(DIST)/x64"' \
    -DWINPV_VENDOR_DEVICE_ID='"$(VENDOR_DEVICE_ID)"'
$(BUILD)/host/tests/sim/nt/inf_xenbus_test.o: $(VENDOR_STAMP)
$(BUILD)/host/bin/inf_xenbus: | $(DIST)/x64/xenbus/xenbus.inf $(DIST)/x64/xenbus/xenbus.sys

# A libFuzzer target over the INF reader, its driver choice and the registry
# it seeds, from the shipped xenbus.inf, a seed using every rule, and UTF-16.
FUZZERS += inf-fuzz
inf-fuzz_SRCS := tests/sim/nt/inf_fuzz.c $(NT_INF_CORE_SRCS)
inf-fuzz_SEEDS := windows/xenbus/xenbus.inf tests/sim/nt/inf_fuzz_seed.inf \
                  $(BUILD)/fuzz/inf-fuzz/seeds/utf16
inf-fuzz_SEED_FILE := tests/sim/nt/inf_fuzz_seeds.txt

# winpv-sim up --guest and winpv-sim pnp, as a person uses them.
CHECKS += sim-guest-cli
sim-guest-cli_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd \
                     $(BUILD)/host/bin/winpv-ntsim $(SIMLIB_FILES) $(NTSIM_PACKAGE_FILES)
sim-guest-cli_CMD = tests/sim/nt/check_guest_cli.sh $(BUILD)/host/bin $(NTSIM_PACKAGES) $(VENDOR_PREFIX)

# winpv-sim up --disk-image --guest and winpv-sim io, as a person uses them.
CHECKS += sim-disk-cli
sim-disk-cli_DEPS = $(BUILD)/host/bin/winpv-sim $(BUILD)/host/bin/winpv-simd \
                    $(BUILD)/host/bin/winpv-ntsim $(SIMLIB_FILES) $(NTSIM_DISK_PACKAGE_FILES)
sim-disk-cli_CMD = tests/sim/nt/check_disk_cli.sh $(BUILD)/host/bin $(NTSIM_DISK_PACKAGES)
