/* Device-tree access (interface: include/dt.h), the one file that calls libfdt (besides the
 * arch's pre-MMU early_map.c, which runs before this blob pointer is usable). The boot's index
 * (index_tree) reads the structure block's tokens itself; every other answer is libfdt's. The blob was
 * checked by fdt_check_header at boot; lengths of every property are checked here before a
 * cell is read. */
#include "kernel.h"
#include "dt.h"
#include <libfdt.h>
#include <string.h>

static const void *blob;

/* Every node's parent, name and compatible list, found in one walk at dt_init. Under TCG libfdt
 * costs what its checks cost, and they are paid again at every question: a parent is found by
 * walking the tree from its start (about 100 us a node), a compatible node or a path by walking
 * every node and property before it (150-300 us for one dt_find_compatible or "/chosen" on
 * QEMU's virt tree, whose 32 virtio-mmio nodes sit in front). The boot asks dozens of them, and
 * the tree never changes after boot, so the answers come from the index, where a question is a
 * scan of a small array. Nodes come in increasing offset order, so the table is sorted for a
 * binary search; a tree with more nodes than it holds has its later ones answered by libfdt. */
#define DT_INDEX_NODES 1024
#define DT_INDEX_DEPTH 32   /* deeper than any real tree; a deeper one stops the index there */
struct dt_index_node {
    uint32_t offset;
    int32_t parent;
    const char *name;          /* with its unit address, as libfdt's fdt_get_name */
    const char *compatible;    /* the stringlist property, or NULL */
    const void *reg;           /* the first "reg", as fdt_getprop finds it, or NULL */
    int name_len, compatible_len, reg_len;
    uint32_t phandle;          /* 0: none */
    int8_t address_cells, size_cells;   /* as fdt_address_cells/fdt_size_cells answer */
};
static struct dt_index_node index_nodes[DT_INDEX_NODES];
static unsigned index_count;
static bool index_complete;   /* every node of the tree is in the index */

/* A #address-cells or #size-cells value as libfdt's fdt_cells checks it. */
static int8_t cell_count(const void *value, int len)
{
    uint32_t v = len == 4 ? fdt32_to_cpu(*(const fdt32_t *)value) : UINT32_MAX;
    return v <= FDT_MAX_NCELLS ? (int8_t)v : -FDT_ERR_BADNCELLS;
}

/* The big-endian word at `off` in the structure block. */
static uint32_t struct_word(uint32_t off)
{
    return fdt32_to_cpu(*(const fdt32_t *)((const char *)blob + fdt_off_dt_struct(blob) + off));
}

/* One property of the node being indexed: the few the boot asks every node for. */
static void index_prop(struct dt_index_node *n, const char *name, const void *value, int len)
{
    if (!strcmp(name, "compatible") && len > 0)
        n->compatible = value, n->compatible_len = len;
    else if ((!strcmp(name, "phandle") || (!strcmp(name, "linux,phandle") && !n->phandle)) && len == 4)
        n->phandle = fdt32_to_cpu(*(const fdt32_t *)value);
    else if (!strcmp(name, "#address-cells"))
        n->address_cells = cell_count(value, len) == 0 ? -FDT_ERR_BADNCELLS : cell_count(value, len);
    else if (!strcmp(name, "#size-cells"))
        n->size_cells = cell_count(value, len);
    else if (!strcmp(name, "reg") && !n->reg)   /* dt_reg on each of QEMU's 32 virtio-mmio nodes */
        n->reg = value, n->reg_len = len;
}

/* One pass over the structure block's tokens, as libfdt's fdt_next_node and
 * fdt_for_each_property_offset would walk it but without their checked accessors, which cost
 * ~500k guest instructions for QEMU's tree (fdt_get_string's checks for every property name).
 * Offsets are libfdt's (from the structure block's start), names and values the pointers
 * fdt_get_name and fdt_getprop_by_offset give; every offset is checked against its block, and
 * anything out of place stops the index there, incomplete, so libfdt answers past it. */
