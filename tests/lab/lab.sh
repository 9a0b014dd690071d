# lab.sh: start and stop the offline lab (mtv-lab) from a shell test.
# Source it, then:
#   lab_start [extra mtv-lab options]   start the lab, wait for its JSON line (20 s)
#   lab_get KEY.PATH                    print a field of the JSON line (e.g. vsphere.url, inventory.hosts.0)
#   lab_control METHOD PATH [JSON]      call the control endpoint (e.g. lab_control POST /vsphere/counts/reset)
#   lab_vsphere_unchanged               vSphere inventory equals the one at start (leak check)
#   lab_state PREFIX [PART...]          the lab's state for a leak check (see below)
#   lab_state_read DESC PREFIX [PART...]  lab_state, or "not ok DESC" with the cause
#   lab_stop                            SIGTERM, wait for the exit, remove the lab directory
#   lab_kubectls                        the kubectl binaries to test with: "VERSION PATH" lines
#   lab_each_kubectl FUNC               run FUNC once per kubectl of lab_kubectls (with tests/lib.sh)
# Exports LAB_JSON LAB_DIR LAB_PROVIDERS LAB_KUBECONFIG LAB_CONTROL LAB_PID.
# The lab directory is $T/lab when tests/lib.sh's $T exists, else a fresh
# directory under $TMPDIR. lab_start registers lab_stop with at_exit when
# tests/lib.sh is loaded; otherwise set your own trap.

LAB_PYTHON=/usr/bin/python3

lab_get() {
	printf '%s' "$LAB_JSON" | "${LAB_PYTHON:-/usr/bin/python3}" -c '
import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    if isinstance(v, list):
        v = v[int(k)] if k.isdigit() and int(k) < len(v) else None
    elif isinstance(v, dict):
        v = v.get(k)
    else:
        v = None
    if v is None:
        sys.exit(1)
print(v if isinstance(v, str) else json.dumps(v))
' "$1"
}

lab_start() {
	local bin=${MTV_LAB:-${builddir:-.}/mtv-lab} fifo line
	if [ ! -x "$bin" ]; then
		echo "lab.sh: $bin is not built" >&2
		return 1
	fi
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		_lab_tmp=
		LAB_DIR=$T/lab
	else
		_lab_tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtv-lab.XXXXXX") || return 1
		LAB_DIR=$_lab_tmp/lab
	fi
	mkdir -p "$LAB_DIR" || return 1
	fifo=$LAB_DIR.ready
	rm -f "$fifo"
	mkfifo "$fifo" || return 1
	"$bin" --dir "$LAB_DIR" "$@" >"$fifo" 2>"$LAB_DIR.stderr" &
	LAB_PID=$!
	exec {_lab_fd}<"$fifo"
	rm -f "$fifo"
	if ! read -r -t 20 -u "$_lab_fd" line || [ -z "$line" ]; then
		echo "lab.sh: mtv-lab gave no ready line within 20 s" >&2
		sed -n '1,20p' "$LAB_DIR.stderr" >&2
		lab_stop
		return 1
	fi
	LAB_JSON=$line
	LAB_PROVIDERS=$(lab_get providers_file)
	LAB_KUBECONFIG=$(lab_get kube.kubeconfig || true)
	LAB_CONTROL=$(lab_get control_url)
	export LAB_JSON LAB_DIR LAB_PROVIDERS LAB_KUBECONFIG LAB_CONTROL LAB_PID
	if command -v at_exit >/dev/null 2>&1 && [ -z "${_lab_registered:-}" ]; then
		at_exit lab_stop
		_lab_registered=1
	fi
}

lab_stop() {
	if [ -n "${LAB_PID:-}" ]; then
		if kill -TERM "$LAB_PID" 2>/dev/null; then
			# bounded wait, then KILL. No watchdog subshell: a signal
			# reaching a ( ) subshell before it resets the traps it
			# inherited runs lib.sh's EXIT trap there (a stray TAP
			# plan line, and $T removed).
			timeout 5 tail -s 0.1 --pid="$LAB_PID" -f /dev/null ||
				kill -KILL "$LAB_PID" 2>/dev/null
			wait "$LAB_PID" 2>/dev/null
		else
			wait "$LAB_PID" 2>/dev/null
		fi
		LAB_PID=
	fi
	if [ -n "${_lab_fd:-}" ]; then
		exec {_lab_fd}<&-
		_lab_fd=
	fi
	if [ -n "${LAB_DIR:-}" ]; then
		rm -f "$LAB_DIR.ready" "$LAB_DIR.stderr"
	fi
	if [ -n "${_lab_tmp:-}" ]; then
		rm -rf "$_lab_tmp"
		_lab_tmp=
	fi
	return 0
}

