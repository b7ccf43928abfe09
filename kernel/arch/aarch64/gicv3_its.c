/* GICv3 ITS (Interrupt Translation Service, IHI 0069 chapter 5) and the LPIs it delivers.
 *
 * A device's MSI write of an EventID to GITS_TRANSLATER, tagged by the bus with its DeviceID,
 * is translated by the ITS: the device table names the device's interrupt translation table
 * (ITT), the ITT entry maps the event to an LPI INTID and a collection, the collection table
 * names the redistributor (the CPU) that gets it. The redistributor keeps each LPI's priority
 * and enable bit in the LPI configuration table and its pending bit in the pending table, both in
 * memory we give it (GICR_PROPBASER, GICR_PENDBASER). We fill the ITS's tables only through its
 * command queue (MAPD, MAPC, MAPTI, INV, SYNC), one command at a time, waiting for each: they
 * are issued at boot, while devices are probed, so there is nothing to overlap them with. The
 * tables are made when the first device asks for a vector (set_up), not before.
 *
 * Device interrupts go to the boot CPU (irq.h): one collection (ICID 0) on its redistributor.
 * Each device gets an ITT of 32 events; LPIs come from the range irq.c dispatches. */
#include "kernel.h"
#include "mmio.h"
#include "gic.h"
#include "irq.h"
#include "msi.h"
#include "mm.h"
#include "sysreg.h"
#include <string.h>

#define GITS_CTLR            0x0000
#define GITS_TYPER           0x0008
#define GITS_CBASER          0x0080
#define GITS_CWRITER         0x0088
#define GITS_CREADR          0x0090
#define GITS_BASER(n)        (0x0100 + 8 * (n))
#define GITS_TRANSLATER      0x10040
#define GITS_FRAMES_SIZE     0x20000      /* control frame + translation frame */
#define GITS_CTLR_ENABLED    (1u << 0)
#define GITS_CTLR_QUIESCENT  (1u << 31)
#define GITS_TYPER_PHYSICAL  (1UL << 0)
#define GITS_TYPER_PTA       (1UL << 19)  /* MAPC names a redistributor by address, not number */
#define GITS_CREADR_STALLED  (1UL << 0)

#define BASER_VALID          (1UL << 63)
#define BASER_TYPE(v)        (((v) >> 56) & 7)
#define BASER_TYPE_DEVICE    1
#define BASER_TYPE_COLLECTION 4
#define BASER_ENTRY_SIZE(v)  ((((v) >> 48) & 0x1f) + 1)
#define BASER_PAGE_SIZE(v)   (((v) >> 8) & 3)   /* 0: 4 KiB, 1: 16 KiB, 2: 64 KiB */
#define BASER_PAGE_SIZE_SHIFT 8
#define BASER_MAX_PAGES      256

/* Memory attributes of the tables, for GITS_BASER/CBASER (inner cache at bit 59) and
 * GICR_PROPBASER/PENDBASER (inner cache at bit 7); shareability is at bit 10 in all four. */
#define ITS_INNER_WB         (7UL << 59)
#define ITS_INNER_NC         (1UL << 59)
#define RD_INNER_WB          (7UL << 7)
#define RD_INNER_NC          (1UL << 7)
#define SHARE_INNER          (1UL << 10)
#define SHARE_MASK           (3UL << 10)

#define GICD_TYPER_LPIS      (1u << 17)
#define GICD_TYPER_IDBITS(t) ((((t) >> 19) & 0x1f) + 1)
#define GICR_CTLR            0x0000
#define GICR_TYPER           0x0008
#define GICR_PROPBASER       0x0070
#define GICR_PENDBASER       0x0078
#define GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICR_TYPER_PLPIS     (1UL << 0)
#define GICR_PENDBASER_PTZ   (1UL << 62)

#define LPI_ID_BITS          14           /* INTIDs below 16384: the architecture's minimum */
#define LPI_PROP_ENABLE      0x01
#define LPI_PROP_RES1        0x02
#define LPI_PRIORITY         0xa0         /* the priority irq.c's SPIs get */

