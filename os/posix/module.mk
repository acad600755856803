POSIX_SRCS += os/posix/context.c os/posix/event.c os/posix/work.c os/posix/timer.c \
              os/posix/memory.c os/posix/platform.c