# lab_vsphere_unchanged: succeeds when the vSphere inventory (VMs, disks,
# datastore files, free space) equals the one at start; prints the diff otherwise.
# Fails too, saying why, when the diff cannot be read.
lab_vsphere_unchanged() {
	local d
	if ! d=$(lab_control GET /vsphere/inventory/diff 2>&1); then
		echo "lab.sh: cannot read $LAB_CONTROL/vsphere/inventory/diff: $d"
		return 2
	fi
	printf '%s' "$d" | "${LAB_PYTHON:-/usr/bin/python3}" -c '
import json, sys
try:
    d = json.load(sys.stdin)
    equal, now = d["equal"], d["now"]
except (ValueError, TypeError, KeyError) as e:
    print("lab.sh: /vsphere/inventory/diff is not a diff: %r" % e)
    sys.exit(2)
if equal is not True:
    print(json.dumps(now, indent=1))
    sys.exit(1)
'
}

# lab_state PREFIX [PART...]: write the lab's state for a leak check, one
# file per part (all four when none is named):
#   vsphere  PREFIX.vsphere  the vSphere inventory (JSON, one value a line)
#   kube     PREFIX.kube     the cluster objects but events, "KIND NS/NAME"
#   fc       PREFIX.fc       the ForkliftController specs (JSON)
#   keys     PREFIX.keys     the ESXi authorized_keys file
# Fails, naming what it could not read on stderr, when the control endpoint
# cannot be reached or answers something else than the state: a leak check
# never compares two empty readings.
lab_state() {
	local prefix=$1 part out path
	shift
	[ $# -gt 0 ] || set -- vsphere kube fc keys
	for part in "$@"; do
		case $part in
		vsphere|kube|fc)
			if ! out=$(lab_control GET "$(_lab_state_path "$part")" 2>&1); then
				echo "lab.sh: cannot read the lab's $part state from $LAB_CONTROL: $out" >&2
				return 1
			fi
			printf '%s' "$out" | "${LAB_PYTHON:-/usr/bin/python3}" -c "$_lab_state_py" \
				"$part" >"$prefix.$part" || return 1 ;;
		keys)
			if ! path=$(lab_get esxi.authorized_keys); then
				echo "lab.sh: the lab names no esxi.authorized_keys" >&2
				return 1
			fi
			cp "$path" "$prefix.keys" || return 1 ;;
		*)
			echo "lab.sh: lab_state: unknown part '$part'" >&2
			return 1 ;;
		esac
	done
}
_lab_state_path() {
	case $1 in vsphere) echo /vsphere/inventory ;; *) echo /kube/objects ;; esac
}
_lab_state_py='
import json, sys
part = sys.argv[1]
def fail(why):
    sys.stderr.write("lab.sh: the lab'"'"'s %s state is unreadable: %s\n" % (part, why))
    sys.exit(1)
try:
    d = json.load(sys.stdin)
except ValueError as e:
    fail("not JSON (%s)" % e)
if part == "vsphere":
    if not isinstance(d, dict) or not d:
        fail("not an inventory: %.200r" % d)
    print(json.dumps(d, indent=1, sort_keys=True))
    sys.exit(0)
items = d.get("items") if isinstance(d, dict) else None
if not isinstance(items, list) or not all(
        isinstance(o, dict) and isinstance(o.get("metadata"), dict) and o.get("kind")
        for o in items):
    fail("not an object list: %.200r" % d)
if part == "fc":
    print(json.dumps([o.get("spec") for o in items if o["kind"] == "ForkliftController"],
                     sort_keys=True))
    sys.exit(0)
# events are history, not leaks
out = ["%s %s/%s" % (o["kind"], o["metadata"].get("namespace", ""), o["metadata"].get("name"))
       for o in items if o["kind"] != "Event"]
print("\n".join(sorted(out)))
'

# lab_state_read DESC PREFIX [PART...]: lab_state for a TAP test (needs
# tests/lib.sh): silent when the state is read; otherwise "not ok DESC"
# with the cause, and a non-zero return.
lab_state_read() {
	local desc=$1 prefix=$2
	shift 2
	if ! lab_state "$prefix" "$@" 2>"$prefix.state-err"; then
		not_ok "$desc"
		sed -n '1,20p' "$prefix.state-err" | diag_stdin
		return 1
	fi
}

lab_control() {
	local method=$1 path=$2 data=${3:-}
	if [ -n "$data" ]; then
		curl -sS -f -X "$method" -H 'Content-Type: application/json' --data "$data" "$LAB_CONTROL$path"
	else
		curl -sS -f -X "$method" "$LAB_CONTROL$path"
	fi
}

# lab_kubectl_version PATH: the client version (v1.20.2), empty when PATH
# does not run; a version dispatcher (Google Cloud SDK's kubectl) prints
# VERSION-dispatcher.
lab_kubectl_version() {
	"$1" version --client 2>/dev/null | grep -o 'v1\.[0-9]*\.[0-9]*[-a-z]*' | head -n 1
}

# lab_kubectls: the kubectl binaries the conformance tests run with, one
# "VERSION PATH" line each, oldest first; "missing PATH" for a name in
# MTV_KUBECTLS that does not run. MTV_KUBECTLS (paths, space-separated)
# chooses them; otherwise the oldest and the newest of: $KUBECTL (default
# kubectl on PATH), versioned siblings of its real file (kubectl.1.33 next
# to a dispatcher), /usr/bin/kubectl, and Debian's kubernetes-client
# unpacked under the build folder by `make kubectl-debian`. Dispatchers are
# left out when a real client is found: they pick a client by the server's
# version, so their own version says nothing.
lab_kubectls() {
	local kc v real list=
	if [ -n "${MTV_KUBECTLS:-}" ]; then
		for kc in $MTV_KUBECTLS; do
			v=$(lab_kubectl_version "$kc")
			if [ -n "$v" ]; then echo "$v $kc"; else echo "missing $kc"; fi
		done
		return 0
	fi
	kc=$(command -v "${KUBECTL:-kubectl}" 2>/dev/null)
	for kc in $kc ${kc:+$(real=$(readlink -f "$kc") && ls "$real".1.* 2>/dev/null)} \
		/usr/bin/kubectl "${builddir:-.}/kubectl-debian/usr/bin/kubectl"; do
		[ -x "$kc" ] || continue
		v=$(lab_kubectl_version "$kc")
		[ -n "$v" ] && list="$list$v $kc
"
	done
	if printf '%s' "$list" | grep -qv -- '-dispatcher '; then
		list=$(printf '%s' "$list" | grep -v -- '-dispatcher ')
	fi
	list=$(printf '%s\n' "$list" | sed '/^$/d' | sort -V -u -k1,1)
	printf '%s\n' "$list" | sed -n '1p'
	[ "$(printf '%s\n' "$list" | wc -l)" -gt 1 ] && printf '%s\n' "$list" | sed -n '$p'
	return 0
}

# lab_each_kubectl FUNC: FUNC once per client of lab_kubectls, with KUBECTL
# (exported), V (v1.20.2) and KMINOR (20) set, after a "# kubectl V (PATH)"
# TAP comment; a client MTV_KUBECTLS names that does not run is a failure;
# fewer than two clients is said in a TAP comment. Sets LAB_KUBECTL_COUNT.
lab_each_kubectl() {
	local line lines
	mapfile -t lines < <(lab_kubectls)
	LAB_KUBECTL_COUNT=0
	for line in "${lines[@]}"; do
		V=${line%% *} KUBECTL=${line#* }
		if [ "$V" = missing ]; then
			not_ok "MTV_KUBECTLS names $KUBECTL, which does not run"
			continue
		fi
		KMINOR=$(echo "$V" | cut -d. -f2)
		export KUBECTL
		diag "kubectl $V ($KUBECTL)"
		"$1" </dev/null
		LAB_KUBECTL_COUNT=$((LAB_KUBECTL_COUNT + 1))
	done
	case $LAB_KUBECTL_COUNT in
	0) diag "no kubectl found: kubectl checks not run (install Debian's kubernetes-client or set MTV_KUBECTLS)" ;;
	1) diag "only one kubectl version found ($V): a second one was not tested" \
		"(MTV_KUBECTLS lists clients; make kubectl-debian unpacks Debian's 1.20 one under the build folder)" ;;
	esac
}

