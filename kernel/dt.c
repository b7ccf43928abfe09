/* Device-tree access (interface: include/dt.h), the one file that calls libfdt (besides the
 * arch's pre-MMU early_map.c, which runs before this blob pointer is usable). The blob was
 * checked by fdt_check_header at boot; lengths of every property are checked here before a
 * cell is read. */
#include "kernel.h"
#include "dt.h"
#include <libfdt.h>
#include <string.h>

static const void *blob;

/* Every node's parent, found in one walk at dt_init: libfdt finds a parent by walking the tree
 * from its start (about 100 us a node under TCG), and the boot asks for dozens of parents (every
 * reg lookup wants the parent's cell sizes; QEMU's virt tree has 32 virtio-mmio nodes). Nodes
 * come in increasing offset order, so the table is sorted for a binary search; a tree with more
 * nodes than it holds has its later ones walked for (dt_parent's memo below). */
#define DT_INDEX_NODES 1024
#define DT_INDEX_DEPTH 32   /* deeper than any real tree; a deeper one stops the index there */
static uint32_t index_offset[DT_INDEX_NODES];
static int32_t index_parent[DT_INDEX_NODES];
static unsigned index_count;

static void index_parents(void)
{
    int stack[DT_INDEX_DEPTH], depth = 0;
    index_count = 0;
    for (int node = 0; node >= 0 && depth >= 0 && index_count < DT_INDEX_NODES;
         node = fdt_next_node(blob, node, &depth)) {
        if (depth >= DT_INDEX_DEPTH)
            break;
        stack[depth] = node;
        index_offset[index_count] = (uint32_t)node;
        index_parent[index_count++] = depth == 0 ? -FDT_ERR_NOTFOUND : stack[depth - 1];
    }
}

/* The parent from the index; false when the node is past its end (or not a node). */
static bool indexed_parent(int node, int *parent)
{
    unsigned lo = 0, hi = index_count;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (index_offset[mid] < (uint32_t)node)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == index_count || index_offset[lo] != (uint32_t)node)
        return false;
    *parent = index_parent[lo];
    return true;
}

void dt_init(const void *fdt)
{
    blob = fdt;
    index_parents();
}
uint64_t dt_total_size(void) { return fdt_totalsize(blob); }

int dt_find_compatible(const char *const *compatibles)
{
    for (; *compatibles; compatibles++) {
        int node = fdt_node_offset_by_compatible(blob, -1, *compatibles);
        if (node >= 0)
            return node;
    }
    return -1;
}

int dt_next_compatible(int after, const char *compatible)
{
    int node = fdt_node_offset_by_compatible(blob, after, compatible);
    return node >= 0 ? node : -1;
}

int dt_path_offset(const char *path) { return fdt_path_offset(blob, path); }

const char *dt_node_name(int node)
{
    const char *name = fdt_get_name(blob, node, NULL);
    return name ? name : "?";
}

const char *dt_string(int node, const char *prop)
{
    int len;
    const char *s = fdt_getprop(blob, node, prop, &len);
    if (!s || len <= 0 || s[len - 1] != 0)
        return NULL;
    return s;
}

bool dt_u32(int node, const char *prop, uint32_t *out)
{
    int len;
    const fdt32_t *p = fdt_getprop(blob, node, prop, &len);
    if (!p || len != 4)
        return false;
    *out = fdt32_to_cpu(*p);
    return true;
}

const uint32_t *dt_prop(int node, const char *prop, int *len)
{
    const uint32_t *p = fdt_getprop(blob, node, prop, len);
    if (!p)
        *len = 0;
    return p;
}

bool dt_has_prop(int node, const char *prop) { return fdt_getprop(blob, node, prop, NULL) != NULL; }
uint32_t dt_cell(const uint32_t *cells, int i) { return fdt32_to_cpu(cells[i]); }

uint64_t dt_cells(const uint32_t *p, int cells)
{
    uint64_t v = 0;
    while (cells--)
        v = (v << 32) | fdt32_to_cpu(*p++);
    return v;
}

/* libfdt finds a node's parent, or the node with a phandle, by walking the tree from its start:
 * about a millisecond under TCG, and the boot asks the same few questions dozens of times (every
 * reg lookup wants the parent's cell sizes, every interrupt-map entry names the GIC's phandle).
 * The blob is never changed after boot, so the answers are kept in a small direct-mapped memo;
 * keys are stored plus one, so the zeroed table means empty. */
#define DT_MEMO_SLOTS 16
struct dt_memo { uint32_t key_plus_one; int value; };
static struct dt_memo parent_memo[DT_MEMO_SLOTS], phandle_memo[DT_MEMO_SLOTS];

static int memo_get(struct dt_memo *m, uint32_t key, int (*walk)(uint32_t))
{
    struct dt_memo *slot = &m[key % DT_MEMO_SLOTS];
    if (slot->key_plus_one != key + 1) {
        slot->value = walk(key);
        slot->key_plus_one = key + 1;
    }
    return slot->value;
}

static int walk_parent(uint32_t node) { return fdt_parent_offset(blob, (int)node); }
static int walk_phandle(uint32_t phandle) { return fdt_node_offset_by_phandle(blob, phandle); }

