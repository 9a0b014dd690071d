#!/bin/bash
# t_layers.sh: the tree keeps the pipeline's shape: every folder of src/
# includes only the folders below it (util at the bottom; the drivers on
# util alone; steps above drivers; plan and exec above steps; report; cmd on
# top), no file is over 1000 lines and no function over 100. The checker is
# first shown a broken tree, so it is known to fail when it should.
. "${srcdir:-.}/tests/lib.sh"

# What each folder of src/ may include besides itself.
allowed() {
	case $1 in
	util) echo "" ;;
	doc) echo "util" ;;
	config) echo "util doc" ;;
	scenario) echo "util doc config" ;;
	vsphere | kube | esxi | guest) echo "util" ;;
	step) echo "util doc config scenario vsphere kube esxi guest" ;;
	plan) echo "util doc config scenario step" ;;
	exec) echo "util doc config scenario step" ;;
	report) echo "util doc config scenario step exec" ;;
	cmd) echo "util doc config scenario step plan exec report" ;;
	main.c) echo "util cmd" ;;
	*) echo "?" ;;
	esac
}

# layer_errors ROOT: one line per include that runs up or sideways.
layer_errors() {
	local root=$1 f dir inc to ok a
	(cd "$root" && find . -name '*.[ch]' ! -name '*_data.c' | sed 's|^\./||' | sort) | while read -r f; do
		dir=${f%%/*}
		[ "$dir" = "$f" ] && dir=$f
		[ "$(allowed "$dir")" = "?" ] && { echo "$f: folder '$dir' has no place in the layers"; continue; }
		grep -o '^#include "[a-z_]*/[^"]*"' "$root/$f" | sed 's/#include "//; s/"$//' |
			while read -r inc; do
				to=${inc%%/*}
				[ "$to" = "$dir" ] && continue
				ok=0
				for a in $(allowed "$dir"); do [ "$a" = "$to" ] && ok=1; done
				[ $ok -eq 1 ] || echo "$f includes $inc: '$dir' may include only: $(allowed "$dir")"
			done
	done
}

# size_errors ROOT: files over 1000 lines, functions over 100 (a function
# starts at a line "name(" at column 0 and ends at the next "}" at column 0).
size_errors() {
	local root=$1 f
	(cd "$root" && find . -name '*.[ch]' ! -name '*_data.c' | sed 's|^\./||' | sort) | while read -r f; do
		awk -v f="$f" '
			/^[a-zA-Z_][a-zA-Z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = NR }
			/^}/ && start { if (NR - start + 1 > 100) printf "%s: function %s is %d lines (at most 100)\n", f, name, NR - start + 1; start = 0 }
			END { if (NR > 1000) printf "%s: %d lines (at most 1000)\n", f, NR }' "$root/$f"
	done
}

# The checker sees a broken tree.
mkdir -p "$T/bad/util" "$T/bad/vsphere" "$T/bad/step" "$T/bad/cmd"
printf '#include "step/step.h"\n' >"$T/bad/util/str.c"
printf '#include "config/profile.h"\n#include "util/util.h"\n' >"$T/bad/vsphere/vsphere.c"
printf '#include "exec/exec.h"\n' >"$T/bad/step/step_x.c"
printf '#include "plan/plan.h"\n' >"$T/bad/cmd/ok.c"
{ printf 'int\nlong_one(void)\n{\n'; for i in $(seq 1 100); do echo "	i++;"; done; printf '}\n'; } >"$T/bad/step/long.c"
layer_errors "$T/bad" >"$T/bad-layers"
size_errors "$T/bad" >"$T/bad-sizes"
contains "checker: util including step is refused" "$T/bad-layers" "util/str.c includes step/step.h"
contains "checker: a driver including config is refused" "$T/bad-layers" "vsphere/vsphere.c includes config/profile.h"
contains "checker: step including exec is refused" "$T/bad-layers" "step/step_x.c includes exec/exec.h"
lacks "checker: cmd including plan is allowed" "$T/bad-layers" "cmd/ok.c"
contains "checker: a 103-line function is refused" "$T/bad-sizes" "step/long.c: function long_one is 103 lines"

# The real tree.
layer_errors "$srcdir/src" >"$T/layers"
size_errors "$srcdir/src" >"$T/sizes"
if [ -s "$T/layers" ]; then not_ok "src/: includes run only down the layers"; diag_stdin <"$T/layers"
else ok "src/: includes run only down the layers"; fi
if [ -s "$T/sizes" ]; then not_ok "src/: no file over 1000 lines, no function over 100"; diag_stdin <"$T/sizes"
else ok "src/: no file over 1000 lines, no function over 100"; fi
