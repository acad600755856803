# sim/lib: the Xen 4.17 user-space libraries, on winpv-simd, for Debian's
# own xenstored, oxenstored, xenconsoled and QEMU:
#
#   LD_LIBRARY_PATH=build/sim/lib /usr/lib/xen-4.17/bin/xenstored ...
#
# Each library has the file name, SONAME and symbol version nodes of
# Debian's (NAME.map) and is compiled against Debian's API headers
# (libxen-dev), so the ABI is theirs by construction. They are loaded into
# programs built without sanitizers, so they are built without them too,
# position-independent. The include path leaves out include/: <xen/*.h> are
# Debian's there (sim/client's <xen/errno.h> included; its XEN_E* names and
# values are the same as ours).
#
# libxenstore, libxentoollog and libxencall stay Debian's.

SIMLIB_DIR    := $(BUILD)/sim/lib
SIMLIB_OBJDIR := $(BUILD)/simlib
SIMLIB_CFLAGS := $(TOOL_CFLAGS) -fPIC
SIMLIB_INCLUDES := -Isim -Isim/client

$(eval $(call track_flags,simlib,$(HOST_CC) $(SIMLIB_CFLAGS) $(SIMLIB_INCLUDES)))

$(SIMLIB_OBJDIR)/%.o: %.c $(SIMLIB_OBJDIR)/.flags
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(SIMLIB_CFLAGS) $(SIMLIB_INCLUDES) $(DEPFLAGS) -c $< -o $@

# Talking to winpv-simd: in every library that does.
SIMLIB_COMMON := sim/lib/simlib.c $(SIM_CLIENT_SRCS)
# Mapping pages of a domain's memory file: gnttab and foreignmemory.
SIMLIB_MAPPING := sim/lib/memfile.c sim/lib/region.c

# Libraries: NAME (sim/lib/NAME.map), its file name (= its SONAME), sources,
# other inputs to link against.
SIMLIBS := xenevtchn xengnttab xenforeignmemory xenctrl xendevicemodel xentoolcore xenguest

xenevtchn_SOFILE := libxenevtchn.so.1
xenevtchn_SIMSRCS := sim/lib/evtchn.c $(SIMLIB_COMMON)

xengnttab_SOFILE := libxengnttab.so.1
xengnttab_SIMSRCS := sim/lib/gnttab.c sim/lib/gnttab_copy.c $(SIMLIB_MAPPING) $(SIMLIB_COMMON)

xenforeignmemory_SOFILE := libxenforeignmemory.so.1
xenforeignmemory_SIMSRCS := sim/lib/foreignmemory.c $(SIMLIB_MAPPING) $(SIMLIB_COMMON)

# xc_map_foreign_range maps through our libxenforeignmemory, as the real one does.
xenctrl_SOFILE := libxenctrl.so.4.17
xenctrl_SIMSRCS := sim/lib/xc_interface.c sim/lib/xc_domain.c sim/lib/xc_stubs.c \
                   sim/lib/interpose.c $(SIMLIB_COMMON)
xenctrl_SIMLINK := $(SIMLIB_DIR)/libxenforeignmemory.so.1

xendevicemodel_SOFILE := libxendevicemodel.so.1
xendevicemodel_SIMSRCS := sim/lib/devicemodel.c $(SIMLIB_COMMON)

xentoolcore_SOFILE := libxentoolcore.so.1
xentoolcore_SIMSRCS := sim/lib/toolcore.c

xenguest_SOFILE := libxenguest.so.4.17
xenguest_SIMSRCS := sim/lib/xenguest.c $(SIMLIB_COMMON)

# $(call simlib,NAME): link build/sim/lib/$(NAME_SOFILE).
define simlib
$(SIMLIB_DIR)/$($(1)_SOFILE): $(patsubst %.c,$(SIMLIB_OBJDIR)/%.o,$($(1)_SIMSRCS)) \
                              sim/lib/$(1).map $($(1)_SIMLINK)
	$$(call say,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$(HOST_CC) -shared -Wl,-soname,$($(1)_SOFILE) -Wl,--version-script=sim/lib/$(1).map \
	    -Wl,-z,defs -Wl,-z,now -o $$@ $$(filter %.o,$$^) $($(1)_SIMLINK) -lpthread -ldl
SIMLIB_FILES += $(SIMLIB_DIR)/$($(1)_SOFILE)
endef
$(foreach l,$(SIMLIBS),$(eval $(call simlib,$(l))))

.PHONY: simlibs
simlibs: $(SIMLIB_FILES)
