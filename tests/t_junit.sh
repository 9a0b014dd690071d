#!/bin/bash
# t_junit.sh: the JUnit report of real runs against the lab (man 5, JUNIT
# REPORT): one test case per scenario named after it, classed by its first
# tag, with its Polarion id and tags; a disk copy made to fail is a
# <failure> whose message is the failing step's; a refused login is an
# <error> and the scenarios it stops are <skipped>, as is one --only cut
# short; the counts are right at every level; the run's properties (with
# --junit-property) are where Polarion and Jenkins read them. The default (Polarion) report validates
# against tests/junit/polarion-junit.xsd, the strict one against the
# Jenkins xunit schema, tests/junit/jenkins-junit.xsd, which refuses the
# Polarion one.
. "${srcdir:-.}/tests/lib.sh"
. "$srcdir/tests/lab/lab.sh"

XSD=$srcdir/tests/junit
CHECK=$builddir/tests/junit/xsd-check
S=("$srcdir/scenarios.d/thin.yaml" "$srcdir/scenarios.d/thick-lazy.yaml"
   "$srcdir/scenarios.d/nfs-negative.yaml")
msg="array lost the copy half-way (junit test)"

lab_start || { not_ok "the lab starts"; exit 1; }
# the vib clone method: the same report in a fraction of the time the ssh
# one takes (the reports do not depend on it)
sed 's/^\(    esxi_clone_method: \).*/\1"vib"/' "$LAB_PROVIDERS" >"$T/vib.yaml"
K=(-p "$T/vib.yaml" --kubeconfig "$LAB_KUBECONFIG")

# facts.py XML [JSON]: "ok|title" or "not ok|title|detail" lines from the
# checks in $T/expect.py, which sees the parsed report as x
cat >"$T/facts.py" <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
x = ET.parse(sys.argv[1]).getroot()
rep = json.load(open(sys.argv[2])) if len(sys.argv) > 2 else None
def props(el):
    p = el.find("properties")
    return [] if p is None else [(q.get("name"), q.get("value")) for q in p.findall("property")]
def say(title, cond, detail=""):
    print(("ok|%s" if cond else "not ok|%s|" + repr(detail)[:2000]) % title)
suite = x.find("testsuite")
cases = suite.findall("testcase")
def counts(el):
    return tuple(el.get(k) for k in ("tests", "failures", "errors"))
def verdicts(kind):
    return sum(1 for c in cases if c.find(kind) is not None)
exec(open(sys.argv[0].replace("facts.py", "expect.py")).read())
PY
# TAP lines from facts.py's output on stdin
report_facts() {
	while IFS='|' read -r st title detail; do
		if [ "$st" = ok ]; then ok "$title"; else
			not_ok "$title"; diag "$detail"; fi
	done
}

# 1. three scenarios, the first made to fail by a disk copy
lab_control POST /forklift/fail-next \
	"{\"kind\":\"disk-copy\",\"message\":\"$msg\"}" >/dev/null
expect_exit 1 "three scenarios, a disk copy made to fail: exit 1" \
	"$MTV_SCENARIO" run "${K[@]}" --junit "$T/run.xml" --report "$T/run.json" \
	--junit-property polarion-project-id=MTVQE \
	--junit-property "polarion-testrun-title=junit lab run" \
	--junit-property polarion-custom-build=lab-1 "${S[@]}"
check "the report is valid against the Polarion form of the schema" \
	"$CHECK" "$XSD/polarion-junit.xsd" "$T/run.xml"
expect_exit 1 "the strict Jenkins schema refuses its Polarion properties" \
	"$CHECK" "$XSD/jenkins-junit.xsd" "$T/run.xml"
cat >"$T/expect.py" <<'PY'
say("one test case per scenario", len(cases) == 3, len(cases))
say("in the order run, named after the scenario",
    [c.get("name") for c in cases] == ["thin", "thick-lazy", "nfs-negative"],
    [c.get("name") for c in cases])
