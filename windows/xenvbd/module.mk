DRIVERS += xenvbd
xenvbd_SRCS := windows/xenvbd/driver.c windows/xenvbd/adapter.c windows/xenvbd/interfaces.c \
               windows/xenvbd/srb.c windows/xenvbd/srb_access.c windows/xenvbd/targets.c \
               windows/xenvbd/target_use.c windows/common/query_interface.c windows/xenvbd/dump.c
xenvbd_LIBS := ntoskrnl hal
xenvbd_INF := windows/xenvbd/xenvbd.inf

# storport.sys's import library: no Debian package ships one.
$(BUILD)/win64/libstorport.a: windows/xenvbd/storport.def
	$(call say,DLLTOOL,$@)
	@mkdir -p $(@D)
	$(Q)$(LLVM_BIN)/llvm-dlltool -m i386:x86-64 -d $< -l $@
$(BUILD)/win64/xenvbd.sys: $(BUILD)/win64/libstorport.a
