#!/bin/bash
# t_lib.sh: the test helpers themselves. Titled blocks (tests/lib.sh) pass,
# fail with their output and keep their folder; the leak-check readers of
# tests/lab/lab.sh fail, naming the cause, when the lab's control endpoint
# is broken, answers 404 or answers something else than the state, and
# read a well-formed state (a file:// stand-in for the endpoint, no lab).
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
unset LAB_CONTROL LAB_JSON KEEP

# a child test script, run apart so that its failures are not ours
cat >"$T/child.sh" <<'EOF'
. "$srcdir/tests/lib.sh"
test_expect_success 'a passing block' '
	pwd >"$T/../pass.pwd"
	echo data >f
	test_grep data f
'
test_expect_success 'a failing block' '
	pwd >"$T/../fail.pwd"
	echo "output of the block"
	test_grep "not there" /dev/null
	echo "not reached"
'
begin_test 'begin_test form'
(
	set -e
	echo "before false"
	false
	echo "not reached"
)
end_test
check 'the old helpers still work' true
EOF

begin_test 'blocks: TAP lines, output and folders'
(
	set -e
	rc=0
	TMPDIR=$PWD bash "$T/child.sh" >out 2>err || rc=$?
	test "$rc" -eq 1
	cat >want <<-'EOF'
	ok 1 - a passing block
	not ok 2 - a failing block
	not ok 3 - begin_test form
	ok 4 - the old helpers still work
	1..4
	EOF
	grep -v '^#' out >got
	test_cmp want got
	test_grep '# output of the block' out
	test_grep "# lib.sh: 'not there' not found in /dev/null" out
	test_grep '# 	echo "not reached"' out
	test_grep '# before false' out
	test_grep '# lib.sh: command failed (exit 1): false' out
	test_grep ! '# not reached' out
	# each block ran in its own folder, not in the script's $T
	test "$(cat pass.pwd)" != "$(cat fail.pwd)"
	test_grep ! "$(cat pass.pwd)" out
	# the passing block's folder is gone, the failing ones are kept
	test ! -e "$(cat pass.pwd)"
	test -d "$(cat fail.pwd)"
	test_grep "folder kept: $(cat fail.pwd)" out
	test "$(ls -d mtv-test-child-* | wc -l)" -eq 2
	test ! -s err
)
end_test

begin_test 'blocks: KEEP keeps the folder of a passing block'
(
	set -e
	rc=0
	KEEP=1 TMPDIR=$PWD bash "$T/child.sh" >out 2>err || rc=$?
	test "$rc" -eq 1
	test -d "$(cat pass.pwd)"
	test_grep "# kept: $(cat pass.pwd)" out
)
end_test

begin_test 'blocks: test_expect_code, test_must_fail, test_grep, test_cmp'
(
	set -e
	test_expect_code 3 sh -c 'exit 3'
	test_must_fail test_expect_code 3 sh -c 'exit 4' 2>err
	test_grep 'exit 4, expected 3' err
	test_must_fail sh -c 'exit 1'
	test_must_fail test_must_fail true 2>err
	test_must_fail test_must_fail sh -c 'kill -SEGV $$' 2>err
	echo abc >a
	test_grep b a
	test_grep ! x a
	test_must_fail test_grep ! b a 2>err
	test_grep "'b' found in a" err
	test_cmp a a
	echo abd >b
	test_must_fail test_cmp a b 2>err
	test_grep '+abd' err
)
end_test

# a stand-in control endpoint: files under $T/ctl, read through file://
mkdir -p "$T/ctl/vsphere" "$T/ctl/kube"
echo '{"vms":["vm-1"],"datastore_files":{"ds1":["a.vmdk"]}}' >"$T/ctl/vsphere/inventory"
cat >"$T/ctl/kube/objects" <<'EOF'
{"items":[{"kind":"Namespace","metadata":{"name":"default"}},
 {"kind":"Event","metadata":{"namespace":"default","name":"e1"}},
 {"kind":"ForkliftController","metadata":{"namespace":"openshift-mtv","name":"fc"},
  "spec":{"controller_max_vm_inflight":20}}]}
EOF
echo 'ssh-ed25519 AAAA test' >"$T/ctl/authorized_keys"
export GOOD_CONTROL=file://$T/ctl
export GOOD_JSON="{\"control_url\":\"$GOOD_CONTROL\",\"esxi\":{\"authorized_keys\":\"$T/ctl/authorized_keys\"}}"

