/* The virt board's PCIe host bridge as the device tree describes it ("pci-host-ecam-generic",
 * Linux's Documentation/devicetree/bindings/pci/host-generic-pci.yaml): reg is the ECAM area,
 * bus-range the buses it covers, ranges the windows from CPU to PCI addresses (we take the
 * 32-bit and 64-bit memory windows and leave I/O space alone), interrupt-map with
 * interrupt-map-mask how each slot's INTA..INTD reach the GIC. Every value is checked here, and
 * a bad one stops the boot with a "pci: ..." line naming it. */
#include "kernel.h"
#include "dt.h"
#include "pci.h"
#include "pci_host.h"

#define MAX_INTX_ROUTES 64
#define SPACE_CODE(hi)  (((hi) >> 24) & 3)       /* phys.hi bits 25:24 */
#define SPACE_IO        1
#define SPACE_MEM32     2
#define SPACE_MEM64     3

struct intx_route {
    uint32_t addr[3];    /* child unit address (phys.hi, mid, lo) after the mask */
    uint32_t pin;        /* 1..4, after the mask */
    uint32_t intid;
};

static const char *const compat[] = { "pci-host-ecam-generic", NULL };
static struct pci_host host;
static struct intx_route routes[MAX_INTX_ROUTES];
static int nroutes;
static uint32_t map_mask[4];

static void read_bus_range(int node)
{
    int len;
    const uint32_t *p = dt_prop(node, "bus-range", &len);
    uint64_t ecam_buses = host.ecam_size >> 20;
    if (!p) {
        host.bus_start = 0;
        host.bus_end = (uint32_t)(ecam_buses > 256 ? 255 : ecam_buses - 1);
        return;
    }
    if (len != 8)
        panic("pci: bus-range is %d bytes, want two cells", len);
    host.bus_start = dt_cell(p, 0);
    host.bus_end = dt_cell(p, 1);
    if (host.bus_start > host.bus_end || host.bus_end > 255)
        panic("pci: bus-range %u-%u is not a range of bus numbers 0..255", host.bus_start, host.bus_end);
    if ((uint64_t)(host.bus_end - host.bus_start + 1) > ecam_buses)
        panic("pci: bus-range %u-%u needs %u MiB of ECAM, reg gives %lu MiB", host.bus_start, host.bus_end,
              host.bus_end - host.bus_start + 1, ecam_buses);
}

/* ranges: (child phys.hi mid lo, parent address, size). The first 32-bit and the first 64-bit
 * memory window are used; a 32-bit window must be below 4 GiB on the PCI side. */
static void read_ranges(int node)
{
    int len, pac = dt_address_cells(dt_parent(node));
    const uint32_t *p = dt_prop(node, "ranges", &len);
    int entry = 3 + pac + 2;
    if (pac < 1 || pac > 2)
        panic("pci: parent #address-cells %d not supported", pac);
    if (!p || len == 0 || len % (entry * 4))
        panic("pci: ranges is %d bytes, not a list of %d-cell entries", len, entry);
    for (int i = 0; i < len / 4; i += entry) {
        uint32_t hi = dt_cell(p, i);
        uint64_t pci = dt_cells(p + i + 1, 2), cpu = dt_cells(p + i + 3, pac), size = dt_cells(p + i + 3 + pac, 2);
        struct pci_window *w;
        if (SPACE_CODE(hi) == SPACE_MEM32)
            w = &host.mem32;
        else if (SPACE_CODE(hi) == SPACE_MEM64)
            w = &host.mem64;
        else
            continue;                            /* I/O and configuration space: unused */
        if (size == 0 || pci + size < pci || cpu + size < cpu)
            panic("pci: ranges entry %d: window %#lx+%#lx (cpu %#lx) is empty or wraps", i / entry, pci, size, cpu);
        if (w == &host.mem32 && pci + size > (1ULL << 32))
            panic("pci: ranges entry %d: 32-bit window %#lx+%#lx reaches past 4 GiB", i / entry, pci, size);
        if (w->size)
            continue;                            /* keep the first of each kind */
        w->cpu_base = cpu;
        w->pci_base = pci;
        w->size = size;
    }
    if (!host.mem32.size && !host.mem64.size)
        panic("pci: ranges has no memory window");
}

/* The interrupt controller an interrupt-map entry names: its #address-cells (0 if absent) and
 * #interrupt-cells, which must be a GIC's three. */
static void check_controller(uint32_t phandle, uint32_t *pac, uint32_t *pic)
{
    int parent = dt_node_by_phandle(phandle);
    *pac = 0;
    if (parent < 0)
        panic("pci: interrupt-map entry %d names phandle %#x, which does not exist", nroutes, phandle);
    if (!dt_has_prop(parent, "interrupt-controller"))
        panic("pci: interrupt-map entry %d: %s is not an interrupt controller", nroutes, dt_node_name(parent));
    if (dt_has_prop(parent, "#address-cells") && !dt_u32(parent, "#address-cells", pac))
        panic("pci: interrupt-map entry %d: bad #address-cells in %s", nroutes, dt_node_name(parent));
    if (!dt_u32(parent, "#interrupt-cells", pic) || *pic != 3)
        panic("pci: interrupt-map entry %d: %s does not use the GIC's three interrupt cells", nroutes,
              dt_node_name(parent));
}

