/* The TFS image reader: header, log replay (last record wins), boot manifest, tree walk.
 *
 * Everything read from the device is hostile until checked here (docs/tfs.md section 10, the
 * same checks unibuild/tfs/reader.py applies): every length and count is compared with the
 * bytes that remain before it is used, sums are checked as `a > limit - b`, multi-byte fields
 * are loaded bytewise (the kernel runs with -mstrict-align and records are packed), recursion
 * is bounded by the format's nesting limit and every loop by the bytes it consumes. A failed
 * check records what and where in fs->err and unwinds; nothing here faults or loops forever.
 *
 * Memory comes from io->alloc; every block is linked into fs->allocs so one tfs_close() frees a
 * half-built image too. Plain C, no kernel headers: tests/fuzz/ builds this file for the host. */
#include "tfs.h"
#include <string.h>

#define RECORD_HEADER 12
#define REC_END       0
#define REC_TUPLE     1
#define REC_EXTEND    2
#define REC_COMMIT    3        /* version 2 */
#define HEADER_SLOT_B 2048     /* version 2's second header slot */

#define TAG_SYM     1
#define TAG_STR     2
#define TAG_BYTES   3
#define TAG_INT     4
#define TAG_TUPLE   5
#define TAG_LIST    6
#define TAG_REF     7
#define TAG_EXTENTS 8

#define WINDOW_SIZE   65536u   /* metadata read cache: reads up to half of it are served from it */
#define MIN_ENTRY     5        /* smallest tuple entry: 2-byte symbol + INT-less 3-byte value */
#define MIN_VALUE     3        /* smallest value: a tag and a 1-byte symbol */
#define EXTENT_BYTES  24

struct tfs_alloc_head {
    struct tfs_alloc_head *prev, *next;
};

struct tfs_rec {
    uint32_t id;               /* 0: free slot */
    uint32_t len;              /* payload bytes (the id, then the tuple) */
    uint64_t offset;           /* where the winning record's header starts */
    uint8_t *payload;
    bool seen;                 /* already placed in the tree (or the root tuple) */
    uint32_t node;             /* its index in fs->nodes once placed */
};

/* A version-2 record read but not yet closed by a commit record. */
struct tfs_staged {
    uint32_t id, len;
    uint64_t offset;
    uint8_t *payload;
};

/* A window onto a validated payload; base is the image offset of p[0], for error messages. */
struct cur {
    struct tfs *fs;
    const uint8_t *p;
    uint64_t len, pos, base;
};

struct val {
    uint8_t tag;
    struct cur body;           /* the value's bytes after its tag */
};

/* ---- errors and memory ---- */

/* Record the first failure only: later ones are consequences of it. */
static bool fail(struct tfs *fs, enum tfs_status status, const char *what, uint64_t offset)
{
    if (fs->err.status == TFS_OK) {
        fs->err.status = status;
        fs->err.what = what;
        fs->err.offset = offset;
    }
    return false;
}

static bool corrupt(struct tfs *fs, const char *what, uint64_t offset)
{
    return fail(fs, TFS_CORRUPT, what, offset);
}

static void *tfs_alloc(struct tfs *fs, uint64_t size)
{
    if (size > SIZE_MAX - sizeof(struct tfs_alloc_head)) {
        fail(fs, TFS_NOMEM, "out of memory", 0);
        return NULL;
    }
    struct tfs_alloc_head *h = fs->io.alloc(fs->io.ctx, sizeof(*h) + (size_t)size);
    if (!h) {
        fail(fs, TFS_NOMEM, "out of memory", 0);
        return NULL;
    }
    h->prev = NULL;
    h->next = fs->allocs;
    if (fs->allocs)
        fs->allocs->prev = h;
    fs->allocs = h;
    return h + 1;
}

/* n elements of size each, zeroed; the multiplication is checked. */
static void *tfs_calloc(struct tfs *fs, uint64_t n, uint64_t size)
{
    if (size && n > UINT64_MAX / size) {
        fail(fs, TFS_NOMEM, "out of memory", 0);
        return NULL;
    }
    void *p = tfs_alloc(fs, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

static void tfs_free(struct tfs *fs, void *p)
{
    if (!p)
        return;
    struct tfs_alloc_head *h = (struct tfs_alloc_head *)p - 1;
    if (h->prev)
        h->prev->next = h->next;
    else
        fs->allocs = h->next;
    if (h->next)
        h->next->prev = h->prev;
    fs->io.free(fs->io.ctx, h);
}

/* ---- checksums and raw reads ---- */

uint32_t tfs_crc32(uint32_t crc, const void *buf, size_t len)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = (c >> 1) ^ (0xEDB88320u & -(c & 1));
            table[i] = c;
        }
        ready = true;
    }
    const uint8_t *p = buf;
    crc = ~crc;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint64_t load_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Read device bytes; callers have bounded [off, off+len) by the image size, but the device is
 * checked again so no caller mistake can read past it. Small reads go through the window. */
static bool dev_read(struct tfs *fs, uint64_t off, void *buf, uint64_t len)
{
    uint64_t dev = fs->io.device_size;
    if (len == 0)
        return true;
    if (off > dev || len > dev - off)
        return corrupt(fs, "read past the end of the device", off);
    if (len > WINDOW_SIZE / 2 || !fs->window) {
        if (fs->io.read(fs->io.ctx, off, buf, len) != 0)
            return fail(fs, TFS_IOERR, "read error", off);
        return true;
    }
    if (!(fs->window_len && off >= fs->window_start && off - fs->window_start <= fs->window_len &&
          len <= fs->window_len - (off - fs->window_start))) {
        uint64_t start = off & ~(uint64_t)511;
        uint64_t n = dev - start < WINDOW_SIZE ? dev - start : WINDOW_SIZE;
        fs->window_len = 0;
        if (fs->io.read(fs->io.ctx, start, fs->window, n) != 0)
            return fail(fs, TFS_IOERR, "read error", start);
        fs->window_start = start;
        fs->window_len = n;
    }
    memcpy(buf, fs->window + (off - fs->window_start), len);
    return true;
}

/* ---- the value encoding (docs/tfs.md section 6) ---- */

