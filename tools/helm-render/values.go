package main

// Values handling as Helm does it: the chart's values.yaml first, then each
// -f file deep-merged over it (later wins; maps merge key by key, everything
// else is replaced; an explicit null deletes the key), then --set pairs.

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// readYAMLMap parses a YAML file into a generic map; an empty file is an empty map.
func readYAMLMap(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

// mergeValues deep-merges src over dst in place and returns dst.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sv, srcIsMap := v.(map[string]interface{})
		dv, dstIsMap := dst[k].(map[string]interface{})
		if srcIsMap && dstIsMap {
			dst[k] = mergeValues(dv, sv)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// applySet applies one `a.b.c=value` pair (a subset of helm's --set: dotted
// map keys, no list indexes; value typed as bool, int, null or string).
func applySet(vals map[string]interface{}, pair string) error {
	eq := strings.IndexByte(pair, '=')
	if eq <= 0 {
		return fmt.Errorf("--set %q: want key=value", pair)
	}
	keys := strings.Split(pair[:eq], ".")
	raw := pair[eq+1:]
	var v interface{} = raw
	switch {
	case raw == "true" || raw == "false":
		v = raw == "true"
	case raw == "null":
		v = nil
	default:
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			v = n
		}
	}
	cur := vals
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			cur[k] = next
		}
		cur = next
	}
	last := keys[len(keys)-1]
	if v == nil {
		delete(cur, last)
	} else {
		cur[last] = v
	}
	return nil
}
