#!/bin/sh
# t_release.sh: plans for an MTV release (plan --mtv VERSION), no lab.
# For every release and every scenarios.d file the plan either expands
# into objects that release's API server keeps whole (forklift-versions.md
# section 1: Plan.spec.type from 2.10, rdmAsLun and
# controller_max_populator_inflight from 2.11), or is refused with exit 4
# naming the release and the first one that has the field.
. "${srcdir:-.}/tests/lib.sh"

cd "$srcdir" || exit 1
unset MTV_SCENARIO_PROVIDERS
for v in $(env | sed -n 's/^\(COPYOFFLOAD_[A-Z_]*\)=.*/\1/p'); do unset "$v"; done
releases="2.9 2.10 2.11 2.12 main"
files=$(ls scenarios.d/*.yaml)
plan $((5 * 2 + 10))

P="-p tests/plan/providers.yaml --run-id test01"
# Where some files are refused, one plan per file; else every file at once
# (a refusal would print no plan at all), split per file by the checks.
for r in $releases; do
	mkdir -p "$T/$r"
	case $r in
	2.9|2.10)
		for f in $files; do
			name=$(basename "$f" .yaml)
			# shellcheck disable=SC2086
			"$MTV_SCENARIO" plan --format json --mtv "$r" $P "$f" \
				>"$T/$r/$name.json" 2>"$T/$r/$name.err"
			echo $? >"$T/$r/$name.rc"
		done ;;
	*)
		# shellcheck disable=SC2086
		"$MTV_SCENARIO" plan --format json --mtv "$r" $P scenarios.d/ \
			>"$T/$r/all" 2>"$T/$r/all.err"
		echo $? >"$T/$r/all.rc" ;;
	esac
done

# One Python for every check of the plans (each start costs); a verdict
# file per check, empty when it holds.
mkdir -p "$T/v"
cat >"$T/checks.py" <<'PY'
import glob, json, os, re, sys
T, releases = sys.argv[1], sys.argv[2:]


def verdict(name, bad):
    open('%s/v/%s' % (T, name), 'w').write('\n'.join(bad))


def plans(r):
    """{scenario: (exit code, stderr, plan or None)} for release r"""
    d = '%s/%s' % (T, r)
    out = {}
    if os.path.exists(d + '/all.rc'):
        rc = int(open(d + '/all.rc').read())
        err = open(d + '/all.err').read()
        for p in json.load(open(d + '/all')) if rc == 0 else []:
            out[os.path.basename(p['scenario']['file'])[:-5]] = (rc, err, p)
        return out, err
    for f in glob.glob(d + '/*.rc'):
        n = os.path.basename(f)[:-3]
        j = '%s/%s.json' % (d, n)
        out[n] = (int(open(f).read()), open('%s/%s.err' % (d, n)).read(),
                  json.load(open(j)) if os.path.getsize(j) else None)
    return out, ''


def expands_or_refused(r, got, err):
    """a refusal exactly where the scenario uses a field r lacks"""
    old = r in ('2.9', '2.10')
    bad = []
    for f in sorted(glob.glob('scenarios.d/*.yaml')):
        n = os.path.basename(f)[:-5]
        text = open(f).read()
        if n not in got:
            bad.append('%s: no plan: %s' % (n, err))
            continue
        rc, err, _ = got[n]
        want = []
        if old and re.search(r'^rdm_as_lun: *true', text, re.M):
            want.append('rdm_as_lun needs MTV 2.11 or newer')
        if old and re.search(r'^ *max_populator_inflight:', text, re.M):
            want.append('max_populator_inflight needs MTV 2.11 or newer')
        if want:
            if rc != 4 or 'the plan is for MTV %s' % r not in err or \
               any(w not in err for w in want):
                bad.append('%s: expected a refusal (%s), got exit %d: %s'
                           % (n, want, rc, err))
        elif rc != 0:
            bad.append('%s: exit %d: %s' % (n, rc, err))
    return bad


def kept_whole(r, got):
    """only fields r's CRDs have (forklift-versions.md section 1)"""
    old = r in ('2.9', '2.10')
    bad = []
    for n, (rc, err, p) in sorted(got.items()):
        if p is None:
            continue
        if p.get('mtv') != r:
            bad.append('%s: plan says mtv %r' % (n, p.get('mtv')))
        warm = {e['name']: e['warm'] for e in p['plans']}
        for s in p['steps']:
            pa = s['params']
            if s['kind'] == 'plan':
                spec = pa['manifest']['spec']
                w = warm[pa['manifest']['metadata']['name']]
                if r == '2.9':
                    if 'type' in spec or spec.get('warm', False) != w:
                        bad.append('%s: on 2.9: %r' % (n, spec))
                elif spec.get('type') != ('warm' if w else 'cold') or \
                        'warm' in spec:
                    bad.append('%s: spec.type %r' % (n, spec.get('type')))
                if old and ('rdmAsLun' in spec or
                            any('rdmAsLun' in v for v in spec['vms'])):
                    bad.append('%s: rdmAsLun on %s' % (n, r))
            if s['kind'] == 'migrate' and old:
                fs = pa.get('forklift_settings', {}).get('spec', {})
                if 'controller_max_populator_inflight' in fs:
                    bad.append('%s: populator inflight on %s' % (n, r))
    return bad


every = {}
for r in releases:
    got, err = plans(r)
    every[r] = got
    verdict(r + '-expands', expands_or_refused(r, got, err))
    verdict(r + '-whole', kept_whole(r, got))
spec = [s['params']['manifest']['spec'] for s in every['2.9']['warm'][2]['steps']
        if s['kind'] == 'plan'][0]
verdict('warm29', [] if spec.get('warm') is True and 'type' not in spec
        else ['spec: %r' % spec])
a = json.load(open('tests/plan/thin.json'))
b = every['2.12']['thin'][2]
verdict('golden', [] if 'mtv' not in a and b.pop('mtv') == '2.12' and a == b
        else ['--mtv 2.12 differs from tests/plan/thin.json'])
PY
# shellcheck disable=SC2086
"$PYTHON3" "$T/checks.py" "$T" $releases 2>"$T/py.err" || diag_stdin <"$T/py.err"
verdict() {
	if [ -f "$T/v/$2" ] && [ ! -s "$T/v/$2" ]; then ok "$1"; else
		not_ok "$1"; diag_stdin <"$T/v/$2"; fi
}
for r in $releases; do
	verdict "$r: each file expands or is refused with exit 4" "$r-expands"
	verdict "$r: what is sent is kept whole by $r's API server" "$r-whole"
done

# the warm scenario on 2.9: spec.warm, no spec.type (every release reads it)
verdict "warm.yaml on 2.9: spec.warm: true and no spec.type" warm29
contains "rdm-virtual.yaml on 2.10: refused naming both releases" "$T/2.10/rdm-virtual.err" \
	"scenarios.d/rdm-virtual.yaml:18:13: error: rdm_as_lun needs MTV 2.11 or newer (Plan.spec.rdmAsLun); the plan is for MTV 2.10"
contains "populator-throttling.yaml on 2.10: refused naming both releases" "$T/2.10/populator-throttling.err" \
	"max_populator_inflight needs MTV 2.11 or newer (ForkliftController controller_max_populator_inflight); the plan is for MTV 2.10"
check "a refusal prints no plan" test ! -s "$T/2.10/rdm-virtual.json"

# the default is the newest release, and the golden plans stay as they are:
# --mtv 2.12 adds only the release
verdict "--mtv 2.12: the golden plan plus \"mtv\"" golden
# a full version names its release; the text plan names it too
# shellcheck disable=SC2086
"$MTV_SCENARIO" plan --mtv 2.11.7 $P scenarios.d/rdm-virtual.yaml >"$T/text" 2>&1
contains "--mtv 2.11.7 is release 2.11; the text plan says so" "$T/text" \
	"scenario rdm-virtual (MTV-562): run test01, profile vsphere-test, namespace mtv-rdm-virtual-test01, for MTV 2.11"
# shellcheck disable=SC2086
expect_exit 4 "--mtv 2.8: not a release the tool knows, exit 4" \
	"$MTV_SCENARIO" plan --mtv 2.8 $P scenarios.d/thin.yaml
contains "--mtv 2.8: the message lists the releases" "$T/err" \
	"--mtv '2.8': not an MTV release mtv-scenario knows (2.9, 2.10, 2.11, 2.12, main)"
expect_exit 4 "validate --mtv 2.10 -p: the same refusal" \
	"$MTV_SCENARIO" validate --mtv 2.10 -p tests/plan/providers.yaml scenarios.d/rdm-physical.yaml
contains "validate --mtv 2.10: names the release" "$T/err" "the plan is for MTV 2.10"
