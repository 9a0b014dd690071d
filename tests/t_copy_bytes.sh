#!/bin/bash
# t_copy_bytes.sh: the copy is real. A clone with a thin, a thick-eager and
# a virtual RDM disk gets data before and between its three snapshots and
# on top of them (the lab writes it as the run takes them); after a real
# `mtv-scenario run --keep` each PVC holds exactly the current bytes of
# its source disk: the sha256 of all of the thin disk, and the block
# digest (sha256 of the size and of every non-zero 64 KiB block with its
# offset, equal exactly when the bytes are; the only affordable proof for
# the 16 GiB boot disk and the 10 GiB LUN) of every disk are the same on
# both sides. The corrupt-copy and stale-snapshot-copy faults make them
# differ (the stale copy equals the disk's base). `mtv-scenario cleanup`
# then leaves no PVC file and nothing in the datastore folders.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"
export LC_ALL=C

lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"
find "$LAB_DIR/vsphere" -type f | sort >"$T/ds.before"

cat >"$T/bytes.yaml" <<'EOF'
apiVersion: mtv-scenario/v1alpha1
kind: Scenario
name: copy-bytes
description: >-
  Bytes of thin, thick-eager and RDM disks under three snapshots, and two
  clones copied under the bytes faults.
virtual_machines:
  - name: xcopy-template-test
    clone: true
    clone_name: copy-bytes-vm
    disk_type: thin
    snapshots: 3
    add_disks:
      - size_gb: 1
        provision_type: thin
      - size_gb: 2
        provision_type: thick-eager
      - rdm_type: virtual
  - name: xcopy-template-test
    clone: true
    clone_name: copy-fault-a
    snapshots: 1
  - name: xcopy-template-test
    clone: true
    clone_name: copy-fault-b
    snapshots: 1
warm_migration: false
copyoffload: true
expect:
  xcopy_used: 0
EOF

# arm VM DISK OFFSET DATA WHEN N: a write the lab does at a snapshot
arm() {
	lab_control POST /vsphere/disk-write \
		"{\"vm\":\"$1\",\"disk\":\"$2\",\"offset\":$3,\"data\":\"$4\",\"$5_snapshot\":$6}" >/dev/null
}
armed=0
# at 512 MiB and beyond: the boot disk's guest file system lies in its
# first MiBs (the lab's guest_fs.go), where the guest-data step writes
for w in "536870912 base-bytes before 1" "536875008 first-delta before 2" \
	"570425344 second-delta before 3" "536870916 top-delta after 3"; do
	set -- $w
	arm cb0001-copy-bytes-vm all "$1" "$2-$RANDOM" "$3" "$4" && armed=$((armed + 1))
done
for vm in cb0001-copy-fault-a cb0001-copy-fault-b; do
	arm $vm all 538968064 "before-$vm" before 1 &&
		arm $vm all 538972160 "after-$vm" after 1 && armed=$((armed + 2))
done
check "eight writes wait for the run's snapshots" test $armed -eq 8
lab_control POST /forklift/fail-next '{"kind":"corrupt-copy","vm":"cb0001-copy-fault-a"}' >/dev/null &&
	lab_control POST /forklift/fail-next '{"kind":"stale-snapshot-copy","vm":"cb0001-copy-fault-b"}' >/dev/null
check "both faults are armed" test $? -eq 0