static void index_tree(void)
{
    int stack[DT_INDEX_DEPTH], depth = -1;
    const char *structure = (const char *)blob + fdt_off_dt_struct(blob);
    const char *strings = (const char *)blob + fdt_off_dt_strings(blob);
    uint32_t end = fdt_version(blob) >= 17 ? fdt_size_dt_struct(blob)
                                           : fdt_totalsize(blob) - fdt_off_dt_struct(blob);
    uint32_t strings_size = fdt_size_dt_strings(blob), off = 0;
    struct dt_index_node *n = NULL;
    index_count = 0;
    index_complete = false;
    if (fdt_off_dt_struct(blob) & 3)
        return;
    while (end >= 4 && off <= end - 4) {
        uint32_t tag_offset = off, tag = struct_word(off);
        off += 4;
        if (tag == FDT_BEGIN_NODE) {
            const char *name = structure + off;
            while (off < end && structure[off])
                off++;
            if (off >= end || depth + 1 >= DT_INDEX_DEPTH || index_count == DT_INDEX_NODES)
                return;
            off = (off + 4) & ~3u;
            int parent = depth < 0 ? -FDT_ERR_NOTFOUND : stack[depth];
            stack[++depth] = (int)tag_offset;
            n = &index_nodes[index_count++];
            *n = (struct dt_index_node){ .offset = tag_offset, .parent = parent, .name = name,
                                         .name_len = (int)strlen(name), .address_cells = 2, .size_cells = 1 };
        } else if (tag == FDT_END_NODE) {
            if (depth < 0)
                return;
            if (--depth < 0) {
                index_complete = true;         /* the root's end: every node is in */
                return;
            }
            n = NULL;                          /* properties come before a node's children */
        } else if (tag == FDT_PROP) {
            if (end - off < 8)
                return;
            uint32_t len = struct_word(off), name = struct_word(off + 4);
            off += 8;
            if (len > end - off || !n)
                return;
            const void *value = structure + off;
            off = (off + len + 3) & ~3u;
            if (name < strings_size && memchr(strings + name, 0, strings_size - name))
                index_prop(n, strings + name, value, (int)len);
        } else if (tag == FDT_END) {
            index_complete = depth < 0;
            return;
        } else if (tag != FDT_NOP) {
            return;
        }
    }
}

