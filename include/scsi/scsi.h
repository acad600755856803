/*
 * scsi/scsi.h - SCSI facts a disk target needs: operation codes, status,
 * sense keys and additional sense codes, VPD and mode page codes, and the
 * sizes of the structures a target returns. The values are those of the
 * T10 standards (SPC-4 for the primary commands, SBC-3 for block devices);
 * the names are ours.
 */
#ifndef WINPV_SCSI_SCSI_H
#define WINPV_SCSI_SCSI_H

/* -- operation codes ------------------------------------------------------ */

#define SCSI_OP_TEST_UNIT_READY     0x00
#define SCSI_OP_REQUEST_SENSE       0x03
#define SCSI_OP_READ_6              0x08
#define SCSI_OP_WRITE_6             0x0a
#define SCSI_OP_INQUIRY             0x12
#define SCSI_OP_MODE_SELECT_6       0x15
#define SCSI_OP_MODE_SENSE_6        0x1a
#define SCSI_OP_START_STOP_UNIT     0x1b
#define SCSI_OP_PREVENT_ALLOW       0x1e
#define SCSI_OP_READ_CAPACITY_10    0x25
#define SCSI_OP_READ_10             0x28
#define SCSI_OP_WRITE_10            0x2a
#define SCSI_OP_VERIFY_10           0x2f
#define SCSI_OP_SYNCHRONIZE_CACHE   0x35
#define SCSI_OP_WRITE_SAME_10       0x41
#define SCSI_OP_UNMAP               0x42
#define SCSI_OP_MODE_SELECT_10      0x55
#define SCSI_OP_MODE_SENSE_10       0x5a
#define SCSI_OP_VARIABLE_LENGTH     0x7f
#define SCSI_OP_READ_16             0x88
#define SCSI_OP_WRITE_16            0x8a
#define SCSI_OP_SYNCHRONIZE_CACHE16 0x91
#define SCSI_OP_WRITE_SAME_16       0x93
#define SCSI_OP_SERVICE_ACTION_IN16 0x9e /* READ CAPACITY(16) is one of its actions */
#define SCSI_OP_REPORT_LUNS         0xa0
#define SCSI_OP_READ_12             0xa8
#define SCSI_OP_WRITE_12            0xaa

/* Service actions of SERVICE ACTION IN(16) (low five bits of CDB byte 1). */
#define SCSI_SAI_READ_CAPACITY_16 0x10
#define SCSI_SAI_GET_LBA_STATUS   0x12
#define SCSI_SERVICE_ACTION_MASK  0x1f

/* -- status --------------------------------------------------------------- */

#define SCSI_STATUS_GOOD            0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02
#define SCSI_STATUS_BUSY            0x08

/* -- sense data ----------------------------------------------------------- */

/* Fixed-format sense data: response code, where each field lives, its size. */
#define SCSI_SENSE_FIXED_CURRENT    0x70
#define SCSI_SENSE_FIXED_LEN        18
#define SCSI_SENSE_OFF_KEY          2
#define SCSI_SENSE_OFF_ADD_LEN      7
#define SCSI_SENSE_OFF_ASC          12
#define SCSI_SENSE_OFF_ASCQ         13
#define SCSI_SENSE_KEY_MASK         0x0f
#define SCSI_SENSE_FIXED_ADDITIONAL (SCSI_SENSE_FIXED_LEN - 8)

#define SCSI_KEY_NO_SENSE        0x0
#define SCSI_KEY_RECOVERED_ERROR 0x1
#define SCSI_KEY_NOT_READY       0x2
#define SCSI_KEY_MEDIUM_ERROR    0x3
#define SCSI_KEY_HARDWARE_ERROR  0x4
#define SCSI_KEY_ILLEGAL_REQUEST 0x5
#define SCSI_KEY_UNIT_ATTENTION  0x6
#define SCSI_KEY_DATA_PROTECT    0x7
#define SCSI_KEY_ABORTED_COMMAND 0xb