static bool need(struct cur *c, uint64_t n, const char *what)
{
    if (n > c->len - c->pos)
        return corrupt(c->fs, what, c->base + c->pos);
    return true;
}

static bool get_le(struct cur *c, int n, uint64_t *out)
{
    if (!need(c, n, "a value runs past the end of its record"))
        return false;
    *out = load_le(c->p + c->pos, n);
    c->pos += n;
    return true;
}

/* A symbol: u8 length 1..255, then bytes without '/' or NUL. */
static bool check_symbol(struct cur *c)
{
    uint64_t n;
    uint64_t at = c->base + c->pos;
    if (!get_le(c, 1, &n))
        return false;
    if (n == 0)
        return corrupt(c->fs, "an empty name", at);
    if (!need(c, n, "a name runs past the end of its record"))
        return false;
    if (memchr(c->p + c->pos, '/', n) || memchr(c->p + c->pos, 0, n))
        return corrupt(c->fs, "a name contains '/' or NUL", at);
    c->pos += n;
    return true;
}

/* memcmp order, a prefix before its extensions (the canonical key order of section 6.1). */
static int name_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int r = memcmp(a, b, alen < blen ? alen : blen);
    if (r)
        return r;
    return alen < blen ? -1 : alen > blen;
}

static bool check_tuple(struct cur *c, int depth);

/* One tagged value; depth is how many TUPLE/LIST levels may still open below this one. The
 * recursion is bounded by TFS_MAX_NESTING. */
static bool check_value(struct cur *c, int depth)
{
    uint64_t tag, n, at = c->base + c->pos;
    if (!get_le(c, 1, &tag))
        return false;
    switch (tag) {
    case TAG_SYM:
        return check_symbol(c);
    case TAG_STR:
        if (!get_le(c, 4, &n) || !need(c, n, "a string runs past the end of its record"))
            return false;
        if (memchr(c->p + c->pos, 0, n))
            return corrupt(c->fs, "a string contains NUL", at);
        c->pos += n;
        return true;
    case TAG_BYTES:
        if (!get_le(c, 4, &n) || !need(c, n, "a byte string runs past the end of its record"))
            return false;
        c->pos += n;
        return true;
    case TAG_INT:
        return get_le(c, 8, &n);
    case TAG_TUPLE:
        if (depth == 0)
            return corrupt(c->fs, "values nested deeper than 8 tuples/lists", at);
        return check_tuple(c, depth - 1);
    case TAG_LIST:
        if (depth == 0)
            return corrupt(c->fs, "values nested deeper than 8 tuples/lists", at);
        if (!get_le(c, 4, &n))
            return false;
        if (n > (c->len - c->pos) / MIN_VALUE)
            return corrupt(c->fs, "a list count runs past the end of its record", at);
        for (uint64_t i = 0; i < n; i++)
            if (!check_value(c, depth - 1))
                return false;
        return true;
    case TAG_REF:
        if (!get_le(c, 4, &n))
            return false;
        if (n == 0)
            return corrupt(c->fs, "a reference to tuple id 0", at);
        return true;
    case TAG_EXTENTS:
        if (!get_le(c, 4, &n))
            return false;
        if (n > (c->len - c->pos) / EXTENT_BYTES)
            return corrupt(c->fs, "an extent count runs past the end of its record", at);
        c->pos += n * EXTENT_BYTES;
        return true;
    default:
        return corrupt(c->fs, "unknown value tag", at);
    }
}

/* A tuple: u32 count, then entries whose keys strictly increase in name_cmp order. */
static bool check_tuple(struct cur *c, int depth)
{
    uint64_t n, at = c->base + c->pos;
    if (!get_le(c, 4, &n))
        return false;
    if (n > (c->len - c->pos) / MIN_ENTRY)
        return corrupt(c->fs, "a tuple count runs past the end of its record", at);
    const uint8_t *prev = NULL;
    size_t prev_len = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t key_at = c->pos;
        if (!check_symbol(c))
            return false;
        const uint8_t *key = c->p + key_at + 1;
        size_t key_len = c->p[key_at];
        if (prev && name_cmp(prev, prev_len, key, key_len) >= 0)
            return corrupt(c->fs, "tuple keys are not in strictly increasing byte order", c->base + key_at);
        prev = key;
        prev_len = key_len;
        if (!check_value(c, depth))
            return false;
    }
    return true;
}

/* The next value of a validated tuple or list, as a cursor over its bytes after the tag. */
static bool next_value(struct cur *c, struct val *v)
{
    v->tag = c->p[c->pos];
    uint64_t start = c->pos + 1;
    if (!check_value(c, TFS_MAX_NESTING - 1))
        return false;
    v->body = *c;
    v->body.p = c->p + start;
    v->body.base = c->base + start;
    v->body.len = c->pos - start;
    v->body.pos = 0;
    return true;
}

/* The next entry of a validated tuple; *key points at the key's length byte. */
static bool next_entry(struct cur *c, const uint8_t **key, struct val *v)
{
    *key = c->p + c->pos;
    c->pos += 1 + (uint64_t)**key;
    return next_value(c, v);
}

struct attr {
    const char *key;
    uint8_t tag;
    const char *missing;       /* the complaint when absent or of another tag; NULL: optional */
    bool found;
    struct val v;
};

#define ATTR(k, t, m) { .key = (k), .tag = (t), .missing = (m) }

/* Pick the named attributes out of a validated tuple; a wrong tag counts as absent. */
static bool read_attrs(struct cur tuple, struct attr *attrs, int n)
{
    uint64_t count;
    if (!get_le(&tuple, 4, &count))
        return false;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *key;
        struct val v;
        if (!next_entry(&tuple, &key, &v))
            return false;
        for (int k = 0; k < n; k++)
            if (v.tag == attrs[k].tag &&
                !name_cmp(key + 1, key[0], (const uint8_t *)attrs[k].key, strlen(attrs[k].key))) {
                attrs[k].found = true;
                attrs[k].v = v;
            }
    }
    return true;
}

