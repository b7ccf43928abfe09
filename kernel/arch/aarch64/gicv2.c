/* GICv2: a memory-mapped distributor and CPU interface. */
#include "kernel.h"
#include "mmio.h"
#include "gic.h"
#include "irq.h"
#include "mm.h"
#include "cpu.h"

#define GICD_CTLR        0x000
#define GICD_TYPER       0x004
#define GICD_ISENABLER   0x100
#define GICD_ICENABLER   0x180
#define GICD_IPRIORITYR  0x400
#define GICD_ITARGETSR   0x800
#define GICD_ICFGR       0xc00
#define GICD_SGIR        0xf00
#define GICC_CTLR        0x000
#define GICC_PMR         0x004
#define GICC_BPR         0x008
#define GICC_IAR         0x00c
#define GICC_EOIR        0x010

static volatile uint8_t *dist, *cpu;
/* Each CPU's interface bit as GICD_ITARGETSR0 reads on it (banked: a CPU reads its own), for
 * SGI targets; and the IAR value of the interrupt each is handling: for an SGI its EOI must
 * repeat the source CPU field too. */
static uint8_t target_of[MAX_CPUS];
static uint32_t iar_of[MAX_CPUS];

static inline void w32(volatile uint8_t *base, uint32_t off, uint32_t v) { mmio_write32(base + off, v); }
static inline uint32_t r32(volatile uint8_t *base, uint32_t off) { return mmio_read32(base + off); }

static void v2_enable(uint32_t intid)
{
    mmio_write8(dist + GICD_IPRIORITYR + intid, 0xa0);
    if (intid >= 32)
        mmio_write8(dist + GICD_ITARGETSR + intid, target_of[0]);   /* devices interrupt the boot CPU */
    w32(dist, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

/* GICD_ICFGR: two bits per interrupt, the upper one set = edge-triggered. */
static void v2_enable_edge(uint32_t intid)
{
    uint32_t off = GICD_ICFGR + (intid / 16) * 4, bit = 2u << ((intid % 16) * 2);
    w32(dist, off, r32(dist, off) | bit);
    v2_enable(intid);
}

static uint32_t v2_ack(void)
{
    uint32_t iar = r32(cpu, GICC_IAR);
    iar_of[this_cpu()->id] = iar;
    return iar & 0x3ff;
}

static void v2_eoi(uint32_t intid)
{
    uint32_t iar = iar_of[this_cpu()->id];
    w32(cpu, GICC_EOIR, (iar & 0x3ff) == intid ? iar : intid);
}

/* The banked CPU interface registers are the same addresses on every CPU. */
static void v2_cpu_init(void)
{
    target_of[this_cpu()->id] = mmio_read8(dist + GICD_ITARGETSR);
    w32(cpu, GICC_PMR, 0xf0);
    w32(cpu, GICC_BPR, 0);
    w32(cpu, GICC_CTLR, 1);
}

/* Stores before the IPI are seen by its target before it takes it. */
static void v2_send_sgi(int target, uint32_t sgi)
{
    dsb(ishst);
    w32(dist, GICD_SGIR, (uint32_t)target_of[target] << 16 | (sgi & 0xf));
}

static const struct irq_controller gicv2 = { "gicv2", v2_enable, v2_ack, v2_eoi, v2_enable_edge,
                                             v2_cpu_init, v2_send_sgi };

void gicv2_init(uint64_t dist_pa, uint64_t cpu_pa)
{
    dist = ioremap(dist_pa, 0x1000);
    cpu = ioremap(cpu_pa, 0x2000);
    uint32_t lines = ((r32(dist, GICD_TYPER) & 0x1f) + 1) * 32;
    w32(dist, GICD_CTLR, 0);
    for (uint32_t i = 0; i < lines; i += 32)
        w32(dist, GICD_ICENABLER + i / 8, 0xffffffff);
    w32(dist, GICD_CTLR, 1);
    v2_cpu_init();
    irq_set_controller(&gicv2);
}
