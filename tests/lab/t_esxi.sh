#!/bin/bash
# The fake ESXi host (Debian's sshd) and the lab's life cycle: strict host key
# checking logs in, the authorized_keys file is live, start-up is fast, and
# SIGTERM leaves no process and no file behind.
: "${srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${builddir:=$srcdir}"
. "$srcdir/tests/lab/lab.sh"
W=$(mktemp -d "${TMPDIR:-/tmp}/mtv-esxi-test.XXXXXX")
trap 'lab_stop; rm -rf "$W"' EXIT
trap 'exit 130' INT TERM
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@" >"$W/out" 2>&1; then ok "$d"; else not_ok "$d"; sed 's/^/# /' "$W/out" | head -20; fi; }
echo "1..10"

t0=$(date +%s%N)
if ! lab_start; then
	not_ok "mtv-lab starts"
	exit 1
fi
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
# a figure, not a timed assertion (bench/ measures speed): the lab's own
# start-up timeout bounds a hang
ok "start-up to the JSON line (${ms} ms)"

host=$(lab_get esxi.host); port=$(lab_get esxi.port); user=$(lab_get esxi.user)
kh=$(lab_get esxi.known_hosts); key=$(lab_get esxi.private_key_file); ak=$(lab_get esxi.authorized_keys)
fp=$(lab_get esxi.fingerprint)
SSH=(ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$kh"
	-o IdentitiesOnly=yes -o ConnectTimeout=10 -p "$port")

check "ssh with StrictHostKeyChecking=yes and the lab's known_hosts logs in" \
	bash -c '"$@" | grep -qx esxi-ok' _ "${SSH[@]}" -i "$key" "$user@$host" echo esxi-ok

for a in $(lab_get esxi.addresses | tr -d '[]",'); do
	"${SSH[@]}" -i "$key" "$user@$a" echo esxi-ok >"$W/a.out" 2>&1 || echo "$a" >>"$W/bad"
done
if [ ! -s "$W/bad" ]; then ok "every ESXi address ($(lab_get esxi.addresses)) logs in with strict checking"; else not_ok "login failed on $(cat "$W/bad")"; fi

check "known_hosts fingerprint equals the JSON fingerprint" \
	bash -c 'ssh-keygen -lf "$1" | grep -qF "$2"' _ "$kh" "$fp"

case $ak in "$LAB_DIR"/*) ok "authorized_keys lives in the lab directory";; *) not_ok "authorized_keys path $ak";; esac

# A restricted key added to the ESXi authorized_keys works at once.
ssh-keygen -q -t ed25519 -N '' -C restricted -f "$W/k" >/dev/null
printf 'command="echo restricted-ok",no-port-forwarding,no-agent-forwarding,no-X11-forwarding %s\n' "$(cat "$W/k.pub")" >>"$ak"
check "a key added to the ESXi authorized_keys logs in with its forced command" \
	bash -c '"$@" | grep -qx restricted-ok' _ "${SSH[@]}" -i "$W/k" "$user@$host" anything

# A wrong host key is refused under strict checking.
ssh-keygen -q -t ed25519 -N '' -f "$W/other" >/dev/null
printf '[%s]:%s %s\n' "$host" "$port" "$(cut -d' ' -f1,2 "$W/other.pub")" >"$W/bad_known_hosts"
if ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$W/bad_known_hosts" \
	-o IdentitiesOnly=yes -i "$key" -p "$port" "$user@$host" true >"$W/out" 2>&1; then
	not_ok "a mismatching known_hosts entry is refused"
else
	ok "a mismatching known_hosts entry is refused"
fi

# Life cycle: SIGTERM stops sshd and removes what the lab made.
sshd_pid=$(cat "$LAB_DIR/esxi/sshd.pid" 2>/dev/null)
lab_pid=$LAB_PID
dir=$LAB_DIR
t0=$(date +%s%N)
kill -TERM "$lab_pid"
wait "$lab_pid"
rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
LAB_PID=
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0 (after ${ms} ms)"; else not_ok "SIGTERM: exit $rc after ${ms} ms"; fi
left=$(ps -eo pid=,args= | grep -F -- "$dir" | grep -v grep)
if [ -n "$sshd_pid" ] && ! kill -0 "$sshd_pid" 2>/dev/null && [ -z "$left" ]; then
	ok "no process left (sshd $sshd_pid gone)"
else
	not_ok "processes left: sshd=$sshd_pid $left"
fi
rest=$(cd "$dir" && find . -mindepth 1 ! -name lab.log ! -name . | sort)
if [ -z "$rest" ]; then ok "no file left in the lab directory but lab.log"; else not_ok "files left:"; echo "$rest" | sed 's/^/# /'; fi
[ "$fail" -eq 0 ]
