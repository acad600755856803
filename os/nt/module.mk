NT_SRCS += os/nt/memory.c os/nt/sync.c os/nt/work.c os/nt/timer.c os/nt/platform.c \
           os/nt/hypercall.c