# lab_job_kubeconfig OUT NS SCENARIO...: what `mtv-scenario job` prints for
# the scenarios, applied to the lab with the newest kubectl, and OUT a
# kubeconfig with a token of the Job's ServiceAccount (kubectl create token,
# else a legacy token Secret): runs with it have only the generated roles.
lab_job_kubeconfig() {
	local out=$1 ns=$2 k= v path tok= i
	shift 2
	while read -r v path; do
		[ "$v" = missing ] || k=$path
	done < <(lab_kubectls)
	[ -n "$k" ] || { echo "lab_job_kubeconfig: no kubectl" >&2; return 1; }
	"$MTV_SCENARIO" job -p "$LAB_PROVIDERS" --namespace "$ns" "$@" >"$out.yaml" &&
		"$k" --kubeconfig "$LAB_KUBECONFIG" apply -f "$out.yaml" >/dev/null || return 1
	tok=$("$k" --kubeconfig "$LAB_KUBECONFIG" -n "$ns" create token mtv-scenario --duration=2h 2>/dev/null)
	if [ -z "$tok" ]; then
		printf '%s\n' "apiVersion: v1" "kind: Secret" "type: kubernetes.io/service-account-token" \
			"metadata: {name: mtv-scenario-token, namespace: $ns, annotations: {kubernetes.io/service-account.name: mtv-scenario}}" |
			"$k" --kubeconfig "$LAB_KUBECONFIG" apply -f - >/dev/null || return 1
		for i in 1 2 3 4 5 6 7 8 9 10; do
			tok=$("$k" --kubeconfig "$LAB_KUBECONFIG" -n "$ns" get secret mtv-scenario-token \
				-o jsonpath='{.data.token}' | base64 -d) && [ -n "$tok" ] && break
			sleep 0.2
		done
	fi
	[ -n "$tok" ] || return 1
	cat >"$out" <<KC
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster: {server: "$(lab_get kube.server)", certificate-authority: "$(lab_get kube.ca_file)"}
users:
- name: sa
  user: {token: "$tok"}
contexts:
- name: sa
  context: {cluster: lab, user: sa, namespace: $ns}
current-context: sa
KC
}

