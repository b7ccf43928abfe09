/* A QEMU TCG plugin (bench/guest_insns.py loads it): guest instructions and translated-block
 * executions counted per block start address, written to the file named by its `out=PATH`
 * argument when QEMU exits. These counts do not depend on the host's load, unlike every clock the
 * guest can read under TCG (the generic counter and the PMU cycle counter both follow the host's
 * time). Built for the host (HOST_CC). QEMU 7.2's plugin ABI is version 1; only the calls used are
 * declared here, with the signatures that ABI defines (QEMU's include/qemu/qemu-plugin.h). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef struct {
    const char *target_name;
    struct { int min, cur; } version;
    bool system_emulation;
    union { struct { int smp_vcpus, max_vcpus; } system; };
} qemu_info_t;
struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, struct qemu_plugin_tb *));
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *, enum qemu_plugin_op, void *, uint64_t);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t, void (*)(qemu_plugin_id_t, void *), void *);
EXPORT int qemu_plugin_version = 1;

/* One entry per (start address, length): a block translated again (after a flush, or in another
 * address space at the same address) adds to the same counters. Open addressing; an entry never
 * moves once made, because the translated code holds its counters' addresses. */
struct entry {
    uint64_t vaddr, insns_per_exec, execs, insns;
};
#define SLOTS (1u << 20)
static struct entry *table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;   /* translations may run on any vCPU */
static const char *out_path;

static struct entry *entry_for(uint64_t vaddr, uint64_t n)
{
    uint64_t h = (vaddr * 0x9E3779B97F4A7C15ull ^ n) >> 44;
    for (uint32_t i = 0; i < SLOTS; i++) {
        struct entry *e = &table[(h + i) & (SLOTS - 1)];
        if (e->insns_per_exec == 0) {
            e->vaddr = vaddr;
            e->insns_per_exec = n;
            return e;
        }
        if (e->vaddr == vaddr && e->insns_per_exec == n)
            return e;
    }
    return NULL;                   /* full: that block goes uncounted */
}

/* The counters are added to inline (no call per execution); with several vCPUs two may race on
 * one counter, which only matters for -smp > 1 (the benchmarks run one vCPU). */
static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t n = qemu_plugin_tb_n_insns(tb);
    pthread_mutex_lock(&table_lock);
    struct entry *e = entry_for(qemu_plugin_tb_vaddr(tb), n ? n : 1);
    pthread_mutex_unlock(&table_lock);
    if (!e)
        return;
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &e->execs, 1);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &e->insns, n);
}

/* "VADDR INSNS_PER_EXEC EXECS INSNS" per executed block, hex address, decimal counts. */
static void on_exit_write(qemu_plugin_id_t id, void *unused)
{
    FILE *f = fopen(out_path, "w");
    if (!f) {
        fprintf(stderr, "tcg_insns: cannot write %s\n", out_path);
        return;
    }
    for (uint32_t i = 0; i < SLOTS; i++)
        if (table[i].execs)
            fprintf(f, "%lx %lu %lu %lu\n", (unsigned long)table[i].vaddr, (unsigned long)table[i].insns_per_exec,
                    (unsigned long)table[i].execs, (unsigned long)table[i].insns);
    fclose(f);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "out=", 4))
            out_path = argv[i] + 4;
    if (!out_path) {
        fprintf(stderr, "tcg_insns: give out=PATH\n");
        return 1;
    }
    table = calloc(SLOTS, sizeof(*table));
    if (!table)
        return 1;
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_exit_write, NULL);
    return 0;
}
