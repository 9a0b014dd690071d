#!/bin/bash
# The lab's vSphere half, proved with Debian's python3-pyvmomi.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lab/lab.sh"
trap 'lab_stop' EXIT
trap 'exit 130' INT TERM
if ! /usr/bin/python3 -c 'import pyVmomi' 2>/dev/null; then
	echo "1..0 # SKIP python3-pyvmomi not installed"
	exit 0
fi
if ! lab_start; then
	echo "1..1"
	echo "not ok 1 - mtv-lab starts"
	exit 1
fi
/usr/bin/python3 "$srcdir/tests/lab/test_vsphere_pyvmomi.py"
