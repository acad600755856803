# tests/nt: the simulated Windows kernel (sim/nt).
#
#   ntabi-win64   sim/nt/ntabi.h's structures (LP64) against mingw-w64's
#                 (LLP64) under the Windows x64 toolchain; a difference fails
#                 the build of the object

NTABI_BUILD := $(BUILD)/ntabi
NTABI_WIN64_OBJ := $(BUILD)/win64/tests/nt/ntabi_win64.o

$(NTABI_BUILD)/ntabi_gen: $(call objs,tools,tests/nt/ntabi_gen.c)
	$(call say,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $^ -o $@

$(NTABI_BUILD)/ntabi_expected.h: $(NTABI_BUILD)/ntabi_gen
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@

INCLUDES_tests/nt/ntabi_win64 := -Ios/nt -Isim -I$(NTABI_BUILD)
$(NTABI_WIN64_OBJ): $(NTABI_BUILD)/ntabi_expected.h

CHECKS += ntabi-win64
ntabi-win64_DEPS := $(NTABI_WIN64_OBJ)
ntabi-win64_CMD := $(LLVM_BIN)/llvm-readobj --file-headers $(NTABI_WIN64_OBJ) | \
    grep -q 'Format: COFF-x86-64' && \
    echo 'ok 1 - sim/nt/ntabi.h matches mingw-w64 under LLP64 ($(NTABI_WIN64_OBJ))'
