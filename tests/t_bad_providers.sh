#!/bin/sh
# t_bad_providers.sh: every invalid providers file tests/bad/providers-*
# (.yaml, or .json in the pytest suite's format with '#' comment lines) is
# refused with exit code 4 and exactly the messages of its .expected file,
# and no secret of it is printed. NAME.cmd holds the arguments. Set
# VALGRIND (e.g. "valgrind -q --error-exitcode=99 --leak-check=full") to
# run every case under valgrind.
. "${srcdir:-.}/tests/lib.sh"

cd "$srcdir" || exit 1
unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
files=$(ls tests/bad/providers-*.yaml tests/bad/providers-*.json)
n=$(printf '%s\n' $files | wc -l)
plan $((n * 3 + 2))

for f in $files; do
	base=${f%.*}
	args=$(cat "$base.cmd")
	# shellcheck disable=SC2086
	$VALGRIND "$MTV_SCENARIO" $args >"$T/out" 2>"$T/err"
	rc=$?
	if [ -n "$MTV_UPDATE_GOLDEN" ]; then cp "$T/err" "$base.expected"; fi
	if [ $rc -eq 4 ]; then ok "$f: exit 4"; else
		not_ok "$f: exit $rc, expected 4"; diag_stdin <"$T/err"; fi
	same_file "$f: messages" "$base.expected" "$T/err"
	cat "$T/out" "$T/err" >"$T/all"
	lacks "$f: no password printed" "$T/all" "bad-test-pw"
done

# no providers file at all
(cd "$T" && "$MTV_SCENARIO" plan "$srcdir/scenarios.d/thin.yaml" >out 2>err)
rc=$?
if [ $rc -eq 4 ]; then ok "no providers file: exit 4"; else not_ok "no providers file: exit $rc"; fi
contains "no providers file: message" "$T/err" "no providers file: give -p FILE or set MTV_SCENARIO_PROVIDERS"
