// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void json_init(struct json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = 1;
}

static void put_escaped(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void next(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = 0;
	if (j->pretty && j->depth) {
		fputc('\n', j->f);
		fprintf(j->f, "%*s", 2 * j->depth, "");
	}
	if (key) {
		put_escaped(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	next(j, key);
	fputc(c, j->f);
	if (j->depth < 31)
		j->depth++;
	j->first[j->depth] = 1;
}

static void close_(struct json *j, char c)
{
	int empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (j->pretty && !empty) {
		fputc('\n', j->f);
		fprintf(j->f, "%*s", 2 * j->depth, "");
	}
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void json_obj_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j, const char *key) { open_(j, key, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

void json_str(struct json *j, const char *key, const char *val)
{
	next(j, key);
	put_escaped(j->f, val ? val : "");
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	next(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void json_int(struct json *j, const char *key, int64_t val)
{
	next(j, key);
	fprintf(j->f, "%" PRId64, val);
}

void json_bool(struct json *j, const char *key, int val)
{
	next(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	next(j, key);
	fputs("null", j->f);
}

/* ---- reader ---- */

struct reader {
	const char *p;
	const char *err;
};

static void skip_ws(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static struct json_value *new_value(struct reader *r, enum json_type type)
{
	struct json_value *v = calloc(1, sizeof(*v));

	if (!v)
		r->err = "out of memory";
	else
		v->type = type;
	return v;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Appends code point cp as UTF-8. */
static char *put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | cp >> 6;
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | cp >> 12;
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | cp >> 18;
		*o++ = 0x80 | ((cp >> 12) & 0x3f);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* A string at r->p (on its opening quote), unescaped into a new buffer:
 * never longer than the escaped text, so that length is enough. */
static char *read_string(struct reader *r)
{
	const char *p = r->p + 1, *end = p;
	char *out, *o;

	while (*end && *end != '"')
		end += *end == '\\' && end[1] ? 2 : 1;
	if (*end != '"') {
		r->err = "unterminated string";
		return NULL;
	}
	out = o = malloc(end - p + 1);
	if (!out) {
		r->err = "out of memory";
		return NULL;
	}
	while (p < end) {
		unsigned cp, lo;

		if ((unsigned char)*p < 0x20)
			goto bad;
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (end - p < 4 || hex4(p, &cp))
				goto bad;
			p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {	/* surrogate pair */
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u' ||
				    hex4(p + 2, &lo) || lo < 0xdc00 || lo >= 0xe000)
					goto bad;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			if (!cp)
				goto bad;	/* a NUL would cut the C string */
			o = put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
	}
	*o = 0;
	r->p = end + 1;
	return out;
bad:
	free(out);
	r->err = "bad string escape";
	return NULL;
}

static struct json_value *read_value(struct reader *r, int depth);

/* Elements of an array or members of an object, after its opening. */
static int read_children(struct reader *r, struct json_value *v, int depth)
{
	struct json_value **tail = &v->child;
	char close = v->type == JSON_OBJECT ? '}' : ']';

	skip_ws(r);
	if (*r->p == close) {
		r->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct json_value *c;

		skip_ws(r);
		if (v->type == JSON_OBJECT) {
			if (*r->p != '"') {
				r->err = "expected a member name";
				return -1;
			}
			key = read_string(r);
			if (!key)
				return -1;
			skip_ws(r);
			if (*r->p != ':') {
				free(key);
				r->err = "expected ':'";
				return -1;
			}
			r->p++;
		}
		c = read_value(r, depth + 1);
		if (!c) {
			free(key);
			return -1;
		}
		c->key = key;
		*tail = c;
		tail = &c->next;
		skip_ws(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p == close) {
			r->p++;
			return 0;
		}
		r->err = v->type == JSON_OBJECT ? "expected ',' or '}'" :
						  "expected ',' or ']'";
		return -1;
	}
}

static int read_number(struct reader *r, struct json_value *v)
{
	const char *p = r->p;

	if (*p == '-')
		p++;
	if (!isdigit((unsigned char)*p))
		goto bad;
	if (*p == '0')
		p++;
	else
		while (isdigit((unsigned char)*p))
			p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	v->str = strndup(r->p, p - r->p);
	if (!v->str) {
		r->err = "out of memory";
		return -1;
	}
	r->p = p;
	return 0;
bad:
	r->err = "bad number";
	return -1;
}

static struct json_value *read_value(struct reader *r, int depth)
{
	struct json_value *v = NULL;
	int err = 0;

	if (depth > JSON_MAX_DEPTH) {
		r->err = "nested too deep";
		return NULL;
	}
	skip_ws(r);
	switch (*r->p) {
	case '{':
	case '[':
		v = new_value(r, *r->p == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!v)
			return NULL;
		r->p++;
		err = read_children(r, v, depth);
		break;
	case '"':
		v = new_value(r, JSON_STRING);
		if (!v)
			return NULL;
		v->str = read_string(r);
		err = !v->str;
		break;
	case 't':
	case 'f':
	case 'n': {
		static const struct { const char *word; enum json_type t; int b; } w[] = {
			{ "true", JSON_BOOL, 1 }, { "false", JSON_BOOL, 0 },
			{ "null", JSON_NULL, 0 },
		};
		unsigned i;

		for (i = 0; i < 3; i++)
			if (!strncmp(r->p, w[i].word, strlen(w[i].word)))
				break;
		if (i == 3) {
			r->err = "unexpected word";
			return NULL;
		}
		v = new_value(r, w[i].t);
		if (!v)
			return NULL;
		v->boolean = w[i].b;
		r->p += strlen(w[i].word);
		break;
	}
	default:
		v = new_value(r, JSON_NUMBER);
		if (!v)
			return NULL;
		err = read_number(r, v);
	}
	if (err) {
		json_free(v);
		return NULL;
	}
	return v;
}

struct json_value *json_parse(const char *text, const char **err)
{
	struct reader r = { .p = text };
	struct json_value *v = read_value(&r, 0);

	if (v) {
		skip_ws(&r);
		if (*r.p) {
			r.err = "text after the document";
			json_free(v);
			v = NULL;
		}
	}
	if (!v && err)
		*err = r.err ? r.err : "not JSON";
	return v;
}

void json_free(struct json_value *v)
{
	while (v) {
		struct json_value *next = v->next;

		json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	const struct json_value *c;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (c = obj->child; c; c = c->next)
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

const char *json_get_str(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}

int json_u64_of(const struct json_value *v, uint64_t *out)
{
	char *end;

	if (!v || v->type != JSON_NUMBER || !isdigit((unsigned char)v->str[0]))
		return -EINVAL;
	errno = 0;
	*out = strtoull(v->str, &end, 10);
	return *end || errno ? -EINVAL : 0;
}
