// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* See jit_lines.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>

#include "jit_lines.h"

struct jit_tables {
	__u64 *line_addr;	/* jited_line_info: one address per record */
	struct bpf_line_info *line;
	__u64 *func_addr;	/* jited_ksyms: each function's start */
	__u32 *func_len;
};

static void tables_free(struct jit_tables *t)
{
	free(t->line_addr);
	free(t->line);
	free(t->func_addr);
	free(t->func_len);
}

/* The kernel fills the arrays only on a second call that offers room for
 * exactly the counts the first call reported. */
static int tables_get(int prog_fd, struct bpf_prog_info *info,
		      struct jit_tables *t)
{
	struct bpf_prog_info sized = {};
	__u32 len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(prog_fd, info, &len))
		return -errno;
	if (!info->nr_jited_line_info || !info->nr_line_info ||
	    info->nr_jited_line_info != info->nr_line_info || !info->btf_id)
		return -ENOENT;
	t->line_addr = calloc(info->nr_jited_line_info, sizeof(*t->line_addr));
	t->line = calloc(info->nr_line_info, sizeof(*t->line));
	t->func_addr = calloc(info->nr_jited_ksyms, sizeof(*t->func_addr));
	t->func_len = calloc(info->nr_jited_func_lens, sizeof(*t->func_len));
	if (!t->line_addr || !t->line || !t->func_addr || !t->func_len)
		return -ENOMEM;
	sized.nr_jited_line_info = info->nr_jited_line_info;
	sized.jited_line_info = (uintptr_t)t->line_addr;
	sized.jited_line_info_rec_size = sizeof(*t->line_addr);
	sized.nr_line_info = info->nr_line_info;
	sized.line_info = (uintptr_t)t->line;
	sized.line_info_rec_size = sizeof(*t->line);
	sized.nr_jited_ksyms = info->nr_jited_ksyms;
	sized.jited_ksyms = (uintptr_t)t->func_addr;
	sized.nr_jited_func_lens = info->nr_jited_func_lens;
	sized.jited_func_lens = (uintptr_t)t->func_len;
	len = sizeof(sized);
	if (bpf_obj_get_info_by_fd(prog_fd, &sized, &len))
		return -errno;
	/* Zero addresses: kernel.kptr_restrict hides them from us. */
	if (info->nr_jited_ksyms && !t->func_addr[0])
		return -EPERM;
	return 0;
}

int jit_lines_write(int prog_fd, FILE *out)
{
	struct jit_tables t = {};
	struct bpf_prog_info info;
	struct btf *btf = NULL;
	__u32 i;
	int err;

	err = tables_get(prog_fd, &info, &t);
	if (!err) {
		btf = btf__load_from_kernel_by_id(info.btf_id);
		if (!btf)
			err = -errno;
	}
	for (i = 0; !err && i < info.nr_line_info; i++) {
		const char *file = btf__name_by_offset(btf, t.line[i].file_name_off);
		const char *src = btf__name_by_offset(btf, t.line[i].line_off);
		const char *base = file ? strrchr(file, '/') : NULL;

		while (src && (*src == '\t' || *src == ' '))
			src++;
		fprintf(out, "%llx\t%s:%u\t%s\n",
			(unsigned long long)t.line_addr[i],
			base ? base + 1 : file ? file : "?",
			BPF_LINE_INFO_LINE_NUM(t.line[i].line_col),
			src ? src : "");
	}
	for (i = 0; !err && i < info.nr_jited_ksyms && i < info.nr_jited_func_lens; i++)
		fprintf(out, "%llx\t-\tend of %s\n",
			(unsigned long long)(t.func_addr[i] + t.func_len[i]),
			info.name);
	btf__free(btf);
	tables_free(&t);
	return err;
}