static bool require(struct tfs *fs, struct attr *attrs, int n, uint64_t where)
{
    for (int k = 0; k < n; k++)
        if (attrs[k].missing && !attrs[k].found)
            return corrupt(fs, attrs[k].missing, where);
    return true;
}

static int64_t val_int(const struct val *v)
{
    return (int64_t)load_le(v->body.p, 8);
}

/* A NUL-terminated copy of a STR (u32 length) or SYM (u8 length) value. */
static char *val_string(struct tfs *fs, const struct val *v, uint32_t *len_out)
{
    int width = v->tag == TAG_SYM ? 1 : 4;
    uint64_t len = load_le(v->body.p, width);
    char *s = tfs_alloc(fs, len + 1);
    if (!s)
        return NULL;
    memcpy(s, v->body.p + width, len);
    s[len] = 0;
    if (len_out)
        *len_out = (uint32_t)len;
    return s;
}

/* ---- the record table: tuple id -> the winning record ---- */

static struct tfs_rec *rec_find(struct tfs *fs, uint32_t id)
{
    if (!fs->rec_cap)
        return NULL;
    for (uint32_t i = (id * 2654435761u) & (fs->rec_cap - 1);; i = (i + 1) & (fs->rec_cap - 1)) {
        if (fs->recs[i].id == id)
            return &fs->recs[i];
        if (fs->recs[i].id == 0)
            return NULL;
    }
}

static struct tfs_rec *rec_slot(struct tfs_rec *recs, uint32_t cap, uint32_t id)
{
    uint32_t i = (id * 2654435761u) & (cap - 1);
    while (recs[i].id != 0 && recs[i].id != id)
        i = (i + 1) & (cap - 1);
    return &recs[i];
}

/* Later records replace earlier ones for the same id; the table stays at most half full, so
 * probing always ends. */
static bool rec_put(struct tfs *fs, uint32_t id, uint64_t offset, uint8_t *payload, uint32_t len)
{
    if ((uint64_t)(fs->rec_count + 1) * 2 > fs->rec_cap) {
        uint32_t cap = fs->rec_cap ? fs->rec_cap * 2 : 64;
        if (cap > (1u << 30))
            return fail(fs, TFS_NOMEM, "out of memory", offset);
        struct tfs_rec *recs = tfs_calloc(fs, cap, sizeof(*recs));
        if (!recs)
            return false;
        for (uint32_t i = 0; i < fs->rec_cap; i++)
            if (fs->recs[i].id)
                *rec_slot(recs, cap, fs->recs[i].id) = fs->recs[i];
        tfs_free(fs, fs->recs);
        fs->recs = recs;
        fs->rec_cap = cap;
    }
    struct tfs_rec *r = rec_slot(fs->recs, fs->rec_cap, id);
    if (r->id)
        tfs_free(fs, r->payload);
    else
        fs->rec_count++;
    r->id = id;
    r->offset = offset;
    r->payload = payload;
    r->len = len;
    return true;
}

/* The tuple of a record, as a cursor past its id. */
static struct cur rec_tuple(struct tfs *fs, const struct tfs_rec *r)
{
    struct cur c = { fs, r->payload + 4, r->len - 4, 0, r->offset + RECORD_HEADER + 4 };
    return c;
}

/* ---- header and log (sections 4 and 5) ---- */

static bool check_segment(struct tfs *fs, uint64_t start, uint64_t blocks, uint64_t where)
{
    if (start < 1 || blocks < 1 || start > fs->image_blocks || blocks > fs->image_blocks - start)
        return corrupt(fs, "log segment lies outside the image", where);
    if (fs->segment_count == fs->segment_cap) {
        uint32_t cap = fs->segment_cap ? fs->segment_cap * 2 : 8;
        uint64_t (*seg)[2] = tfs_calloc(fs, cap, sizeof(*seg));
        if (!seg)
            return false;
        if (fs->segment_count)
            memcpy(seg, fs->segments, fs->segment_count * sizeof(*seg));
        tfs_free(fs, fs->segments);
        fs->segments = seg;
        fs->segment_cap = cap;
    }
    fs->segments[fs->segment_count][0] = start;
    fs->segments[fs->segment_count][1] = blocks;
    fs->segment_count++;
    return true;
}

struct header {
    uint32_t header_size;
    uint16_t major, minor;
    uint32_t block_size, root_id;
    uint8_t uuid[16];
    uint64_t image_size, log_start, log_blocks, generation;
};

const char tfs_no_magic[] = "not a TFS image: no UNIBTFS magic";

/* One header slot at byte `base`, checked as section 10 says (offsets in errors are the slot's). */
static bool read_slot(struct tfs *fs, uint64_t base, struct header *out)
{
    uint8_t h[TFS_HEADER_SIZE];
    if (fs->io.device_size < base + TFS_HEADER_SIZE)
        return corrupt(fs, "not a TFS image: the device is shorter than the header", base);
    if (!dev_read(fs, base, h, sizeof(h)))
        return false;
    if (memcmp(h, "UNIBTFS\0", 8))
        return corrupt(fs, tfs_no_magic, base);
    out->major = load_le(h + 8, 2);
    out->minor = load_le(h + 10, 2);
    if (out->major != 1 && out->major != 2)
        return corrupt(fs, "unsupported format version", base + 8);
    uint32_t header_size = load_le(h + 12, 4);
    uint32_t limit = out->major == 2 ? HEADER_SLOT_B : TFS_MIN_BLOCK_SIZE;
    if (header_size < TFS_HEADER_SIZE || header_size > limit)
        return corrupt(fs, "header size outside 128..4096", base + 12);
    out->header_size = header_size;
    if (base + header_size > fs->io.device_size)
        return corrupt(fs, "the device ends inside the header", base);
    uint32_t stored = load_le(h + 16, 4);
    uint8_t zero[4] = { 0, 0, 0, 0 };
    uint32_t crc = tfs_crc32(tfs_crc32(0, h, 16), zero, 4);
    crc = tfs_crc32(crc, h + 20, TFS_HEADER_SIZE - 20);
    for (uint32_t off = TFS_HEADER_SIZE; off < header_size;) {   /* a longer (later minor) header */
        uint8_t chunk[128];
        uint32_t n = header_size - off < sizeof(chunk) ? header_size - off : sizeof(chunk);
        if (!dev_read(fs, base + off, chunk, n))
            return false;
        crc = tfs_crc32(crc, chunk, n);
        off += n;
    }
    if (crc != stored)
        return corrupt(fs, "header checksum mismatch", base + 16);
    if (load_le(h + 20, 4))
        return corrupt(fs, "unknown header flags", base + 20);
    uint32_t bs = load_le(h + 24, 4);
    if ((bs & (bs - 1)) || bs < TFS_MIN_BLOCK_SIZE || bs > TFS_MAX_BLOCK_SIZE)
        return corrupt(fs, "block size is not a power of two in 4096..65536", base + 24);
    if (header_size > bs)
        return corrupt(fs, "header size exceeds the block size", base + 12);
    out->root_id = load_le(h + 28, 4);
    if (out->root_id == 0)
        return corrupt(fs, "root tuple id is 0", base + 28);
    memcpy(out->uuid, h + 32, 16);
    out->block_size = bs;
    out->image_size = load_le(h + 48, 8);
    if (out->image_size % bs || out->image_size / bs < 2)
        return corrupt(fs, "image size is not a multiple of the block size of at least 2 blocks", base + 48);
    if (fs->io.device_size < out->image_size)
        return corrupt(fs, "truncated: the device is shorter than the image size", base + 48);
    out->log_start = load_le(h + 56, 8);
    out->log_blocks = load_le(h + 64, 8);
    out->generation = out->major == 2 ? load_le(h + 72, 8) : 0;
    return true;
}

