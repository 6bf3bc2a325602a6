/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * JSON for ecmpctl -j and the control socket.
 * Writer: objects, arrays, escaped strings, numbers; optional pretty
 * printing. Commas and nesting are tracked, so callers only say what
 * comes next.
 * Reader: a whole document into a tree (the control socket's replies,
 * which ecmpctl reads by key, never by searching the text).
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

/* ---- reader ---- */

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };

struct json_value {
	enum json_type type;
	char *key;			/* its name, inside an object */
	char *str;			/* JSON_STRING; JSON_NUMBER as written */
	int boolean;
	struct json_value *child;	/* first element or member */
	struct json_value *next;	/* next sibling */
};

#define JSON_MAX_DEPTH	32

/* Parses one document (trailing white space allowed). Returns the tree,
 * or NULL with *err saying what is wrong (out of memory included). */
struct json_value *json_parse(const char *text, const char **err);
void json_free(struct json_value *v);
/* Member key of an object, or NULL. */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* The string member key, or NULL when absent or not a string. */
const char *json_get_str(const struct json_value *obj, const char *key);
/* A number as an unsigned integer: 0, or -EINVAL when it is not one. */
int json_u64_of(const struct json_value *v, uint64_t *out);

#endif /* ECMP_JSON_H */
