# lib.sh: TAP helpers for shell tests. Source it; call plan N, or let the
# count be printed at exit. The script gets a temporary directory $T,
# removed at exit. Two styles:
# - titled blocks (test_expect_success, begin_test/end_test below), each in
#   a fresh folder, one TAP line per block;
# - one-line checks (check, expect_exit, same_file, contains, lacks) with
#   their output in $T/out and $T/err.
: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${builddir:=$srcdir}"
: "${MTV_SCENARIO:=$builddir/mtv-scenario}"
: "${PYTHON3:=/usr/bin/python3}"
: "${MTV_TEST_TOOL:=$builddir/tests/mtv-test-tool}"
export srcdir builddir MTV_SCENARIO PYTHON3 MTV_TEST_TOOL

T=$(mktemp -d "${TMPDIR:-/tmp}/mtv-test.XXXXXX")
# run journals go to the test's folder, not the user's
XDG_STATE_HOME=$T/state
export XDG_STATE_HOME
# failed runs of the tests leave no artifacts in the CI's folder
unset ARTIFACT_DIR
_tap_n=0
_tap_fail=0
_tap_cleanups=
_tap_exit() {
	local rc=$?
	for c in $_tap_cleanups; do "$c" || true; done
	rm -rf "$T"
	if [ -n "$_tap_planned" ] || [ $_tap_n -eq 0 ]; then :; else echo "1..$_tap_n"; fi
	[ $_tap_fail -eq 0 ] || exit 1
	exit $rc
}
trap _tap_exit EXIT
trap 'exit 130' INT TERM

# at_exit FUNC: run FUNC when the test script ends (before $T is removed).
at_exit() { _tap_cleanups="$1 $_tap_cleanups"; }

plan() { _tap_planned=1; echo "1..$1"; }
ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
not_ok() { _tap_n=$((_tap_n + 1)); _tap_fail=$((_tap_fail + 1)); echo "not ok $_tap_n - $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
skip_all() { echo "1..0 # SKIP $*"; _tap_planned=1; exit 0; }

# check DESC CMD...: ok when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then ok "$desc"; else
		not_ok "$desc"; diag "command: $*"; sed -n '1,20p' "$T/out" "$T/err" | diag_stdin; fi
}
diag_stdin() { sed 's/^/# /'; }

# expect_exit CODE DESC CMD...: ok when CMD exits with CODE; output in $T/out, $T/err.
expect_exit() {
	local want=$1 desc=$2 rc; shift 2
	"$@" >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $rc, expected $want)"; diag "command: $*"
		sed -n '1,30p' "$T/err" | diag_stdin; fi
}

# same_file DESC EXPECTED ACTUAL: ok when identical, diff otherwise.
same_file() {
	if diff -u "$2" "$3" >"$T/diff" 2>&1; then ok "$1"; else
		not_ok "$1"; sed -n '1,40p' "$T/diff" | diag_stdin; fi
}

# contains DESC FILE TEXT: ok when FILE contains TEXT (fixed string).
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		not_ok "$1"; diag "'$3' not found in $2:"; sed -n '1,20p' "$2" | diag_stdin; fi
}

# lacks DESC FILE TEXT: ok when FILE does not contain TEXT.
lacks() {
	if grep -qF -- "$3" "$2"; then
		not_ok "$1"; diag "'$3' found in $2"; else ok "$1"; fi
}