/* Version 1 has one header; version 2 two slots (section 12.1), of which the valid one with the
 * higher generation wins, so a writer rewriting one slot can never lose both. */
static bool read_header(struct tfs *fs, uint32_t *root_id, uint64_t *log_start, uint64_t *log_blocks)
{
    struct header a, b, *h = &a;
    bool a_ok = read_slot(fs, 0, &a);
    if (!a_ok || a.major == 2) {
        struct tfs_error first = fs->err;
        fs->err.status = TFS_OK;
        bool b_ok = read_slot(fs, HEADER_SLOT_B, &b) && b.major == 2;
        if (!a_ok && !b_ok) {
            fs->err = first;
            return false;
        }
        fs->err.status = TFS_OK;
        if (!a_ok || (b_ok && b.generation > a.generation))
            h = &b;
    }
    fs->version_major = h->major;
    fs->version_minor = h->minor;
    fs->writable = h->major == 2;
    fs->generation = h->generation;
    fs->header_slot = h == &b ? HEADER_SLOT_B : 0;
    fs->header_size = h->header_size;
    fs->block_size = h->block_size;
    memcpy(fs->uuid, h->uuid, 16);
    fs->image_size = h->image_size;
    fs->image_blocks = h->image_size / h->block_size;
    *root_id = fs->root_tuple = h->root_id;
    *log_start = h->log_start;
    *log_blocks = h->log_blocks;
    return check_segment(fs, *log_start, *log_blocks, 56);
}

/* Read and check one record's payload; returns the payload (owned by the caller) or NULL. */
static uint8_t *read_record(struct tfs *fs, uint64_t pos, const uint8_t *head, uint32_t len)
{
    uint8_t *payload = tfs_alloc(fs, len ? len : 1);
    if (!payload || !dev_read(fs, pos + RECORD_HEADER, payload, len)) {
        tfs_free(fs, payload);
        return NULL;
    }
    uint8_t zeroed[RECORD_HEADER];
    memcpy(zeroed, head, 8);
    memset(zeroed + 8, 0, 4);
    if (tfs_crc32(tfs_crc32(0, zeroed, RECORD_HEADER), payload, len) != load_le(head + 8, 4)) {
        tfs_free(fs, payload);
        corrupt(fs, "record checksum mismatch", pos);
        return NULL;
    }
    return payload;
}

/* A tuple record: u32 id then exactly one tuple. The payload is handed to the record table. */
static bool add_tuple_record(struct tfs *fs, uint64_t pos, uint8_t *payload, uint32_t len)
{
    struct cur c = { fs, payload, len, 0, pos + RECORD_HEADER };
    uint64_t id;
    bool ok = get_le(&c, 4, &id);
    if (ok && id == 0)
        ok = corrupt(fs, "a tuple record for tuple id 0", pos);
    if (ok)
        ok = check_tuple(&c, TFS_MAX_NESTING - 1);
    if (ok && c.pos != c.len)
        ok = corrupt(fs, "bytes left over after the last value of a tuple record", c.base + c.pos);
    if (ok)
        ok = rec_put(fs, id, pos, payload, len);
    if (!ok)
        tfs_free(fs, payload);
    return ok;
}

static void drop_staged(struct tfs *fs, struct tfs_staged *st, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        tfs_free(fs, st[i].payload);
}

/* Version 2 (section 12.2): records count once a commit record closes them. The log ends at an
 * end record or at the first record that does not check, a torn tail: what it staged is
 * dropped. Structure errors inside records that do check (a bad tuple encoding) are corruption,
 * as in version 1. */
