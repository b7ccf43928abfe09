# lwIP, from Debian's `lwip` source package (pinned by version and sha256 of the .dsc and the
# upstream tarball), fetched once into $(CACHE_DIR) and compiled with the kernel's target flags
# and our configuration (kernel/net/lwipopts.h, kernel/net/arch/cc.h). Only the raw/callback
# core (NO_SYS=1): no sockets or netconn layer, no OS threads.
LWIP_VERSION     := 2.1.3+dfsg1-2
LWIP_DSC_SHA256  := 8d8f944db8e6d542fc2d6f01559078fb1b5dda71651c67ee5fa3571ed1342c50
LWIP_ORIG_SHA256 := 0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
LWIP_DIR         := $(CACHE_DIR)/lwip-$(LWIP_VERSION)
LWIP_STAMP       := $(LWIP_DIR)/.fetched
LWIP_SRCS := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c core/memp.c \
             core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c core/tcp_in.c \
             core/tcp_out.c core/timeouts.c core/udp.c
LWIP_SRCS += core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
             core/ipv4/ip4_frag.c
LWIP_SRCS += core/ipv6/ethip6.c core/ipv6/icmp6.c core/ipv6/inet6.c core/ipv6/ip6.c core/ipv6/ip6_addr.c \
             core/ipv6/ip6_frag.c core/ipv6/mld6.c core/ipv6/nd6.c
LWIP_SRCS += netif/ethernet.c
LWIP_OBJS := $(patsubst %.c,$(TOBJ)/third_party/lwip/%.o,$(LWIP_SRCS))
# Every kernel object may include lwIP's headers (the socket layer uses the raw API directly).
LWIP_INCLUDES := -I$(KDIR)/net -I$(LWIP_DIR)/src/include
# lwIP is not our code: keep -Werror off its style warnings but on everything else.
LWIP_CFLAGS := -Wno-sign-compare -Wno-unused-parameter -Wno-implicit-fallthrough -Wno-address

$(LWIP_STAMP):
	@echo "  FETCH   lwip $(LWIP_VERSION) (Debian source package)"
	$(Q)$(KDIR)/third_party/fetch-lwip.sh "$(CACHE_DIR)" "$(LWIP_VERSION)" "$(LWIP_DSC_SHA256)" "$(LWIP_ORIG_SHA256)"

# The sources come with the stamp; never let make treat them as disposable intermediates.
.PRECIOUS: $(LWIP_DIR)/src/%.c
$(LWIP_DIR)/src/%.c: $(LWIP_STAMP)
	@true

$(TOBJ)/third_party/lwip/%.o: $(LWIP_DIR)/src/%.c $(LWIP_STAMP) $(BUILD_RULES) $(KDIR)/third_party/lwip.mk $(KDIR)/net/lwipopts.h
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(TARGET_CC) $(TARGET_CFLAGS) $(LWIP_CFLAGS) $(LWIP_INCLUDES) -c $< -o $@
