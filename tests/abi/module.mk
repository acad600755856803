# tests/abi: include/xen checked against Debian's Xen 4.17 headers
# (libxen-dev, /usr/include/xen). abi_list.h names every fact once; it is
# expanded against each set of headers.
#
#   abi           host test: a table from each set of headers, compared
#   abi-win64     the same facts as static assertions under the Windows x64
#                 toolchain, against values abi_gen writes from Debian's
#                 headers; a difference fails the build
#   abi-complete  every name include/xen defines is in abi_list.h

HOST_TESTS += abi
abi_SRCS := tests/abi/abi_test.c tests/abi/abi_theirs.c tests/abi/abi_ours.c

# Debian's headers only: the system include path, never include/.
INCLUDES_tests/abi/abi_theirs :=
# Ours only, and nothing of the system's but the compiler's own headers.
INCLUDES_tests/abi/abi_ours := -nostdlibinc -Iinclude

ABI_BUILD := $(BUILD)/abi
ABI_WIN64_OBJ := $(BUILD)/win64/tests/abi/abi_win64.o

$(ABI_BUILD)/abi_gen: $(call objs,tools,tests/abi/abi_gen.c tests/abi/abi_theirs.c)
	$(call say,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $^ -o $@

$(ABI_BUILD)/abi_expected.h: $(ABI_BUILD)/abi_gen
	$(call say,GEN,$@)
	$(Q)$< >$@.tmp && mv $@.tmp $@

INCLUDES_tests/abi/abi_win64 := -Iinclude -I$(ABI_BUILD)
$(ABI_WIN64_OBJ): $(ABI_BUILD)/abi_expected.h

# Building the object is the check; this confirms it was built for Windows x64.
CHECKS += abi-win64
abi-win64_DEPS := $(ABI_WIN64_OBJ)
abi-win64_CMD := echo 1..1 && $(LLVM_BIN)/llvm-readobj --file-headers $(ABI_WIN64_OBJ) | \
    grep -q 'Format: COFF-x86-64' && \
    echo 'ok 1 - include/xen matches Xen 4.17 under LLP64 ($(ABI_WIN64_OBJ))'

# A lint of the list: it reads headers, runs nothing.
CHECKS += abi-complete
abi-complete_CMD := bash tests/abi/abi_complete.sh $(HOST_CC) include tests/abi/abi_list.h
abi-complete_KIND := lint
