/* GICv3: memory-mapped distributor and per-CPU redistributors, CPU interface through system
 * registers (ICC_*_EL1). Affinity routing is on; all interrupts are non-secure Group 1. */
#include "kernel.h"
#include "mmio.h"
#include "gic.h"
#include "irq.h"
#include "mm.h"
#include "sysreg.h"
#include "cpu.h"

#define GICD_CTLR        0x0000
#define GICD_TYPER       0x0004
#define GICD_IGROUPR     0x0080
#define GICD_ISENABLER   0x0100
#define GICD_ICENABLER   0x0180
#define GICD_IPRIORITYR  0x0400
#define GICD_ICFGR       0x0c00
#define GICD_IROUTER     0x6000
#define GICD_CTLR_RWP    (1u << 31)
#define GICD_CTLR_ARE    (1u << 4)
#define GICD_CTLR_GRP1   (1u << 1)
#define GICD_CTLR_GRP0   (1u << 0)

#define GICR_CTLR        0x0000
#define GICR_TYPER       0x0008
#define GICR_WAKER       0x0014
#define GICR_SGI_BASE    0x10000
#define GICR_IGROUPR0    (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0  (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0  (GICR_SGI_BASE + 0x0180)
#define GICR_IPRIORITYR  (GICR_SGI_BASE + 0x0400)
#define GICR_TYPER_LAST  (1u << 4)
#define GICR_TYPER_VLPIS (1u << 1)

#define ICC_PMR_EL1      "s3_0_c4_c6_0"
#define ICC_IAR1_EL1     "s3_0_c12_c12_0"
#define ICC_EOIR1_EL1    "s3_0_c12_c12_1"
#define ICC_BPR1_EL1     "s3_0_c12_c12_3"
#define ICC_CTLR_EL1     "s3_0_c12_c12_4"
#define ICC_SRE_EL1      "s3_0_c12_c12_5"
#define ICC_IGRPEN1_EL1  "s3_0_c12_c12_7"
#define ICC_SGI1R_EL1    "s3_0_c12_c11_5"

static volatile uint8_t *dist, *region;
static uint64_t region_pa, region_size;
static volatile uint8_t *redist_of[MAX_CPUS];   /* each CPU's redistributor frame */
#define redist (redist_of[this_cpu()->id])

static inline void w32(volatile uint8_t *b, uint32_t off, uint32_t v) { mmio_write32(b + off, v); }
static inline uint32_t r32(volatile uint8_t *b, uint32_t off) { return mmio_read32(b + off); }
static inline void w64(volatile uint8_t *b, uint32_t off, uint64_t v) { mmio_write64(b + off, v); }
static inline uint64_t r64(volatile uint8_t *b, uint32_t off) { return mmio_read64(b + off); }

static void wait_rwp(void)
{
    for (int i = 0; i < 1000000; i++)
        if (!(r32(dist, GICD_CTLR) & GICD_CTLR_RWP))
            return;
    panic("gicv3: distributor register write never completed");
}