say("classed by the first tag", all(c.get("classname") == "copyoffload" for c in cases))
for c, sid, tag in zip(cases, ("MTV-559", "MTV-580"), ("thin", "thick")):
    p = props(c)
    say("%s: polarion-testcase-id %s" % (c.get("name"), sid),
        ("polarion-testcase-id", sid) in p, p)
    say("%s: its tags as tag properties" % c.get("name"),
        [v for k, v in p if k == "tag"] == ["copyoffload", "vsphere", tag], p)
say("a scenario without id has no polarion-testcase-id",
    "polarion-testcase-id" not in dict(props(cases[2])), props(cases[2]))
f = cases[0].find("failure")
s0 = rep["scenarios"][0]
say("the failed scenario has a failure", f is not None and cases[0].find("error") is None)
say("its message is the failing step's, as the JSON report has it",
    f is not None and f.get("message") == s0["message"], f is not None and f.get("message"))
say("which carries the injected message", f is not None and MSG in f.get("message"))
say("its type names the step that failed", f is not None and f.get("type") == "migrate",
    f is not None and f.get("type"))
say("the passed scenarios have no verdict element", all(
    c.find(k) is None for c in cases[1:] for k in ("failure", "error", "skipped")))
say("counts of <testsuites>", counts(x) == ("3", "1", "0"), counts(x))
say("counts of <testsuite>", counts(suite) + (suite.get("skipped"),) == ("3", "1", "0", "0"),
    counts(suite))
t = sum(float(c.get("time")) for c in cases)
say("the suite's time is its cases'", abs(float(suite.get("time")) - t) < 0.01)
say("times are the scenarios' durations", all(
    abs(float(c.get("time")) - s["duration_seconds"]) < 0.01
    for c, s in zip(cases, rep["scenarios"])))
want = [("polarion-project-id", "MTVQE"), ("polarion-testrun-title", "junit lab run"),
        ("polarion-custom-build", "lab-1")]
say("<testsuites> properties: Polarion's, --junit-property overriding",
    props(x) == want, props(x))
say("<testsuite> properties: the same and the tool's version",
    [p for p in props(suite) if p[0] != "mtv-scenario.version"] == want and
    "mtv-scenario.version" in dict(props(suite)), props(suite))
out = [c.findtext("system-out") for c in cases]
say("steps as system-out lines", all("\n[01] preflight: " in o for o in out), out[1][:300])
say("the failed step's line says why",
    any(re.match(r"\[\d\d\] migrate: .* \.\.\. failed [0-9.]+ s: ", l) and MSG in l
        for l in out[0].splitlines()), out[0])
say("the teardown as lines", all("\nteardown of step 03 (clone): destroy VM " in o for o in out))
say("a passed run's lines all passed", all(
    re.search(r" \.\.\. passed( |: )", l) for l in out[1].splitlines()[2:]), out[1])
PY
sed -i "1i MSG = '$msg'" "$T/expect.py"
report_facts < <("$PYTHON3" "$T/facts.py" "$T/run.xml" "$T/run.json" 2>&1)

# 2. a refused vCenter login, strict flavour: an error, then skipped
sed 's/^\(  password: \).*/\1"Wr0ng-vc-Pa55"/' "$LAB_PROVIDERS" >"$T/bad.yaml"
expect_exit 4 "a refused login stops the run: exit 4" \
	"$MTV_SCENARIO" run -p "$T/bad.yaml" --kubeconfig "$LAB_KUBECONFIG" \
	--junit "$T/bad.xml" --junit-flavor strict "${S[@]}"
check "the strict report is valid against the Jenkins schema" \
	"$CHECK" "$XSD/jenkins-junit.xsd" "$T/bad.xml"
cat >"$T/expect.py" <<'PY'
e = cases[0].find("error")
say("the refused login is an error", e is not None and cases[0].find("failure") is None)
say("its message names the refusal", e is not None and "wrong user name or password" in e.get("message"),
    e is not None and e.get("message"))
sk = [c.find("skipped") for c in cases[1:]]
say("the scenarios it stopped are skipped, saying why", all(
    s is not None and s.get("message") == "not run: a login was refused (see above)"
    for s in sk), [s is not None and s.get("message") for s in sk])
