# Toolchains and flags. Both toolchains are LLVM 16 (Debian 12 packages
# clang-16 and lld-16); see docs/BUILDING.md for why each flag is here.

LLVM_BIN  := /usr/lib/llvm-16/bin
BUILD     := build
DIST      := dist
MINGW     := /usr/x86_64-w64-mingw32

ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @printf '  %-8s %s\n' $(1) $(2);
endif

# Paths inside the tree are written relative to the top, so build outputs
# (objects, PDBs) do not depend on where the tree was cloned.
PREFIX_MAP := '-ffile-prefix-map=$(CURDIR)=.' -fdebug-compilation-dir=.

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wvla -Wno-unused-parameter

# -- host: tests, the emulator, tools -------------------------------------
HOST_CC      := $(LLVM_BIN)/clang
HOST_AR      := $(LLVM_BIN)/llvm-ar
HOST_CFLAGS  := -std=gnu11 -g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE \
                $(WARNINGS) $(PREFIX_MAP)
SAN_ASAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_TSAN     := -fsanitize=thread
HOST_INCLUDES = -Iinclude -Icore -Ios/posix -Isim -Isim/client -Isim/guest -Isim/toolstack
# The fixtures tests and benchmarks share, as "support/..." (last: core's names come first).
HOST_INCLUDES += -Itests

# -- win64: kernel-mode drivers -------------------------------------------
WIN_CC       := $(LLVM_BIN)/clang
WIN_AR       := $(LLVM_BIN)/llvm-ar
WIN_TARGET   := --target=x86_64-w64-windows-gnu
WIN_CFLAGS   := $(WIN_TARGET) -std=gnu11 -fms-extensions -O2 -g -gcodeview \
                -fno-builtin -fno-stack-protector -mno-stack-arg-probe \
                -mgeneral-regs-only \
                -D_AMD64_ -D_WIN64 -DNTDDI_VERSION=0x0A000000 -D_WIN32_WINNT=0x0A00 \
                -isystem $(MINGW)/include/ddk -isystem $(MINGW)/include \
                -gno-codeview-command-line $(WARNINGS) -Wno-strict-prototypes $(PREFIX_MAP)
WIN_INCLUDES  = -Iinclude -Icore -Ios/nt -Iwindows/common
WIN_LDFLAGS  := $(WIN_TARGET) -fuse-ld=lld -nostdlib -L$(MINGW)/lib \
                -Wl,--subsystem,native:10.0 -Wl,--image-base,0x140000000 \
                -Wl,--file-alignment,0x200 -Wl,--section-alignment,0x1000 \
                -Wl,--dynamicbase -Wl,--nxcompat -Wl,-e,DriverEntry \
                -Xlinker -Xlink=/section:INIT,ERD -Xlinker -Xlink=/release \
                -Xlinker -Xlink=/driver -Xlinker -Xlink=/tsaware:no \
                -Xlinker -Xlink=/pdbaltpath:%_PDB% -Xlinker -Xlink=/Brepro \
                -Xlinker -Xlink=/pdbsourcepath:C:/winpv

# -- tools built for the host without sanitizers (pecheck) ----------------
TOOL_CFLAGS  := -std=gnu11 -g -O2 -D_GNU_SOURCE $(WARNINGS) $(PREFIX_MAP)
