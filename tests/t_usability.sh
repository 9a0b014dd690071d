#!/bin/bash
# t_usability.sh: the command line helps a user who got something wrong or
# reads its output through a pipe: did-you-mean for commands and options,
# the tags there are when -m names one no scenario has, enum values cut
# short, whole descriptions when list is piped, the profile's
# nfs_datastore_id as a datastore key.
. "${srcdir:-.}/tests/lib.sh"
cd "$srcdir" || exit 1

# commands and options
expect_exit 4 "runn exits 4" "$MTV_SCENARIO" runn scenarios.d/thin.yaml
contains "runn: did you mean run" "$T/err" "unknown command 'runn' (did you mean 'run'?)"
expect_exit 4 "valdate exits 4" "$MTV_SCENARIO" valdate
contains "valdate: did you mean validate" "$T/err" "(did you mean 'validate'?)"
expect_exit 4 "frobnicate exits 4" "$MTV_SCENARIO" frobnicate
lacks "frobnicate: no far-fetched suggestion" "$T/err" "did you mean"
expect_exit 4 "--verbsoe exits 4" "$MTV_SCENARIO" list --verbsoe
contains "--verbsoe: did you mean --verbose" "$T/err" "unknown option '--verbsoe' (did you mean '--verbose'?)"

# -m with a tag no scenario has
for c in list validate plan run; do
	p="-p tests/plan/providers.yaml"
	[ "$c" = list ] && p=
	# shellcheck disable=SC2086
	expect_exit 5 "$c -m nosuchtag exits 5" "$MTV_SCENARIO" "$c" $p \
		-m 'nosuchtag or snapshot' scenarios.d
	contains "$c -m: nothing selected" "$T/err" "no scenario selected"
	contains "$c -m: the unknown tag is named" "$T/err" "no scenario has the tag 'nosuchtag'"
	contains "$c -m: a misspelt tag gets a suggestion" "$T/err" \
		"no scenario has the tag 'snapshot' (did you mean 'snapshots'?)"
	contains "$c -m: the tags there are" "$T/err" "the scenarios' tags are: "
	contains "$c -m: ... including copyoffload" "$T/err" " copyoffload,"
done
expect_exit 5 "-m with known tags that select nothing" "$MTV_SCENARIO" list -m 'warm and rdm and large'
lacks "known tags: no tag list" "$T/err" "tags are"

# list through a pipe: whole descriptions
"$MTV_SCENARIO" list >"$T/list" 2>"$T/err"
lacks "list | ...: descriptions are not cut" "$T/list" "..."
desc=$("$PYTHON3" -c 'import yaml,sys; print(" ".join(yaml.safe_load(open(sys.argv[1]))["description"].split()))' \
	scenarios.d/10-mixed-disks.yaml)
contains "list | ...: the whole description of 10-mixed-disks" "$T/list" "$desc"
if command -v script >/dev/null 2>&1; then
	COLUMNS=150 script -qec "stty cols 150 2>/dev/null; $MTV_SCENARIO list" /dev/null |
		tr -d '\r' >"$T/tty"
	long=$(awk 'length($0) > 150' "$T/tty" | wc -l)
	[ "$long" -eq 0 ] && ok "list on a 150-column terminal: lines fit" ||
		not_ok "list on a 150-column terminal: $long lines wider"
	contains "list on a terminal: long descriptions are cut" "$T/tty" "..."
fi

# enum values cut short: the values they begin, all values listed
printf 'apiVersion: mtv-scenario/v1alpha1\nkind: Scenario\nname: t\nvirtual_machines:\n  - name: a\n    disk_type: thick\n' >"$T/thick.yaml"
expect_exit 4 "disk_type: thick exits 4" "$MTV_SCENARIO" validate "$T/thick.yaml"
contains "disk_type: thick: the three values, the two it begins" "$T/err" \
	"expected one of 'thin', 'thick-lazy', 'thick-eager', found 'thick' (did you mean 'thick-lazy' or 'thick-eager'?)"

# nfs_datastore_id: a datastore key resolved through the profile
sed 's/non_xcopy_datastore_id/nfs_datastore_id/g; s/^name: fallback-large/name: nfs-large/' \
	scenarios.d/fallback-large.yaml >"$T/nfs.yaml"
expect_exit 0 "validate accepts nfs_datastore_id" "$MTV_SCENARIO" validate "$T/nfs.yaml"
grep -v '^ *nfs_datastore_id:' tests/plan/providers.yaml >"$T/nonfs.yaml"
expect_exit 4 "a profile without nfs_datastore_id: exit 4" \
	"$MTV_SCENARIO" plan -p "$T/nonfs.yaml" "$T/nfs.yaml"
contains "the missing key is named" "$T/err" "needs 'nfs_datastore_id' but profile"
grep -q '^    nfs_datastore_id: datastore-14$' tests/plan/providers.yaml &&
	ok "the golden profile sets nfs_datastore_id" ||
	not_ok "the golden profile sets nfs_datastore_id"
expect_exit 0 "plan with nfs_datastore_id" "$MTV_SCENARIO" plan --format json -p tests/plan/providers.yaml "$T/nfs.yaml"
cp "$T/out" "$T/plan.json"
check "nfs_datastore_id resolves to the profile's MoID, not XCOPY" "$PYTHON3" -c '
import json, sys
p = json.load(open(sys.argv[1]))
ds = [d for s in p["steps"] for d in s.get("params", {}).get("datastores", [])]
assert ds and all(d == {"key": "nfs_datastore_id", "moid": "datastore-14", "xcopy": False} for d in ds), ds
' "$T/plan.json"

# no scenarios.d here and none installed: say so
mkdir "$T/empty"
(cd "$T/empty" && MTV_SCENARIO_DATADIR="$T/nothing" "$MTV_SCENARIO" list >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
[ "$(cat "$T/rc")" -eq 4 ] && ok "list without any scenarios.d: exit 4" || not_ok "list without any scenarios.d: exit $(cat "$T/rc")"
contains "list without any scenarios.d: says where it looked and what to do" "$T/err" \
	"$T/nothing/scenarios.d: error: no scenarios.d/ in the current folder and none installed (make install installs them; or name FILE|DIR)"
