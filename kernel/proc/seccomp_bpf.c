/* Classic BPF as seccomp takes it (Linux's bpf_check_classic, then seccomp_check_filter): the
 * instructions a filter may use, the checks a program must pass before it is installed, and
 * the interpreter that runs it over a system call's struct seccomp_data.
 *
 * Invariant: a program that passed seccomp_bpf_check ends every path in a RET, jumps only
 * forward and inside itself, reads a scratch word only after storing it on every path there,
 * and loads only aligned words of seccomp_data: seccomp_bpf_run needs no checks of its own. */
#include "seccomp_bpf.h"
#include "errno.h"
#include <stdbool.h>

/* The parts of an opcode. */
#define CLASS(c) ((c) & 0x07)
#define SIZE(c)  ((c) & 0x18)
#define MODE(c)  ((c) & 0xe0)
#define OP(c)    ((c) & 0xf0)
#define SRC_X(c) ((c) & 0x08)

enum { LD = 0, LDX = 1, ST = 2, STX = 3, ALU = 4, JMP = 5, RET = 6, MISC = 7 };
enum { W = 0x00, H = 0x08, B = 0x10 };
enum { IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0 };
enum { ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
       NEG = 0x80, MOD = 0x90, XOR = 0xa0 };
enum { JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40 };
enum { RET_K = 0x00, RET_A = 0x10 };
enum { TAX = 0x00, TXA = 0x80 };

#define MEMWORDS 16

/* seccomp_check_filter's list: what a seccomp filter may contain (no packet loads but
 * aligned words of seccomp_data, no MOD, no extensions). */
static bool allowed(const struct sock_filter *i)
{
    uint16_t c = i->code;
    switch (CLASS(c)) {
    case LD:
        return c == (LD | W | ABS) || c == (LD | W | LEN) || c == (LD | IMM) || c == (LD | MEM);
    case LDX:
        return c == (LDX | W | LEN) || c == (LDX | IMM) || c == (LDX | MEM);
    case ST:
    case STX:
        return c == ST || c == STX;
    case ALU:
        if (OP(c) == NEG)
            return c == (ALU | NEG);
        return OP(c) <= RSH || OP(c) == XOR ? (c & ~0xf8) == ALU : false;
    case JMP:
        if (OP(c) == JA)
            return c == (JMP | JA);
        return OP(c) <= JSET && (c & ~0xf8) == JMP;
    case RET:
        return c == (RET | RET_K) || c == (RET | RET_A);
    default:                           /* MISC */
        return c == (MISC | TAX) || c == (MISC | TXA);
    }
}

int seccomp_bpf_check(const struct sock_filter *prog, unsigned int len)
{
    if (len == 0 || len > BPF_MAXINSNS)
        return -EINVAL;
    /* Scratch words stored on every path to an instruction (check_load_and_stores): each
     * instruction's mask is the AND of what every jump to it and the fall-through bring. */
    uint16_t masks[BPF_MAXINSNS];
    for (unsigned int pc = 0; pc < len; pc++)
        masks[pc] = 0xffff;
    uint16_t valid = 0;
    for (unsigned int pc = 0; pc < len; pc++) {
        const struct sock_filter *i = &prog[pc];
        uint16_t c = i->code;
        if (!allowed(i))
            return -EINVAL;
        valid &= masks[pc];
        switch (CLASS(c)) {
        case LD:
        case LDX:
            if (MODE(c) == MEM) {
                if (i->k >= MEMWORDS || !(valid & (1u << i->k)))
                    return -EINVAL;
            }
            if (c == (LD | W | ABS) && (i->k >= sizeof(struct seccomp_data) || (i->k & 3)))
                return -EINVAL;
            break;
        case ST:
        case STX:
            if (i->k >= MEMWORDS)
                return -EINVAL;
            valid |= (uint16_t)(1u << i->k);
            break;
        case ALU:
            if (!SRC_X(c) && (OP(c) == DIV) && i->k == 0)
                return -EINVAL;
            if (!SRC_X(c) && (OP(c) == LSH || OP(c) == RSH) && i->k >= 32)
                return -EINVAL;
            break;
        case JMP:
            if (OP(c) == JA) {
                if (i->k >= len - pc - 1)
                    return -EINVAL;
                masks[pc + 1 + i->k] &= valid;
            } else {
                if (pc + i->jt + 1 >= len || pc + i->jf + 1 >= len)
                    return -EINVAL;
                masks[pc + 1 + i->jt] &= valid;
                masks[pc + 1 + i->jf] &= valid;
            }
            valid = 0xffff;            /* nothing falls through */
            break;
        case RET:
            valid = 0xffff;
            break;
        }
    }
    return CLASS(prog[len - 1].code) == RET ? 0 : -EINVAL;
}

uint32_t seccomp_bpf_run(const struct sock_filter *prog, const struct seccomp_data *data)
{
    uint32_t a = 0, x = 0, mem[MEMWORDS] = { 0 };
    const uint8_t *bytes = (const uint8_t *)data;
    for (unsigned int pc = 0;; pc++) {
        const struct sock_filter *i = &prog[pc];
        uint16_t c = i->code;
        uint32_t src = SRC_X(c) ? x : i->k;
        switch (CLASS(c)) {
        case LD:
            a = MODE(c) == ABS ? *(const uint32_t *)(bytes + i->k) :
                MODE(c) == LEN ? (uint32_t)sizeof(*data) : MODE(c) == MEM ? mem[i->k] : i->k;
            break;
        case LDX:
            x = MODE(c) == LEN ? (uint32_t)sizeof(*data) : MODE(c) == MEM ? mem[i->k] : i->k;
            break;
        case ST:
            mem[i->k] = a;
            break;
        case STX:
            mem[i->k] = x;
            break;
        case ALU:
            switch (OP(c)) {
            case ADD: a += src; break;
            case SUB: a -= src; break;
            case MUL: a *= src; break;
            case DIV:
                if (src == 0)
                    return 0;          /* classic BPF: a division by zero ends the program with 0 */
                a /= src;
                break;
            case OR: a |= src; break;
            case AND: a &= src; break;
            case LSH: a <<= src & 31; break;   /* a constant is < 32; X as arm64's LSLV takes it */
            case RSH: a >>= src & 31; break;
            case XOR: a ^= src; break;
            default: a = -a; break;    /* NEG */
            }
            break;
        case JMP:
            switch (OP(c)) {
            case JA: pc += i->k; break;
            case JEQ: pc += a == src ? i->jt : i->jf; break;
            case JGT: pc += a > src ? i->jt : i->jf; break;
            case JGE: pc += a >= src ? i->jt : i->jf; break;
            default: pc += (a & src) ? i->jt : i->jf; break;   /* JSET */
            }
            break;
        case RET:
            return c == (RET | RET_A) ? a : i->k;
        default:                       /* MISC */
            if (c == (MISC | TAX))
                x = a;
            else
                a = x;
            break;
        }
    }
}