static bool replay_volume_log(struct tfs *fs, uint64_t start, uint64_t blocks)
{
    uint64_t bs = fs->block_size, pos = start * bs, end = (start + blocks) * bs;
    uint32_t chain = 0, nstaged = 0, cap = 0, first_new_segment = fs->segment_count;
    struct tfs_staged *st = NULL;
    bool committed = false;
    fs->tail_segment[0] = start;
    fs->tail_segment[1] = blocks;
    for (;;) {
        uint8_t h[RECORD_HEADER];
        static const uint8_t zero[RECORD_HEADER];
        if (end - pos < RECORD_HEADER || !dev_read(fs, pos, h, RECORD_HEADER))
            break;
        uint32_t type = load_le(h, 2), len = load_le(h + 4, 4);
        if (!memcmp(h, zero, RECORD_HEADER) || load_le(h + 2, 2) || type < REC_TUPLE || type > REC_COMMIT ||
            len > TFS_MAX_RECORD || len > end - pos - RECORD_HEADER)
            break;
        uint8_t *payload = read_record(fs, pos, h, len);
        if (!payload) {
            if (fs->err.status == TFS_CORRUPT)     /* a checksum mismatch: the torn tail */
                fs->err.status = TFS_OK;
            break;
        }
        uint64_t next = pos + RECORD_HEADER + len;
        if (type == REC_COMMIT) {
            uint64_t seq = len == 12 ? load_le(payload, 8) : 0;
            uint32_t want = len == 12 ? load_le(payload + 8, 4) : 0;
            tfs_free(fs, payload);
            if (len != 12 || want != chain || (committed && seq != fs->last_seq + 1))
                break;
            for (uint32_t i = 0; i < nstaged; i++)
                if (!add_tuple_record(fs, st[i].offset, st[i].payload, st[i].len)) {
                    drop_staged(fs, st + i + 1, nstaged - i - 1);
                    tfs_free(fs, st);
                    return false;
                }
            nstaged = 0;
            chain = 0;
            committed = true;
            fs->last_seq = seq;
            fs->log_end = next;
            fs->tail_segment[0] = start;
            fs->tail_segment[1] = blocks;
            first_new_segment = fs->segment_count;
            pos = next;
            continue;
        }
        chain = tfs_crc32(chain, h + 8, 4);
        if (type == REC_TUPLE) {
            if (nstaged == cap) {
                uint32_t ncap = cap ? cap * 2 : 64;
                struct tfs_staged *n = tfs_calloc(fs, ncap, sizeof(*n));
                if (!n) {
                    tfs_free(fs, payload);
                    drop_staged(fs, st, nstaged);
                    tfs_free(fs, st);
                    return false;
                }
                if (nstaged)
                    memcpy(n, st, nstaged * sizeof(*n));
                tfs_free(fs, st);
                st = n;
                cap = ncap;
            }
            st[nstaged++] = (struct tfs_staged){ len >= 4 ? (uint32_t)load_le(payload, 4) : 0, len, pos, payload };
            pos = next;
            continue;
        }
        uint64_t nstart = len == 16 ? load_le(payload, 8) : 0, nblocks = len == 16 ? load_le(payload + 8, 8) : 0;
        tfs_free(fs, payload);
        if (len != 16 || nstart < start + blocks || nblocks < 1 || nstart > fs->image_blocks ||
            nblocks > fs->image_blocks - nstart || !check_segment(fs, nstart, nblocks, pos))
            break;
        start = nstart;
        blocks = nblocks;
        pos = start * bs;
        end = (start + blocks) * bs;
    }
    drop_staged(fs, st, nstaged);
    tfs_free(fs, st);
    fs->segment_count = first_new_segment;     /* segments no commit reached are not the log's */
    if (fs->err.status != TFS_OK)
        return false;
    if (!committed)
        return corrupt(fs, "the log holds no commit record", fs->segments[0][0] * bs);
    return true;
}

/* Replay the log from its first segment. Each segment is scanned once and extend records only
 * move forward, so the replay reads each log byte at most once. */
static bool replay_log(struct tfs *fs, uint64_t start, uint64_t blocks)
{
    if (fs->writable)
        return replay_volume_log(fs, start, blocks);
    uint64_t bs = fs->block_size;
    for (;;) {
        uint64_t pos = start * bs, end = (start + blocks) * bs;
        for (;;) {
            uint8_t h[RECORD_HEADER];
            if (end - pos < RECORD_HEADER)
                return corrupt(fs, "log segment ends without an end or extend record", pos);
            if (!dev_read(fs, pos, h, RECORD_HEADER))
                return false;
            uint32_t type = load_le(h, 2), len = load_le(h + 4, 4);
            if (type == REC_END) {
                static const uint8_t zero[RECORD_HEADER];
                if (memcmp(h, zero, RECORD_HEADER))
                    return corrupt(fs, "end record with non-zero fields", pos);
                return true;
            }
            if (load_le(h + 2, 2))
                return corrupt(fs, "record flags are not zero", pos + 2);
            if (len > TFS_MAX_RECORD || len > end - pos - RECORD_HEADER)
                return corrupt(fs, "record length runs past the log segment end", pos + 4);
            uint8_t *payload = read_record(fs, pos, h, len);
            if (!payload)
                return false;
            if (type == REC_TUPLE) {
                if (!add_tuple_record(fs, pos, payload, len))
                    return false;
            } else if (type == REC_EXTEND) {
                uint64_t next = len == 16 ? load_le(payload, 8) : 0, nblocks = len == 16 ? load_le(payload + 8, 8) : 0;
                tfs_free(fs, payload);
                if (len != 16)
                    return corrupt(fs, "malformed extend record: its payload is not 16 bytes", pos);
                if (next < start + blocks)
                    return corrupt(fs, "extend record points back; segments must move forward", pos);
                if (!check_segment(fs, next, nblocks, pos))
                    return false;
                start = next;
                blocks = nblocks;
                break;
            } else {
                tfs_free(fs, payload);
                return corrupt(fs, "unknown record type", pos);
            }
            pos += RECORD_HEADER + len;
        }
    }
}

/* ---- the boot manifest (section 8.2) ---- */

/* A LIST of STR as a NULL-terminated array; env entries must look like KEY=VALUE. */
static bool read_string_list(struct tfs *fs, const struct val *v, bool env, const char ***out, uint32_t *count,
                             uint64_t where)
{
    struct cur c = v->body;
    uint64_t n;
    if (!get_le(&c, 4, &n))
        return false;
    const char **list = tfs_calloc(fs, n + 1, sizeof(char *));
    if (!list)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        struct val item;
        if (!next_value(&c, &item))
            return false;
        if (item.tag != TAG_STR)
            return corrupt(fs, env ? "boot env holds a value that is not a string"
                                   : "boot argv holds a value that is not a string", where);
        char *s = val_string(fs, &item, NULL);
        if (!s)
            return false;
        if (env && (s[0] == '=' || !strchr(s, '=')))
            return corrupt(fs, "boot env holds an entry that is not KEY=VALUE", where);
        list[i] = s;
    }
    *out = list;
    *count = n;
    return true;
}

