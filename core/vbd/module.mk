# The SCSI target a PV disk shows Storport (see core/vbd/scsi.h).
VBD_SCSI_CORE_SRCS := core/vbd/scsi.c core/vbd/scsi_inquiry.c core/vbd/scsi_capacity.c \
                      core/vbd/scsi_mode.c core/vbd/scsi_rw.c core/vbd/scsi_discard.c \
                      core/vbd/scsi_unit.c
CORE_SRCS += $(VBD_SCSI_CORE_SRCS)