/* The node's entry, or NULL when it is past the index's end (or not a node). */
static const struct dt_index_node *indexed(int node)
{
    unsigned lo = 0, hi = index_count;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (index_nodes[mid].offset < (uint32_t)node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < index_count && index_nodes[lo].offset == (uint32_t)node ? &index_nodes[lo] : NULL;
}

void dt_init(const void *fdt)
{
    blob = fdt;
    index_tree();
}
uint64_t dt_total_size(void) { return fdt_totalsize(blob); }

/* As fdt_stringlist_contains: one of the list's NUL-terminated strings is `want`. */
static bool list_contains(const char *list, int len, const char *want)
{
    size_t want_len = strlen(want);
    while (len > 0) {
        const char *end = memchr(list, 0, (size_t)len);
        if (!end)
            return false;
        size_t n = (size_t)(end - list);
        if (n == want_len && !memcmp(list, want, n))
            return true;
        len -= (int)n + 1;
        list = end + 1;
    }
    return false;
}

/* The first node after `after` (-1: from the start) listing `compatible`, as
 * fdt_node_offset_by_compatible. */
static int next_compatible(int after, const char *compatible)
{
    unsigned i = 0;
    if (after >= 0) {
        const struct dt_index_node *n = indexed(after);
        if (!n)
            return fdt_node_offset_by_compatible(blob, after, compatible);
        i = (unsigned)(n - index_nodes) + 1;
    }
    for (; i < index_count; i++)
        if (index_nodes[i].compatible && list_contains(index_nodes[i].compatible, index_nodes[i].compatible_len, compatible))
            return (int)index_nodes[i].offset;
    if (index_complete || index_count == 0)
        return -FDT_ERR_NOTFOUND;
    return fdt_node_offset_by_compatible(blob, (int)index_nodes[index_count - 1].offset, compatible);
}

int dt_find_compatible(const char *const *compatibles)
{
    for (; *compatibles; compatibles++) {
        int node = next_compatible(-1, *compatibles);
        if (node >= 0)
            return node;
    }
    return -1;
}

int dt_next_compatible(int after, const char *compatible)
{
    int node = next_compatible(after, compatible);
    return node >= 0 ? node : -1;
}

/* A path component names a node as libfdt's fdt_nodename_eq_ has it: the whole name, or the
 * name before its unit address when the component has none. */
static bool name_matches(const struct dt_index_node *n, const char *comp, size_t len)
{
    if ((size_t)n->name_len < len || memcmp(n->name, comp, len))
        return false;
    if ((size_t)n->name_len == len)
        return true;
    return !memchr(comp, '@', len) && n->name[len] == '@';
}

/* An absolute path from the index, as fdt_path_offset finds it (the first child that matches each
 * component); aliases, and a tree the index does not hold whole, are libfdt's. */
int dt_path_offset(const char *path)
{
    if (path[0] != '/' || !index_complete || index_count == 0)
        return fdt_path_offset(blob, path);
    unsigned cur = 0;   /* the root */
    for (const char *p = path;;) {
        while (*p == '/')
            p++;
        if (!*p)
            return (int)index_nodes[cur].offset;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        unsigned i = cur + 1;
        while (i < index_count && !(index_nodes[i].parent == (int32_t)index_nodes[cur].offset &&
                                    name_matches(&index_nodes[i], p, len)))
            i++;
        if (i == index_count)
            return -FDT_ERR_NOTFOUND;
        cur = i;
        p += len;
    }
}

const char *dt_node_name(int node)
{
    const struct dt_index_node *n = indexed(node);
    if (n && n->name)
        return n->name;
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

/* Where the index does not answer (a node past its end, a phandle in a tree it does not hold
 * whole), libfdt finds a node's parent, or the node with a phandle, by walking the tree from its
 * start: about a millisecond under TCG, and the boot asks the same few questions dozens of times
 * (every reg lookup wants the parent's cell sizes, every interrupt-map entry names the GIC's
 * phandle). The blob is never changed after boot, so the answers are kept in a small
 * direct-mapped memo; keys are stored plus one, so the zeroed table means empty. */
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

int dt_parent(int node)
{
    if (node < 0)
        return node;
    const struct dt_index_node *n = indexed(node);
    return n ? n->parent : memo_get(parent_memo, (uint32_t)node, walk_parent);
}
int dt_first_child(int node) { return fdt_first_subnode(blob, node); }
int dt_next_sibling(int node) { return fdt_next_subnode(blob, node); }
int dt_address_cells(int node)
{
    const struct dt_index_node *n = indexed(node);
    return n ? n->address_cells : fdt_address_cells(blob, node);
}

static int size_cells(int node)
{
    const struct dt_index_node *n = indexed(node);
    return n ? n->size_cells : fdt_size_cells(blob, node);
}

/* The node with this phandle: from the index when it holds the whole tree. */
static int walk_phandle(uint32_t phandle)
{
    if (!index_complete)
        return fdt_node_offset_by_phandle(blob, phandle);
    for (unsigned i = 0; i < index_count; i++)
        if (index_nodes[i].phandle == phandle)
            return (int)index_nodes[i].offset;
    return -FDT_ERR_NOTFOUND;
}
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
    int rsv = dt_path_offset("/reserved-memory");
    if (rsv >= 0) {
        int child;
        fdt_for_each_subnode(child, blob, rsv) {
            int len;
            const fdt32_t *reg = fdt_getprop(blob, child, "reg", &len);
            int ac = dt_address_cells(rsv), sc = size_cells(rsv);
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
            int cac = dt_address_cells(node), pac = dt_address_cells(parent);
            int csc = size_cells(node);
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
    int ac = dt_address_cells(parent), sc = size_cells(parent);
    int len;
    const struct dt_index_node *n = indexed(node);
    const fdt32_t *reg = n ? n->reg : fdt_getprop(blob, node, "reg", &len);
    if (n)
        len = n->reg_len;
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
