// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ecmpctl bfd show: BFD sessions live in ecmpd (protocol state, not map
 * contents); its answer is rendered here field by field.
 */
#include <stdint.h>
#include <string.h>

#include "cmd.h"
#include "lib/json.h"
#include "lib/print.h"

/* Where a session's fields break into lines of text. */
static int bfd_line_break(const char *key)
{
	return !strcmp(key, "local_discriminator") || !strcmp(key, "detect_mult") ||
	       !strcmp(key, "flaps") || !strcmp(key, "last_change_unix_us");
}

/* A member of ecmpd's reply, printed under its own key. */
static void print_member(enum print_kind kind, const struct json_value *v)
{
	uint64_t u;

	switch (v->type) {
	case JSON_STRING:
		print_str(kind, v->key, v->str);
		break;
	case JSON_NUMBER:
		if (!json_u64_of(v, &u))
			print_u64(kind, v->key, u);
		else
			print_str(kind, v->key, v->str);
		break;
	case JSON_BOOL:
		print_flag(kind, v->key, v->boolean);
		break;
	default:
		print_null(kind, v->key);
	}
}

/* Sessions live in ecmpd (they are protocol state, not map contents); it
 * answers data, rendered here field by field. */
int do_bfd_show(void)
{
	const struct json_value *sessions, *dropped, *s, *f;
	struct json_value *reply;
	int any = 0;

	if (cmd_ask("bfd show", &reply))
		return 1;
	sessions = json_get(reply, "sessions");
	dropped = json_get(reply, "dropped");
	print_open_object(PRINT_JSON, NULL);
	print_open_array(PRINT_JSON, "sessions");
	for (s = sessions ? sessions->child : NULL; s; s = s->next) {
		print_open_object(PRINT_JSON, NULL);
		for (f = s->child; f; f = f->next) {
			if (bfd_line_break(f->key))
				print_indent(4);
			print_member(f == s->child ? PRINT_VALUE : PRINT_ANY, f);
		}
		print_close_object();
		print_nl();
		any = 1;
	}
	print_close_array();
	if (!any)
		print_text("no BFD sessions");
	print_open_object(PRINT_ANY, "dropped");
	for (f = dropped ? dropped->child : NULL; f; f = f->next)
		print_member(PRINT_ANY, f);
	print_close_object();
	print_close_object();
	json_free(reply);
	return 0;
}
