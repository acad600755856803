# A vendor's build. Two make variables name the vendor in what the drivers
# present to Windows, so one vendor's drivers never bind to another's:
#
#   VENDOR_PREFIX     in the hardware IDs XENBUS gives its children
#                     (XENBUS\VEN_<prefix>&DEV_VBD&REV_...), and so in every
#                     child driver's INF: 1 to 4 characters, A-Z and 0-9.
#                     Default WPV.
#   VENDOR_DEVICE_ID  a PCI device ID of the vendor's range of Xen's vendor
#                     ID 5853 (Xen's docs/misc/pci-device-reservations.txt:
#                     C000-FFFE), as the vendor's toolstack presents it
#                     beside the platform device: xenbus.inf binds it too,
#                     so Windows Update finds the vendor's drivers by it.
#                     Four hexadecimal digits. Default none.
#
# For example: make VENDOR_PREFIX=XCP VENDOR_DEVICE_ID=C200

VENDOR_PREFIX ?= WPV
VENDOR_DEVICE_ID ?=

ifeq ($(shell printf '%s' '$(VENDOR_PREFIX)' | grep -Ex '[A-Z0-9]{1,4}'),)
$(error VENDOR_PREFIX=$(VENDOR_PREFIX): give 1 to 4 characters, A-Z or 0-9)
endif
ifneq ($(VENDOR_DEVICE_ID),)
ifeq ($(shell printf '%s' '$(VENDOR_DEVICE_ID)' | grep -Eix '[0-9a-f]{4}'),)
$(error VENDOR_DEVICE_ID=$(VENDOR_DEVICE_ID): give four hexadecimal digits)
endif
ifeq ($(shell test $$((0x$(VENDOR_DEVICE_ID))) -ge $$((0xC000)) -a $$((0x$(VENDOR_DEVICE_ID))) -le $$((0xFFFE)) && echo ok),)
$(error VENDOR_DEVICE_ID=$(VENDOR_DEVICE_ID): vendors' device IDs are C000 to FFFE (Xen's pci-device-reservations.txt))
endif
override VENDOR_DEVICE_ID := $(shell printf '%s' '$(VENDOR_DEVICE_ID)' | tr a-f A-F)
endif

# The drivers and the tests that check what they present see the prefix.
VENDOR_DEFINES := '-DWINPV_VENDOR_PREFIX="$(VENDOR_PREFIX)"'
WIN_CFLAGS += $(VENDOR_DEFINES)
HOST_CFLAGS += $(VENDOR_DEFINES)

# INFs are written for the build (scripts/vendor-inf); this file changes
# only when the vendor does, so a change rewrites them.
VENDOR_STAMP := $(BUILD)/vendor.id
ifneq ($(strip $(VENDOR_PREFIX) $(VENDOR_DEVICE_ID)),$(strip $(file <$(VENDOR_STAMP))))
$(shell mkdir -p $(BUILD))
$(file >$(VENDOR_STAMP),$(VENDOR_PREFIX) $(VENDOR_DEVICE_ID))
endif

# $(call vendor_inf,IN,OUT): write the INF IN for this build as OUT.
vendor_inf = scripts/vendor-inf $(1) $(2) $(VENDOR_PREFIX) $(VENDOR_DEVICE_ID)
