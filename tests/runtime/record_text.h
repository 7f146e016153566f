/* record_text.h — one wire record (lockwatch/wire.h) as one line of text, for the runtime tests.
 *
 * lwr_record_text(out, rec, len) checks that the `len` bytes at `rec` are one well-formed record
 * (magic, version, header size equal to len, the exact size its type and element counts give)
 * and writes it as one line: the type's name, then space-separated key=value fields:
 *   numbers      decimal, addresses and stack ids in hex (0x...)
 *   lock refs    addr/generation/type/flags/mode/acq, e.g. lock=0x5610a0/0/1/0/0/0
 *   held sets    held=REF@STACK,REF@STACK ... (held=- when empty)
 *   strings      percent-encoded (a space is %20), so a line always splits on spaces
 * A malformed record becomes "ERROR <why>" and the call returns false. tests/runtime/check.py
 * parses these lines; its parser and this file change together. */
#ifndef LOCKWATCH_TESTS_RECORD_TEXT_H
#define LOCKWATCH_TESTS_RECORD_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

bool lwr_record_text(FILE *out, const void *rec, size_t len);

#endif
