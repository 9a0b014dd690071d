#!/bin/sh
# embed.sh SYMBOL FILE: print a C source that defines `const char SYMBOL[]`
# holding FILE's bytes and `const size_t SYMBOL_len`.
set -e
sym=$1
file=$2
printf '/* generated from %s by embed.sh; do not edit */\n#include <stddef.h>\n' "$(basename "$file")"
printf 'const char %s[] = {\n' "$sym"
od -An -v -tx1 "$file" | sed -e 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g' -e 's/^/\t/'
printf '\t0x00\n};\nconst size_t %s_len = sizeof(%s) - 1;\n' "$sym" "$sym"
