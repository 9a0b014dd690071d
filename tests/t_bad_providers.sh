#!/bin/bash
# t_bad_providers.sh: every invalid providers file tests/bad/providers-*
# (.yaml, or .json in the pytest suite's format with '#' comment lines) is
# refused with exit code 4 and exactly the messages of its .expected file,
# and no secret of it is printed. NAME.cmd holds the arguments. Set
# VALGRIND (e.g. "valgrind -q --error-exitcode=99 --leak-check=full") to
# run every case under valgrind. MTV_UPDATE_GOLDEN=1 rewrites the
# .expected files.
. "${srcdir:-.}/tests/lib.sh"

unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
# ms ARGS...: mtv-scenario (under $VALGRIND) in the source tree
# shellcheck disable=SC2086
ms() { (cd "$srcdir" && $VALGRIND "$MTV_SCENARIO" "$@"); }
files=$(cd "$srcdir" && ls tests/bad/providers-*.yaml tests/bad/providers-*.json)
n=$(printf '%s\n' $files | wc -l)
plan $((n + 1))

for f in $files; do
	base=${f%.*}
	test_expect_success "$f: exit 4, exactly the expected messages, no password printed" '
		rc=0
		ms $(cat "$srcdir/$base.cmd") >out 2>err || rc=$?
		if [ -n "$MTV_UPDATE_GOLDEN" ]; then cp err "$srcdir/$base.expected"; fi
		[ "$rc" -eq 4 ] || { echo "exit $rc, expected 4"; false; }
		test_cmp "$srcdir/$base.expected" err
		test_grep ! bad-test-pw out
		test_grep ! bad-test-pw err
	'
done

# no providers file at all
test_expect_success 'no providers file: exit 4, says what to do' '
	test_expect_code 4 "$MTV_SCENARIO" plan "$srcdir/scenarios.d/thin.yaml" >out 2>err
	test_grep "no providers file: give -p FILE or set MTV_SCENARIO_PROVIDERS" err
'
