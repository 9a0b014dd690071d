#!/bin/sh
# t_man5.sh: mtv-scenario(5) is lint clean, documents every key of both
# schemas, and agrees with them on required keys, enum values, defaults,
# types and the defaults their descriptions name (tests/man5_schema.py).
. "${srcdir:-.}/tests/lib.sh"

MANDOC=${MANDOC:-mandoc}
cd "$srcdir" || exit 1
plan 13

check "mandoc -Tlint -W warning man/mtv-scenario.5" "$MANDOC" -Tlint -W warning man/mtv-scenario.5
for s in scenario providers; do
	check "every key of schema/$s.schema.json is in mtv-scenario(5)" /usr/bin/python3 -c '
import json, re, sys
keys = set()
def walk(s):
    if isinstance(s, dict):
        for k, v in s.items():
            if k in ("properties", "patternProperties") and isinstance(v, dict):
                keys.update(x for x in v if k == "properties")
                for x in v.values():
                    walk(x)
            elif k not in ("enum", "const", "default", "examples"):
                walk(v)
    elif isinstance(s, list):
        for x in s:
            walk(x)
walk(json.load(open(sys.argv[1])))
page = open(sys.argv[2]).read()
documented = set(re.findall(r"\bIc\s+([^\s,]+)", page))
missing = sorted(keys - documented)
if missing:
    print("not documented:", " ".join(missing))
    sys.exit(1)
' "schema/$s.schema.json" man/mtv-scenario.5
done
for s in scenario providers; do
	for a in required enums defaults types descriptions; do
		check "mtv-scenario(5) agrees with schema/$s.schema.json: $a" \
			/usr/bin/python3 tests/man5_schema.py "schema/$s.schema.json" \
			man/mtv-scenario.5 "$a"
	done
done