/* Additional sense codes (ASC); each pairs with ASCQ 0x00 unless noted. */
#define SCSI_ASC_NO_ADDITIONAL            0x00
#define SCSI_ASC_LUN_NOT_READY            0x04 /* ASCQ 0x00: cause not reportable */
#define SCSI_ASC_WRITE_ERROR              0x0c
#define SCSI_ASC_UNRECOVERED_READ         0x11
#define SCSI_ASC_PARAM_LIST_LENGTH        0x1a
#define SCSI_ASC_INVALID_OPCODE           0x20
#define SCSI_ASC_LBA_OUT_OF_RANGE         0x21
#define SCSI_ASC_INVALID_FIELD_CDB        0x24
#define SCSI_ASC_INVALID_FIELD_PARAM      0x26
#define SCSI_ASC_WRITE_PROTECTED          0x27
#define SCSI_ASC_MEDIUM_MAY_HAVE_CHANGED  0x28 /* NOT READY TO READY CHANGE */
#define SCSI_ASC_PARAMETERS_CHANGED       0x2a /* with one of the ASCQs below */
#define SCSI_ASCQ_MODE_PARAMETERS_CHANGED 0x01
#define SCSI_ASCQ_CAPACITY_DATA_CHANGED   0x09
#define SCSI_ASC_SAVING_NOT_SUPPORTED     0x39
#define SCSI_ASC_MEDIUM_NOT_PRESENT       0x3a
#define SCSI_ASC_CHANGED_OPERATING        0x3f /* with the ASCQ below */
#define SCSI_ASCQ_INQUIRY_DATA_CHANGED    0x03
#define SCSI_ASC_INTERNAL_FAILURE         0x44

/* -- INQUIRY -------------------------------------------------------------- */

#define SCSI_TYPE_DIRECT_ACCESS 0x00 /* SBC: a disk */
#define SCSI_TYPE_CDROM         0x05 /* MMC: a CD/DVD drive */

#define SCSI_INQUIRY_EVPD         0x01 /* CDB byte 1 */
#define SCSI_INQUIRY_CMDDT        0x02 /* CDB byte 1, obsolete */
#define SCSI_INQUIRY_RMB          0x80 /* standard data byte 1 */
#define SCSI_INQUIRY_VERSION_SPC4 0x06 /* standard data byte 2 */
#define SCSI_INQUIRY_FORMAT_2     0x02 /* standard data byte 3: response data format */
#define SCSI_INQUIRY_HISUP        0x10 /* standard data byte 3 */
#define SCSI_INQUIRY_CMDQUE       0x02 /* standard data byte 7 */
#define SCSI_INQUIRY_STD_LEN      36
#define SCSI_INQUIRY_VENDOR_LEN   8
#define SCSI_INQUIRY_PRODUCT_LEN  16
#define SCSI_INQUIRY_REVISION_LEN 4

/* Vital product data pages. */
#define SCSI_VPD_SUPPORTED_PAGES 0x00
#define SCSI_VPD_UNIT_SERIAL     0x80
#define SCSI_VPD_DEVICE_ID       0x83
#define SCSI_VPD_BLOCK_LIMITS    0xb0
#define SCSI_VPD_BLOCK_DEVICE    0xb1 /* block device characteristics */
#define SCSI_VPD_PROVISIONING    0xb2 /* logical block provisioning */
#define SCSI_VPD_HEADER_LEN      4

/* Device identification descriptors (page 0x83). */
#define SCSI_ID_CODESET_BINARY 0x1
#define SCSI_ID_CODESET_ASCII  0x2
#define SCSI_ID_TYPE_T10       0x1 /* T10 vendor ID based; association: the LU */
#define SCSI_ID_TYPE_NAA       0x3
#define SCSI_ID_HEADER_LEN     4
#define SCSI_NAA_LOCAL         0x3 /* NAA locally assigned: 60 bits of our own */
#define SCSI_NAA_LEN           8

/* Block limits (page 0xb0). */
#define SCSI_VPD_BLOCK_LIMITS_LEN 0x3c
#define SCSI_BL_WSNZ              0x01 /* byte 4: WRITE SAME with 0 blocks refused */
#define SCSI_BL_UGAVALID          0x80000000u

/* Block device characteristics (page 0xb1). */
#define SCSI_VPD_BLOCK_DEVICE_LEN 0x3c
#define SCSI_ROTATION_NONE        0x0001 /* a non-rotating medium */

