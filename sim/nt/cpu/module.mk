# sim/nt/cpu: the privileged instructions of a Windows kernel image, trapped
# and emulated in a Linux process (see cpu.h). Linked into the simulated
# kernel and its tests; Zydis decodes.
SIM_NT_CPU_SRCS := sim/nt/cpu/trap.c sim/nt/cpu/emulate.c sim/nt/cpu/decode.c \
                   sim/nt/cpu/images.c sim/nt/cpu/prepare.c sim/nt/cpu/altstack.c \
                   sim/nt/cpu/cpuid_faulting.c sim/nt/cpu/stats.c sim/nt/cpu/code_ranges.c
SIM_NT_CPU_LDLIBS := -lZydis
