/*
 * core/vbd/scsi_attention.c - see scsi.h: the unit attention conditions a
 * change of the disk's description establishes, and their reporting.
 *
 * att->known[] is a seqlock's data: written only by the call that moved
 * att->seq from even to odd, read by anyone, and trusted only when seq was
 * the same even value before and after. Whoever finds the description
 * changed tries that move from the value it read; the one that succeeds
 * makes its description known and establishes the conditions, the others
 * leave it to that one. att->pending is one word: conditions are
 * established and claimed by compare-and-swap, so each is claimed once.
 */
#include <string.h>

#include "os.h"
#include "vbd/scsi_internal.h"

/* The words of a view: what the initiator can learn of a disk. */
enum {
    VIEW_BLOCKS_LOW,
    VIEW_BLOCKS_HIGH,
    VIEW_SECTOR_SIZE,
    VIEW_PHYSICAL, /* as READ CAPACITY(16) and page 0xB0 show it: never 0 */
    VIEW_MAX_TRANSFER,
    VIEW_GRANULARITY, /* discard granularity, 0 without discard */
    VIEW_ALIGNMENT,   /* discard alignment, 0 without discard */
    VIEW_FLAGS,
    VIEW_WORDS,
};
_Static_assert(VIEW_WORDS == VBD_SCSI_VIEW_WORDS, "struct vbd_scsi_attention holds a view");

#define VIEW_KNOWN     0x01u /* a valid description: the rest means something */
#define VIEW_READ_ONLY 0x02u
#define VIEW_FLUSH     0x04u
#define VIEW_DISCARD   0x08u
#define VIEW_REMOVABLE 0x10u
#define VIEW_CDROM     0x20u

/* The conditions, in the order they are reported; bit (1 << condition) of att->pending. */
enum {
    COND_MEDIUM,
    COND_CAPACITY,
    COND_MODE,
    COND_INQUIRY,
};

/* Their additional sense codes (SPC-4 annex D). */
static const struct {
    uint8_t asc, ascq;
} cond_sense[] = {
    [COND_MEDIUM] = {SCSI_ASC_MEDIUM_MAY_HAVE_CHANGED, 0x00},
    [COND_CAPACITY] = {SCSI_ASC_PARAMETERS_CHANGED, SCSI_ASCQ_CAPACITY_DATA_CHANGED},
    [COND_MODE] = {SCSI_ASC_PARAMETERS_CHANGED, SCSI_ASCQ_MODE_PARAMETERS_CHANGED},
    [COND_INQUIRY] = {SCSI_ASC_CHANGED_OPERATING, SCSI_ASCQ_INQUIRY_DATA_CHANGED},
};

/* @disk as a view; all zero (nothing known) when it fails the check. */
static void view_of(const struct vbd_scsi_disk *disk, uint32_t *view)
{
    uint64_t blocks;

    memset(view, 0, VIEW_WORDS * sizeof(view[0]));
    if (vbd_scsi_disk_check(disk))
        return;
    blocks = disk->sectors / (disk->sector_size / 512); /* vbd_scsi_capacity, checked once */
    view[VIEW_BLOCKS_LOW] = (uint32_t)blocks;
    view[VIEW_BLOCKS_HIGH] = (uint32_t)(blocks >> 32);
    view[VIEW_SECTOR_SIZE] = disk->sector_size;
    view[VIEW_PHYSICAL] =
        disk->physical_sector_size ? disk->physical_sector_size : disk->sector_size;
    view[VIEW_MAX_TRANSFER] = disk->max_transfer;
    if (disk->discard) {
        view[VIEW_GRANULARITY] = disk->discard_granularity;
        view[VIEW_ALIGNMENT] = disk->discard_alignment;
    }
    view[VIEW_FLAGS] = VIEW_KNOWN | (disk->read_only ? VIEW_READ_ONLY : 0) |
                       (disk->flush ? VIEW_FLUSH : 0) | (disk->discard ? VIEW_DISCARD : 0) |
                       (disk->removable ? VIEW_REMOVABLE : 0) | (disk->cdrom ? VIEW_CDROM : 0);
}

static bool differ(const uint32_t *a, const uint32_t *b, const int *words, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (a[words[i]] != b[words[i]])
            return true;
    }
    return false;
}

/* The conditions going from view @old to view @now establishes (see scsi.h). */
static uint32_t conditions(const uint32_t *old, const uint32_t *now)
{
    static const int capacity_words[] = {VIEW_BLOCKS_LOW, VIEW_BLOCKS_HIGH, VIEW_SECTOR_SIZE,
                                         VIEW_PHYSICAL};
    /* Page 0xB0 counts logical blocks: their length changes it too. */
    static const int inquiry_words[] = {VIEW_SECTOR_SIZE, VIEW_PHYSICAL, VIEW_MAX_TRANSFER,
                                        VIEW_GRANULARITY, VIEW_ALIGNMENT};
    uint32_t flags = old[VIEW_FLAGS] ^ now[VIEW_FLAGS], found = 0;
    bool medium = now[VIEW_FLAGS] & (VIEW_REMOVABLE | VIEW_CDROM);

    if (!(old[VIEW_FLAGS] & VIEW_KNOWN)) /* the initiator has learnt nothing yet */
        return 0;
    if (differ(old, now, capacity_words, sizeof(capacity_words) / sizeof(capacity_words[0])) ||
        (flags & VIEW_DISCARD)) {
        if (!medium)
            found |= 1u << COND_CAPACITY;
        else if (now[VIEW_BLOCKS_LOW] | now[VIEW_BLOCKS_HIGH])
            found |= 1u << COND_MEDIUM;
    }
    if (flags & (VIEW_READ_ONLY | VIEW_FLUSH))
        found |= 1u << COND_MODE;
    if (differ(old, now, inquiry_words, sizeof(inquiry_words) / sizeof(inquiry_words[0])) ||
        (flags & (VIEW_DISCARD | VIEW_REMOVABLE | VIEW_CDROM)))
        found |= 1u << COND_INQUIRY;
    return found;
}

