// gitops-check reads Kubernetes objects (a JSON array, or one object) on stdin and prints, for each,
// what Flux and Argo CD would make of it: the kstatus result computed by sigs.k8s.io/cli-utils (the
// library Flux's health checks use) and the result of an Argo CD Lua health script run by gopher-lua
// (the interpreter Argo CD embeds), with only the libraries Argo CD opens for such scripts.
//
//	gitops-check -health-lua gitops/argocd/health.lua < objects.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

type verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

type result struct {
	Name    string  `json:"name"`
	Kstatus verdict `json:"kstatus"`
	ArgoCD  verdict `json:"argocd"`
}

func main() {
	script := flag.String("health-lua", "", "path of the Argo CD health script")
	flag.Parse()
	if *script == "" {
		fail("-health-lua is required")
	}
	source, err := os.ReadFile(*script)
	if err != nil {
		fail(err.Error())
	}
	objects, err := readObjects(os.Stdin)
	if err != nil {
		fail(err.Error())
	}
	results := make([]result, 0, len(objects))
	for _, object := range objects {
		u := &unstructured.Unstructured{Object: object}
		computed, err := status.Compute(u)
		if err != nil {
			fail(fmt.Sprintf("kstatus of %s: %v", u.GetName(), err))
		}
		health, err := argoHealth(string(source), object)
		if err != nil {
			fail(fmt.Sprintf("health script on %s: %v", u.GetName(), err))
		}
		results = append(results, result{Name: u.GetName(), Kstatus: verdict{string(computed.Status), computed.Message}, ArgoCD: health})
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(results); err != nil {
		fail(err.Error())
	}
}

// readObjects decodes as the API machinery does: whole numbers as int64 (unstructured accessors
// refuse float64 generations), others as float64.
func readObjects(r io.Reader) ([]map[string]any, error) {
	decoder := json.NewDecoder(r)
	decoder.UseNumber()
	var decoded any
	if err := decoder.Decode(&decoded); err != nil {
		return nil, fmt.Errorf("stdin is not JSON: %w", err)
	}
	items, isList := decoded.([]any)
	if !isList {
		items = []any{decoded}
	}
	objects := make([]map[string]any, 0, len(items))
	for _, item := range items {
		object, ok := numbersOf(item).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("stdin holds a %T where an object was expected", item)
		}
		objects = append(objects, object)
	}
	return objects, nil
}

func numbersOf(value any) any {
	switch v := value.(type) {
	case map[string]any:
		for key, item := range v {
			v[key] = numbersOf(item)
		}
	case []any:
		for i, item := range v {
			v[i] = numbersOf(item)
		}
	case json.Number:
		if whole, err := v.Int64(); err == nil {
			return whole
		}
		float, _ := v.Float64()
		return float
	}
	return value
}

// argoHealth runs the script as Argo CD runs a resource.customizations.health script: the object is
// the global `obj`, the script returns a table with `status` and `message`. Only the package, base and
// table libraries are open (Argo CD's default, without useOpenLibs), so a script that needs more fails
// here as it would there.
func argoHealth(script string, object map[string]any) (verdict, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for name, open := range map[string]lua.LGFunction{lua.LoadLibName: lua.OpenPackage, lua.BaseLibName: lua.OpenBase, lua.TabLibName: lua.OpenTable} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(open), NRet: 0, Protect: true}, lua.LString(name)); err != nil {
			return verdict{}, err
		}
	}
	l.SetGlobal("obj", toLua(l, object))
	if err := l.DoString(script); err != nil {
		return verdict{}, err
	}
	returned, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return verdict{}, fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	health := verdict{Status: lua.LVAsString(returned.RawGetString("status")), Message: lua.LVAsString(returned.RawGetString("message"))}
	switch health.Status {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
		return health, nil
	}
	return verdict{}, fmt.Errorf("status %q is not an Argo CD health status", health.Status)
}

// toLua converts decoded JSON into Lua values: objects and arrays become tables (arrays from index 1).
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case map[string]any:
		table := l.NewTable()
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			table.RawSetString(key, toLua(l, v[key]))
		}
		return table
	case []any:
		table := l.NewTable()
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	default:
		return lua.LNil
	}
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "gitops-check:", message)
	os.Exit(1)
}