static bool read_root(struct tfs *fs, uint32_t root_id, uint32_t *fs_id, uint64_t *root_pos)
{
    struct tfs_rec *r = rec_find(fs, root_id);
    if (!r)
        return corrupt(fs, "the root tuple id names no record", 28);
    r->seen = true;
    *root_pos = r->offset;
    struct attr root[] = {
        ATTR("boot", TAG_TUPLE, "root tuple lacks a valid 'boot' tuple"),
        ATTR("fs", TAG_REF, "root tuple lacks a valid 'fs' reference"),
    };
    if (!read_attrs(rec_tuple(fs, r), root, 2))
        return false;
    if (fs->writable && !root[0].found && root[1].found) {
        *fs_id = load_le(root[1].v.body.p, 4);
        return true;                           /* a volume: no boot manifest (section 12.3) */
    }
    if (!require(fs, root, 2, r->offset))
        return false;
    *fs_id = load_le(root[1].v.body.p, 4);
    struct attr boot[] = {
        ATTR("argv", TAG_LIST, "boot tuple lacks a valid 'argv' list"),
        ATTR("env", TAG_LIST, "boot tuple lacks a valid 'env' list"),
        ATTR("kernel", TAG_TUPLE, "boot tuple lacks a valid 'kernel' tuple"),
        ATTR("program", TAG_STR, "boot tuple lacks a valid 'program' string"),
    };
    if (!read_attrs(root[0].v.body, boot, 4) || !require(fs, boot, 4, r->offset))
        return false;
    struct tfs_boot *b = &fs->boot;
    if (!(b->program = val_string(fs, &boot[3].v, NULL)))
        return false;
    if (b->program[0] != '/')
        return corrupt(fs, "boot program is not an absolute path", r->offset);
    if (!read_string_list(fs, &boot[0].v, false, &b->argv, &b->argc, r->offset) ||
        !read_string_list(fs, &boot[1].v, true, &b->envp, &b->envc, r->offset))
        return false;
    if (b->argc == 0)
        return corrupt(fs, "boot argv is empty", r->offset);

    struct cur k = boot[2].v.body;
    uint64_t n;
    if (!get_le(&k, 4, &n) || !(b->kopts = tfs_calloc(fs, n ? n : 1, sizeof(*b->kopts))))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *key;
        struct val v;
        if (!next_entry(&k, &key, &v))
            return false;
        struct tfs_kopt *o = &b->kopts[i];
        struct val keyval = { TAG_SYM, { fs, key, 1 + (uint64_t)key[0], 0, 0 } };
        if (!(o->key = val_string(fs, &keyval, NULL)))
            return false;
        if (v.tag == TAG_INT) {
            o->is_int = true;
            o->ival = val_int(&v);
        } else if (v.tag == TAG_STR || v.tag == TAG_SYM) {
            if (!(o->sval = val_string(fs, &v, NULL)))
                return false;
        } else {
            return corrupt(fs, "a kernel option is neither an integer nor a string", r->offset);
        }
    }
    b->kopt_count = n;
    return true;
}

/* ---- the tree (sections 6.4, 8.3, 8.4) ---- */

/* Take node ref `id` into the tree as a child of parent: every tuple may be placed once,
 * which rules out cycles and hard links and bounds the walk by the number of records. */
static struct tfs_node *place(struct tfs *fs, uint64_t id, struct tfs_node *parent, uint64_t where)
{
    struct tfs_rec *r = rec_find(fs, id);
    if (!r) {
        corrupt(fs, "a reference to a tuple no record defines", where);
        return NULL;
    }
    if (r->seen && fs->writable && parent && r->node) {
        /* Version 2: a second name for a file or symlink (a hard link; read_node refuses it
         * for a directory once the node is read). */
        struct tfs_node *n = &fs->nodes[r->node];
        n->links++;
        return n;
    }
    if (r->seen) {
        corrupt(fs, "a tuple is referenced twice in the tree", where);
        return NULL;
    }
    r->seen = true;
    r->node = fs->node_count;
    struct tfs_node *n = &fs->nodes[fs->node_count];
    n->index = fs->node_count++;
    n->id = id;
    n->parent = parent ? parent : n;
    n->depth = parent ? parent->depth + 1 : 0;
    n->name = "";
    return n;
}

static bool check_extents(struct tfs *fs, struct tfs_node *n, const struct val *v, uint64_t where)
{
    uint64_t count = load_le(v->body.p, 4), bs = fs->block_size, prev_end = 0;
    if (!(n->extents = tfs_calloc(fs, count ? count : 1, sizeof(*n->extents))))
        return false;
    n->extent_count = count;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *p = v->body.p + 4 + i * EXTENT_BYTES;
        struct tfs_extent *e = &n->extents[i];
        e->file_offset = load_le(p, 8);
        e->block = load_le(p + 8, 8);
        e->length = load_le(p + 16, 8);
        uint64_t nblocks = e->length / bs + (e->length % bs != 0);
        if (e->file_offset % bs)
            return corrupt(fs, "an extent starts at a file offset that is not block aligned", where);
        if (e->length == 0)
            return corrupt(fs, "an extent is empty", where);
        if (e->file_offset < prev_end)
            return corrupt(fs, "an extent overlaps or precedes the previous one", where);
        if (e->length > n->size || e->file_offset > n->size - e->length)
            return corrupt(fs, "an extent ends past the file size", where);
        if (e->block < 1 || e->block > fs->image_blocks || nblocks > fs->image_blocks - e->block)
            return corrupt(fs, "an extent lies outside the image", where);
        /* Segments are sorted and disjoint: find the first one ending after the extent starts. */
        uint32_t lo = 0, hi = fs->segment_count;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (fs->segments[mid][0] + fs->segments[mid][1] <= e->block)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < fs->segment_count && fs->segments[lo][0] < e->block + nblocks)
            return corrupt(fs, "an extent overlaps a log segment", where);
        uint64_t units = nblocks * (bs / 512);
        n->blocks512 = n->blocks512 > UINT64_MAX - units ? UINT64_MAX : n->blocks512 + units;
        prev_end = e->file_offset + e->length;
    }
    return true;
}

