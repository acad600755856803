# The SCSI target of PV disks (core/vbd/scsi.h): each command's bytes checked
# against SPC-4 / SBC-3 for a range of disk descriptions, and a fuzzer.
VBD_SCSI_FIXTURE := tests/vbd/scsi/scsi_fixture.c

HOST_TESTS += vbd_scsi_inquiry
vbd_scsi_inquiry_SRCS := tests/vbd/scsi/scsi_inquiry_test.c $(VBD_SCSI_FIXTURE)

HOST_TESTS += vbd_scsi_rw
vbd_scsi_rw_SRCS := tests/vbd/scsi/scsi_rw_test.c $(VBD_SCSI_FIXTURE)

HOST_TESTS += vbd_scsi_discard
vbd_scsi_discard_SRCS := tests/vbd/scsi/scsi_discard_test.c $(VBD_SCSI_FIXTURE)

HOST_TESTS += vbd_scsi_unit
vbd_scsi_unit_SRCS := tests/vbd/scsi/scsi_unit_test.c $(VBD_SCSI_FIXTURE)

FUZZERS += vbd-scsi-fuzz
vbd-scsi-fuzz_SRCS := tests/vbd/scsi/fuzz_scsi.c $(VBD_SCSI_CORE_SRCS)
VBD_SCSI_SEEDS := unmap write-same read-16 write-10-fua inquiry-83 mode-sense-10 read-capacity-16
vbd-scsi-fuzz_SEEDS := $(VBD_SCSI_SEEDS:%=$(BUILD)/fuzz/vbd-scsi-fuzz/seeds/%)
vbd-scsi-fuzz_SEED_FILE := tests/vbd/scsi/fuzz_seeds.txt

# The unit attention a changed disk description establishes; threads meeting
# one change, under ASan+UBSan and under TSan.
HOST_TESTS += vbd_scsi_attention
vbd_scsi_attention_SRCS := tests/vbd/scsi/scsi_attention_test.c $(VBD_SCSI_FIXTURE)

TSAN_TESTS += vbd_scsi_attention_tsan
vbd_scsi_attention_tsan_SRCS := $(vbd_scsi_attention_SRCS)