/* What the initiator knows, in @view, and the sequence count it was read at; false if torn. */
static bool read_known(const struct vbd_scsi_attention *att, uint32_t *view, uint32_t *seq)
{
    uint32_t before = os_atomic_load32(&att->seq);

    if (before & 1)
        return false;
    for (int i = 0; i < VIEW_WORDS; i++)
        view[i] = os_read_once32(&att->known[i]);
    os_rmb();
    *seq = before;
    return os_read_once32(&att->seq) == before;
}

/*
 * Make @view known and establish @found, unless the sequence count moved
 * from @seq (another call made its view known first; it established that
 * change, and a difference left is the next command's to find).
 */
static void make_known(struct vbd_scsi_attention *att, uint32_t seq, const uint32_t *view,
                       uint32_t found)
{
    uint32_t pending;

    if (!os_atomic_cas32(&att->seq, seq, seq + 1))
        return;
    os_wmb(); /* seq odd before any word of the view changes */
    for (int i = 0; i < VIEW_WORDS; i++)
        os_write_once32(&att->known[i], view[i]);
    do
        pending = os_atomic_load32(&att->pending);
    while (!os_atomic_cas32(&att->pending, pending, pending | found));
    os_atomic_store32(&att->seq, seq + 2);
}

/* Take the first pending condition off: its number, or -1 when none is pending. */
static int claim(struct vbd_scsi_attention *att)
{
    uint32_t pending = os_atomic_load32(&att->pending);

    while (pending) {
        int cond = __builtin_ctz(pending);

        if (os_atomic_cas32(&att->pending, pending, pending & ~(1u << cond)))
            return cond;
        pending = os_atomic_load32(&att->pending);
    }
    return -1;
}

/*
 * REQUEST SENSE with a condition pending: answered as usual, then the sense
 * data it returned is the condition's (the same length, fixed format). One
 * that fails (descriptor format asked) leaves the condition pending.
 */
static void request_sense(struct vbd_scsi_attention *att, const struct vbd_scsi_disk *disk,
                          const struct vbd_scsi_request *req, struct vbd_scsi_result *res)
{
    uint8_t sense[VBD_SCSI_SENSE_LEN];
    uint32_t n;
    int cond;

    vbd_scsi_execute(disk, req, res);
    if (res->status != SCSI_STATUS_GOOD)
        return;
    cond = claim(att);
    if (cond < 0)
        return; /* another command reported it meanwhile: NO SENSE stands */
    scsi_sense_fixed(sense, SCSI_KEY_UNIT_ATTENTION, cond_sense[cond].asc, cond_sense[cond].ascq);
    n = res->transferred < sizeof(sense) ? res->transferred : (uint32_t)sizeof(sense);
    if (n)
        memcpy(req->buffer, sense, n);
}

void vbd_scsi_attention_init(struct vbd_scsi_attention *att, const struct vbd_scsi_disk *disk)
{
    uint32_t view[VIEW_WORDS];

    view_of(disk, view);
    os_atomic_store32(&att->pending, 0);
    for (int i = 0; i < VIEW_WORDS; i++)
        os_write_once32(&att->known[i], view[i]);
    os_atomic_store32(&att->seq, 0);
}

bool vbd_scsi_attention_check(struct vbd_scsi_attention *att, const struct vbd_scsi_disk *disk,
                              const struct vbd_scsi_request *req, struct vbd_scsi_result *res)
{
    uint32_t now[VIEW_WORDS], known[VIEW_WORDS], seq;
    int opcode = req->cdb_len ? req->cdb[0] : -1;
    int cond;

    view_of(disk, now);
    if (!(now[VIEW_FLAGS] & VIEW_KNOWN))
        return false; /* vbd_scsi_execute() answers HARDWARE ERROR */
    if (read_known(att, known, &seq) && memcmp(known, now, sizeof(now)) != 0)
        make_known(att, seq, now, conditions(known, now));

    switch (opcode) {
    case SCSI_OP_INQUIRY:
    case SCSI_OP_REPORT_LUNS:
        return false;
    case SCSI_OP_REQUEST_SENSE:
        if (!os_atomic_load32(&att->pending))
            return false;
        request_sense(att, disk, req, res);
        return true;
    default:
        cond = claim(att);
        if (cond < 0)
            return false;
        memset(res, 0, sizeof(*res));
        scsi_check_condition(res, SCSI_KEY_UNIT_ATTENTION, cond_sense[cond].asc,
                             cond_sense[cond].ascq);
        res->residual = req->length;
        return true;
    }
}
