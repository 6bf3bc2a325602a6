/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The source line of every piece of a loaded BPF program's JIT image, so
 * that perf samples (kernel addresses) can be charged to lines of bpf/.
 * Written for scripts/profile-xdp.sh; perf cannot annotate BPF here
 * (Debian's perf and bpftool are built without a disassembler).
 */
#ifndef JIT_LINES_H
#define JIT_LINES_H

#include <stdio.h>

/*
 * Appends to out one line per line-info record of the program behind
 * prog_fd, "ADDR<TAB>FILE:LINE<TAB>SOURCE" (ADDR in hex, FILE without its
 * directory; line 0 is code the compiler gave no line), and one
 * "ADDR<TAB>-<TAB>end of NAME" just past each of its functions. Returns 0,
 * or -errno with nothing written (no BTF or line info: built without -g).
 */
int jit_lines_write(int prog_fd, FILE *out);

#endif /* JIT_LINES_H */