int dt_parent(int node)
{
    int parent;
    if (node < 0)
        return node;
    return indexed_parent(node, &parent) ? parent : memo_get(parent_memo, (uint32_t)node, walk_parent);
}
int dt_first_child(int node) { return fdt_first_subnode(blob, node); }
int dt_next_sibling(int node) { return fdt_next_subnode(blob, node); }
int dt_address_cells(int node) { return fdt_address_cells(blob, node); }
int dt_node_by_phandle(uint32_t phandle)
{
    return phandle == 0 || phandle == UINT32_MAX ? -FDT_ERR_BADPHANDLE : memo_get(phandle_memo, phandle, walk_phandle);
}

/* The memory reservation block, then /reserved-memory's children (only 2-cell address and size,
 * the layout QEMU and firmware use; others are skipped). */
void dt_for_each_reserved(void (*fn)(uint64_t base, uint64_t size))
{
    for (int i = 0; i < fdt_num_mem_rsv(blob); i++) {
        uint64_t addr, size;
        if (fdt_get_mem_rsv(blob, i, &addr, &size) == 0)
            fn(addr, size);
    }
    int rsv = fdt_path_offset(blob, "/reserved-memory");
    if (rsv >= 0) {
        int child;
        fdt_for_each_subnode(child, blob, rsv) {
            int len;
            const fdt32_t *reg = fdt_getprop(blob, child, "reg", &len);
            int ac = fdt_address_cells(blob, rsv), sc = fdt_size_cells(blob, rsv);
            if (reg && ac == 2 && sc == 2 && len >= 16)
                fn(fdt64_to_cpu(*(const fdt64_t *)reg), fdt64_to_cpu(*(const fdt64_t *)(reg + 2)));
        }
    }
}

/* Translate a bus address of `node`'s children up through every parent's "ranges" (an empty or
 * missing ranges at the root-level bus means identity). */
static bool translate(int node, uint64_t *addr)
{
    int parent = dt_parent(node);
    while (parent >= 0) {
        int len;
        const fdt32_t *ranges = fdt_getprop(blob, node, "ranges", &len);
        if (node != 0 && ranges && len > 0) {
            int cac = fdt_address_cells(blob, node), pac = fdt_address_cells(blob, parent);
            int csc = fdt_size_cells(blob, node);
            int entry = (cac + pac + csc) * 4;
            bool found = false;
            if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || csc < 0 || csc > 2 || entry == 0)
                return false;
            for (int off = 0; off + entry <= len; off += entry) {
                const fdt32_t *r = ranges + off / 4;
                uint64_t child = dt_cells(r, cac), par = dt_cells(r + cac, pac);
                uint64_t size = dt_cells(r + cac + pac, csc);
                if (*addr >= child && *addr - child < size) {
                    *addr = *addr - child + par;
                    found = true;
                    break;
                }
            }
            if (!found)
                return false;
        }
        node = parent;
        parent = dt_parent(node);
    }
    return true;
}

bool dt_reg(int node, int idx, uint64_t *base, uint64_t *size)
{
    int parent = dt_parent(node);
    int ac = fdt_address_cells(blob, parent), sc = fdt_size_cells(blob, parent);
    int len;
    const fdt32_t *reg = fdt_getprop(blob, node, "reg", &len);
    if (parent < 0 || ac < 1 || ac > 2 || sc < 0 || sc > 2 || !reg)
        return false;
    int entry = (ac + sc) * 4;
    if ((idx + 1) * entry > len)
        return false;
    const fdt32_t *r = reg + idx * (ac + sc);
    *base = dt_cells(r, ac);
    *size = dt_cells(r + ac, sc);
    return translate(parent, base);
}

bool dt_irq(int node, int idx, uint32_t *intid)
{
    int len;
    const fdt32_t *p = fdt_getprop(blob, node, "interrupts", &len);
    if (!p || (idx + 1) * 12 > len)
        return false;
    uint32_t type = fdt32_to_cpu(p[idx * 3]), num = fdt32_to_cpu(p[idx * 3 + 1]);
    if (type == 0 && num < 988)
        *intid = 32 + num;
    else if (type == 1 && num < 16)
        *intid = 16 + num;
    else
        return false;
    return true;
}

bool dt_irq_flags(int node, int idx, uint32_t *flags)
{
    int len;
    const fdt32_t *p = fdt_getprop(blob, node, "interrupts", &len);
    if (!p || (idx + 1) * 12 > len)
        return false;
    *flags = fdt32_to_cpu(p[idx * 3 + 2]);
    return true;
}

/* The pci-msi binding: "msi-map" entries <rid-base msi-controller msi-base length> translate
 * (rid & msi-map-mask) into the id the MSI controller sees (the ITS's DeviceID). No msi-map: the
 * id is the requester id itself. False when a map exists but does not cover rid (the function
 * cannot signal MSIs) or is malformed. */
bool dt_msi_map(int node, uint32_t rid, uint32_t *out)
{
    int len;
    const fdt32_t *map = fdt_getprop(blob, node, "msi-map", &len);
    if (!map) {
        *out = rid;
        return true;
    }
    uint32_t mask = 0xffffffff;
    if (fdt_getprop(blob, node, "msi-map-mask", NULL) && !dt_u32(node, "msi-map-mask", &mask))
        return false;
    if (len <= 0 || len % 16)
        return false;
    uint32_t id = rid & mask;
    for (int i = 0; i < len / 4; i += 4) {
        uint32_t base = fdt32_to_cpu(map[i]), out_base = fdt32_to_cpu(map[i + 2]);
        uint32_t count = fdt32_to_cpu(map[i + 3]);
        if (id >= base && id - base < count) {
            *out = out_base + (id - base);
            return true;
        }
    }
    return false;
}