#define CMD_MAPD             0x08
#define CMD_MAPC             0x09
#define CMD_MAPTI            0x0a
#define CMD_INV              0x0c
#define CMD_SYNC             0x05
#define CMD_SIZE             32
#define CMD_TIMEOUT_SPINS    10000000
#define EVENT_BITS           5            /* 32 vectors per device */
#define ICID                 0

struct its_device {
    uint32_t id;
    uint32_t next_event;
    struct its_device *next;
};

static volatile uint8_t *its;
static uint64_t its_phys;
static uint64_t typer;
static uint64_t rdbase;                   /* the redistributor as MAPC and SYNC name it */
static uint8_t *lpi_config;               /* one byte per LPI, from INTID 8192 */
static uint8_t *cmd_queue;
static uint64_t cmd_queue_size, cmd_next;
static uint32_t device_limit;             /* DeviceIDs the device table covers */
static uint32_t next_lpi = IRQ_LPI_BASE;
static bool not_coherent;                 /* the ITS does not snoop our caches: clean to PoC */
static struct its_device *devices;

static uint64_t r64(volatile uint8_t *b, uint32_t off) { return mmio_read64(b + off); }
static void w64(volatile uint8_t *b, uint32_t off, uint64_t v) { mmio_write64(b + off, v); }
static uint32_t r32(volatile uint8_t *b, uint32_t off) { return mmio_read32(b + off); }
static void w32(volatile uint8_t *b, uint32_t off, uint32_t v) { mmio_write32(b + off, v); }

/* An ITS or redistributor that is not coherent with the CPU's caches (its tables read back
 * non-shareable) reads memory behind them: what we wrote must reach the point of coherency. */
static void clean_for_gic(const void *p, uint64_t len)
{
    if (!not_coherent)
        return;
    uint64_t line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
    for (uint64_t a = (uint64_t)p & ~(line - 1); a < (uint64_t)p + len; a += line)
        __asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
    dsb(ish);
}

/* n zeroed pages aligned to `align` pages (a power of two), or 0. The slack is given back. */
static uint64_t alloc_zeroed(uint64_t n, uint64_t align)
{
    uint64_t pa = page_alloc(n + align - 1);
    if (!pa)
        return 0;
    uint64_t start = ALIGN_UP(pa, align * PAGE_SIZE), end = start + n * PAGE_SIZE;
    if (start > pa)
        page_free(pa, (start - pa) / PAGE_SIZE);
    if (pa + (n + align - 1) * PAGE_SIZE > end)
        page_free(end, (pa + (n + align - 1) * PAGE_SIZE - end) / PAGE_SIZE);
    memset(phys_to_virt(start), 0, n * PAGE_SIZE);
    clean_for_gic(phys_to_virt(start), n * PAGE_SIZE);
    return start;
}

/* Queue one command and wait until the ITS has consumed it. A stalled queue (the ITS found the
 * command in error) or one that never moves is reported; the caller gives up on MSI. */
static bool its_command(uint64_t dw0, uint64_t dw1, uint64_t dw2)
{
    uint64_t *slot = (uint64_t *)(cmd_queue + cmd_next);
    slot[0] = dw0;
    slot[1] = dw1;
    slot[2] = dw2;
    slot[3] = 0;
    clean_for_gic(slot, CMD_SIZE);
    dsb(ishst);                           /* the command is in memory before CWRITER moves */
    cmd_next = (cmd_next + CMD_SIZE) % cmd_queue_size;
    w64(its, GITS_CWRITER, cmd_next);
    for (int i = 0; i < CMD_TIMEOUT_SPINS; i++) {
        uint64_t readr = r64(its, GITS_CREADR);
        if (readr & GITS_CREADR_STALLED) {
            kprintf("its: command %#lx stalled the queue\n", dw0 & 0xff);
            return false;
        }
        if ((readr & ~0x1fUL) == cmd_next)
            return true;
    }
    kprintf("its: command %#lx not consumed\n", dw0 & 0xff);
    return false;
}

static bool its_sync(void) { return its_command(CMD_SYNC, 0, rdbase); }

/* LPI configuration and pending tables for this CPU's redistributor, then EnableLPIs. The
 * redistributor may cache configuration; entries we change later are refreshed with INV. */
