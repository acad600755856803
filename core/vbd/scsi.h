/*
 * core/vbd/scsi.h - the SCSI target a Xen PV disk shows Storport.
 *
 * Storport hands a miniport a CDB, a data buffer with its length and a
 * direction. vbd_scsi_execute() answers the command from a description of
 * the disk as the backend advertised it (struct vbd_scsi_disk): either at
 * once (INQUIRY, READ CAPACITY, MODE SENSE, every error: data in the buffer,
 * a SCSI status and sense data) or with one block operation for the
 * frontend to put on the blkif ring (READ, WRITE, FLUSH, DISCARD), together
 * with what to report when it completes. Nothing here allocates or blocks,
 * and vbd_scsi_execute() keeps no state between commands: everything is
 * "Context: any" and may run in Storport's StartIo at DISPATCH_LEVEL. The
 * one piece with state, struct vbd_scsi_attention (at the end), tells the
 * initiator when the description changed under it.
 *
 * Units. blkif counts 512-byte sectors whatever the disk's logical sector
 * size; SCSI counts logical blocks. The disk's size comes in 512-byte
 * sectors and every block operation leaves in them; the logical block
 * size only shapes what the SCSI side sees. A partial logical block at the
 * end of the disk is not addressable.
 *
 * Choices:
 *  - FUA on a WRITE sets io.flush_after when the disk has a write cache
 *    (flush supported): the frontend flushes after the write succeeds and
 *    completes the command only then. Without a flushable cache every write
 *    is as durable as we can make it, and the flag stays clear. DPO is
 *    ignored; FUA on a READ needs nothing.
 *  - UNMAP becomes one DISCARD with a range per non-empty descriptor (at
 *    most VBD_SCSI_MAX_DISCARD_RANGES, the count page 0xB0 advertises);
 *    WRITE SAME(16) with UNMAP becomes a DISCARD of one range, its data not
 *    looked at (unmapped blocks read back as whatever the backend returns:
 *    LBPRZ is 0). Ranges are not cut to the discard granularity: that is
 *    advice, reported in page 0xB0, and the backend rounds. io.secure is
 *    set when the backend offers secure discard.
 *  - A command longer than max_transfer is refused (INVALID FIELD IN CDB),
 *    as SBC-3 has it for MAXIMUM TRANSFER LENGTH; fitting one command onto
 *    the ring is vbd_scsi_io_piece()'s.
 *  - SYNCHRONIZE CACHE waits for the flush even with IMMED set.
 *  - A disk of no logical blocks (an empty CD drive) answers media access
 *    with NOT READY / MEDIUM NOT PRESENT. On a read-only disk WRITE, WRITE
 *    SAME and UNMAP answer DATA PROTECT before their fields are looked at
 *    (UNMAP only where discard makes it a command at all).
 *  - vbd_scsi_execute() never leaves sense pending (autosense carries it):
 *    REQUEST SENSE answers NO SENSE. A pending unit attention is reported
 *    by vbd_scsi_attention_check() instead, REQUEST SENSE included.
 */
#ifndef WINPV_CORE_VBD_SCSI_H
#define WINPV_CORE_VBD_SCSI_H

#include <stdbool.h>
#include <stdint.h>

#define VBD_SCSI_SENSE_LEN          18 /* fixed-format sense data */
#define VBD_SCSI_MAX_DISCARD_RANGES 16 /* UNMAP descriptors one command may carry */
#define VBD_SCSI_SERIAL_MAX         64 /* characters of a serial number */
#define VBD_SCSI_SECTOR_SIZE_MAX    65536
#define VBD_SCSI_PHYSICAL_EXP_MAX   15 /* logical blocks per physical: 2^15 at most */

/* INQUIRY strings, space-padded in the data. */
#define VBD_SCSI_VENDOR        "XEN"
#define VBD_SCSI_PRODUCT_DISK  "PV DISK"
#define VBD_SCSI_PRODUCT_CDROM "PV CDROM"
#define VBD_SCSI_REVISION      "1.0"

/*
 * The disk as the backend advertised it. Check it with vbd_scsi_disk_check()
 * when it is read; vbd_scsi_execute() answers every command on a description
 * that fails the check with HARDWARE ERROR / INTERNAL TARGET FAILURE.
 */
