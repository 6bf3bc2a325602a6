/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A minimal JSON writer for ecmpctl -j and the control socket replies:
 * objects, arrays, escaped strings, numbers; optional pretty printing.
 * Commas and nesting are tracked, so callers only say what comes next.
 */
#ifndef ECMP_JSON_H
#define ECMP_JSON_H

#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	int first[32];		/* no element written yet at this depth */
	int pretty;
};

void json_init(struct json *j, FILE *f, int pretty);
void json_obj_open(struct json *j, const char *key);	/* key NULL in arrays */
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_int(struct json *j, const char *key, int64_t val);
void json_bool(struct json *j, const char *key, int val);
void json_null(struct json *j, const char *key);
/* Writes s as a JSON string (quotes included) into buf; returns buf. */
char *json_escape(const char *s, char *buf, size_t len);

#endif /* ECMP_JSON_H */