/* interrupt-map entries: child unit address (3 cells), child interrupt (1 cell: the pin), the
 * parent's phandle, its unit address (#address-cells of the parent, 0 if absent) and its
 * interrupt specifier (#interrupt-cells of the parent; a GIC's three cells). */
static void read_interrupt_map(int node)
{
    int len, mlen;
    const uint32_t *mask = dt_prop(node, "interrupt-map-mask", &mlen);
    const uint32_t *map = dt_prop(node, "interrupt-map", &len);
    uint32_t icells;
    if (!map) {
        /* A diagnostic, not an error: a tree made from ACPI has none (INTx routing is AML there),
         * and devices with MSI-X do not need it; one without both says so when probed. */
        kinfo("pci: no interrupt-map: devices get no INTx\n");
        return;
    }
    if (!dt_u32(node, "#interrupt-cells", &icells) || icells != 1)
        panic("pci: #interrupt-cells must be 1 (the INTx pin)");
    if (!mask || mlen != 16)
        panic("pci: interrupt-map-mask is %d bytes, want four cells", mlen);
    for (int i = 0; i < 4; i++)
        map_mask[i] = dt_cell(mask, i);
    int n = len / 4;
    /* Every entry names its interrupt controller; QEMU's 16 all name the GIC, whose properties
     * are checked once (each libfdt lookup is tens of microseconds under TCG). */
    uint32_t checked = 0, pac = 0, pic = 0;
    for (int i = 0; i < n;) {
        if (n - i < 5)
            panic("pci: interrupt-map ends inside an entry (cell %d of %d)", i, n);
        uint32_t phandle = dt_cell(map, i + 4);
        if (phandle != checked || phandle == 0) {
            check_controller(phandle, &pac, &pic);
            checked = phandle;
        }
        if (pac > 3 || (uint32_t)(n - i) < 5 + pac + pic)
            panic("pci: interrupt-map ends inside entry %d", nroutes);
        const uint32_t *spec = map + i + 5 + pac;
        uint32_t type = dt_cell(spec, 0), num = dt_cell(spec, 1), flags = dt_cell(spec, 2);
        if (type != 0 || num >= 988)
            panic("pci: interrupt-map entry %d: GIC interrupt %u/%u is not an SPI", nroutes, type, num);
        if ((flags & 0xf) != 4)
            panic("pci: interrupt-map entry %d: INTx must be level-high, trigger flags are %#x", nroutes, flags);
        if (nroutes == MAX_INTX_ROUTES)
            panic("pci: interrupt-map has more than %d entries", MAX_INTX_ROUTES);
        struct intx_route *r = &routes[nroutes++];
        for (int k = 0; k < 3; k++)
            r->addr[k] = dt_cell(map, i + k) & map_mask[k];
        r->pin = dt_cell(map, i + 3) & map_mask[3];
        r->intid = 32 + num;
        i += 5 + pac + pic;
    }
}

/* Match the function's unit address and pin, masked, against the map. */
static bool route_intx(const struct pci_host *h, uint32_t bus, uint32_t dev, uint32_t fn, uint32_t pin, uint32_t *intid)
{
    uint32_t hi = (bus << 16 | dev << 11 | fn << 8) & map_mask[0];
    for (int i = 0; i < nroutes; i++) {
        const struct intx_route *r = &routes[i];
        if (r->addr[0] == hi && r->addr[1] == 0 && r->addr[2] == 0 && r->pin == (pin & map_mask[3])) {
            *intid = r->intid;
            return true;
        }
    }
    return false;
}

static int host_node;

static bool msi_device_id(const struct pci_host *h, uint32_t rid, uint32_t *id)
{
    return dt_msi_map(host_node, rid, id);
}

void virt_pci_host_init(void)
{
    uint32_t ac, sc;
    int node = dt_find_compatible(compat);
    if (node < 0) {
        kinfo("pci: no ECAM host bridge in the device tree\n");
        return;
    }
    if (!dt_u32(node, "#address-cells", &ac) || ac != 3 || !dt_u32(node, "#size-cells", &sc) || sc != 2)
        panic("pci: %s: #address-cells must be 3 and #size-cells 2", dt_node_name(node));
    if (dt_parent(node) != 0)
        panic("pci: %s: host bridges below the root node are not supported", dt_node_name(node));
    if (!dt_reg(node, 0, &host.ecam_base, &host.ecam_size))
        panic("pci: %s: no usable reg (ECAM) entry", dt_node_name(node));
    if (host.ecam_size < (1UL << 20) || host.ecam_size % (1UL << 20) || host.ecam_base % (1UL << 20))
        panic("pci: ECAM %#lx+%#lx is not whole 1 MiB buses", host.ecam_base, host.ecam_size);
    read_bus_range(node);
    read_ranges(node);
    read_interrupt_map(node);
    host.name = dt_node_name(node);
    host.route_intx = route_intx;
    host.msi_device_id = msi_device_id;
    host_node = node;
    pci_register_host(&host);
    kinfo("pci: ecam %#lx buses %u-%u, mem32 %#lx+%#lx, mem64 %#lx+%#lx, %d INTx routes\n", host.ecam_base,
          host.bus_start, host.bus_end, host.mem32.cpu_base, host.mem32.size, host.mem64.cpu_base, host.mem64.size,
          nroutes);
}