static bool init_redistributor(void)
{
    uint64_t rd_pa;
    volatile uint8_t *rd = gicv3_redistributor(&rd_pa);
    uint32_t dist_typer = gicv3_dist_typer();
    uint64_t rd_typer = r64(rd, GICR_TYPER);
    if (!(dist_typer & GICD_TYPER_LPIS) || !(rd_typer & GICR_TYPER_PLPIS)) {
        kprintf("its: the GIC does not implement LPIs\n");
        return false;
    }
    if (GICD_TYPER_IDBITS(dist_typer) < LPI_ID_BITS) {
        kprintf("its: the GIC has %u INTID bits, LPIs need %u\n", GICD_TYPER_IDBITS(dist_typer), LPI_ID_BITS);
        return false;
    }
    if (r32(rd, GICR_CTLR) & GICR_CTLR_ENABLE_LPIS) {
        kprintf("its: LPIs are already enabled (tables we do not know); MSI off\n");
        return false;
    }
    uint64_t config_bytes = (1UL << LPI_ID_BITS) - IRQ_LPI_BASE;
    uint64_t pending_bytes = (1UL << LPI_ID_BITS) / 8;
    uint64_t config = alloc_zeroed(config_bytes / PAGE_SIZE, 1);
    uint64_t pending = alloc_zeroed(ALIGN_UP(pending_bytes, PAGE_SIZE) / PAGE_SIZE, 16);  /* 64 KiB aligned */
    if (!config || !pending) {
        kprintf("its: out of memory for the LPI tables\n");
        return false;
    }
    w64(rd, GICR_PROPBASER, config | RD_INNER_WB | SHARE_INNER | (LPI_ID_BITS - 1));
    if (!(r64(rd, GICR_PROPBASER) & SHARE_MASK)) {
        not_coherent = true;
        w64(rd, GICR_PROPBASER, config | RD_INNER_NC | (LPI_ID_BITS - 1));
    }
    w64(rd, GICR_PENDBASER, pending | (not_coherent ? RD_INNER_NC : RD_INNER_WB | SHARE_INNER) | GICR_PENDBASER_PTZ);
    lpi_config = phys_to_virt(config);
    clean_for_gic(lpi_config, config_bytes);          /* zeroed before we knew: clean them now */
    clean_for_gic(phys_to_virt(pending), pending_bytes);
    dsb(sy);
    w32(rd, GICR_CTLR, r32(rd, GICR_CTLR) | GICR_CTLR_ENABLE_LPIS);
    dsb(sy);
    rdbase = (typer & GITS_TYPER_PTA) ? rd_pa : ((rd_typer >> 8) & 0xffff) << 16;
    return true;
}

/* The ITS page size a table takes: an implementation may fix it (KVM's ITS only takes 64 KiB),
 * so offer 64, 16 and 4 KiB in turn, as Linux's its_setup_baser does, with Valid clear so the
 * probe hands the ITS nothing. Returns the field value (0, 1, 2), or -1 when none sticks. */
static int baser_page_size(int n, uint64_t v)
{
    for (int psz = 2; psz >= 0; psz--) {
        uint64_t probe = (v & ~(BASER_VALID | (3UL << BASER_PAGE_SIZE_SHIFT))) | (uint64_t)psz << BASER_PAGE_SIZE_SHIFT;
        w64(its, GITS_BASER(n), probe);
        if ((int)BASER_PAGE_SIZE(r64(its, GITS_BASER(n))) == psz)
            return psz;
    }
    return -1;
}

/* GITS_BASER's address field: with 64 KiB pages, PA bits [51:48] go to bits [15:12]. */
static uint64_t baser_address(uint64_t pa, int psz)
{
    return psz == 2 ? (pa & 0x0000ffffffff0000UL) | ((pa >> 48) & 0xf) << 12 : pa & 0x0000fffffffff000UL;
}

/* Give each device and collection table the ITS asks for memory: flat tables of the ITS's page
 * size (up to 256 of them: the device table covers 65536 DeviceIDs with 8-byte entries). */
