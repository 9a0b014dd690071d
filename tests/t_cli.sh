#!/bin/bash
# t_cli.sh: command line: help, version, exit codes, option table vs man page.
. "${srcdir:-.}/tests/lib.sh"

M="$srcdir/man/mtv-scenario.1"
expect_exit 0 "--version" "$MTV_SCENARIO" --version
contains "--version lists the libraries" "$T/out" "libyaml"
expect_exit 0 "--help" "$MTV_SCENARIO" --help
for c in run plan validate list version help; do
	expect_exit 0 "$c --help" "$MTV_SCENARIO" "$c" --help
	contains "$c --help shows its usage line" "$T/out" "usage: mtv-scenario $c"
	contains "man page documents command $c" "$M" ".Cm $c"
done
expect_exit 4 "unknown command exits 4" "$MTV_SCENARIO" frobnicate
contains "unknown command is named" "$T/err" "unknown command 'frobnicate'"
expect_exit 4 "unknown option exits 4" "$MTV_SCENARIO" plan --frob x.yaml
contains "unknown option is named" "$T/err" "unknown option '--frob'"
expect_exit 4 "option of another command exits 4" "$MTV_SCENARIO" list --keep
contains "misplaced option is named" "$T/err" "option '--keep' does not apply to 'list'"
expect_exit 4 "bad --run-id exits 4" "$MTV_SCENARIO" plan --run-id ABC x.yaml
expect_exit 4 "bad --format exits 4" "$MTV_SCENARIO" plan --format yaml x.yaml
expect_exit 4 "bad --set exits 4" "$MTV_SCENARIO" plan --set novalue x.yaml
expect_exit 4 "missing option argument exits 4" "$MTV_SCENARIO" plan --provider
expect_exit 4 "no command exits 4" "$MTV_SCENARIO"

# every option of every command's --help is in the man page, and back
for c in run plan validate list; do "$MTV_SCENARIO" "$c" --help; done |
	grep -o -- '--[a-z][a-z-]*' | sort -u >"$T/help-opts"
grep -o '^\.It Fl -[a-z][a-z-]*\|Fl -[a-z][a-z-]*' "$M" | sed 's/.*Fl -/--/' | sort -u >"$T/man-opts"
missing=$(comm -23 "$T/help-opts" "$T/man-opts")
if [ -z "$missing" ]; then ok "every option is documented in mtv-scenario(1)"
else not_ok "options missing from mtv-scenario(1): $missing"; fi
extra=$(comm -13 "$T/help-opts" "$T/man-opts")
if [ -z "$extra" ]; then ok "mtv-scenario(1) documents no option the program lacks"
else not_ok "options in mtv-scenario(1) but not in --help: $extra"; fi

if [ -n "${MANDOC:-}" ]; then
	for m in "$srcdir"/man/*.[15]; do
		check "mandoc -Tlint $(basename "$m")" "$MANDOC" -Tlint -W warning "$m"
	done
fi
