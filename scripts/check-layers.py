#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The tree's layering, checked from the #include lines (make check).

Each part may include from the parts listed for it and from itself:
  include/      the ABI and the hash: nothing of ours
  maps/, bpf/   include/, maps/, bpf/ (never user space)
  user/lib      include/ (what ecmpd and ecmpctl share)
  user/bfd      include/, user/lib
  user/ecmpd    include/, user/lib, user/bfd
  user/ecmpctl  include/, user/lib
Then, over user/, no include cycle between modules (a module is a .c and
its .h: x.c including y.h makes x depend on y). Prints each violation and
exits 1 when there is one.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOWED = {
    "include": {"include"},
    "maps": {"include", "maps"},
    "bpf": {"include", "maps", "bpf"},
    "user/lib": {"include", "user/lib"},
    "user/bfd": {"include", "user/lib", "user/bfd"},
    "user/ecmpd": {"include", "user/lib", "user/bfd", "user/ecmpd"},
    "user/ecmpctl": {"include", "user/lib", "user/ecmpctl"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def resolve(src_dir, name):
    """The part a quoted include lands in, as the compiler finds it:
    the including file's folder first, then -Iinclude, -Iuser, -Imaps,
    -Ibpf, -Ivmlinux/ARCH."""
    for base in (src_dir, "include", "user", "maps", "bpf"):
        path = os.path.normpath(os.path.join(base, name))
        if os.path.exists(os.path.join(ROOT, path)):
            return path
    if name == "vmlinux.h":
        return "vmlinux"
    return None


def part_of(path):
    for part in sorted(ALLOWED, key=len, reverse=True):
        if path == part or path.startswith(part + "/"):
            return part
    return path.split("/")[0]


def main():
    errors = []
    deps = {}
    for part in ALLOWED:
        for dirpath, _, files in os.walk(os.path.join(ROOT, part)):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                src = os.path.relpath(os.path.join(dirpath, f), ROOT)
                text = open(os.path.join(ROOT, src), encoding="utf-8").read()
                mod = os.path.splitext(src)[0]
                for name in INCLUDE.findall(text):
                    target = resolve(os.path.dirname(src), name)
                    if target is None:
                        errors.append(f"{src}: #include \"{name}\" is not in the tree")
                        continue
                    if target == "vmlinux":
                        continue
                    got = part_of(target)
                    if got not in ALLOWED[part]:
                        errors.append(f"{src}: includes {target} ({got}), "
                                      f"but {part} may include only from "
                                      f"{', '.join(sorted(ALLOWED[part]))}")
                    dep = os.path.splitext(target)[0]
                    if src.startswith("user/") and dep != mod:
                        deps.setdefault(mod, set()).add(dep)
    # Cycles among user/ modules: depth-first search, each cycle once.
    state, stack = {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for d in sorted(deps.get(m, ())):
            if state.get(d) == 1:
                cycle = stack[stack.index(d):] + [d]
                errors.append("include cycle: " + " -> ".join(cycle))
            elif d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(deps):
        if m not in state:
            visit(m)
    for e in errors:
        print(e)
    nmods = len(set(deps) | {d for ds in deps.values() for d in ds})
    print(f"layers: {nmods} user-space modules, "
          f"{sum(len(d) for d in deps.values())} dependencies, "
          f"{len(errors)} violations")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
