#!/bin/bash
# Go unit tests of the lab's Kubernetes object store (the API the Forklift
# model codes against), patch types and token names.
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
	GOCACHE="${GOCACHE:-$builddir/.gocache}" "$GO" test -count=1 -run '^TestKube' . ) >"$out" 2>&1; then
	echo "ok 1 - go test (kube store: CRUD, status, generation, validation, admission, watch, GC, patch)"
else
	echo "not ok 1 - go test (kube store)"
	sed 's/^/# /' "$out" | tail -60
	exit 1
fi
