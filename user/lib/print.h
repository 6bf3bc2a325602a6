/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One print path for text and JSON (iproute2's json_print idea): every
 * field is printed by one call that writes either `key value` in text or
 * "key": value in JSON, so a JSON key is the text word by construction.
 *
 *   PRINT_ANY    text "key value", JSON "key": value
 *   PRINT_VALUE  text "value" alone (a line's subject: a name, a prefix),
 *                JSON "key": value
 *   PRINT_JSON   JSON only (ids, flags people do not need to read)
 *   PRINT_TEXT   text only
 *
 * Text items are separated by one space; print_nl() ends a line. Objects
 * and arrays only shape the JSON; an object opened with PRINT_ANY also
 * writes its key as a word in text ("forwarded packets 1 bytes 64").
 * One document at a time, on one stream.
 */
#ifndef ECMP_PRINT_H
#define ECMP_PRINT_H

#include <stdint.h>
#include <stdio.h>

enum print_kind { PRINT_ANY, PRINT_VALUE, PRINT_JSON, PRINT_TEXT };

void print_start(FILE *f, int json, int pretty);
int print_is_json(void);
/* Ends the document (JSON: its closing newline is written by the last
 * close) and flushes. */
void print_end(void);

void print_open_object(enum print_kind kind, const char *key);
void print_close_object(void);
void print_open_array(enum print_kind kind, const char *key);
void print_close_array(void);

void print_str(enum print_kind kind, const char *key, const char *val);
void print_u64(enum print_kind kind, const char *key, uint64_t val);
/* JSON null; text "key -". */
void print_null(enum print_kind kind, const char *key);
/* JSON true/false; text the key alone, and only when on. */
void print_flag(enum print_kind kind, const char *key, int on);
/* JSON the number of bytes; text with a binary unit ("53.2MiB"). */
void print_size(enum print_kind kind, const char *key, uint64_t bytes);
/* A 64-bit value in hex, "0x%016llx", as a string in JSON too. */
void print_hex64(enum print_kind kind, const char *key, uint64_t val);
/* Text only: literal words (a separator is added before them). */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Text only: ends the line; the next item starts a new one. */
void print_nl(void);
/* Text only: ends the line and indents the next by n spaces. */
void print_indent(int n);

#endif /* ECMP_PRINT_H */
