#!/bin/bash
# t_cli.sh: command line: help, version, exit codes, option table vs man page.
. "${srcdir:-.}/tests/lib.sh"

M="$srcdir/man/mtv-scenario.1"

test_expect_success '--version lists the libraries' '
	"$MTV_SCENARIO" --version >out
	test_grep libyaml out
'
test_expect_success '--help' '
	"$MTV_SCENARIO" --help >out
'
for c in run plan validate list cleanup report job version help; do
	test_expect_success "$c --help shows its usage line; the man page documents $c" '
		"$MTV_SCENARIO" "$c" --help >out
		test_grep "usage: mtv-scenario $c" out
		test_grep ".Cm $c" "$M"
	'
done

# usage errors: exit 4, and the message names the problem
begin_test 'unknown command: exit 4, named'
(
	set -e
	test_expect_code 4 "$MTV_SCENARIO" frobnicate 2>err
	test_grep "unknown command 'frobnicate'" err
)
end_test
begin_test 'unknown option: exit 4, named'
(
	set -e
	test_expect_code 4 "$MTV_SCENARIO" plan --frob x.yaml 2>err
	test_grep "unknown option '--frob'" err
)
end_test
begin_test 'option of another command: exit 4, named'
(
	set -e
	test_expect_code 4 "$MTV_SCENARIO" list --keep 2>err
	test_grep "option '--keep' does not apply to 'list'" err
)
end_test
test_expect_success 'bad --run-id, --format, --set, a missing option argument, no command: exit 4' '
	test_expect_code 4 "$MTV_SCENARIO" plan --run-id ABC x.yaml 2>err
	test_expect_code 4 "$MTV_SCENARIO" plan --format yaml x.yaml 2>err
	test_expect_code 4 "$MTV_SCENARIO" plan --set novalue x.yaml 2>err
	test_expect_code 4 "$MTV_SCENARIO" plan --provider 2>err
	test_expect_code 4 "$MTV_SCENARIO" 2>err
'

# every option of every command's --help is in the man page, and back
begin_test 'every option is documented in mtv-scenario(1), and the man page lists no other'
(
	set -e
	for c in run plan validate list cleanup job; do "$MTV_SCENARIO" "$c" --help; done >help
	grep -o -- '--[a-z][a-z-]*' help | sort -u >help-opts
	grep -o '^\.It Fl -[a-z][a-z-]*\|Fl -[a-z][a-z-]*' "$M" |
		sed 's/.*Fl -/--/' | sort -u >man-opts
	test -s help-opts
	comm -23 help-opts man-opts >missing
	comm -13 help-opts man-opts >extra
	test_cmp /dev/null missing
	test_cmp /dev/null extra
)
end_test

if [ -n "${MANDOC:-}" ]; then
	for m in "$srcdir"/man/*.[15]; do
		check "mandoc -Tlint $(basename "$m")" "$MANDOC" -Tlint -W warning "$m"
	done
fi
