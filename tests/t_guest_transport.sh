#!/bin/bash
# t_guest_transport.sh: the tool's guest transports against the lab through
# mtv-test-tool: Guest Operations on a powered-on clone (a program's exit
# code and output, upload, download, temporary files, deletion, a refused
# guest login that is sent once and stops, the transfer verified by the
# thumbprint pin), and SSH through KubeVirt's port-forward to a migrated VM
# (its host key checked against the one read from the source guest, a
# wrong expected key, no expected key, a refused password, a missing VMI);
# no secret in any output, traces included.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

[ -x "$MTV_TEST_TOOL" ] || skip_all "tests/mtv-test-tool is not built"
lab_start || { not_ok "the lab starts"; exit 1; }
ok "the lab starts"
# the lab's vSphere endpoint in one read of its JSON line
eval "$(printf '%s' "$LAB_JSON" | "$PYTHON3" -c '
import json, shlex, sys
v = json.load(sys.stdin)["vsphere"]
for k, f in (("GOVC_URL", "url"), ("GOVC_USERNAME", "username"),
             ("GOVC_PASSWORD", "password"), ("GOVC_TLS_CA_CERTS", "ca_file"),
             ("TP", "thumbprint")):
    print("%s=%s" % (k, shlex.quote(v[f])))')"
