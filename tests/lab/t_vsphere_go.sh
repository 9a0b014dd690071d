#!/bin/bash
# Go unit tests of the lab's vSphere and ESXi parts: every correction of the
# stock simulator passes against the lab and fails against the stock one.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
GO=${GO:-$(command -v go)}
echo "1..1"
if [ -z "$GO" ]; then
	echo "ok 1 # SKIP go not installed"
	exit 0
fi
out=$(mktemp "${TMPDIR:-/tmp}/mtv-lab-gotest.XXXXXX")
trap 'rm -f "$out"' EXIT
if (cd "$srcdir/tests/lab" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
	GOCACHE="${GOCACHE:-$builddir/.gocache}" "$GO" test -count=1 -run '^(TestVsphere|TestEsxi)' . ) >"$out" 2>&1; then
	echo "ok 1 - go test (vSphere fixes against lab and stock simulator, ESXi keys)"
else
	echo "not ok 1 - go test (vSphere fixes against lab and stock simulator, ESXi keys)"
	sed 's/^/# /' "$out" | tail -60
	exit 1
fi
