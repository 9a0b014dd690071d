# gotest.sh: run the lab's Go tests whose names match a pattern as one TAP
# test. Source it, then: lab_go_test PATTERN DESCRIPTION
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"

lab_go_test() {
	local pattern=$1 desc=$2 go out
	go=${GO:-$(command -v go)}
	echo "1..1"
	if [ -z "$go" ]; then
		echo "ok 1 # SKIP go not installed"
		return 0
	fi
	out=$(mktemp "${TMPDIR:-/tmp}/mtv-lab-gotest.XXXXXX")
	if (cd "$srcdir/tests/lab" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
		GOCACHE="${GOCACHE:-$builddir/.gocache}" "$go" test -count=1 -run "$pattern" . ) >"$out" 2>&1; then
		echo "ok 1 - go test ($desc)"
	else
		echo "not ok 1 - go test ($desc)"
		sed 's/^/# /' "$out" | tail -60
		rm -f "$out"
		return 1
	fi
	rm -f "$out"
}