# Titled test blocks with one temporary folder each, as git's test-lib:
#
#	test_expect_success 'TITLE' '
#		commands
#	'
# or, for commands with quotes of their own,
#	begin_test 'TITLE'
#	(
#		set -e
#		commands
#	)
#	end_test
#
# A block runs in a fresh folder (its working directory; $T is still the
# script's) with its output set aside, and makes one TAP line: "ok N -
# TITLE", or "not ok N - TITLE" followed by the block's output, the command
# that failed and the folder, which is then kept. A passing block's folder
# is removed unless KEEP is set. Under set -e a block ends at its first
# failing command; "! cmd" never fails it (bash), so write test_must_fail
# or test_grep !, and never put the block's ( ) in an || or && list, which
# turns set -e off inside it. Blocks need bash.
_blk_n=0
begin_test() {
	if [ -z "${BASH_VERSION:-}" ]; then
		echo "lib.sh: begin_test needs bash" >&2
		exit 99
	fi
	_blk_title=$1
	_blk_n=$((_blk_n + 1))
	_blk_cwd=$PWD
	_blk_dir=$(mktemp -d "${TMPDIR:-/tmp}/mtv-test-$(basename "$0" .sh)-$_blk_n.XXXXXX") &&
		cd "$_blk_dir" || exit 99
	exec 8>&1 9>&2 >"$_blk_dir.out" 2>&1
	set -E
	trap '_blk_err $?' ERR
}

# _blk_err CODE: in a block's subshell, name the command that ended it.
_blk_err() {
	case $BASH_COMMAND in return*) return 0 ;; esac	# a helper said why
	[ "${BASH_SUBSHELL:-0}" -gt 0 ] &&
		echo "lib.sh: command failed (exit $1): $BASH_COMMAND" >&2
	return 0
}

# end_test [CODE]: the TAP line of the block begun last; CODE defaults to
# the exit status of the command before (the block's subshell).
end_test() {
	local rc=$?

	[ $# -eq 0 ] || rc=$1
	trap - ERR
	set +E
	exec 1>&8 2>&9 8>&- 9>&-
	cd "$_blk_cwd" || exit 99
	if [ "$rc" -eq 0 ]; then
		ok "$_blk_title"
		if [ -n "${KEEP:-}" ]; then diag "kept: $_blk_dir"; else rm -rf "$_blk_dir"; fi
	else
		not_ok "$_blk_title"
		sed -n '1,80p' "$_blk_dir.out" | diag_stdin
		diag "exit $rc; folder kept: $_blk_dir"
	fi
	rm -f "$_blk_dir.out"
}

# test_expect_success TITLE SCRIPT: SCRIPT as a block, run by eval under set -e.
test_expect_success() {
	local rc

	begin_test "$1"
	(
		set -e
		eval "$2"
	)
	rc=$?
	[ $rc -eq 0 ] || printf 'the block:%s\n' "$2"
	end_test $rc
}

# Helpers for blocks; each says what went wrong on stderr.
# test_expect_code CODE CMD...: CMD exits with CODE.
test_expect_code() {
	local want=$1 rc=0

	shift
	"$@" || rc=$?
	[ "$rc" -eq "$want" ] && return 0
	echo "lib.sh: exit $rc, expected $want: $*" >&2
	return 1
}

# test_must_fail CMD...: CMD fails, without a crash (exit 1 to 125).
test_must_fail() {
	local rc=0

	"$@" || rc=$?
	[ "$rc" -ge 1 ] && [ "$rc" -le 125 ] && return 0
	echo "lib.sh: exit $rc, expected a failure: $*" >&2
	return 1
}

# test_grep [!] TEXT FILE: FILE contains (with !, lacks) the fixed string TEXT.
test_grep() {
	local neg=

	if [ "$1" = "!" ]; then neg=1; shift; fi
	if grep -qF -- "$1" "$2"; then
		[ -z "$neg" ] && return 0
		echo "lib.sh: '$1' found in $2:" >&2
		grep -nF -- "$1" "$2" | sed -n '1,5p' >&2
	else
		[ -n "$neg" ] && return 0
		echo "lib.sh: '$1' not found in $2:" >&2
		sed -n '1,20p' "$2" >&2
	fi
	return 1
}

# test_cmp EXPECTED ACTUAL: the files are identical; the diff otherwise.
test_cmp() {
	diff -u -- "$1" "$2" >&2
}
