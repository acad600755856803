/* sim/nt/pci_ids.c - a PCI device's IDs (see pci_ids.h). */
#include <stdio.h>

#include "pci_ids.h"

const struct nt_device_ids *nt_pci_ids(struct nt_pci_ids *p, unsigned int vendor,
                                       unsigned int device, unsigned int subsystem,
                                       unsigned int revision, unsigned int class_code)
{
    unsigned int class = class_code >> 8;

    snprintf(p->text[0], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X&SUBSYS_%04X%04X&REV_%02X", vendor,
             device, subsystem, vendor, revision);
    snprintf(p->text[1], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X&SUBSYS_%04X%04X", vendor, device,
             subsystem, vendor);
    snprintf(p->text[2], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X&CC_%06X", vendor, device,
             class_code);
    snprintf(p->text[3], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X&CC_%04X", vendor, device, class);
    snprintf(p->text[4], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X&REV_%02X", vendor, device,
             revision);
    snprintf(p->text[5], NT_PCI_ID_MAX, "PCI\\VEN_%04X&DEV_%04X", vendor, device);
    snprintf(p->text[6], NT_PCI_ID_MAX, "PCI\\VEN_%04X&CC_%06X", vendor, class_code);
    snprintf(p->text[7], NT_PCI_ID_MAX, "PCI\\VEN_%04X&CC_%04X", vendor, class);
    snprintf(p->text[8], NT_PCI_ID_MAX, "PCI\\VEN_%04X", vendor);
    snprintf(p->text[9], NT_PCI_ID_MAX, "PCI\\CC_%06X", class_code);
    snprintf(p->text[10], NT_PCI_ID_MAX, "PCI\\CC_%04X", class);
    /* Bus 0, device 3, function 0: where QEMU puts the platform device. */
    snprintf(p->instance, sizeof(p->instance), "%s\\3&0&0", p->text[0]);
    for (int i = 0; i < 11; i++)
        *(i < 4 ? &p->hardware[i] : &p->compatible[i - 4]) = p->text[i];
    p->ids = (struct nt_device_ids){p->hardware, 4, p->compatible, 7};
    return &p->ids;
}
