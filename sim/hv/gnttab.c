/*
 * sim/hv/gnttab.c - grant tables (v1): the guest's entries live in Xen's
 * grant frames (in the domain's memory file, shown to the guest where it
 * maps them); dom0 handles pin grants to map or copy them.
 *
 * Pinning follows Xen: the entry must permit access to the caller's domain,
 * a writable pin needs an entry without GTF_readonly, and while pinned the
 * entry carries GTF_reading (any pin) and GTF_writing (a writable pin),
 * set and cleared with compare-and-swap because the guest writes the same
 * word. The guest may not reuse an entry that still shows them.
 */
#include <stdlib.h>
#include <string.h>

#include <xen/errno.h>

#include "hv.h"

int gnttab_init(struct domain *d)
{
    size_t entries = (size_t)d->max_grant_frames * HV_GNTTAB_PER_PAGE;

    d->nr_grant_frames = 1;
    d->grant_read_pins = calloc(entries, sizeof(*d->grant_read_pins));
    d->grant_write_pins = calloc(entries, sizeof(*d->grant_write_pins));
    return d->grant_read_pins && d->grant_write_pins ? 0 : -XEN_ENOMEM;
}

void gnttab_fini(struct domain *d)
{
    free(d->grant_read_pins);
    free(d->grant_write_pins);
    d->grant_read_pins = NULL;
    d->grant_write_pins = NULL;
}

static struct grant_entry_v1 *entry(struct domain *d, uint32_t ref)
{
    struct grant_entry_v1 *frame;

    if (ref >= d->nr_grant_frames * HV_GNTTAB_PER_PAGE)
        return NULL;
    frame = domain_frame(d, d->grant_mfn_base + ref / HV_GNTTAB_PER_PAGE);
    return frame ? &frame[ref % HV_GNTTAB_PER_PAGE] : NULL;
}

/* flags and domid are one 32-bit word for compare-and-swap. */
static uint32_t *flags_word(struct grant_entry_v1 *e)
{
    return (uint32_t *)e;
}

