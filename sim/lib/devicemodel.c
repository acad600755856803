/*
 * sim/lib/devicemodel.c - libxendevicemodel.so.1 on winpv-simd.
 *
 * QEMU opens a handle whatever machine it emulates; for a PV guest it only
 * ever shuts the domain down through it. A handle is one SIM_ROLE_PRIVCMD
 * connection, and xendevicemodel_shutdown is SIM_DOMAIN_SHUTDOWN.
 */
#include <stdlib.h>

#include <xendevicemodel.h>

#include "simlib.h"

struct xendevicemodel_handle {
    struct simlib_conn conn;
};

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
                                           unsigned int open_flags)
{
    xendevicemodel_handle *dmod = calloc(1, sizeof(*dmod));

    if (dmod == NULL)
        return NULL;
    if (simlib_open(&dmod->conn, SIM_ROLE_PRIVCMD, NULL, "libxendevicemodel") != 0) {
        free(dmod);
        return NULL;
    }
    return dmod;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
    if (dmod == NULL)
        return 0;
    simlib_close(&dmod->conn);
    free(dmod);
    return 0;
}

int xendevicemodel_shutdown(xendevicemodel_handle *dmod, domid_t domid, unsigned int reason)
{
    return simlib_domain_shutdown(&dmod->conn, domid, reason);
}

/*
 * Not offered by the simulator: ioreq servers, interrupts, memory types
 * and dirty tracking are for emulating an HVM guest's hardware, which no
 * device model does here. Each fails with ENOSYS, returning -1.
 */
int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                       int handle_bufioreq, ioservid_t *id)
{
    return simlib_unsupported();
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
                                         xen_pfn_t *ioreq_gfn, xen_pfn_t *bufioreq_gfn,
                                         evtchn_port_t *bufioreq_port)
{
    return simlib_unsupported();
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                                ioservid_t id, int is_mmio, uint64_t start,
                                                uint64_t end)
{
    return simlib_unsupported();
}

int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                                    ioservid_t id, int is_mmio, uint64_t start,
                                                    uint64_t end)
{
    return simlib_unsupported();
}

int xendevicemodel_map_mem_type_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                                ioservid_t id, uint16_t type, uint32_t flags)
{
    return simlib_unsupported();
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                              ioservid_t id, uint16_t segment, uint8_t bus,
                                              uint8_t device, uint8_t function)
{
    return simlib_unsupported();
}

int xendevicemodel_unmap_pcidev_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
                                                  ioservid_t id, uint16_t segment, uint8_t bus,
                                                  uint8_t device, uint8_t function)
{
    return simlib_unsupported();
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id)
{
    return simlib_unsupported();
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod, domid_t domid, ioservid_t id,
                                          int enabled)
{
    return simlib_unsupported();
}

int xendevicemodel_set_pci_intx_level(xendevicemodel_handle *dmod, domid_t domid, uint16_t segment,
                                      uint8_t bus, uint8_t device, uint8_t intx, unsigned int level)
{
    return simlib_unsupported();
}

int xendevicemodel_set_isa_irq_level(xendevicemodel_handle *dmod, domid_t domid, uint8_t irq,
                                     unsigned int level)
{
    return simlib_unsupported();
}

int xendevicemodel_set_irq_level(xendevicemodel_handle *dmod, domid_t domid, unsigned int irq,
                                 unsigned int level)
{
    return simlib_unsupported();
}

int xendevicemodel_set_pci_link_route(xendevicemodel_handle *dmod, domid_t domid, uint8_t link,
                                      uint8_t irq)
{
    return simlib_unsupported();
}

int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
                              uint32_t msi_data)
{
    return simlib_unsupported();
}

int xendevicemodel_track_dirty_vram(xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
                                    uint32_t nr, unsigned long *dirty_bitmap)
{
    return simlib_unsupported();
}

int xendevicemodel_modified_memory(xendevicemodel_handle *dmod, domid_t domid, uint64_t first_pfn,
                                   uint32_t nr)
{
    return simlib_unsupported();
}

int xendevicemodel_modified_memory_bulk(xendevicemodel_handle *dmod, domid_t domid,
                                        struct xen_dm_op_modified_memory_extent extents[],
                                        uint32_t nr)
{
    return simlib_unsupported();
}

int xendevicemodel_set_mem_type(xendevicemodel_handle *dmod, domid_t domid, hvmmem_type_t mem_type,
                                uint64_t first_pfn, uint32_t nr)
{
    return simlib_unsupported();
}

int xendevicemodel_inject_event(xendevicemodel_handle *dmod, domid_t domid, int vcpu,
                                uint8_t vector, uint8_t type, uint32_t error_code, uint8_t insn_len,
                                uint64_t extra)
{
    return simlib_unsupported();
}

int xendevicemodel_relocate_memory(xendevicemodel_handle *dmod, domid_t domid, uint32_t size,
                                   uint64_t src_gfn, uint64_t dst_gfn)
{
    return simlib_unsupported();
}

int xendevicemodel_pin_memory_cacheattr(xendevicemodel_handle *dmod, domid_t domid, uint64_t start,
                                        uint64_t end, uint32_t type)
{
    return simlib_unsupported();
}

int xendevicemodel_nr_vcpus(xendevicemodel_handle *dmod, domid_t domid, unsigned int *vcpus)
{
    return simlib_unsupported();
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
    return simlib_unsupported();
}