static uint64_t my_affinity(void)
{
    uint64_t mpidr = read_sysreg(mpidr_el1);
    return (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;   /* Aff3.Aff2.Aff1.Aff0 as in GICR_TYPER */
}

static void v3_enable(uint32_t intid)
{
    if (intid < 32) {
        mmio_write8(redist + GICR_IPRIORITYR + intid, 0xa0);
        w32(redist, GICR_ISENABLER0, 1u << intid);
    } else {
        /* Devices interrupt the boot CPU (irq.h); its MPIDR affinity is laid out as IROUTER's. */
        mmio_write8(dist + GICD_IPRIORITYR + intid, 0xa0);
        w64(dist, GICD_IROUTER + intid * 8, cpus[IRQ_DEVICE_CPU].hwid);
        w32(dist, GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
    }
}

/* GICD_ICFGR: two bits per interrupt, the upper one set = edge-triggered (SPIs only here). */
static void v3_enable_edge(uint32_t intid)
{
    if (intid >= 32) {
        uint32_t off = GICD_ICFGR + (intid / 16) * 4, bit = 2u << ((intid % 16) * 2);
        w32(dist, off, r32(dist, off) | bit);
        wait_rwp();
    }
    v3_enable(intid);
}

static uint32_t v3_ack(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, " ICC_IAR1_EL1 : "=r"(v));
    __asm__ volatile("dsb sy" ::: "memory");
    return v & 0xffffff;
}

static void v3_eoi(uint32_t intid)
{
    __asm__ volatile("msr " ICC_EOIR1_EL1 ", %0" : : "r"((uint64_t)intid));
    isb();
}

/* For the ITS (gicv3_its.c), which programs this CPU's redistributor for LPIs. */
volatile uint8_t *gicv3_redistributor(uint64_t *pa)
{
    *pa = region_pa + (uint64_t)(redist - region);
    return redist;
}

uint32_t gicv3_dist_typer(void) { return r32(dist, GICD_TYPER); }

/* Find this CPU's redistributor by walking the frames until GICR_TYPER's affinity matches. */
static volatile uint8_t *find_redistributor(uint64_t size)
{
    uint64_t aff = my_affinity();
    for (uint64_t off = 0; off + 0x20000 <= size;) {
        uint64_t typer = r64(region, off + GICR_TYPER);
        if ((typer >> 32) == aff)
            return region + off;
        if (typer & GICR_TYPER_LAST)
            break;
        off += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
    }
    return NULL;
}

/* This CPU's redistributor awake with its SGIs and PPIs Group 1 and disabled until someone
 * asks, and its CPU interface (system registers) on. */
static void v3_cpu_init(void)
{
    redist = find_redistributor(region_size);
    if (!redist)
        panic("gicv3: no redistributor for cpu %d (affinity %#lx) in %#lx+%#lx", this_cpu()->id,
              my_affinity(), region_pa, region_size);
    w32(redist, GICR_WAKER, r32(redist, GICR_WAKER) & ~2u);
    for (int i = 0; i < 1000000 && (r32(redist, GICR_WAKER) & 4u); i++)
        ;
    if (r32(redist, GICR_WAKER) & 4u)
        panic("gicv3: redistributor did not wake up");
    w32(redist, GICR_ICENABLER0, 0xffffffff);
    w32(redist, GICR_IGROUPR0, 0xffffffff);

    uint64_t sre;
    __asm__ volatile("mrs %0, " ICC_SRE_EL1 : "=r"(sre));
    __asm__ volatile("msr " ICC_SRE_EL1 ", %0" : : "r"(sre | 1));
    isb();
    __asm__ volatile("msr " ICC_PMR_EL1 ", %0" : : "r"(0xf0UL));
    __asm__ volatile("msr " ICC_BPR1_EL1 ", %0" : : "r"(0UL));
    __asm__ volatile("msr " ICC_CTLR_EL1 ", %0" : : "r"(0UL));
    __asm__ volatile("msr " ICC_IGRPEN1_EL1 ", %0" : : "r"(1UL));
    isb();
}

/* ICC_SGI1R_EL1 names the target by affinity: Aff3.Aff2.Aff1 and a bit for Aff0 (below 16, as
 * on every board whose clusters have at most 16 CPUs: QEMU's virt with GICv3 among them). The
 * DSB makes stores before the IPI visible to its target first. */
static void v3_send_sgi(int target, uint32_t sgi)
{
    uint64_t hw = cpus[target].hwid;
    uint64_t v = (1UL << (hw & 0xf)) | ((hw >> 8) & 0xff) << 16 | (uint64_t)(sgi & 0xf) << 24 |
                 ((hw >> 16) & 0xff) << 32 | ((hw >> 32) & 0xff) << 48;
    dsb(ishst);
    __asm__ volatile("msr " ICC_SGI1R_EL1 ", %0" : : "r"(v));
    isb();
}

static const struct irq_controller gicv3 = { "gicv3", v3_enable, v3_ack, v3_eoi, v3_enable_edge,
                                             v3_cpu_init, v3_send_sgi };

void gicv3_init(uint64_t dist_pa, uint64_t redist_pa, uint64_t redist_size)
{
    dist = ioremap(dist_pa, 0x10000);
    region = ioremap(redist_pa, redist_size);
    region_pa = redist_pa;
    region_size = redist_size;

    uint32_t lines = ((r32(dist, GICD_TYPER) & 0x1f) + 1) * 32;
    if (lines > 1020)
        lines = 1020;
    w32(dist, GICD_CTLR, 0);
    wait_rwp();
    for (uint32_t i = 32; i < lines; i += 32) {
        w32(dist, GICD_ICENABLER + i / 8, 0xffffffff);
        w32(dist, GICD_IGROUPR + i / 8, 0xffffffff);
    }
    w32(dist, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1 | GICD_CTLR_GRP0);
    wait_rwp();
    v3_cpu_init();
    irq_set_controller(&gicv3);
}