static void set_flags(struct grant_entry_v1 *e, uint16_t set, uint16_t clear)
{
    uint32_t old = __atomic_load_n(flags_word(e), __ATOMIC_SEQ_CST);

    while (!__atomic_compare_exchange_n(flags_word(e), &old, (old | set) & ~(uint32_t)clear, false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
}

static void unpin_one(struct domain *d, uint32_t ref, bool readonly)
{
    struct grant_entry_v1 *e = entry(d, ref);
    uint16_t clear = 0;

    if (e == NULL)
        return;
    if (!readonly && --d->grant_write_pins[ref] == 0)
        clear |= GTF_writing;
    if (--d->grant_read_pins[ref] == 0)
        clear |= GTF_reading;
    if (clear)
        set_flags(e, 0, clear);
}

/* Pin @ref for @caller_domid; its frame's file offset goes to @offset. */
static int pin_one(struct domain *d, uint32_t caller_domid, uint32_t ref, bool readonly,
                   uint64_t *offset)
{
    struct grant_entry_v1 *e = entry(d, ref);
    uint32_t old, new_word;
    uint64_t mfn;

    if (e == NULL)
        return -XEN_EINVAL; /* GNTST_bad_gntref */
    /* As Xen: a pin that would overflow the counters fails. */
    if (d->grant_read_pins[ref] == UINT16_MAX || d->grant_write_pins[ref] == UINT16_MAX)
        return -XEN_ENOSPC;
    old = __atomic_load_n(flags_word(e), __ATOMIC_SEQ_CST);
    do {
        uint16_t flags = (uint16_t)old, domid = (uint16_t)(old >> 16);

        if ((flags & GTF_type_mask) != GTF_permit_access || domid != caller_domid)
            return -XEN_EACCES; /* GNTST_permission_denied / general_error */
        if (!readonly && (flags & GTF_readonly))
            return -XEN_EACCES;
        new_word = old | GTF_reading | (readonly ? 0 : GTF_writing);
    } while (!__atomic_compare_exchange_n(flags_word(e), &old, new_word, false, __ATOMIC_SEQ_CST,
                                          __ATOMIC_SEQ_CST));
    d->grant_read_pins[ref]++;
    if (!readonly)
        d->grant_write_pins[ref]++;
    /* The frame is read once, after the pin: the guest may not change it now. */
    mfn = domain_p2m(d, __atomic_load_n(&e->frame, __ATOMIC_SEQ_CST));
    if (mfn == HV_NO_MFN) {
        unpin_one(d, ref, readonly);
        return -XEN_EFAULT; /* GNTST_bad_page */
    }
    *offset = mfn * 4096;
    return 0;
}

int gnttab_pin(struct conn *c, const struct sim_gnttab_map *req, struct sim_offsets *out)
{
    struct domain *d = domain_get(req->domid);
    struct grant_pin *pin;
    uint32_t done = 0;
    int rc = 0;

    if (d == NULL || d->domid == SIM_DOMID_DOM0)
        return -XEN_ESRCH;
    if (req->count == 0 || req->count > SIM_MAX_FRAMES)
        return -XEN_EINVAL;
    pin = calloc(1, sizeof(*pin));
    if (pin == NULL)
        return -XEN_ENOMEM;
    for (; done < req->count && rc == 0; done++)
        rc = pin_one(d, c->domid, req->refs[done], req->readonly != 0, &out->offsets[done]);
    if (rc) {
        for (uint32_t i = 0; i + 1 < done; i++)
            unpin_one(d, req->refs[i], req->readonly != 0);
        free(pin);
        return rc;
    }
    pin->handle = ++hv.next_pin_handle;
    pin->owner = c;
    pin->domid = req->domid;
    pin->count = req->count;
    pin->readonly = req->readonly != 0;
    memcpy(pin->refs, req->refs, req->count * sizeof(req->refs[0]));
    pin->next = hv.pins;
    hv.pins = pin;
    out->handle = pin->handle;
    out->count = req->count;
    return 0;
}

static void release(struct grant_pin *pin)
{
    struct domain *d = domain_get(pin->domid);

    for (uint32_t i = 0; d && i < pin->count; i++)
        unpin_one(d, pin->refs[i], pin->readonly);
    free(pin);
}

int gnttab_unpin(struct conn *c, uint64_t handle)
{
    for (struct grant_pin **p = &hv.pins; *p; p = &(*p)->next) {
        struct grant_pin *pin = *p;

        if (pin->handle == handle && pin->owner == c) {
            *p = pin->next;
            release(pin);
            return 0;
        }
    }
    return -XEN_EINVAL;
}

void gnttab_unpin_all(struct conn *c)
{
    struct grant_pin **p = &hv.pins;

    while (*p) {
        struct grant_pin *pin = *p;

        if (pin->owner == c) {
            *p = pin->next;
            release(pin);
        } else {
            p = &pin->next;
        }
    }
}

/* Pins of a domain being destroyed are dropped with it. */
void gnttab_forget_domain(uint32_t domid)
{
    for (struct grant_pin *pin = hv.pins; pin; pin = pin->next)
        if (pin->domid == domid)
            pin->count = 0;
}

int gnttab_seed(struct domain *d, const struct sim_gnttab_seed *seed)
{
    struct grant_entry_v1 *e;

    if (seed->ref >= GNTTAB_NR_RESERVED_ENTRIES || seed->backend >= HV_MAX_DOMAINS)
        return -XEN_EINVAL;
    e = entry(d, seed->ref);
    if (e == NULL)
        return -XEN_EINVAL;
    e->domid = (uint16_t)seed->backend;
    e->frame = (uint32_t)seed->gfn;
    __atomic_store_n(&e->flags, (uint16_t)seed->flags, __ATOMIC_SEQ_CST);
    return 0;
}

uint32_t gnttab_active_entries(struct domain *d)
{
    uint32_t active = 0;

    for (uint32_t ref = GNTTAB_NR_RESERVED_ENTRIES; ref < d->nr_grant_frames * HV_GNTTAB_PER_PAGE;
         ref++) {
        struct grant_entry_v1 *e = entry(d, ref);

        if (e && (__atomic_load_n(&e->flags, __ATOMIC_RELAXED) & GTF_type_mask) != GTF_invalid)
            active++;
    }
    return active;
}