static bool read_children(struct tfs *fs, struct tfs_node *n, const struct val *v, uint64_t where)
{
    struct cur c = v->body;
    uint64_t count;
    if (!get_le(&c, 4, &count))
        return false;
    if (count && n->depth >= TFS_MAX_DEPTH)
        return corrupt(fs, "directory nested deeper than 128 levels", where);
    if (!(n->entries = tfs_calloc(fs, count ? count : 1, sizeof(*n->entries))))
        return false;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *key;
        struct val ref;
        if (!next_entry(&c, &key, &ref))
            return false;
        if ((key[0] == 1 && key[1] == '.') || (key[0] == 2 && key[1] == '.' && key[2] == '.'))
            return corrupt(fs, "a directory has an entry named '.' or '..'", where);
        if (ref.tag != TAG_REF)
            return corrupt(fs, "a directory entry is not a reference", where);
        struct tfs_node *child = place(fs, load_le(ref.body.p, 4), n, where);
        if (!child)
            return false;
        if (child->name_len) {                 /* a hard link: the node keeps its first name */
            n->entries[i].name = val_string(fs, &(struct val){ TAG_SYM, { fs, key, 1 + (uint64_t)key[0], 0, 0 } },
                                            &n->entries[i].len);
            if (!n->entries[i].name)
                return false;
            n->entries[i].node = child;
            n->entry_count = i + 1;
            continue;
        }
        struct val name = { TAG_SYM, { fs, key, 1 + (uint64_t)key[0], 0, 0 } };
        char *s = val_string(fs, &name, &child->name_len);
        if (!s)
            return false;
        child->name = s;
        n->entries[i].name = s;
        n->entries[i].len = child->name_len;
        n->entries[i].node = child;
        n->entry_count = i + 1;
    }
    return true;
}

/* The optional `xattrs` (LIST of BYTES: name, value, name, value...) and `xattrs_inode` (INT). */
static bool read_xattrs(struct tfs *fs, struct tfs_node *n, const struct attr *list, const struct attr *inode,
                        uint64_t where)
{
    n->xattr_inode = -1;
    if (!list->found)
        return true;
    struct cur c = list->v.body;
    uint64_t count;
    if (!get_le(&c, 4, &count))
        return false;
    if (count % 2)
        return corrupt(fs, "node xattrs hold a name without a value", where);
    if (!(n->xattrs = tfs_calloc(fs, count / 2 + 1, sizeof(*n->xattrs))))
        return false;
    for (uint64_t i = 0; i < count / 2; i++) {
        struct val name, value;
        if (!next_value(&c, &name) || !next_value(&c, &value))
            return false;
        if (name.tag != TAG_BYTES || value.tag != TAG_BYTES)
            return corrupt(fs, "node xattrs hold a value that is not BYTES", where);
        uint32_t len = (uint32_t)load_le(name.body.p, 4), size = (uint32_t)load_le(value.body.p, 4);
        if (len < 1 || len > TFS_XATTR_NAME_MAX || memchr(name.body.p + 4, 0, len))
            return corrupt(fs, "node xattr name is empty, longer than 255 bytes or holds a NUL", where);
        if (size > TFS_XATTR_SIZE_MAX)
            return corrupt(fs, "node xattr value is longer than 65536 bytes", where);
        struct tfs_xattr *x = &n->xattrs[i];
        char *s = val_string(fs, &(struct val){ TAG_STR, name.body }, &x->name_len);
        uint8_t *v = tfs_alloc(fs, size + 1);
        if (!s || !v)
            return false;
        memcpy(v, value.body.p + 4, size);
        x->name = s;
        x->value = v;
        x->size = size;
        n->xattr_count = (uint32_t)(i + 1);
    }
    if (inode->found) {
        int64_t k = val_int(&inode->v);
        if (k < 0 || (uint64_t)k > count / 2)
            return corrupt(fs, "node xattrs_inode outside 0..the number of xattrs", where);
        n->xattr_inode = (int32_t)k;
    }
    return true;
}

/* Fill in a placed node from its tuple; directories place their children, which the walk in
 * build_tree reaches later (breadth first, no recursion). */
static bool read_node(struct tfs *fs, struct tfs_node *n)
{
    struct tfs_rec *r = rec_find(fs, n->id);
    uint64_t where = r->offset;
    struct attr a[] = {
        ATTR("children", TAG_TUPLE, NULL), ATTR("extents", TAG_EXTENTS, NULL),
        ATTR("gid", TAG_INT, "node tuple lacks a valid 'gid'"), ATTR("mode", TAG_INT, "node tuple lacks a valid 'mode'"),
        ATTR("mtime", TAG_INT, "node tuple lacks a valid 'mtime'"), ATTR("size", TAG_INT, NULL),
        ATTR("target", TAG_STR, NULL), ATTR("type", TAG_SYM, "node tuple lacks a valid 'type'"),
        ATTR("uid", TAG_INT, "node tuple lacks a valid 'uid'"), ATTR("xattrs", TAG_LIST, NULL),
        ATTR("xattrs_inode", TAG_INT, NULL),
    };
    enum { CHILDREN, EXTENTS, GID, MODE, MTIME, SIZE, TARGET, TYPE, UID, XATTRS, XATTRS_INODE, NATTR };
    if (!read_attrs(rec_tuple(fs, r), a, NATTR))
        return false;
    if (!require(fs, a, NATTR, where))
        return false;
    if (!read_xattrs(fs, n, &a[XATTRS], &a[XATTRS_INODE], where))
        return false;
    int64_t mode = val_int(&a[MODE].v), uid = val_int(&a[UID].v), gid = val_int(&a[GID].v);
    if (mode < 0 || mode > 07777)
        return corrupt(fs, "node mode outside 0..0o7777", where);
    if (uid < 0 || uid > 0xffffffffLL || gid < 0 || gid > 0xffffffffLL)
        return corrupt(fs, "node uid/gid outside 0..4294967295", where);
    n->mode = mode;
    n->uid = uid;
    n->gid = gid;
    n->mtime_ns = val_int(&a[MTIME].v);
    const uint8_t *type = a[TYPE].v.body.p;
    if (type[0] == 4 && !memcmp(type + 1, "file", 4)) {
        n->kind = TFS_FILE;
        n->nlink = 1;
        if (!a[SIZE].found)
            return corrupt(fs, "file tuple lacks a valid 'size'", where);
        if (!a[EXTENTS].found)
            return corrupt(fs, "file tuple lacks a valid 'extents'", where);
        int64_t size = val_int(&a[SIZE].v);
        if (size < 0)
            return corrupt(fs, "file has a negative size", where);
        n->size = size;
        return check_extents(fs, n, &a[EXTENTS].v, where);
    }
    if (type[0] == 3 && !memcmp(type + 1, "dir", 3)) {
        n->kind = TFS_DIR;
        n->nlink = 2;
        if (!a[CHILDREN].found)
            return corrupt(fs, "dir tuple lacks a valid 'children'", where);
        return read_children(fs, n, &a[CHILDREN].v, where);
    }
    if (type[0] == 7 && !memcmp(type + 1, "symlink", 7)) {
        n->kind = TFS_SYMLINK;
        n->nlink = 1;
        if (!a[TARGET].found)
            return corrupt(fs, "symlink tuple lacks a valid 'target'", where);
        uint64_t len = load_le(a[TARGET].v.body.p, 4);
        if (len < 1 || len > TFS_SYMLINK_MAX)
            return corrupt(fs, "symlink target is empty or longer than 4095 bytes", where);
        n->size = len;
        return (n->target = val_string(fs, &a[TARGET].v, NULL)) != NULL;
    }
    return corrupt(fs, "node has an unknown type", where);
}