export GOVC_URL GOVC_USERNAME GOVC_PASSWORD GOVC_TLS_CA_CERTS
unset GOVC_INSECURE GOVC_TLS_KNOWN_HOSTS_THUMBPRINT MTV_LOG_LEVEL KUBECONFIG
# the guest account of the providers file, as the pytest suite has it
GUEST_USER=$(sed -n 's/^ *guest_vm_linux_user: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$LAB_PROVIDERS" | head -1)
GUEST_PASSWORD=$(sed -n 's/^ *guest_vm_linux_password: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$LAB_PROVIDERS" | head -1)
export GUEST_USER GUEST_PASSWORD
[ -n "$GUEST_PASSWORD" ] && ok "the providers file has a guest account" ||
	not_ok "the providers file has a guest account"
sed -i 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS"
ALL=$T/all-output	# every output of every run, checked for secrets at the end
: >"$ALL"
VT=("$MTV_TEST_TOOL" vs)
KT=("$MTV_TEST_TOOL" kube --kubeconfig "$LAB_KUBECONFIG")
keep() { cat "$T/out" "$T/err" >>"$ALL"; }
# guest-op counts of the lab since the last reset, as "Method N" lines
counts() { lab_control GET /vsphere/counts |
	sed -n 's/^ *"\([^"]*\(Guest\|guestFile\)[^"]*\)": *\([0-9]*\),\{0,1\}$/\1 \3/p' | sort; }

# ---- a powered-on clone (source steps only; kept until the end)
"$MTV_SCENARIO" plan --format json --run-id gtrsa1 -p "$LAB_PROVIDERS" \
	"$srcdir/tests/guest/on.yaml" >"$T/plan.json" 2>"$T/err" &&
	"${VT[@]}" run "$T/plan.json" --keep --only source >"$T/out" 2>>"$T/err"
rc=$?
keep
VM=gtrsa1-xcopy-template-test-1
if [ $rc -eq 0 ]; then ok "a clone is powered on"; else
	not_ok "a clone is powered on"; tail -5 "$T/out" "$T/err" | diag_stdin; fi
undo_clone() { "${VT[@]}" destroy "$VM" >/dev/null 2>&1; }
at_exit undo_clone

# ---- Guest Operations
MARK="mtv-data-integrity-gtrsa1"
expect_exit 0 "guest-run: the pytest suite's marker command" "${VT[@]}" guest-run "$VM" -- \
	"mkdir -p /opt/mtv_data_integrity && echo $MARK | tee /opt/mtv_data_integrity/marker.txt"
keep
contains "guest-run: the command's output comes back" "$T/out" "$MARK"
contains "guest-run: its exit code" "$T/err" "exit 0"
expect_exit 0 "guest-get reads the marker" "${VT[@]}" guest-get "$VM" /opt/mtv_data_integrity/marker.txt
keep
check "the marker is what was written" test "$(cat "$T/out")" = "$MARK"
expect_exit 1 "guest-run: a failing command fails" "${VT[@]}" guest-run "$VM" -- 'echo partial; exit 3'
keep
contains "its exit code is given" "$T/err" "exit 3"
contains "its output still comes back" "$T/out" "partial"
head -c 3000000 /dev/urandom >"$T/data.bin"
expect_exit 0 "guest-put: 3 MB up" "${VT[@]}" guest-put "$VM" /root/data.bin "$T/data.bin"
keep
"${VT[@]}" guest-get "$VM" /root/data.bin >"$T/back.bin" 2>"$T/err"
keep
check "guest-get: the same bytes back" cmp "$T/data.bin" "$T/back.bin"
expect_exit 0 "guest-run: the guest's sha256sum" "${VT[@]}" guest-run "$VM" -- sha256sum /root/data.bin
keep
contains "the guest sums what was sent" "$T/out" "$(sha256sum <"$T/data.bin" | cut -d' ' -f1)"
lab_control POST /vsphere/counts/reset >/dev/null
expect_exit 0 "guest-rm deletes" "${VT[@]}" guest-rm "$VM" /root/data.bin
keep
expect_exit 0 "guest-rm of a missing file is no error" "${VT[@]}" guest-rm "$VM" /root/data.bin
keep
expect_exit 2 "guest-get of a deleted file: not found" "${VT[@]}" guest-get "$VM" /root/data.bin
keep
contains "not found names the file" "$T/err" "/root/data.bin"
counts >"$T/counts"
contains "the deletions were DeleteFileInGuest calls" "$T/counts" "DeleteFileInGuest 2"
# the temporary files of guest-run are gone again: /tmp has only the
# listing's own
expect_exit 0 "guest-run: its temporary files" "${VT[@]}" guest-run "$VM" -- 'ls /tmp'
keep
check "no earlier temporary file is left" test "$(grep -c mtv-test- "$T/out")" = 1

# a program that outlives its time: a timeout, and the process is ended
lab_control POST /vsphere/counts/reset >/dev/null
expect_exit 1 "guest-run: a program past its timeout" "${VT[@]}" guest-run "$VM" --timeout 1 -- sleep 30
keep
contains "it says it still runs" "$T/err" "still runs after 1 s"
counts >"$T/counts"
contains "the process is terminated" "$T/counts" "TerminateProcessInGuest 1"

# a refused guest login: exit 3, one call, no retry (guest accounts lock)
lab_control POST /vsphere/counts/reset >/dev/null
GUEST_PASSWORD="wrong-$GUEST_PASSWORD" expect_exit 3 "a wrong guest password: refused" \
	"${VT[@]}" guest-run "$VM" -- true
keep
contains "it says the login was refused" "$T/err" "refused (InvalidGuestLogin)"
counts >"$T/counts"
check "one guest call, no retry, no program started" test "$(cat "$T/counts")" = "CreateTemporaryFileInGuest 1"

# the transfer is verified as the SOAP connection is: the thumbprint pin
GOVC_TLS_CA_CERTS= GOVC_TLS_KNOWN_HOSTS_THUMBPRINT=$TP expect_exit 0 "a pinned transfer (no CA file)" \
	"${VT[@]}" guest-get "$VM" /etc/hostname
keep
GOVC_TLS_CA_CERTS= GOVC_TLS_KNOWN_HOSTS_THUMBPRINT=$TP MTV_LOG_LEVEL=trace expect_exit 0 \
	"a traced upload and download" sh -c '"$0" vs guest-put "$1" /root/t.txt "$2" && "$0" vs guest-get "$1" /root/t.txt' \
	"$MTV_TEST_TOOL" "$VM" "$T/plan.json"
keep
contains "the trace has the guest auth with its password masked" "$T/err" "<password>***</password>"
lacks "the trace has no transfer ticket" "$T/err" "token="

# ---- SSH through the port-forward to a migrated VM
"${VT[@]}" guest-get "$VM" /etc/ssh/ssh_host_ed25519_key.pub >"$T/hostkey.pub" 2>"$T/err"
keep
check "the source guest's host key is read" grep -q '^ssh-ed25519 ' "$T/hostkey.pub"
"$MTV_SCENARIO" run -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" --keep --run-id gtrsb1 \
	"$srcdir/tests/guest/on.yaml" >"$T/out" 2>"$T/err"
rc=$?
keep
undo_run() { "$MTV_SCENARIO" cleanup --run-id gtrsb1 -p "$LAB_PROVIDERS" --kubeconfig "$LAB_KUBECONFIG" >/dev/null 2>&1; }
at_exit undo_run
if [ $rc -eq 0 ]; then ok "a powered-on VM migrates (kept)"; else
	not_ok "a powered-on VM migrates (kept)"; tail -5 "$T/err" | diag_stdin; fi
NS=mtv-guest-on-gtrsb1
VMI=gtrsb1-xcopy-template-test-1
expect_exit 0 "ssh: a command in the migrated guest, its host key checked" \
	"${KT[@]}" --log-level trace ssh --host-key "@$T/hostkey.pub" "$NS" "$VMI" -- 'hostname; id -u'
keep
contains "the migrated guest is the source's" "$T/out" "xcopy-template-test"
contains "ssh: the host key matched" "$T/err" "is the expected one"
cp "$T/out" "$T/ssh.out"
check "as root" grep -qx 0 "$T/ssh.out"
ssh-keygen -q -t ed25519 -N '' -C other -f "$T/other" >/dev/null 2>&1
expect_exit 1 "ssh: a different expected host key is refused" \
	"${KT[@]}" ssh --host-key "@$T/other.pub" "$NS" "$VMI" -- true
keep
contains "the mismatch names the guest's fingerprint" "$T/err" "$(ssh-keygen -lf "$T/hostkey.pub" | cut -d' ' -f2)"
contains "and the expected one" "$T/err" "$(ssh-keygen -lf "$T/other.pub" | cut -d' ' -f2)"
expect_exit 1 "ssh: no expected host key is refused" "${KT[@]}" ssh "$NS" "$VMI" -- true
keep
contains "it says the key cannot be verified" "$T/err" "cannot be verified"
expect_exit 0 "ssh: --accept-unknown takes it, with a warning" \
	"${KT[@]}" ssh --accept-unknown "$NS" "$VMI" -- true
keep
contains "the warning" "$T/err" "accepting the unverified host key"
GUEST_PASSWORD="wrong-$GUEST_PASSWORD" expect_exit 1 "ssh: a wrong password is refused" \
	"${KT[@]}" ssh --host-key "@$T/hostkey.pub" "$NS" "$VMI" -- true
keep
contains "the refusal names the user" "$T/err" "login as '$GUEST_USER' refused"
expect_exit 1 "ssh: a missing VMI" "${KT[@]}" ssh --host-key "@$T/hostkey.pub" "$NS" nothere -- true
keep
contains "it says so with the status" "$T/err" "no such VirtualMachineInstance (HTTP 404)"

# ---- no secret anywhere
lab_secret_spellings "$GUEST_PASSWORD" "wrong-$GUEST_PASSWORD" >"$T/secrets"
leaks=$(grep -F -f "$T/secrets" "$ALL" | head -3)
if [ -z "$leaks" ]; then ok "no secret in any output ($(wc -l <"$ALL") lines)"; else
	not_ok "no secret in any output"; printf '%s\n' "$leaks" | diag_stdin; fi