begin_test 'lab_state reads a well-formed state'
(
	set -e
	LAB_CONTROL=$GOOD_CONTROL LAB_JSON=$GOOD_JSON
	lab_state s
	echo 'Namespace /default' >want
	echo 'ForkliftController openshift-mtv/fc' >>want
	sort want >want.kube
	test_cmp want.kube s.kube
	echo '[{"controller_max_vm_inflight": 20}]' >want.fc
	test_cmp want.fc s.fc
	test_cmp "$T/ctl/authorized_keys" s.keys
	test_grep '"vm-1"' s.vsphere
)
end_test

# lab_state_fails DESC TEXT PART: lab_state PART fails with TEXT on stderr
# and writes nothing the leak check could compare
lab_state_fails() {
	begin_test "lab_state fails: $1"
	(
		set -e
		: "${LAB_CONTROL:=$GOOD_CONTROL}" "${LAB_JSON:=$GOOD_JSON}"
		rc=0
		lab_state s "$3" 2>err || rc=$?
		test "$rc" -ne 0
		test_grep "$2" err
	)
	end_test
}
LAB_CONTROL=http://127.0.0.1:9 lab_state_fails "control endpoint unreachable (kube)" \
	"cannot read the lab's kube state from http://127.0.0.1:9" kube
LAB_CONTROL=http://127.0.0.1:9 lab_state_fails "control endpoint unreachable (vsphere)" \
	"cannot read the lab's vsphere state from http://127.0.0.1:9" vsphere
LAB_CONTROL=http://127.0.0.1:9 lab_state_fails "control endpoint unreachable (fc)" \
	"cannot read the lab's fc state" fc
LAB_CONTROL=$GOOD_CONTROL/nowhere lab_state_fails "a path the endpoint does not have" \
	"cannot read the lab's kube state" kube
mkdir -p "$T/bad1/kube" "$T/bad1/vsphere" "$T/bad2/kube" "$T/bad2/vsphere" "$T/bad3/kube"
: >"$T/bad1/kube/objects"
: >"$T/bad1/vsphere/inventory"
echo '{"error":"boom"}' >"$T/bad2/kube/objects"
echo '{}' >"$T/bad2/vsphere/inventory"
echo '{"items":[{"metadata":{"name":"x"}}]}' >"$T/bad3/kube/objects"
LAB_CONTROL=file://$T/bad1 lab_state_fails "an empty answer (kube)" \
	"the lab's kube state is unreadable: not JSON" kube
LAB_CONTROL=file://$T/bad1 lab_state_fails "an empty answer (vsphere)" \
	"the lab's vsphere state is unreadable: not JSON" vsphere
LAB_CONTROL=file://$T/bad2 lab_state_fails "an error instead of objects" \
	"the lab's kube state is unreadable: not an object list" kube
LAB_CONTROL=file://$T/bad2 lab_state_fails "an empty inventory" \
	"the lab's vsphere state is unreadable: not an inventory" vsphere
LAB_CONTROL=file://$T/bad2 lab_state_fails "an error instead of the ForkliftController" \
	"the lab's fc state is unreadable: not an object list" fc
LAB_CONTROL=file://$T/bad3 lab_state_fails "an object without kind" \
	"not an object list" kube
LAB_JSON='{}' lab_state_fails "no authorized_keys named" \
	"the lab names no esxi.authorized_keys" keys
LAB_JSON='{"esxi":{"authorized_keys":"/nonexistent/keys"}}' lab_state_fails \
	"authorized_keys missing" "/nonexistent/keys" keys

begin_test 'lab_state_read: not ok with the cause; lab_vsphere_unchanged fails too'
(
	set -e
	LAB_CONTROL=http://127.0.0.1:9 LAB_JSON=$GOOD_JSON
	rc=0
	(lab_state_read "reading" s kube) >out || rc=$?
	test "$rc" -ne 0
	grep -q '^not ok [0-9]* - reading$' out
	test_grep '# lab.sh: cannot read the lab' out
	rc=0
	lab_vsphere_unchanged >out || rc=$?
	test "$rc" -eq 2
	test_grep 'cannot read http://127.0.0.1:9/vsphere/inventory/diff' out
	mkdir -p ctl/vsphere/inventory
	echo '{"error":"boom"}' >ctl/vsphere/inventory/diff
	LAB_CONTROL=file://$PWD/ctl
	rc=0
	lab_vsphere_unchanged >out || rc=$?
	test "$rc" -eq 2
	test_grep '/vsphere/inventory/diff is not a diff' out
	echo '{"equal":false,"now":{"vms":["left-behind"]}}' >ctl/vsphere/inventory/diff
	rc=0
	lab_vsphere_unchanged >out || rc=$?
	test "$rc" -eq 1
	test_grep left-behind out
	echo '{"equal":true,"now":{}}' >ctl/vsphere/inventory/diff
	lab_vsphere_unchanged
)
end_test
