#!/bin/bash
# t_install.sh: the installed program works from any folder. make install
# into a staging folder (DESTDIR), run the staged binary from an empty
# folder: it finds the installed scenarios, schemas and the example
# providers file; ./scenarios.d still wins; both manual pages are
# found with MANPATH and name the data folder; make uninstall removes all.
. "${srcdir:-.}/tests/lib.sh"

D=$T/root
# a make of its own, not one of make check's jobs
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$builddir" "$@"; }
if ! mk install DESTDIR="$D" >"$T/install.log" 2>&1; then
	not_ok "make install DESTDIR=..."
	diag_stdin <"$T/install.log"
	exit 1
fi
ok "make install DESTDIR=..."
bin=$(find "$D" -path '*/bin/mtv-scenario' -type f | head -1)
data=$(find "$D" -path '*/share/mtv-scenario' -type d | head -1)
mandir=$(dirname "$(dirname "$(find "$D" -name mtv-scenario.5 | head -1)")")
[ -x "$bin" ] && ok "the program is installed" || not_ok "no bin/mtv-scenario under $D"
for f in scenarios.d/fallback-large.yaml schema/scenario.schema.json \
	schema/providers.schema.json schema/report.schema.json \
	providers.yaml.example; do
	[ -f "$data/$f" ] && ok "installed: $f" || not_ok "not installed: $f"
done
n_src=$(find "$srcdir/scenarios.d" -name '*.yaml' | wc -l)
n_ins=$(find "$data/scenarios.d" -name '*.yaml' | wc -l)
[ "$n_src" -eq "$n_ins" ] && ok "every scenario is installed ($n_ins)" ||
	not_ok "scenarios installed: $n_ins of $n_src"

# from a folder without scenarios.d: the installed copy
mkdir "$T/elsewhere"
cd "$T/elsewhere" || exit 1
expect_exit 0 "list works from another folder" env -u MTV_SCENARIO_DATADIR "$bin" list
contains "list finds the installed scenarios" "$T/out" "fallback-large"
[ "$(grep -c . "$T/out")" -eq $((n_ins + 1)) ] && ok "list shows all $n_ins installed scenarios" ||
	not_ok "list shows $(($(grep -c . "$T/out") - 1)) of $n_ins scenarios"
expect_exit 0 "version works from another folder" env -u MTV_SCENARIO_DATADIR "$bin" version
contains "version names the installed data folder" "$T/out" "data: $data "
expect_exit 0 "validate scenarios.d/thin.yaml finds the installed file" \
	env -u MTV_SCENARIO_DATADIR "$bin" validate scenarios.d/thin.yaml
# validate -p makes plan's checks: the example's files do not exist here
expect_exit 4 "validate -p of the installed example names its missing ca_file" \
	env -u MTV_SCENARIO_DATADIR "$bin" validate -p "$data/providers.yaml.example" scenarios.d/thin.yaml
contains "the missing ca_file is named" "$T/err" "ca_file '/etc/pki/vcenter-ca.pem'"
# (without the example's files, which do not exist here)
sed '/ca_file:\|esxi_private_key_file:\|esxi_known_hosts:/d' \
	"$data/providers.yaml.example" >"$T/providers.yaml"
expect_exit 0 "the installed example providers file is valid" \
	env -u MTV_SCENARIO_DATADIR "$bin" validate -p "$T/providers.yaml" scenarios.d/thin.yaml
expect_exit 0 "plan of an installed scenario with the example providers" \
	env -u MTV_SCENARIO_DATADIR "$bin" plan -p "$T/providers.yaml" scenarios.d/fallback-large.yaml
contains "the plan is for fallback-large" "$T/out" "fallback-large"
expect_exit 4 "a missing file is still an error" env -u MTV_SCENARIO_DATADIR "$bin" validate nosuch.yaml
contains "the missing file is named" "$T/err" "nosuch.yaml: error: cannot open"

# ./scenarios.d of the current folder wins
mkdir "$T/own" "$T/own/scenarios.d"
sed 's/^name: thin$/name: my-own/' "$data/scenarios.d/thin.yaml" >"$T/own/scenarios.d/mine.yaml"
cd "$T/own" || exit 1
expect_exit 0 "list in a folder with its own scenarios.d" env -u MTV_SCENARIO_DATADIR "$bin" list
contains "./scenarios.d is listed" "$T/out" "my-own"
lacks "the installed scenarios are not" "$T/out" "fallback-large"
cd "$T" || exit 1

# the manual pages
for s in 1 5; do
	page=$mandir/man$s/mtv-scenario.$s
	[ -f "$page" ] && ok "mtv-scenario($s) is installed" || not_ok "no $page"
	lacks "mtv-scenario($s) has no make variable left" "$page" '$('
	if grep -q 'share/mtv-scenario' "$page"; then
		want=${data#"$D"}
		contains "mtv-scenario($s) names the configured data folder" "$page" "$want"
	fi
	if [ -n "${MANDOC:-}" ]; then
		check "mandoc -Tlint the installed mtv-scenario($s)" "$MANDOC" -Tlint -W warning "$page"
	fi
	if command -v man >/dev/null 2>&1; then
		expect_exit 0 "MANPATH=... man -w $s mtv-scenario" env MANPATH="$mandir" man -w "$s" mtv-scenario
		contains "man finds the installed section $s page" "$T/out" "$page"
	fi
done
if command -v man >/dev/null 2>&1; then
	expect_exit 0 "MANPATH=... man -w mtv-scenario" env MANPATH="$mandir" man -w mtv-scenario
	contains "man mtv-scenario opens section 1" "$T/out" "$mandir/man1/mtv-scenario.1"
	MANPATH="$mandir" MANPAGER=cat MANWIDTH=80 man 5 mtv-scenario >"$T/man5" 2>"$T/err"
	contains "man 5 mtv-scenario renders the file formats" "$T/man5" "PROVIDERS FILE"
fi

check "make uninstall DESTDIR=..." mk uninstall DESTDIR="$D"
left=$(find "$D" -type f | head -5)
[ -z "$left" ] && ok "uninstall leaves no file" || not_ok "left after uninstall: $left"
