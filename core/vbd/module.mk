# The SCSI target a PV disk shows Storport (see core/vbd/scsi.h).
VBD_SCSI_CORE_SRCS := core/vbd/scsi.c core/vbd/scsi_inquiry.c core/vbd/scsi_capacity.c \
                      core/vbd/scsi_mode.c core/vbd/scsi_rw.c core/vbd/scsi_discard.c \
                      core/vbd/scsi_unit.c core/vbd/scsi_attention.c
CORE_SRCS += $(VBD_SCSI_CORE_SRCS)

# The blkif frontend (see core/vbd/front.h).
CORE_SRCS += core/vbd/front_connect.c core/vbd/front_negotiate.c core/vbd/front_store.c \
             core/vbd/front_queue.c core/vbd/front_region.c core/vbd/front_sg.c \
             core/vbd/front_submit.c core/vbd/front_complete.c core/vbd/front_reconnect.c \
             core/vbd/front_link.c core/vbd/front_life.c core/vbd/front_suspend.c \
             core/vbd/front_dump.c core/vbd/dump.c
