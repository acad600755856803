# winpv-blkback: a blkif backend in dom0 of winpv-simd, one process per disk,
# backed by an image file through io_uring (see sim/blkback/main.c). It talks
# to Xen through the replacement libxengnttab/libxenevtchn (build/sim/lib),
# to xenstored through Debian's libxenstore, and runs core/ring's back end.
HOST_PROGRAMS += winpv-blkback
winpv-blkback_SRCS := sim/blkback/main.c sim/blkback/options.c sim/blkback/xenbus.c \
                      sim/blkback/device.c sim/blkback/request.c sim/blkback/grants.c \
                      sim/blkback/disk.c sim/blkback/io.c sim/blkback/dom0.c \
                      sim/blkback/misbehave.c
# The ring engine and the os/posix it needs, from the host variant's library.
$(BUILD)/host/bin/winpv-blkback: $(BUILD)/host/libwinpv.a
winpv-blkback_LDLIBS = -Wl,-rpath,'$$$$ORIGIN/../../sim/lib' -l:libxengnttab.so.1 \
                       -l:libxenevtchn.so.1 -lxenstore -luring -lpthread
# The one file that uses libxengnttab/libxenevtchn sees Debian's headers only.
INCLUDES_sim/blkback/dom0 :=