static bool init_tables(void)
{
    for (int n = 0; n < 8; n++) {
        uint64_t v = r64(its, GITS_BASER(n)), type = BASER_TYPE(v), esz = BASER_ENTRY_SIZE(v);
        if (type != BASER_TYPE_DEVICE && type != BASER_TYPE_COLLECTION)
            continue;
        int psz = baser_page_size(n, v);
        if (psz < 0) {
            kprintf("its: table %d takes none of the 4, 16 or 64 KiB page sizes\n", n);
            return false;
        }
        uint64_t its_page = psz == 2 ? 65536 : psz == 1 ? 16384 : 4096;
        uint64_t entries = type == BASER_TYPE_DEVICE ? 1UL << (((typer >> 13) & 0x1f) + 1) : 1;
        uint64_t its_pages = (entries * esz + its_page - 1) / its_page;
        if (its_pages > BASER_MAX_PAGES)
            its_pages = BASER_MAX_PAGES;
        uint64_t pages = its_pages * its_page / PAGE_SIZE;
        uint64_t pa = alloc_zeroed(pages, its_page / PAGE_SIZE);
        if (!pa) {
            kprintf("its: out of memory for table %d (%lu pages)\n", n, pages);
            return false;
        }
        uint64_t attrs = not_coherent ? ITS_INNER_NC : ITS_INNER_WB | SHARE_INNER;
        uint64_t want = BASER_VALID | attrs | type << 56 | (esz - 1) << 48 | (uint64_t)psz << BASER_PAGE_SIZE_SHIFT |
                        baser_address(pa, psz) | (its_pages - 1);
        w64(its, GITS_BASER(n), want);
        uint64_t got = r64(its, GITS_BASER(n));
        if ((int)BASER_PAGE_SIZE(got) != psz) {
            kprintf("its: table %d changed its page size\n", n);
            return false;
        }
        if (!not_coherent && !(got & SHARE_MASK)) {
            not_coherent = true;          /* from now on, clean what we hand the ITS */
            w64(its, GITS_BASER(n), (want & ~(ITS_INNER_WB | SHARE_MASK)) | ITS_INNER_NC);
            clean_for_gic(phys_to_virt(pa), pages * PAGE_SIZE);
        }
        if (type == BASER_TYPE_DEVICE) {
            uint64_t covered = pages * PAGE_SIZE / esz;
            device_limit = covered < entries ? (uint32_t)covered : (uint32_t)(entries > 0xffffffffUL ? 0xffffffffUL : entries);
        }
    }
    if (!device_limit) {
        kprintf("its: no device table\n");
        return false;
    }
    return true;
}

static bool init_command_queue(void)
{
    uint64_t pa = alloc_zeroed(1, 1);
    if (!pa) {
        kprintf("its: out of memory for the command queue\n");
        return false;
    }
    uint64_t attrs = not_coherent ? ITS_INNER_NC : ITS_INNER_WB | SHARE_INNER;
    w64(its, GITS_CBASER, BASER_VALID | attrs | pa | 0 /* one page */);
    if (!not_coherent && !(r64(its, GITS_CBASER) & SHARE_MASK)) {
        not_coherent = true;
        w64(its, GITS_CBASER, BASER_VALID | ITS_INNER_NC | pa);
    }
    cmd_queue = phys_to_virt(pa);
    cmd_queue_size = PAGE_SIZE;
    cmd_next = 0;
    w64(its, GITS_CWRITER, 0);
    return true;
}

static struct its_device *find_or_map_device(uint32_t id)
{
    for (struct its_device *d = devices; d; d = d->next)
        if (d->id == id)
            return d;
    if (id >= device_limit) {
        kprintf("its: DeviceID %#x beyond the %u the device table covers\n", id, device_limit);
        return NULL;
    }
    uint64_t itt_entry = ((typer >> 4) & 0xf) + 1;
    if ((itt_entry << EVENT_BITS) > PAGE_SIZE)
        panic("its: ITT entries of %lu bytes do not fit %u events in a page", itt_entry, 1u << EVENT_BITS);
    uint64_t itt = alloc_zeroed(1, 1);     /* the ITT must be 256-byte aligned: a page is */
    struct its_device *d = kzalloc(sizeof(*d));
    if (!itt || !d) {
        kprintf("its: out of memory for DeviceID %#x\n", id);
        return NULL;
    }
    if (!its_command(CMD_MAPD | (uint64_t)id << 32, EVENT_BITS - 1, BASER_VALID | itt) || !its_sync())
        return NULL;
    d->id = id;
    d->next = devices;
    devices = d;
    return d;
}

