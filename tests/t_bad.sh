#!/bin/bash
# t_bad.sh: every invalid file under tests/bad/ is refused with exit code 4
# and exactly the messages of its .expected file. NAME.cmd, when present,
# holds the arguments to use instead of "validate tests/bad/NAME.yaml".
# Set VALGRIND (e.g. "valgrind -q --error-exitcode=99 --leak-check=full")
# to run every case under valgrind.
. "${srcdir:-.}/tests/lib.sh"

# ms ARGS...: mtv-scenario (under $VALGRIND) in the source tree
# shellcheck disable=SC2086
ms() { (cd "$srcdir" && $VALGRIND "$MTV_SCENARIO" "$@"); }
files=$(cd "$srcdir" && ls tests/bad/*.yaml)
n=$(printf '%s\n' $files | wc -l)
plan $((n + 2))

for f in $files; do
	base=${f%.yaml}
	test_expect_success "$f: exit 4, exactly the expected messages" '
		if [ -f "$srcdir/$base.cmd" ]; then
			args=$(cat "$srcdir/$base.cmd")
		else
			args="validate $f"
		fi
		test_expect_code 4 ms $args >out 2>err
		test_cmp "$srcdir/$base.expected" err
	'
done

# A 10 MB file, made here rather than shipped: refused at the 1 MiB mark.
test_expect_success '10 MB file: exit 4, refused at the 1 MiB mark' '
	yes "x: 1" | head -c 10485760 >big.yaml
	test_expect_code 4 $VALGRIND "$MTV_SCENARIO" validate big.yaml >out 2>err
	echo "big.yaml:209716:2: error: file too large: more than 1048576 bytes" >big.expected
	test_cmp big.expected err
'

# Every problem of every file at once, in file order.
test_expect_success 'two files: exit 4, both reported, sorted' '
	test_expect_code 4 ms validate tests/bad/negative-size.yaml tests/bad/bad-id.yaml \
		>out 2>err
	cat "$srcdir/tests/bad/bad-id.expected" "$srcdir/tests/bad/negative-size.expected" >two.expected
	test_cmp two.expected err
'
