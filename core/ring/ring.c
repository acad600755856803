/*
 * core/ring/ring.c - the shared-ring engine (see ring.h for the contract).
 *
 * Index arithmetic is modulo 2^32 throughout: indices run freely and wrap,
 * and only differences between them are meaningful. An entry's slot is
 * its index masked by size - 1.
 */
#include <string.h>

#include "os.h"
#include "ring/ring.h"

uint32_t ring_entries_for(size_t bytes, size_t entry_size)
{
    size_t header = sizeof(struct xen_sring_header);
    size_t count;

    if (entry_size == 0 || bytes < header + entry_size)
        return 0;
    count = (bytes - header) / entry_size;
    if (count > UINT32_MAX)
        count = UINT32_MAX;
    return (uint32_t)XEN_RING_POW2_FLOOR((uint32_t)count);
}

static int geometry_init(struct ring_geometry *ring, void *shared, size_t bytes, size_t entry_size)
{
    uint32_t size = ring_entries_for(bytes, entry_size);

    if (size == 0 || shared == NULL)
        return -XEN_EINVAL;
    ring->shared = shared;
    ring->entries = (uint8_t *)shared + sizeof(struct xen_sring_header);
    ring->size = size;
    ring->entry_size = (uint32_t)entry_size;
    return 0;
}

static void *slot(const struct ring_geometry *ring, RING_IDX index)
{
    return ring->entries + (size_t)(index & (ring->size - 1)) * ring->entry_size;
}

/*
 * After publishing @new_prod (the old value was @old_prod): does the other
 * end want an event? It wants one when its event index lies in (old, new].
 */
static bool needs_notify(RING_IDX old_prod, RING_IDX new_prod, RING_IDX event)
{
    return (RING_IDX)(new_prod - event) < (RING_IDX)(new_prod - old_prod);
}

/* -- front end ------------------------------------------------------------ */

int ring_front_attach(struct ring_front *front, void *shared, size_t bytes, size_t entry_size,
                      RING_IDX start)
{
    int err = geometry_init(&front->ring, shared, bytes, entry_size);

    if (err)
        return err;
    front->req_prod_pvt = start;
    front->req_published = start;
    front->rsp_cons = start;
    front->rsp_seen = start;
    return 0;
}

int ring_front_init(struct ring_front *front, void *shared, size_t bytes, size_t entry_size)
{
    struct xen_sring_header *sring = shared;
    int err = ring_front_attach(front, shared, bytes, entry_size, 0);

    if (err)
        return err;
    memset(shared, 0, bytes);
    sring->req_event = 1;
    sring->rsp_event = 1;
    return 0;
}

uint32_t ring_front_free_slots(const struct ring_front *front)
{
    return front->ring.size - (front->req_prod_pvt - front->rsp_cons);
}

void *ring_front_next_request(struct ring_front *front)
{
    OS_ASSERT_CMP(ring_front_free_slots(front), >, 0);
    return slot(&front->ring, front->req_prod_pvt++);
}

bool ring_front_push(struct ring_front *front)
{
    struct xen_sring_header *sring = front->ring.shared;
    RING_IDX old_prod = front->req_published;
    RING_IDX new_prod = front->req_prod_pvt;

    /* Release: the requests are visible before the index that publishes them. */
    os_atomic_store32(&sring->req_prod, new_prod);
    front->req_published = new_prod;
    os_mb(); /* index visible before we read the back end's event index */
    return needs_notify(old_prod, new_prod, os_read_once32(&sring->req_event));
}

int ring_front_poll(struct ring_front *front)
{
    /* Acquire: entries are read after the index that published them. */
    RING_IDX prod = os_atomic_load32(&front->ring.shared->rsp_prod);
    RING_IDX ready = prod - front->rsp_cons;

    /* Every response answers a published request that is not yet answered. */
    if (ready > (RING_IDX)(front->req_published - front->rsp_cons))
        return -XEN_EOVERFLOW;
    front->rsp_seen = prod;
    return (int)ready;
}

bool ring_front_take(struct ring_front *front, void *response)
{
    if (front->rsp_cons == front->rsp_seen)
        return false;
    memcpy(response, slot(&front->ring, front->rsp_cons), front->ring.entry_size);
    front->rsp_cons++;
    return true;
}

void ring_front_arm(struct ring_front *front, uint32_t count)
{
    os_write_once32(&front->ring.shared->rsp_event, front->rsp_cons + count);
    os_mb(); /* event index visible before the caller looks at rsp_prod again */
}

bool ring_front_final_check_after(struct ring_front *front, uint32_t count)
{
    if (os_read_once32(&front->ring.shared->rsp_prod) != front->rsp_cons)
        return true;
    ring_front_arm(front, count);
    return os_read_once32(&front->ring.shared->rsp_prod) != front->rsp_cons;
}

bool ring_front_final_check(struct ring_front *front)
{
    return ring_front_final_check_after(front, 1);
}

/* -- back end ------------------------------------------------------------- */

int ring_back_attach(struct ring_back *back, void *shared, size_t bytes, size_t entry_size,
                     RING_IDX start)
{
    int err = geometry_init(&back->ring, shared, bytes, entry_size);

    if (err)
        return err;
    back->rsp_prod_pvt = start;
    back->rsp_published = start;
    back->req_cons = start;
    back->req_seen = start;
    return 0;
}

int ring_back_poll(struct ring_back *back)
{
    RING_IDX prod = os_atomic_load32(&back->ring.shared->req_prod); /* acquire */
    RING_IDX ready = prod - back->req_cons;
    /* Every request taken and not yet answered holds a response slot. */
    RING_IDX room = back->ring.size - (back->req_cons - back->rsp_prod_pvt);

    /*
     * More requests than there are slots to answer them in (which includes
     * an index that went backwards: the difference wraps to a huge value)
     * cannot come from a well-behaved front end.
     */
    if (ready > room)
        return -XEN_EOVERFLOW;
    back->req_seen = prod;
    return (int)ready;
}

bool ring_back_take(struct ring_back *back, void *request)
{
    if (back->req_cons == back->req_seen)
        return false;
    memcpy(request, slot(&back->ring, back->req_cons), back->ring.entry_size);
    back->req_cons++;
    return true;
}

void *ring_back_next_response(struct ring_back *back)
{
    OS_ASSERT_CMP(back->rsp_prod_pvt, !=, back->req_cons);
    return slot(&back->ring, back->rsp_prod_pvt++);
}

bool ring_back_push(struct ring_back *back)
{
    struct xen_sring_header *sring = back->ring.shared;
    RING_IDX old_prod = back->rsp_published;
    RING_IDX new_prod = back->rsp_prod_pvt;

    os_atomic_store32(&sring->rsp_prod, new_prod); /* release */
    back->rsp_published = new_prod;
    os_mb();
    return needs_notify(old_prod, new_prod, os_read_once32(&sring->rsp_event));
}

void ring_back_arm(struct ring_back *back)
{
    os_write_once32(&back->ring.shared->req_event, back->req_cons + 1);
    os_mb();
}

bool ring_back_final_check(struct ring_back *back)
{
    if (os_read_once32(&back->ring.shared->req_prod) != back->req_cons)
        return true;
    ring_back_arm(back);
    return os_read_once32(&back->ring.shared->req_prod) != back->req_cons;
}