struct vbd_scsi_disk {
    uint64_t sectors;              /* size in 512-byte sectors ("sectors") */
    uint32_t sector_size;          /* logical block size: a power of two, 512..65536 */
    uint32_t physical_sector_size; /* 0 (as logical) or a power of two >= it, <= 2^15 of it */
    uint32_t max_transfer;         /* bytes one command may move; 0: no limit, else >= logical */
    uint32_t discard_granularity;  /* bytes ("discard-granularity"); 0: one logical block */
    uint32_t discard_alignment;    /* bytes ("discard-alignment") */
    bool read_only;
    bool removable;
    bool cdrom;          /* INQUIRY reports a CD/DVD device (MMC) instead of a disk */
    bool flush;          /* "feature-flush-cache" or "feature-barrier": a write cache to flush */
    bool discard;        /* "feature-discard" */
    bool discard_secure; /* "discard-secure" */
    const char *serial;  /* VPD 0x80: printable ASCII, NUL-terminated; NULL: none */
    uint64_t lu_id;      /* VPD 0x83 NAA locally assigned identifier (low 60 bits); 0: none */
};

/* The data transfer direction Storport gives (SRB_FLAGS_DATA_IN/OUT). */
enum vbd_scsi_dir {
    VBD_SCSI_DIR_NONE,
    VBD_SCSI_DIR_IN,   /* device to buffer */
    VBD_SCSI_DIR_OUT,  /* buffer to device */
    VBD_SCSI_DIR_BOTH, /* unspecified: either is allowed */
};

struct vbd_scsi_request {
    const uint8_t *cdb;
    uint32_t cdb_len; /* bytes at cdb; only the command's own length is read */
    void *buffer;     /* the data buffer: written by data-in commands, read by data-out */
    uint32_t length;  /* its length in bytes */
    enum vbd_scsi_dir dir;
};

enum vbd_scsi_op {
    VBD_SCSI_OP_NONE,  /* completed: nothing to run */
    VBD_SCSI_OP_READ,  /* BLKIF_OP_READ */
    VBD_SCSI_OP_WRITE, /* BLKIF_OP_WRITE */
    VBD_SCSI_OP_FLUSH, /* BLKIF_OP_FLUSH_DISKCACHE (or a barrier, as negotiated) */
    VBD_SCSI_OP_DISCARD,
};

struct vbd_scsi_range {
    uint64_t sector;  /* first 512-byte sector */
    uint64_t sectors; /* how many, never 0 */
};

/* A block operation; every sector in it lies within the disk. */
struct vbd_scsi_io {
    enum vbd_scsi_op op;
    uint64_t sector;    /* READ, WRITE: first 512-byte sector */
    uint32_t sectors;   /* READ, WRITE: how many (never 0) */
    uint32_t offset;    /* READ, WRITE: where in the request's buffer the data starts */
    bool flush_after;   /* WRITE: FUA; flush once the write succeeded, then complete */
    bool secure;        /* DISCARD: BLKIF_DISCARD_SECURE */
    uint32_t nr_ranges; /* DISCARD: 1.. */
    struct vbd_scsi_range ranges[VBD_SCSI_MAX_DISCARD_RANGES]; /* DISCARD */
};

/*
 * What to do and what to report. io.op NONE: the command is complete. Else
 * run io; on success report status/transferred/residual as they are, on
 * failure call vbd_scsi_io_failed() first.
 */
struct vbd_scsi_result {
    struct vbd_scsi_io io;
    uint8_t status;       /* SCSI_STATUS_GOOD or SCSI_STATUS_CHECK_CONDITION */
    uint32_t transferred; /* bytes of the buffer written (data in) or used (data out) */
    uint32_t residual;    /* request length - transferred */
    uint32_t sense_len;   /* 0, or VBD_SCSI_SENSE_LEN with CHECK CONDITION */
    uint8_t sense[VBD_SCSI_SENSE_LEN];
};

/*
 * Whether @disk is a description vbd_scsi_execute() can serve: 0, or
 * -XEN_EINVAL (see struct vbd_scsi_disk for the rules). Context: any.
 */
int vbd_scsi_disk_check(const struct vbd_scsi_disk *disk);

/* The disk's size in logical blocks (0 for an invalid description). Context: any. */
uint64_t vbd_scsi_capacity(const struct vbd_scsi_disk *disk);

/*
 * Answer the command @req on @disk in @res (every field set). Never writes
 * past req->length bytes of req->buffer, never reads past req->cdb_len of
 * the CDB or req->length of a data-out buffer, and reads each byte of either
 * at most once. Context: any.
 */
void vbd_scsi_execute(const struct vbd_scsi_disk *disk, const struct vbd_scsi_request *req,
                      struct vbd_scsi_result *res);

/*
 * The block operation in @res failed with the blkif status @blkif_status
 * (BLKIF_RSP_ERROR or BLKIF_RSP_EOPNOTSUPP): make @res report it, as CHECK
 * CONDITION with nothing transferred. An operation the backend does not
 * support is ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE; any other
 * failure a MEDIUM ERROR (UNRECOVERED READ ERROR for a read, WRITE ERROR
 * otherwise). Context: any.
 */
void vbd_scsi_io_failed(struct vbd_scsi_result *res, int16_t blkif_status);

