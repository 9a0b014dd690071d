package main

// Patch types of the API server: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch for built-in types, which the lab
// approximates by a merge patch without the "$" directives.

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// kbMergePatch applies an RFC 7386 merge patch.
func kbMergePatch(target, patch interface{}) interface{} {
	pm, ok := patch.(map[string]interface{})
	if !ok {
		return kbCopyVal(patch)
	}
	tm, ok := target.(map[string]interface{})
	if !ok {
		tm = map[string]interface{}{}
	} else {
		tm = kbCopyVal(tm).(map[string]interface{})
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
			continue
		}
		tm[k] = kbMergePatch(tm[k], v)
	}
	return tm
}

// kbStrategicPatch: merge patch, with lists replaced and "$..." directives
// ($patch: delete/replace, $setElementOrder, $retainKeys, $deleteFromPrimitiveList) honoured roughly.
func kbStrategicPatch(target, patch interface{}) interface{} {
	pm, ok := patch.(map[string]interface{})
	if !ok {
		return kbCopyVal(patch)
	}
	if pm["$patch"] == "delete" {
		return nil
	}
	tm, ok := target.(map[string]interface{})
	if !ok || pm["$patch"] == "replace" {
		tm = map[string]interface{}{}
	} else {
		tm = kbCopyVal(tm).(map[string]interface{})
	}
	for k, v := range pm {
		if strings.HasPrefix(k, "$") {
			continue
		}
		if v == nil {
			delete(tm, k)
			continue
		}
		nv := kbStrategicPatch(tm[k], v)
		if nv == nil {
			delete(tm, k)
		} else {
			tm[k] = nv
		}
	}
	return tm
}

func kbPtr(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q must start with /", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// kbPtrGet follows a pointer.
func kbPtrGet(doc interface{}, parts []string) (interface{}, error) {
	cur := doc
	for _, p := range parts {
		switch t := cur.(type) {
		case map[string]interface{}:
			v, ok := t[p]
			if !ok {
				return nil, fmt.Errorf("missing path %q", p)
			}
			cur = v
		case []interface{}:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(t) {
				return nil, fmt.Errorf("invalid index %q", p)
			}
			cur = t[i]
		default:
			return nil, fmt.Errorf("path %q traverses a scalar", p)
		}
	}
	return cur, nil
}

// kbPtrSet sets (op add/replace) or removes (val == kbRemove) at parts; returns the new doc.
var kbRemove = &struct{}{}

func kbPtrSet(doc interface{}, parts []string, val interface{}, insert bool) (interface{}, error) {
	if len(parts) == 0 {
		if val == kbRemove {
			return nil, nil
		}
		return val, nil
	}
	p := parts[0]
	switch t := doc.(type) {
	case map[string]interface{}:
		if len(parts) == 1 {
			if val == kbRemove {
				if _, ok := t[p]; !ok {
					return nil, fmt.Errorf("unable to remove nonexistent key: %s", p)
				}
				delete(t, p)
			} else {
				if !insert {
					if _, ok := t[p]; !ok {
						return nil, fmt.Errorf("replace operation does not apply: doc is missing key: %s", p)
					}
				}
				t[p] = val
			}
			return t, nil
		}
		child, ok := t[p]
		if !ok {
			return nil, fmt.Errorf("doc is missing path: %s", p)
		}
		nc, err := kbPtrSet(child, parts[1:], val, insert)
		if err != nil {
			return nil, err
		}
		t[p] = nc
		return t, nil
	case []interface{}:
		var i int
		if p == "-" && len(parts) == 1 && insert && val != kbRemove {
			return append(t, val), nil
		}
		i, err := strconv.Atoi(p)
		if err != nil || i < 0 || i > len(t) || (i == len(t) && !(insert && len(parts) == 1 && val != kbRemove)) {
			return nil, fmt.Errorf("invalid array index %q", p)
		}
		if len(parts) == 1 {
			switch {
			case val == kbRemove:
				return append(append([]interface{}{}, t[:i]...), t[i+1:]...), nil
			case insert:
				n := append([]interface{}{}, t[:i]...)
				n = append(n, val)
				return append(n, t[i:]...), nil
			default:
				t[i] = val
				return t, nil
			}
		}
		nc, err := kbPtrSet(t[i], parts[1:], val, insert)
		if err != nil {
			return nil, err
		}
		t[i] = nc
		return t, nil
	}
	return nil, fmt.Errorf("path %q traverses a scalar", p)
}

// kbJSONPatch applies an RFC 6902 operation list to a copy of doc.
func kbJSONPatch(doc Obj, ops []interface{}) (Obj, error) {
	var cur interface{} = kbCopy(doc)
	for _, o := range ops {
		op, ok := o.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("json patch operation must be an object")
		}
		path, err := kbPtr(kbStr(op, "path"))
		if err != nil {
			return nil, err
		}
		switch kbStr(op, "op") {
		case "add":
			cur, err = kbPtrSet(cur, path, kbCopyVal(op["value"]), true)
		case "replace":
			cur, err = kbPtrSet(cur, path, kbCopyVal(op["value"]), false)
		case "remove":
			cur, err = kbPtrSet(cur, path, kbRemove, false)
		case "test":
			var v interface{}
			v, err = kbPtrGet(cur, path)
			if err == nil && !reflect.DeepEqual(v, op["value"]) {
				err = fmt.Errorf("testing value %s failed", kbStr(op, "path"))
			}
		case "move", "copy":
			var from []string
			from, err = kbPtr(kbStr(op, "from"))
			if err != nil {
				return nil, err
			}
			var v interface{}
			v, err = kbPtrGet(cur, from)
			if err != nil {
				return nil, err
			}
			v = kbCopyVal(v)
			if kbStr(op, "op") == "move" {
				cur, err = kbPtrSet(cur, from, kbRemove, false)
				if err != nil {
					return nil, err
				}
			}
			cur, err = kbPtrSet(cur, path, v, true)
		default:
			err = fmt.Errorf("unexpected operation %q", kbStr(op, "op"))
		}
		if err != nil {
			return nil, err
		}
	}
	m, ok := cur.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("json patch result is not an object")
	}
	return m, nil
}
