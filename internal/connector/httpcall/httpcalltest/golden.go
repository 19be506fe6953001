package httpcalltest

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"testing"
)

// MatchGolden compares a JSON request body with the reviewed JSON in the
// file goldenPath key for key, including JSON types (a number is not a
// string), and reports every difference by its path in the document.
func MatchGolden(t testing.TB, body []byte, goldenPath string) {
	t.Helper()
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("read golden file: %v", err)
	}
	var g, w any
	if err := json.Unmarshal(body, &g); err != nil {
		t.Fatalf("request body is not JSON: %v\n%s", err, body)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("golden file %s is not JSON: %v", goldenPath, err)
	}
	for _, d := range diffJSON("", g, w) {
		t.Errorf("%s: %s", goldenPath, d)
	}
}

func diffJSON(path string, got, want any) []string {
	gm, gok := got.(map[string]any)
	wm, wok := want.(map[string]any)
	if gok && wok {
		var out []string
		keys := make([]string, 0, len(gm)+len(wm))
		for k := range wm {
			keys = append(keys, k)
		}
		for k := range gm {
			if _, ok := wm[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := path + "." + k
			gv, gin := gm[k]
			wv, win := wm[k]
			switch {
			case !gin:
				out = append(out, fmt.Sprintf("key %s missing from the request (want %s)", p, show(wv)))
			case !win:
				out = append(out, fmt.Sprintf("key %s sent but not in the golden file (sent %s)", p, show(gv)))
			default:
				out = append(out, diffJSON(p, gv, wv)...)
			}
		}
		return out
	}
	if reflect.TypeOf(got) != reflect.TypeOf(want) {
		return []string{fmt.Sprintf("key %s has JSON type %s, want %s (sent %s, want %s)", path, kind(got), kind(want), show(got), show(want))}
	}
	if !reflect.DeepEqual(got, want) {
		return []string{fmt.Sprintf("key %s is %s, want %s", path, show(got), show(want))}
	}
	return nil
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
