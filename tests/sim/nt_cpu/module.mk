# sim/nt/cpu: privileged instructions of driver images trapped and emulated,
# on hand-written code (image_code.S, copied into a mapping and prepared
# there) and on the real xenbus.sys.

# The test image's code, assembled (it is data in the test binaries).
NTCPU_IMAGE_OBJ := $(BUILD)/host/tests/sim/nt_cpu/image_code.o
$(NTCPU_IMAGE_OBJ): tests/sim/nt_cpu/image_code.S tests/sim/nt_cpu/image_code.h
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -c $< -o $@

NTCPU_FIXTURE_SRCS := tests/sim/nt_cpu/image.c tests/sim/nt_cpu/machine.c $(SIM_NT_CPU_SRCS)

# Every emulated instruction in both modes (NT_CPU_FAULT where the host has
# CPUID faulting), and the faults nothing emulates.
HOST_TESTS += ntcpu_emulation
ntcpu_emulation_SRCS := tests/sim/nt_cpu/emulation_test.c $(NTCPU_FIXTURE_SRCS)
ntcpu_emulation_LDLIBS := $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntcpu_emulation: $(NTCPU_IMAGE_OBJ)

# Preparing images: what is refused, what is left alone, the code ranges.
HOST_TESTS += ntcpu_prepare
ntcpu_prepare_SRCS := tests/sim/nt_cpu/prepare_test.c $(NTCPU_FIXTURE_SRCS)
ntcpu_prepare_LDLIBS := $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntcpu_prepare: $(NTCPU_IMAGE_OBJ)

# Faults outside every image reach the handler that was there before.
HOST_TESTS += ntcpu_host_faults
ntcpu_host_faults_SRCS := tests/sim/nt_cpu/host_faults_test.c $(NTCPU_FIXTURE_SRCS)
ntcpu_host_faults_LDLIBS := $(SIM_NT_CPU_LDLIBS)
$(BUILD)/host/bin/ntcpu_host_faults: $(NTCPU_IMAGE_OBJ)

# xenbus.sys mapped by its sections and prepared (pecheck's PE reader).
include tools/pecheck/sources.mk
HOST_TESTS += ntcpu_xenbus
ntcpu_xenbus_SRCS := tests/sim/nt_cpu/xenbus_image_test.c $(SIM_NT_CPU_SRCS) $(PECHECK_LIB_SRCS)
ntcpu_xenbus_LDLIBS := $(SIM_NT_CPU_LDLIBS)
INCLUDES_tests/sim/nt_cpu/xenbus_image_test = $(HOST_INCLUDES) -Itools/pecheck
$(BUILD)/host/tests/sim/nt_cpu/xenbus_image_test.o: HOST_CFLAGS += \
    -DNTCPU_XENBUS_SYS='"$(BUILD)/win64/xenbus.sys"'
# Needed when the test runs, not to build it.
$(BUILD)/host/tests/sim/nt_cpu/xenbus_image_test.o: | $(BUILD)/win64/xenbus.sys