# lab_secret_spellings [VALUE...]: every secret the lab's providers file,
# kubeconfig and ready line hold (and the VALUEs), each raw, base64-encoded
# and URL-encoded, one per line, for tests that grep output for them.
lab_secret_spellings() {
	"$PYTHON3" - "$LAB_PROVIDERS" "$LAB_KUBECONFIG" "$LAB_JSON" "$@" <<'PY'
import base64, json, sys, urllib.parse, yaml
prov = yaml.safe_load(open(sys.argv[1]))
kc = yaml.safe_load(open(sys.argv[2]))
lab = json.loads(sys.argv[3])
vals = set(sys.argv[4:])
for p in prov.values():
    if not isinstance(p, dict):
        continue
    for k in ("password", "cluster_password", "guest_vm_linux_password", "guest_vm_win_password"):
        if p.get(k): vals.add(str(p[k]))
    co = p.get("copyoffload") or {}
    for k in ("storage_password", "esxi_password"):
        if co.get(k): vals.add(str(co[k]))
for u in kc.get("users", []):
    t = (u.get("user") or {}).get("token")
    if t: vals.add(t)
if lab.get("kube", {}).get("password"): vals.add(lab["kube"]["password"])
for v in sorted(vals):
    if len(v) < 4: continue
    print(v)
    print(base64.b64encode(v.encode()).decode())
    print(urllib.parse.quote(v, safe=""))
PY
}
