#!/bin/sh
# t_bad.sh: every invalid file under tests/bad/ is refused with exit code 4
# and exactly the messages of its .expected file. NAME.cmd, when present,
# holds the arguments to use instead of "validate tests/bad/NAME.yaml".
# Set VALGRIND (e.g. "valgrind -q --error-exitcode=99 --leak-check=full")
# to run every case under valgrind.
. "${srcdir:-.}/tests/lib.sh"

cd "$srcdir" || exit 1
files=$(ls tests/bad/*.yaml)
n=$(printf '%s\n' $files | wc -l)
plan $((n * 2 + 4))

for f in $files; do
	base=${f%.yaml}
	if [ -f "$base.cmd" ]; then
		args=$(cat "$base.cmd")
	else
		args="validate $f"
	fi
	# shellcheck disable=SC2086
	$VALGRIND "$MTV_SCENARIO" $args >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 4 ]; then ok "$f: exit 4"; else
		not_ok "$f: exit $rc, expected 4"; diag_stdin <"$T/err"; fi
	same_file "$f: messages" "$base.expected" "$T/err"
done

# A 10 MB file, made here rather than shipped: refused at the 1 MiB mark.
(cd "$T" && yes 'x: 1' | head -c 10485760 >big.yaml)
(cd "$T" && $VALGRIND "$MTV_SCENARIO" validate big.yaml >out 2>err)
rc=$?
if [ $rc -eq 4 ]; then ok "10 MB file: exit 4"; else not_ok "10 MB file: exit $rc"; fi
echo 'big.yaml:209716:2: error: file too large: more than 1048576 bytes' >"$T/big.expected"
same_file "10 MB file: message" "$T/big.expected" "$T/err"

# Every problem of every file at once, in file order.
$VALGRIND "$MTV_SCENARIO" validate tests/bad/negative-size.yaml tests/bad/bad-id.yaml \
	>"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 4 ]; then ok "two files: exit 4"; else not_ok "two files: exit $rc"; fi
cat tests/bad/bad-id.expected tests/bad/negative-size.expected >"$T/two.expected"
same_file "two files: both reported, sorted" "$T/two.expected" "$T/err"
