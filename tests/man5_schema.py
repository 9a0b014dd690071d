#!/usr/bin/python3
"""man5_schema.py SCHEMA PAGE ASPECT: check mtv-scenario(5) against a schema.

The page documents each object of the schema in one subsection (.Ss), one
entry (.It Ic KEY ...) per key or group of keys. ASPECT is one of
  required  a key the schema requires says "required" on its .It line, and
            an .It line that says "required" names only required keys;
  enums     every value of a key's enum or const appears in its entry;
  defaults  a key with a schema default names it in its entry;
  types     an entry whose .It line gives a type gives the schema's;
  descriptions
            every key has a schema description, and a literal default the
            description names ("default 22", "vib (default)") is in the
            key's entry.
Prints what disagrees and exits 1, or exits 0.
"""
import json
import re
import sys

# schema object (JSON pointer) -> subsections of the page that document it
SECTIONS = {
    "scenario": {
        "": ["Header", "Plan-level keys"],
        "/$defs/vm": ["VM keys"],
        "/$defs/disk": ["Disk keys"],
        "/$defs/plan": ["Plans"],
        "/$defs/expect": ["Expectations"],
    },
    "providers": {
        "/$defs/vsphere": ["vSphere profile"],
        "/$defs/copyoffload": ["Copy-offload settings"],
    },
}


def resolve(schema, ptr):
    node = schema
    for part in ptr.split("/")[1:]:
        node = node[part]
    return node


def page_entries(text):
    """{subsection: [(keys, it_line, body)]} from the mdoc source."""
    text = re.sub(r"\\\n", " ", text)  # continued lines
    out, sec, cur = {}, None, None
    for line in text.split("\n"):
        if line.startswith(".Ss ") or line.startswith(".Sh "):
            sec = line[4:].strip() if line.startswith(".Ss ") else None
            cur = None
            continue
        if sec is None:
            continue
        if line.startswith(".It "):
            keys = re.findall(r"\bIc\s+([^\s,]+)", line)
            cur = (keys, line, []) if keys and line.startswith(".It Ic") else None
            if cur:
                out.setdefault(sec, []).append(cur)
            continue
        if line.startswith(".El"):
            cur = None
            continue
        if cur:
            cur[2].append(line)
    return out


def values_of(prop):
    if "const" in prop:
        return [prop["const"]]
    if "enum" in prop:
        return prop["enum"]
    return []


def mentions(body, value):
    v = re.escape(str(value))
    return re.search(r"(^|[\s(])(Cm|Ql|Li|Dq)?\s*" + v + r"($|[\s,.;)])", body) is not None


def described_defaults(desc):
    """Literal defaults a description names: "default 22", "(default: x)",
    "'vib' (default)"; not prose such as "default: the scenario's"."""
    out = []
    for m in re.finditer(r"default:? ([^\s),;]+)|([^\s(]+) \(default\)", desc):
        v = (m.group(1) or m.group(2)).strip("'\"")
        if v.rstrip(".") and v not in ("the", "to", "every", "populate", "as"):
            out.append(v.rstrip("."))
    return out


def main():
    schema_path, page_path, aspect = sys.argv[1:4]
    name = "providers" if "providers" in schema_path else "scenario"
    schema = json.load(open(schema_path))
    entries = page_entries(open(page_path).read())
    bad = []
    for ptr, secs in SECTIONS[name].items():
        obj = resolve(schema, ptr)
        props = obj.get("properties", {})
        required = set(obj.get("required", []))
        ents = [e for s in secs for e in entries.get(s, [])]
        if not ents:
            bad.append("no subsection %s in the page" % " or ".join(secs))
            continue
        where = "/".join(secs)
        by_key = {}
        for keys, it, body in ents:
            for k in keys:
                by_key.setdefault(k, (it, "\n".join([it] + body)))
        for key, prop in props.items():
            if key not in by_key or not isinstance(prop, dict):
                continue
            it, body = by_key[key]
            if aspect == "required":
                says = re.search(r"\brequired\b", it) is not None
                if key in required and not says:
                    bad.append("%s: %s is required by the schema; the page does not say so"
                               % (where, key))
                if says and key not in required:
                    bad.append("%s: the page marks %s required; the schema does not"
                               % (where, key))
            elif aspect == "enums":
                for v in values_of(prop):
                    if not mentions(body, v):
                        bad.append("%s: %s: value '%s' is not documented" % (where, key, v))
            elif aspect == "defaults":
                if "default" in prop and prop["default"] not in ({}, [], False):
                    d = prop["default"]
                    d = ("true" if d else "false") if isinstance(d, bool) else d
                    if not re.search(r"\bdefault\b", body) or not mentions(body, d):
                        bad.append("%s: %s: the default %s is not documented"
                                   % (where, key, json.dumps(prop["default"])))
            elif aspect == "types":
                t = prop.get("type")
                pq = re.search(r"\bPq\s+(.*)$", it)
                if not pq or t not in ("boolean", "integer", "string", "array"):
                    continue
                word = {"boolean": "boolean", "integer": "integer", "string": "string",
                        "array": "list"}[t]
                if word not in pq.group(1):
                    bad.append("%s: %s is a %s in the schema; the page says (%s)"
                               % (where, key, t, pq.group(1)))
            elif aspect == "descriptions":
                desc = prop.get("description", "").strip()
                if not desc and "$ref" not in prop:
                    bad.append("%s: %s has no description in the schema" % (where, key))
                for d in described_defaults(desc):
                    if not re.search(r"\b[Dd]efault\b", body) or not mentions(body, d):
                        bad.append("%s: %s: the schema's description says default %s; "
                                   "the page does not" % (where, key, d))
            else:
                sys.exit("unknown aspect " + aspect)
        if aspect == "required":
            for k in sorted(required - set(by_key)):
                bad.append("%s: required key %s has no entry" % (where, k))
    for b in bad:
        print(b)
    sys.exit(1 if bad else 0)


main()
