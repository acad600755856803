# The grant table engine (see core/gnttab/gnttab.h).
CORE_SRCS += core/gnttab/gnttab.c core/gnttab/frames.c core/gnttab/refs.c core/gnttab/entry.c \
             core/gnttab/deferred.c core/gnttab/xen_frames.c
