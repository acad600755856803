/*
 * sim/nt/pci_ids.h - a PCI device's IDs as Windows 10's PCI bus driver
 * reports them (Microsoft's "Identifiers for PCI devices"): hardware IDs
 * VEN&DEV&SUBSYS&REV, VEN&DEV&SUBSYS, VEN&DEV&CC (six digits, then four);
 * compatible IDs VEN&DEV&REV, VEN&DEV, VEN&CC (six, four), VEN, CC (six,
 * four). Context: any.
 */
#ifndef WINPV_SIM_NT_PCI_IDS_H
#define WINPV_SIM_NT_PCI_IDS_H

#include "inf.h"

#define NT_PCI_ID_MAX 64 /* characters of one ID, with its terminator */

struct nt_pci_ids {
    char instance[NT_PCI_ID_MAX + 8]; /* the first hardware ID and the instance on the bus */
    char text[11][NT_PCI_ID_MAX];
    const char *hardware[4], *compatible[7];
    struct nt_device_ids ids;
};

/* The IDs of device @vendor:@device, subsystem @subsystem:@vendor, of class @class_code (6 digits). */
const struct nt_device_ids *nt_pci_ids(struct nt_pci_ids *p, unsigned int vendor,
                                       unsigned int device, unsigned int subsystem,
                                       unsigned int revision, unsigned int class_code);

#endif /* WINPV_SIM_NT_PCI_IDS_H */
