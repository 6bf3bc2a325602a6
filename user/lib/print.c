// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <inttypes.h>
#include <stdarg.h>

#include "json.h"
#include "print.h"

static struct {
	FILE *f;
	int json;
	int line_start;		/* text: nothing on this line yet */
	struct json j;
} out;

void print_start(FILE *f, int json, int pretty)
{
	out.f = f;
	out.json = json;
	out.line_start = 1;
	json_init(&out.j, f, pretty);
}

int print_is_json(void)
{
	return out.json;
}

void print_end(void)
{
	if (!out.json && !out.line_start)
		print_nl();
	fflush(out.f);
}

static int in_json(enum print_kind kind)
{
	return out.json && kind != PRINT_TEXT;
}

static int in_text(enum print_kind kind)
{
	return !out.json && kind != PRINT_JSON;
}

/* Starts a text item: the separator, then the key word unless only the
 * value is wanted. */
static void text_item(enum print_kind kind, const char *key)
{
	if (!out.line_start)
		fputc(' ', out.f);
	out.line_start = 0;
	if (kind == PRINT_ANY && key)
		fprintf(out.f, "%s ", key);
}

/* JSON: open it; text, PRINT_ANY: its key as a word. */
static void open_container(enum print_kind kind, const char *key,
			   void (*json_open)(struct json *, const char *))
{
	if (in_json(kind)) {
		json_open(&out.j, key);
	} else if (kind == PRINT_ANY && key && in_text(kind)) {
		text_item(PRINT_VALUE, NULL);
		fputs(key, out.f);
	}
}

void print_open_object(enum print_kind kind, const char *key)
{
	open_container(kind, key, json_obj_open);
}

void print_close_object(void)
{
	if (out.json)
		json_obj_close(&out.j);
}

void print_open_array(enum print_kind kind, const char *key)
{
	open_container(kind, key, json_arr_open);
}

void print_close_array(void)
{
	if (out.json)
		json_arr_close(&out.j);
}

void print_str(enum print_kind kind, const char *key, const char *val)
{
	if (in_json(kind)) {
		json_str(&out.j, key, val);
	} else if (in_text(kind)) {
		text_item(kind, key);
		fputs(val && *val ? val : "-", out.f);
	}
}

void print_u64(enum print_kind kind, const char *key, uint64_t val)
{
	if (in_json(kind)) {
		json_u64(&out.j, key, val);
	} else if (in_text(kind)) {
		text_item(kind, key);
		fprintf(out.f, "%" PRIu64, val);
	}
}

void print_null(enum print_kind kind, const char *key)
{
	if (in_json(kind)) {
		json_null(&out.j, key);
	} else if (in_text(kind)) {
		text_item(kind, key);
		fputc('-', out.f);
	}
}

void print_flag(enum print_kind kind, const char *key, int on)
{
	if (in_json(kind)) {
		json_bool(&out.j, key, on);
	} else if (in_text(kind) && on) {
		text_item(PRINT_VALUE, NULL);
		fputs(key, out.f);
	}
}

void print_size(enum print_kind kind, const char *key, uint64_t bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = bytes;
	int u = 0;

	if (in_json(kind)) {
		json_u64(&out.j, key, bytes);
		return;
	}
	if (!in_text(kind))
		return;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	text_item(kind, key);
	if (u)
		fprintf(out.f, "%.1f%s", v, unit[u]);
	else
		fprintf(out.f, "%" PRIu64 "B", bytes);
}

void print_hex64(enum print_kind kind, const char *key, uint64_t val)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%016" PRIx64, val);
	print_str(kind, key, buf);
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	text_item(PRINT_VALUE, NULL);
	va_start(ap, fmt);
	vfprintf(out.f, fmt, ap);
	va_end(ap);
}

void print_nl(void)
{
	if (out.json)
		return;
	fputc('\n', out.f);
	out.line_start = 1;
}

void print_indent(int n)
{
	if (out.json)
		return;
	print_nl();
	fprintf(out.f, "%*s", n, "");
}
