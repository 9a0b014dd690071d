# lib.sh: TAP helpers for shell tests. Source it; call plan N (or
# done_testing at the end); every test gets its own temporary directory
# $T, removed at exit.
: "${srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${builddir:=$srcdir}"
: "${MTV_SCENARIO:=$builddir/mtv-scenario}"
: "${PYTHON3:=/usr/bin/python3}"
: "${MTV_TEST_TOOL:=$builddir/tests/mtv-test-tool}"
export srcdir builddir MTV_SCENARIO PYTHON3 MTV_TEST_TOOL

T=$(mktemp -d "${TMPDIR:-/tmp}/mtv-test.XXXXXX")
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
