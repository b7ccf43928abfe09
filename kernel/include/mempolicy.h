/* A NUMA memory policy as Linux keeps one (mm/mempolicy.c): a thread's (set_mempolicy) and a
 * range's (mbind, in its VMA). This machine has one node, 0, where every page is: a policy is
 * recorded and reported, and allocation needs nothing from it. A zeroed struct is MPOL_DEFAULT
 * ("no policy": the thread's, or for a VMA the thread's). */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct mempolicy {
    uint16_t mode;          /* MPOL_DEFAULT .. MPOL_PREFERRED_MANY */
    uint16_t flags;         /* the mode flags given: MPOL_F_STATIC_NODES, _RELATIVE_NODES, _NUMA_BALANCING */
    uint16_t nodes;         /* the nodes it uses (of the online ones: node 0 or none) */
    uint16_t user_nodes;    /* the mask given, reported back with STATIC/RELATIVE (MAX_NUMNODES bits) */
    bool has_home;          /* set_mempolicy_home_node's node (always 0 here) was set */
};

static inline bool mempolicy_equal(const struct mempolicy *a, const struct mempolicy *b)
{
    return a->mode == b->mode && a->flags == b->flags && a->nodes == b->nodes &&
           a->user_nodes == b->user_nodes && a->has_home == b->has_home;
}