/* Logical block provisioning (page 0xb2). */
#define SCSI_VPD_PROVISIONING_LEN 0x04
#define SCSI_LBP_LBPU             0x80 /* byte 5: UNMAP supported */
#define SCSI_LBP_LBPWS            0x40 /* byte 5: WRITE SAME(16) with UNMAP supported */
#define SCSI_LBP_THIN             0x02 /* byte 6: provisioning type thin */

/* -- READ CAPACITY -------------------------------------------------------- */

#define SCSI_READ_CAPACITY_10_LEN 8
#define SCSI_READ_CAPACITY_16_LEN 32
#define SCSI_READ_CAPACITY_PMI    0x01   /* READ CAPACITY(10) CDB byte 8, obsolete */
#define SCSI_RC16_LBPME           0x80   /* byte 14 */
#define SCSI_RC16_ALIGNED_MASK    0x3fff /* bytes 14-15: lowest aligned LBA */

/* -- READ and WRITE ------------------------------------------------------- */

#define SCSI_RW_FUA          0x08 /* CDB byte 1 of the 10, 12 and 16-byte forms */
#define SCSI_RW_PROTECT_MASK 0xe0 /* RDPROTECT / WRPROTECT in CDB byte 1 */
#define SCSI_RW6_LBA_MASK    0x1fffff

/* -- UNMAP and WRITE SAME ------------------------------------------------- */

#define SCSI_UNMAP_ANCHOR      0x01 /* CDB byte 1 */
#define SCSI_UNMAP_HEADER_LEN  8
#define SCSI_UNMAP_DESC_LEN    16
#define SCSI_WRITE_SAME_NDOB   0x01 /* CDB byte 1: no data-out buffer */
#define SCSI_WRITE_SAME_UNMAP  0x08
#define SCSI_WRITE_SAME_ANCHOR 0x10

/* -- MODE SENSE ----------------------------------------------------------- */

#define SCSI_MODE_DBD           0x08 /* CDB byte 1: no block descriptors */
#define SCSI_MODE_LLBAA         0x10 /* MODE SENSE(10) CDB byte 1: long LBA descriptors */
#define SCSI_MODE_PAGE_MASK     0x3f /* CDB byte 2 */
#define SCSI_MODE_PC_SHIFT      6
#define SCSI_MODE_PC_CURRENT    0
#define SCSI_MODE_PC_CHANGEABLE 1
#define SCSI_MODE_PC_DEFAULT    2
#define SCSI_MODE_PC_SAVED      3
#define SCSI_MODE_SUBPAGE_ALL   0xff

#define SCSI_MODE_HEADER6_LEN    4
#define SCSI_MODE_HEADER10_LEN   8
#define SCSI_MODE_WP             0x80 /* device-specific parameter: write protected */
#define SCSI_MODE_DPOFUA         0x10 /* device-specific parameter: DPO and FUA honoured */
#define SCSI_MODE_LONGLBA        0x01 /* MODE SENSE(10) header byte 4 */
#define SCSI_MODE_BLOCK_DESC_LEN 8
#define SCSI_MODE_LONG_DESC_LEN  16

#define SCSI_MODE_PAGE_CACHING        0x08
#define SCSI_MODE_PAGE_CONTROL        0x0a
#define SCSI_MODE_PAGE_ALL            0x3f
#define SCSI_CACHING_PAGE_LEN         20
#define SCSI_CACHING_WCE              0x04 /* byte 2: write cache enabled */
#define SCSI_CONTROL_PAGE_LEN         12
#define SCSI_CONTROL_QAM_UNRESTRICTED 0x10 /* byte 3: commands may be reordered */

/* -- other commands ------------------------------------------------------- */

#define SCSI_REQUEST_SENSE_DESC 0x01 /* CDB byte 1: descriptor format wanted */

#define SCSI_REPORT_LUNS_ALL        0x00 /* SELECT REPORT */
#define SCSI_REPORT_LUNS_WELL_KNOWN 0x01
#define SCSI_REPORT_LUNS_ADDRESSED  0x02
#define SCSI_REPORT_LUNS_HEADER_LEN 8
#define SCSI_LUN_LEN                8

#define SCSI_SYNC_CACHE_IMMED 0x02 /* CDB byte 1 */

#endif /* WINPV_SCSI_SCSI_H */