static bool build_tree(struct tfs *fs, uint32_t fs_id, uint64_t root_pos)
{
    if (!(fs->nodes = tfs_calloc(fs, fs->rec_count, sizeof(*fs->nodes))))
        return false;
    if (!(fs->root = place(fs, fs_id, NULL, root_pos)))
        return false;
    /* The array is the work queue: place() appends, at most once per record. */
    for (uint32_t i = 0; i < fs->node_count; i++)
        if (!read_node(fs, &fs->nodes[i]))
            return false;
    if (fs->root->kind != TFS_DIR)
        return corrupt(fs, "the root directory is not a directory", root_pos);
    for (uint32_t i = 1; i < fs->node_count; i++) {
        struct tfs_node *n = &fs->nodes[i];
        if (n->links && n->kind == TFS_DIR)
            return corrupt(fs, "a directory is referenced twice in the tree", root_pos);
        n->nlink += n->links;
        if (n->kind == TFS_DIR)
            n->parent->nlink++;
    }
    return true;
}

/* The payloads are not needed once the tree is built: everything kept was copied out. */
static void drop_records(struct tfs *fs)
{
    for (uint32_t i = 0; i < fs->rec_cap; i++)
        tfs_free(fs, fs->recs[i].payload);
    tfs_free(fs, fs->recs);
    fs->recs = NULL;
    fs->rec_cap = fs->rec_count = 0;
}

int tfs_open(const struct tfs_io *io, struct tfs **out, struct tfs_error *err)
{
    struct tfs *fs = io->alloc(io->ctx, sizeof(*fs));
    if (!fs) {
        err->status = TFS_NOMEM;
        err->what = "out of memory";
        err->offset = 0;
        return TFS_NOMEM;
    }
    memset(fs, 0, sizeof(*fs));
    fs->io = *io;
    uint32_t root_id = 0, fs_id = 0;
    uint64_t log_start = 0, log_blocks = 0, root_pos = 0;
    bool ok = (fs->window = tfs_alloc(fs, WINDOW_SIZE)) != NULL &&
              read_header(fs, &root_id, &log_start, &log_blocks) &&
              replay_log(fs, log_start, log_blocks) &&
              read_root(fs, root_id, &fs_id, &root_pos) &&
              build_tree(fs, fs_id, root_pos);
    if (!ok) {
        *err = fs->err;
        tfs_close(fs);
        *out = NULL;
        return err->status;
    }
    drop_records(fs);
    err->status = TFS_OK;
    err->what = NULL;
    err->offset = 0;
    *out = fs;
    return TFS_OK;
}

void tfs_invalidate_cache(struct tfs *fs)
{
    fs->window_len = 0;
}

void tfs_close(struct tfs *fs)
{
    if (!fs)
        return;
    while (fs->allocs)
        tfs_free(fs, fs->allocs + 1);
    fs->io.free(fs->io.ctx, fs);
}

struct tfs_node *tfs_dir_lookup(const struct tfs_node *dir, const char *name, size_t len)
{
    uint32_t lo = 0, hi = dir->entry_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct tfs_dirent *d = &dir->entries[mid];
        int r = name_cmp((const uint8_t *)d->name, d->len, (const uint8_t *)name, len);
        if (r == 0)
            return d->node;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int64_t tfs_file_read(struct tfs *fs, const struct tfs_node *file, uint64_t offset, void *buf, uint64_t len)
{
    if (offset >= file->size)
        return 0;
    if (len > file->size - offset)
        len = file->size - offset;
    if (len > INT64_MAX)
        len = INT64_MAX;
    /* The first extent that ends after offset. */
    uint32_t lo = 0, hi = file->extent_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct tfs_extent *e = &file->extents[mid];
        if (e->file_offset + e->length <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint8_t *out = buf;
    uint64_t pos = offset, end = offset + len;
    while (pos < end) {
        const struct tfs_extent *e = lo < file->extent_count ? &file->extents[lo] : NULL;
        uint64_t n;
        if (e && e->file_offset <= pos) {
            uint64_t e_end = e->file_offset + e->length;
            n = (end < e_end ? end : e_end) - pos;
            fs->err.status = TFS_OK;
            if (!dev_read(fs, e->block * fs->block_size + (pos - e->file_offset), out, n))
                return TFS_IOERR;
            if (pos + n == e_end)
                lo++;
        } else {
            uint64_t hole_end = e && e->file_offset < end ? e->file_offset : end;
            n = hole_end - pos;
            memset(out, 0, n);
        }
        out += n;
        pos += n;
    }
    return (int64_t)len;
}