# pvc_list: "NAMESPACE/NAME" of the migrated disks' PVCs;
# disk_line VM KEY [QUERY], pvc_line NS/NAME [QUERY]: "SIZE DIGEST SHA256"
pvc_list() {
	lab_control GET /kube/objects | "$PYTHON3" -c '
import json, sys
for o in json.load(sys.stdin)["items"]:
    m = o["metadata"]
    if o["kind"] == "PersistentVolumeClaim" and not m["name"].startswith("prime-") \
            and "forklift.konveyor.io/disk-source" in (m.get("annotations") or {}):
        print("%s/%s" % (m["namespace"], m["name"]))'
}
field() { "$PYTHON3" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
disk_keys() { # VM: the keys of its disks, the boot disk first
	lab_control GET "/vsphere/disks?vm=$1" | "$PYTHON3" -c '
import json, sys
for d in json.load(sys.stdin)["disks"]:
    print(d["key"])'
}
disk_line() { # VM KEY [QUERY]
	local j
	j=$(lab_control GET "/vsphere/disk-sha256?vm=$1&disk=$2&$3") || return 1
	echo "$(printf '%s' "$j" | field size) $(printf '%s' "$j" | field digest) $(printf '%s' "$j" | field sha256)"
}
pvc_line() { # NS/NAME [QUERY]
	local j
	j=$(lab_control GET "/kube/pvc-sha256?namespace=${1%%/*}&name=${1#*/}&$2") || return 1
	echo "$(printf '%s' "$j" | field size) $(printf '%s' "$j" | field digest) $(printf '%s' "$j" | field sha256)"
}

"$MTV_SCENARIO" run --keep --run-id cb0001 -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	--report "$T/report.json" "$T/bytes.yaml" >"$T/run.out" 2>"$T/run.err"
rc=$?
# the faulted clones' copies fail their guest checks; nothing else fails
if [ $rc -eq 1 ] && "$PYTHON3" - "$T/report.json" >"$T/failed" 2>&1 <<'PY'
import json, sys
checks = json.load(open(sys.argv[1]))["scenarios"][0]["checks"]
failed = [c for c in checks if c["status"] == "failed"]
faulted = {v: [c["name"] for c in failed if v in json.dumps(c)]
           for v in ("copy-fault-a", "copy-fault-b")}
other = [c["name"] for c in failed
         if "copy-fault-a" not in json.dumps(c) and "copy-fault-b" not in json.dumps(c)]
print("faulted:", faulted, "other:", other)
sys.exit(0 if all(faulted.values()) and not other else 1)
PY
then ok "the run fails on the faulted clones' checks alone"; else
	not_ok "the run fails on the faulted clones' checks alone (exit $rc)"
	cat "$T/failed" | diag_stdin; sed -n '1,30p' "$T/run.err" | diag_stdin; fi

# the source disks, by size: 16 GiB boot, 1 GiB thin, 2 GiB eager, 10 GiB LUN
: >"$T/src"
keys=$(disk_keys cb0001-copy-bytes-vm)
for k in $keys; do
	size=$(disk_line cb0001-copy-bytes-vm "$k" sparse=1 | cut -d' ' -f1)
	q=sparse=1
	[ "$size" = 1073741824 ] && q=
	disk_line cb0001-copy-bytes-vm "$k" "$q" >>"$T/src" || not_ok "disk $k of the clone is hashed"
done
: >"$T/dst"
for p in $(pvc_list); do
	size=$(pvc_line "$p" sparse=1 | cut -d' ' -f1)
	q=sparse=1
	[ "$size" = 1073741824 ] && q=
	pvc_line "$p" "$q" >>"$T/dst"
done
sort "$T/src" -o "$T/src"
sort "$T/dst" -o "$T/dst"
check "four disks of the expected sizes" test "$(cut -d' ' -f1 "$T/src" | tr '\n' ' ')" = \
	"1073741824 10737418240 17179869184 2147483648 "
# every source disk's line is among the PVCs' (the fault clones' are there too)
missing=$(comm -23 "$T/src" "$T/dst")
check "every PVC holds its source disk's current bytes (size and digest)" test -z "$missing"
[ -z "$missing" ] || { diag "not among the PVCs:" "$missing" "PVCs:"; diag_stdin <"$T/dst"; }
thin_src=$(awk '$1 == 1073741824 {print $3}' "$T/src")
thin_dst=$(awk '$1 == 1073741824 {print $3}' "$T/dst")
check "the thin disk's sha256 is the PVC's" test -n "$thin_src" -a "$thin_src" = "$thin_dst"
for k in $keys; do
	line=$(disk_line cb0001-copy-bytes-vm "$k" "base=1&sparse=1")
	size=${line%% *}
	base=$(printf '%s' "$line" | cut -d' ' -f2)
	cur=$(awk -v s="$size" '$1 == s {print $2}' "$T/src")
	check "disk $k ($size bytes) has data in its snapshot deltas" test -n "$base" -a "$base" != "$cur"
done

# the faults: a's boot disk is copied corrupt, b's stale (its base)
: >"$T/faulted"
for p in $(pvc_list); do
	pvc_line "$p" sparse=1 >>"$T/faulted"
done
verdicts=
for vm in cb0001-copy-fault-a cb0001-copy-fault-b; do
	k=$(disk_keys $vm | head -n 1)
	cur=$(disk_line $vm "$k" sparse=1 | cut -d' ' -f2)
	base=$(disk_line $vm "$k" "base=1&sparse=1" | cut -d' ' -f2)
	if grep -q " $cur " "$T/faulted"; then verdicts="$verdicts same"
	elif grep -q " $base " "$T/faulted"; then verdicts="$verdicts stale"
	else verdicts="$verdicts corrupt"; fi
done
if [ "$verdicts" = " corrupt stale" ]; then
	ok "corrupt-copy and stale-snapshot-copy: a's copy differs, b's is its base"
else
	not_ok "corrupt-copy and stale-snapshot-copy: a's copy differs, b's is its base"
	diag "verdicts:$verdicts"; sed -n '1,20p' "$T/faulted" | diag_stdin
fi

# cleanup: no PVC file, nothing in the datastore folders
"$MTV_SCENARIO" cleanup --run-id cb0001 -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" \
	>"$T/clean.out" 2>&1 || { not_ok "the cleanup succeeds"; sed -n '1,20p' "$T/clean.out" | diag_stdin; }
left=
for i in 1 2 3 4 5 6 7 8 9 10; do
	left=$(find "$LAB_DIR/pvc" -type f 2>/dev/null)
	[ -z "$left" ] && break
	sleep 0.2
done
check "no PVC file is left after the cleanup" test -z "$left"
[ -z "$left" ] || diag "$left"
find "$LAB_DIR/vsphere" -type f | sort >"$T/ds.after"
same_file "nothing is left in the datastore folders" "$T/ds.before" "$T/ds.after"