say("counts of <testsuites>", counts(x) == ("3", "0", "1"), counts(x))
say("counts of <testsuite>", counts(suite) + (suite.get("skipped"),) == ("3", "0", "1", "2"),
    counts(suite))
say("strict: no properties in test cases", all(c.find("properties") is None for c in cases))
say("strict: none in <testsuites>", x.find("properties") is None)
say("strict: the run's in <testsuite>", ("polarion-project-id", "MTV") in props(suite), props(suite))
PY
report_facts < <("$PYTHON3" "$T/facts.py" "$T/bad.xml" 2>&1)
lacks "no password in the report" "$T/bad.xml" "Wr0ng-vc-Pa55"

# 3. --only: a pass of part of the steps is not a pass
expect_exit 0 "--only source passes" \
	"$MTV_SCENARIO" run --only source "${K[@]}" --junit "$T/only.xml" "${S[0]}"
check "its report is valid against the Polarion form of the schema" \
	"$CHECK" "$XSD/polarion-junit.xsd" "$T/only.xml"
cat >"$T/expect.py" <<'PY'
sk = cases[0].find("skipped")
say("the scenario --only cut short is skipped, saying why",
    sk is not None and re.fullmatch(r"not verified: --only left out \d+ of \d+ steps",
                                    sk.get("message") or ""), sk is not None and sk.get("message"))
say("counts of <testsuite>", counts(suite) + (suite.get("skipped"),) == ("1", "0", "0", "1"),
    counts(suite))
PY
report_facts < <("$PYTHON3" "$T/facts.py" "$T/only.xml" 2>&1)

# 4. option values
expect_exit 4 "--junit-flavor takes polarion or strict" \
	"$MTV_SCENARIO" run --junit-flavor xunit "${K[@]}" "${S[0]}"
contains "and says so" "$T/err" "--junit-flavor 'xunit': expected polarion or strict"
expect_exit 4 "--junit-property takes KEY=VALUE" \
	"$MTV_SCENARIO" run --junit-property =x "${K[@]}" "${S[0]}"
contains "and says so" "$T/err" "--junit-property '=x': expected KEY=VALUE"

# 5. a suite of seven scenarios: seven test cases, each with its Polarion
# id, valid against the schema; the JSON report of the same run is valid
# against its schema and carries the environment and per-disk evidence
S7=(thin thick-lazy thick-eager multi-disk multi-datastore mixed-datastore dual-disk-mixed-thin-thick)
expect_exit 0 "seven scenarios pass" "$MTV_SCENARIO" run "${K[@]}" --junit "$T/seven.xml" \
	--report "$T/seven.json" $(printf "$srcdir/scenarios.d/%s.yaml " "${S7[@]}")
check "the seven-scenario report is valid against the Polarion form of the schema" \
	"$CHECK" "$XSD/polarion-junit.xsd" "$T/seven.xml"
check "seven test cases, each with the polarion-testcase-id of its scenario" "$PYTHON3" - \
	"$T/seven.xml" "$srcdir/scenarios.d" "${S7[@]}" <<'PY'
import re, sys, xml.etree.ElementTree as ET
x = ET.parse(sys.argv[1]).getroot()
want = {}
for n in sys.argv[3:]:
    m = re.search(r"^id: *(\S+)", open("%s/%s.yaml" % (sys.argv[2], n)).read(), re.M)
    want[n] = m.group(1)
cases = x.find("testsuite").findall("testcase")
got = {c.get("name"): [p.get("value") for p in c.find("properties").findall("property")
                       if p.get("name") == "polarion-testcase-id"] for c in cases}
assert len(cases) == 7 and got == {n: [i] for n, i in want.items()}, got
PY
check "its JSON report is valid against schema/report.schema.json, with environment and disks" \
	"$PYTHON3" - "$srcdir/schema/report.schema.json" "$T/seven.json" <<'PY'
import json, sys, jsonschema
r = json.load(open(sys.argv[2]))
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(r)
assert r["environment"]["mtv"]["release"] and r["environment"]["kubernetes"]["version"], r["environment"]
assert len(r["scenarios"]) == 7 and all(s["disks"] and s["checks"] for s in r["scenarios"]), r["scenarios"]
PY
