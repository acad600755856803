/*
 * sim/lib/xc_stubs.c - the libxenctrl functions that oxenstored and QEMU
 * link against but the simulator does not offer: device pass-through,
 * physical IRQs, I/O permissions, memory reservations, scheduling, vCPU
 * state, host information, and building, pausing or destroying domains
 * (the toolstack does that through winpv-simd itself). Each one fails
 * with ENOSYS, returning -1 (NULL for xc_cpumap_alloc).
 */
#include "xc_handle.h"

int xc_assign_device(xc_interface *xch, uint32_t domid, uint32_t machine_sbdf, uint32_t flag)
{
    return simlib_unsupported();
}

int xc_deassign_device(xc_interface *xch, uint32_t domid, uint32_t machine_sbdf)
{
    return simlib_unsupported();
}

int xc_test_assign_device(xc_interface *xch, uint32_t domid, uint32_t machine_sbdf)
{
    return simlib_unsupported();
}

int xc_domain_bind_pt_pci_irq(xc_interface *xch, uint32_t domid, uint8_t machine_irq, uint8_t bus,
                              uint8_t device, uint8_t intx)
{
    return simlib_unsupported();
}

int xc_domain_unbind_pt_irq(xc_interface *xch, uint32_t domid, uint8_t machine_irq,
                            uint8_t irq_type, uint8_t bus, uint8_t device, uint8_t intx,
                            uint8_t isa_irq)
{
    return simlib_unsupported();
}

int xc_domain_update_msi_irq(xc_interface *xch, uint32_t domid, uint32_t gvec, uint32_t pirq,
                             uint32_t gflags, uint64_t gtable)
{
    return simlib_unsupported();
}

int xc_domain_unbind_msi_irq(xc_interface *xch, uint32_t domid, uint32_t gvec, uint32_t pirq,
                             uint32_t gflags)
{
    return simlib_unsupported();
}

int xc_physdev_map_pirq(xc_interface *xch, uint32_t domid, int index, int *pirq)
{
    return simlib_unsupported();
}

int xc_physdev_map_pirq_msi(xc_interface *xch, uint32_t domid, int index, int *pirq, int devfn,
                            int bus, int entry_nr, uint64_t table_base)
{
    return simlib_unsupported();
}

int xc_physdev_unmap_pirq(xc_interface *xch, uint32_t domid, int pirq)
{
    return simlib_unsupported();
}

int xc_domain_iomem_permission(xc_interface *xch, uint32_t domid, unsigned long first_mfn,
                               unsigned long nr_mfns, uint8_t allow_access)
{
    return simlib_unsupported();
}

int xc_domain_ioport_permission(xc_interface *xch, uint32_t domid, uint32_t first_port,
                                uint32_t nr_ports, uint32_t allow_access)
{
    return simlib_unsupported();
}

int xc_domain_irq_permission(xc_interface *xch, uint32_t domid, uint32_t pirq, bool allow_access)
{
    return simlib_unsupported();
}

int xc_domain_ioport_mapping(xc_interface *xch, uint32_t domid, uint32_t first_gport,
                             uint32_t first_mport, uint32_t nr_ports, uint32_t add_mapping)
{
    return simlib_unsupported();
}

int xc_domain_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long first_gfn,
                             unsigned long first_mfn, unsigned long nr_mfns, uint32_t add_mapping)
{
    return simlib_unsupported();
}

int xc_domain_increase_reservation_exact(xc_interface *xch, uint32_t domid,
                                         unsigned long nr_extents, unsigned int extent_order,
                                         unsigned int mem_flags, xen_pfn_t *extent_start)
{
    return simlib_unsupported();
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
                                     unsigned int extent_order, unsigned int mem_flags,
                                     xen_pfn_t *extent_start)
{
    return simlib_unsupported();
}

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
    return simlib_unsupported();
}

int xc_domain_set_memmap_limit(xc_interface *xch, uint32_t domid, unsigned long map_limitkb)
{
    return simlib_unsupported();
}

int xc_shadow_control(xc_interface *xch, uint32_t domid, unsigned int sop, unsigned int *mb,
                      unsigned int mode)
{
    return simlib_unsupported();
}

int xc_domain_create(xc_interface *xch, uint32_t *pdomid, struct xen_domctl_createdomain *config)
{
    return simlib_unsupported();
}

int xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
    return simlib_unsupported();
}

int xc_domain_pause(xc_interface *xch, uint32_t domid)
{
    return simlib_unsupported();
}

int xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
    return simlib_unsupported();
}

int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max)
{
    return simlib_unsupported();
}

int xc_domain_sethandle(xc_interface *xch, uint32_t domid, xen_domain_handle_t handle)
{
    return simlib_unsupported();
}

int xc_evtchn_reset(xc_interface *xch, uint32_t dom)
{
    return simlib_unsupported();
}

int xc_sched_id(xc_interface *xch, int *sched_id)
{
    return simlib_unsupported();
}

int xc_sched_credit_domain_get(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom)
{
    return simlib_unsupported();
}

int xc_sched_credit_domain_set(xc_interface *xch, uint32_t domid,
                               struct xen_domctl_sched_credit *sdom)
{
    return simlib_unsupported();
}

int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
                        xc_cpumap_t cpumap_soft, uint32_t flags)
{
    return simlib_unsupported();
}

int xc_vcpu_setaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard_inout,
                        xc_cpumap_t cpumap_soft_inout, uint32_t flags)
{
    return simlib_unsupported();
}

int xc_vcpu_getcontext(xc_interface *xch, uint32_t domid, uint32_t vcpu,
                       vcpu_guest_context_any_t *ctxt)
{
    return simlib_unsupported();
}

int xc_vcpu_getinfo(xc_interface *xch, uint32_t domid, uint32_t vcpu, xc_vcpuinfo_t *info)
{
    return simlib_unsupported();
}

int xc_get_max_cpus(xc_interface *xch)
{
    return simlib_unsupported();
}

xc_cpumap_t xc_cpumap_alloc(xc_interface *xch)
{
    simlib_unsupported();
    return NULL;
}

int xc_getcpuinfo(xc_interface *xch, int max_cpus, xc_cpuinfo_t *info, int *nr_cpus)
{
    return simlib_unsupported();
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
    return simlib_unsupported();
}

int xc_version(xc_interface *xch, int cmd, void *arg)
{
    return simlib_unsupported();
}

int xc_send_debug_keys(xc_interface *xch, const char *keys)
{
    return simlib_unsupported();
}

int xc_watchdog(xc_interface *xch, uint32_t id, uint32_t timeout)
{
    return simlib_unsupported();
}