static bool set_up(void);

/* One vector: the next free event of the device, mapped to the next free LPI, which is enabled
 * in the configuration table before the mapping exists (INV makes the redistributor reread it). */
static bool its_alloc(uint32_t device_id, irq_handler_t handler, void *arg, struct msi_message *msg)
{
    if (!set_up())
        return false;
    struct its_device *d = find_or_map_device(device_id);
    if (!d)
        return false;
    if (d->next_event == 1u << EVENT_BITS || next_lpi == IRQ_LPI_BASE + IRQ_MAX_LPIS) {
        kprintf("its: out of vectors for DeviceID %#x\n", device_id);
        return false;
    }
    uint32_t event = d->next_event, intid = next_lpi;
    irq_register_msi(intid, handler, arg);
    lpi_config[intid - IRQ_LPI_BASE] = LPI_PRIORITY | LPI_PROP_RES1 | LPI_PROP_ENABLE;
    clean_for_gic(&lpi_config[intid - IRQ_LPI_BASE], 1);
    dsb(ishst);
    if (!its_command(CMD_MAPTI | (uint64_t)device_id << 32, event | (uint64_t)intid << 32, ICID) ||
        !its_command(CMD_INV | (uint64_t)device_id << 32, event, 0) || !its_sync())
        return false;
    d->next_event++;
    next_lpi++;
    msg->address = its_phys + GITS_TRANSLATER;
    msg->data = event;
    return true;
}

static const struct msi_controller its_controller = { "its", its_alloc };

/* The tables, the command queue and the collection, made at the first vector asked for rather
 * than at boot: a boot without an MSI-X device (the disk on virtio-mmio, no NIC) never runs this
 * code, which under TCG costs its translation (~0.9 ms, 600 KiB of tables zeroed). It runs on
 * the boot CPU, from a device's probe, whose redistributor is the one collection's. A failure is
 * reported once and takes the controller away, so later devices go to INTx without asking. */
static bool set_up(void)
{
    static enum { NOT_YET, READY, FAILED } state;
    if (state == NOT_YET) {
        for (int i = 0; i < CMD_TIMEOUT_SPINS && !(r32(its, GITS_CTLR) & GITS_CTLR_QUIESCENT); i++)
            ;
        bool ok = init_redistributor() && init_tables() && init_command_queue();
        if (ok) {
            w32(its, GITS_CTLR, r32(its, GITS_CTLR) | GITS_CTLR_ENABLED);
            ok = its_command(CMD_MAPC, 0, BASER_VALID | rdbase | ICID) && its_sync();
        }
        state = ok ? READY : FAILED;
        if (ok)
            kinfo("its: %#lx, %u DeviceIDs, LPIs %u..%u%s\n", its_phys, device_limit, IRQ_LPI_BASE,
                  IRQ_LPI_BASE + IRQ_MAX_LPIS - 1, not_coherent ? ", tables cleaned to PoC" : "");
        else
            msi_set_controller(NULL);
    }
    return state == READY;
}

/* Boot: only what decides whether this ITS can be used at all; set_up does the rest when a
 * device first asks for a vector. */
void gicv3_its_init(uint64_t its_pa, uint64_t its_size)
{
    if (its_size < GITS_FRAMES_SIZE) {
        kprintf("its: frame at %#lx is %#lx bytes, need %#x; MSI off\n", its_pa, its_size, GITS_FRAMES_SIZE);
        return;
    }
    its = ioremap(its_pa, GITS_FRAMES_SIZE);
    its_phys = its_pa;
    typer = r64(its, GITS_TYPER);
    if (!(typer & GITS_TYPER_PHYSICAL)) {
        kprintf("its: at %#lx does not translate to physical LPIs; MSI off\n", its_pa);
        return;
    }
    if (r32(its, GITS_CTLR) & GITS_CTLR_ENABLED) {
        kprintf("its: at %#lx is already enabled (tables we do not know); MSI off\n", its_pa);
        return;
    }
    msi_set_controller(&its_controller);
}
