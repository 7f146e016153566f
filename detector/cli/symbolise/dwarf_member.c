/* dwarf_member.c — see dwarf_member.h. The variable is found by its location expression
 * (searched at unit level, in namespaces, and in functions for function-scope statics), then its
 * type is walked by member offsets and array strides. */
#include "symbolise/dwarf_member.h"

#include <dwarf.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* The link-time address a location expression's first operation names: DW_OP_addr, or
 * DW_OP_addrx (clang's DWARF 5) through .debug_addr; 0 for any other operation. */
static Dwarf_Addr static_address(Dwarf_Attribute *location, Dwarf_Op *op)
{
    if (op->atom == DW_OP_addr) return op->number;
    if (op->atom != DW_OP_addrx && op->atom != DW_OP_GNU_addr_index) return 0;
    Dwarf_Attribute value;
    Dwarf_Addr addr = 0;
    if (dwarf_getlocation_attr(location, op, &value) != 0 || dwarf_formaddr(&value, &addr) != 0)
        return 0;
    return addr;
}

/* The variable DIE at or below `die`'s children (namespaces, functions and their blocks, for
 * function-scope statics) whose location is the link-time address addr. */
static bool find_variable_in(Dwarf_Die *parent, Dwarf_Addr addr, Dwarf_Die *out)
{
    Dwarf_Die child;
    if (dwarf_child(parent, &child) != 0) return false;
    do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_variable) {
            Dwarf_Attribute attr;
            Dwarf_Op *expr = NULL;
            size_t len = 0;
            if (dwarf_attr(&child, DW_AT_location, &attr) != NULL &&
                dwarf_getlocation(&attr, &expr, &len) == 0 && len >= 1 &&
                static_address(&attr, &expr[0]) == addr) {
                *out = child;
                return true;
            }
        } else if (tag == DW_TAG_namespace || tag == DW_TAG_subprogram ||
                   tag == DW_TAG_lexical_block) {
            if (find_variable_in(&child, addr, out)) return true;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
}

/* The type DIE of die (DW_AT_type, through declarations), with typedefs and qualifiers removed
 * when strip is true. */
static bool type_of(Dwarf_Die *die, Dwarf_Die *type, bool strip)
{
    Dwarf_Attribute attr;
    if (dwarf_formref_die(dwarf_attr_integrate(die, DW_AT_type, &attr), type) == NULL) return false;
    while (strip) {
        int tag = dwarf_tag(type);
        if (tag != DW_TAG_typedef && tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
            tag != DW_TAG_restrict_type && tag != DW_TAG_atomic_type)
            break;
        Dwarf_Die next;
        if (dwarf_formref_die(dwarf_attr_integrate(type, DW_AT_type, &attr), &next) == NULL)
            return false;
        *type = next;
    }
    return true;
}

static bool append(char *buf, size_t len, size_t *used, const char *text)
{
    int n = snprintf(buf + *used, len - *used, "%s", text);
    if (n < 0 || (size_t)n >= len - *used) return false;
    *used += (size_t)n;
    return true;
}

/* Appends to buf the path (".ledger", "[3].m") to the part of an object of `type` at `offset`
 * that holds a lock of lock_size bytes: descends while the offset is inside a member or element,
 * or the part found is still larger than the lock. False when DWARF cannot say. */
static bool member_path(Dwarf_Die *type, uint64_t offset, uint64_t lock_size, char *buf, size_t len,
                        size_t *used, int depth)
{
    Dwarf_Word size = 0;
    if (dwarf_aggregate_size(type, &size) != 0 || offset >= size) return false;
    if (offset == 0 && size <= lock_size) return true;
    if (depth > 32) return false; /* nesting no real type reaches */
    int tag = dwarf_tag(type);
    if (tag == DW_TAG_array_type) {
        Dwarf_Die elem, sub;
        Dwarf_Word esize = 0;
        if (!type_of(type, &elem, true) || dwarf_aggregate_size(&elem, &esize) != 0 || esize == 0)
            return false;
        /* One index per dimension, the last varying fastest. */
        uint64_t counts[8];
        int dims = 0;
        if (dwarf_child(type, &sub) == 0) do {
                if (dwarf_tag(&sub) != DW_TAG_subrange_type) continue;
                Dwarf_Word count = 0;
                if (dims == 8) return false;
                Dwarf_Attribute attr;
                Dwarf_Word upper = 0;
                if (dwarf_formudata(dwarf_attr(&sub, DW_AT_count, &attr), &count) != 0) {
                    if (dwarf_formudata(dwarf_attr(&sub, DW_AT_upper_bound, &attr), &upper) != 0)
                        return false;
                    count = upper + 1;
                }
                counts[dims++] = count;
            } while (dwarf_siblingof(&sub, &sub) == 0);
        uint64_t index = offset / esize, stride = 1;
        for (int d = 0; d < dims; d++)
            stride *= counts[d];
        for (int d = 0; d < dims; d++) {
            stride /= counts[d] ? counts[d] : 1;
            char part[32];
            snprintf(part, sizeof part, "[%" PRIu64 "]", stride ? index / stride : 0);
            if (!append(buf, len, used, part)) return false;
            index = stride ? index % stride : 0;
        }
        return member_path(&elem, offset % esize, lock_size, buf, len, used, depth + 1);
    }
    if (tag != DW_TAG_structure_type && tag != DW_TAG_class_type && tag != DW_TAG_union_type)
        return false;
    Dwarf_Die m;
    if (dwarf_child(type, &m) != 0) return false;
    do {
        int mtag = dwarf_tag(&m);
        if (mtag != DW_TAG_member && mtag != DW_TAG_inheritance) continue;
        Dwarf_Attribute attr;
        Dwarf_Word at = 0, msize = 0;
        Dwarf_Die mtype;
        if (dwarf_attr(&m, DW_AT_data_member_location, &attr) != NULL &&
            dwarf_formudata(&attr, &at) != 0)
            continue; /* a virtual base: no constant offset */
        if (!type_of(&m, &mtype, true) || dwarf_aggregate_size(&mtype, &msize) != 0) continue;
        if (offset < at || offset - at >= msize) continue;
        const char *name = mtag == DW_TAG_member ? dwarf_diename(&m) : NULL;
        size_t mark = *used;
        if (name != NULL && (!append(buf, len, used, ".") || !append(buf, len, used, name)))
            return false;
        if (member_path(&mtype, offset - at, lock_size, buf, len, used, depth + 1)) return true;
        *used = mark;
        buf[mark] = '\0';
    } while (dwarf_siblingof(&m, &m) == 0);
    return false;
}

bool lwd_dwarf_member_path(Dwarf *dwarf, Dwarf_Addr addr, uint64_t offset, uint64_t lock_size,
                           char *buf, size_t len)
{
    Dwarf_CU *unit = NULL;
    Dwarf_Die unit_die, var, type;
    bool found = false;
    while (!found && dwarf_get_units(dwarf, unit, &unit, NULL, NULL, &unit_die, NULL) == 0)
        found = find_variable_in(&unit_die, addr, &var);
    if (!found || !type_of(&var, &type, true) || len == 0) return false;
    size_t used = 0;
    buf[0] = '\0';
    return member_path(&type, offset, lock_size, buf, len, &used, 0) && used > 0;
}