/*
 * Cut the READ or WRITE @io to what one ring request may carry: the piece
 * that starts @done bytes into it, at most @max_bytes long and a whole
 * number of logical blocks of @disk, in @piece (flush_after only on the
 * last piece). Returns the bytes in @piece; 0 when @done reached the end, or
 * @io is not a READ or WRITE, or @max_bytes holds no logical block, or
 * @done is not on a logical block. Context: any.
 */
uint32_t vbd_scsi_io_piece(const struct vbd_scsi_disk *disk, const struct vbd_scsi_io *io,
                           uint32_t done, uint32_t max_bytes, struct vbd_scsi_io *piece);

/* -- unit attention --------------------------------------------------------
 *
 * A real disk whose size or mode changes tells the initiator on its next
 * command: CHECK CONDITION, sense key UNIT ATTENTION, once per change (SAM-4
 * 5.14; SBC-3 4.9 for capacity). vbd_scsi_execute() answers from whatever
 * description it is given and remembers nothing, so struct
 * vbd_scsi_attention remembers the disk as the initiator knows it, and
 * vbd_scsi_attention_check(), called before vbd_scsi_execute() with each
 * command, compares the description with it. A difference becomes known
 * (the next command is answered from the new description) and establishes
 * a unit attention condition for each kind of data that changed:
 *
 *   READ CAPACITY data: logical blocks, their length, logical blocks per
 *     physical block, LBPME (discard): CAPACITY DATA HAS CHANGED (2Ah/09h).
 *     On a removable or CD device that is a new medium instead: NOT READY
 *     TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28h/00h); a medium taken
 *     out establishes nothing (medium access answers NOT READY).
 *   mode parameters: WP (read_only), WCE (flush): MODE PARAMETERS CHANGED
 *     (2Ah/01h).
 *   INQUIRY data and VPD pages: device type, RMB, block limits (in logical
 *     blocks: their length, physical block, max_transfer, discard
 *     granularity and alignment), provisioning (discard): INQUIRY DATA HAS
 *     CHANGED (3Fh/03h).
 *
 * The serial number and LU identifier are not compared: they name the
 * device, and another name is another device, not a change of this one.
 * Conditions queue, at most one of each kind (a second change of a kind
 * still pending adds nothing), and are reported in the order above, one a
 * command: INQUIRY and REPORT LUNS are answered as usual and report none;
 * REQUEST SENSE returns the first as its sense data (fixed format) and
 * clears it; any other command is answered with CHECK CONDITION and it,
 * and clears it. A description that fails vbd_scsi_disk_check() is passed
 * over (vbd_scsi_execute() answers HARDWARE ERROR) and changes nothing.
 * Storport is the one initiator: the conditions are the logical unit's, not
 * per I_T nexus, and none is established at start (no POWER ON).
 *
 * Several processors may check commands for one disk at once: no lock, a
 * sequence count and compare-and-swap, so that of the commands that meet
 * one change exactly one reports each condition. One that runs while
 * another makes the change known may be answered from the new description
 * before the condition is reported; a later command reports it.
 */

#define VBD_SCSI_VIEW_WORDS 8

struct vbd_scsi_attention {
    uint32_t seq;                        /* even; odd while known[] is written */
    uint32_t pending;                    /* conditions not yet reported, a bit each */
    uint32_t known[VBD_SCSI_VIEW_WORDS]; /* the disk as the initiator knows it */
};

/*
 * Start with @disk as what the initiator knows, nothing pending. A @disk
 * that fails vbd_scsi_disk_check() (not connected yet) leaves nothing known:
 * the first valid description checked is then taken as known without a
 * condition. Not concurrently with vbd_scsi_attention_check(). Context: any.
 */
void vbd_scsi_attention_init(struct vbd_scsi_attention *att, const struct vbd_scsi_disk *disk);

/*
 * Before vbd_scsi_execute(@disk, @req, @res): make a change of @disk known
 * (see above) and report a pending condition if @req is to. Returns true
 * when @res holds the answer (every field set, as vbd_scsi_execute() sets
 * them), false when vbd_scsi_execute() is to answer. @disk must be the
 * description vbd_scsi_execute() is then given, not changing meanwhile (a
 * copy taken once per command, just before). A copy older than one another
 * command already made known is taken for a change back (nothing tells
 * them apart): it is reported, and the newer one again after it. Reads and
 * writes @req's CDB and buffer as vbd_scsi_execute() does. Context: any,
 * concurrently with itself.
 */
bool vbd_scsi_attention_check(struct vbd_scsi_attention *att, const struct vbd_scsi_disk *disk,
                              const struct vbd_scsi_request *req, struct vbd_scsi_result *res);

#endif /* WINPV_CORE_VBD_SCSI_H */
