// Package apitest holds the test helper that keeps nlkit's exported API in
// one vocabulary (design.md, "Naming" and "Vocabulary"). It reads a
// package's non-test source with go/parser, lists the exported functions
// and methods, and checks each name against the rules below; each
// package's vocabulary_test.go calls [Check] with its own, commented
// allow-list, and [CheckRefuses] to prove the allow-list has not opened a
// hole the rules were meant to close.
//
// The rules are on a name's first word. A first word that is a verb must
// be a verb of the vocabulary ([Verbs]); one of [DeniedVerbs] is refused
// with the word to use instead; one of [OtherVerbs] needs the package's
// allow-list to say why. Any other first word is taken as a noun (Link,
// Routes, LinkByName) or an adjective (Enabled), which is what lookups,
// dumps and accessors are called. Streams (iter.Seq2) are plural nouns
// whose doc says "single-use iterator"; a dump as a slice (a function
// taking a context and returning []T) is XxxList; changes name what they
// change and take a context; Lookup is for answers the kernel computes.
package apitest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// Param is a parameter of a Func: its name ("" if unnamed) and its type as
// the source spells it.
type Param struct{ Name, Type string }

// Func is an exported function, or an exported method of an exported type.
type Func struct {
	Pkg     string // package name: "rtnl", "ethtool" ...
	Dir     string // directory, as given to ParseDir or relative to Walk's root
	Recv    string // receiver type, without '*' and type parameters; "" for a function
	Name    string
	Params  []Param
	Results []string // one per result, as the source spells the type
	Doc     string
	Decl    *ast.FuncDecl
}

func (f Func) String() string {
	if f.Recv != "" {
		return f.Pkg + "." + f.Recv + "." + f.Name
	}
	return f.Pkg + "." + f.Name
}

// CtxFirst reports whether f's first parameter is a context.Context: an
// operation that talks to the kernel (or a fake of it).
func (f Func) CtxFirst() bool {
	return len(f.Params) > 0 && f.Params[0].Type == "context.Context"
}

// Package is one package's parsed, non-test source.
type Package struct {
	Dir    string
	Name   string
	Files  []*ast.File
	Funcs  []Func
	Consts []string // exported constant names
	Types  map[string]*ast.TypeSpec
}

// ParseDir parses the non-test .go files of dir. It returns nil, nil for a
// directory without any.
func ParseDir(dir string) (*Package, error) {
	p := &Package{Dir: dir, Types: map[string]*ast.TypeSpec{}}
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		p.Files = append(p.Files, f)
		p.Name = f.Name.Name
	}
	if len(p.Files) == 0 {
		return nil, nil
	}
	p.collect()
	return p, nil
}

// Walk parses root and the packages below it, but internal/, testdata/
// and hidden directories.
func Walk(root string) ([]*Package, error) {
	var pkgs []*Package
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if name := d.Name(); path != root && (name == "internal" || name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		p, err := ParseDir(path)
		if p != nil {
			pkgs = append(pkgs, p)
		}
		return err
	})
	return pkgs, err
}

// MustParseDir is ParseDir for a test: it fails t on an error or an empty
// directory.
func MustParseDir(t testing.TB, dir string) *Package {
	t.Helper()
	p, err := ParseDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		t.Fatalf("%s: no Go source", dir)
	}
	return p
}

func (p *Package) collect() {
	for _, f := range p.Files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						p.Types[s.Name.Name] = s
					case *ast.ValueSpec:
						if d.Tok == token.CONST {
							for _, n := range s.Names {
								if n.IsExported() {
									p.Consts = append(p.Consts, n.Name)
								}
							}
						}
					}
				}
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				fn := Func{Pkg: p.Name, Dir: p.Dir, Name: d.Name.Name, Doc: d.Doc.Text(), Decl: d}
				if d.Recv != nil {
					fn.Recv = recvName(d.Recv.List[0].Type)
					if !ast.IsExported(fn.Recv) {
						continue
					}
				}
				for _, f := range d.Type.Params.List {
					typ := types.ExprString(f.Type)
					if len(f.Names) == 0 {
						fn.Params = append(fn.Params, Param{"", typ})
					}
					for _, n := range f.Names {
						fn.Params = append(fn.Params, Param{n.Name, typ})
					}
				}
				if d.Type.Results != nil {
					for _, f := range d.Type.Results.List {
						for range max(1, len(f.Names)) {
							fn.Results = append(fn.Results, types.ExprString(f.Type))
						}
					}
				}
				p.Funcs = append(p.Funcs, fn)
			}
		}
	}
}

// recvName gives the receiver's type name: T from T, *T, T[E], *T[E].
func recvName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return types.ExprString(e)
		}
	}
}

// Words splits a Go name into its words: "LinkByName" -> Link, By, Name;
// "XDPFeatures" -> XDP, Features.
func Words(name string) []string {
	var out []string
	r := []rune(name)
	start := 0
	for i := 1; i < len(r); i++ {
		lowerToUpper := unicode.IsLower(r[i-1]) && unicode.IsUpper(r[i])
		acronymEnd := i+1 < len(r) && unicode.IsUpper(r[i-1]) && unicode.IsUpper(r[i]) && unicode.IsLower(r[i+1])
		if lowerToUpper || acronymEnd {
			out = append(out, string(r[start:i]))
			start = i
		}
	}
	return append(out, string(r[start:]))
}

var (
	// Verbs is the vocabulary every package may use, and why.
	Verbs = map[string]string{
		"Dial":    "open a socket (Dial(cfg))",
		"New":     "wrap one, or make a value (NewConn, NewEncoder)",
		"Add":     "a change",
		"Replace": "a change",
		"Append":  "a change; also the encoder's verb (AppendBinary, AppendText, Encoder.Append...)",
		"Change":  "a change",
		"Set":     "a change",
		"Delete":  "a change",
		"Flush":   "a change",
		"Lookup":  "an answer the kernel computes",
		"Receive": "the raw notification stream (typed ones are Events)",
		"Is":      "a predicate",
		"Has":     "a predicate",
	}
	// StdMethods are methods the standard library's interfaces name.
	StdMethods = map[string]bool{
		"String": true, "Error": true, "Unwrap": true, "Is": true, "As": true, "Close": true, "Format": true,
		"GoString": true, "Timeout": true, "Temporary": true,
		"MarshalBinary": true, "AppendBinary": true, "UnmarshalBinary": true,
		"MarshalText": true, "AppendText": true, "UnmarshalText": true,
		"MarshalJSON": true, "UnmarshalJSON": true,
	}
	// DeniedVerbs are verbs outside the vocabulary, with the word to use
	// instead. Only an exact name can be allow-listed past them.
	DeniedVerbs = map[string]string{
		"Get": "a singular noun (Link), or Value for a tree", "List": "a plural noun, or XxxList", "Show": "a noun",
		"Fetch": "a noun", "Read": "a noun", "Load": "a noun", "Query": "a noun or Lookup", "Find": "a noun or Lookup",
		"Search": "Lookup", "Remove": "Delete", "Del": "Delete", "Create": "Add", "Make": "New", "Update": "Set or Change",
		"Modify": "Change", "Put": "Set", "Write": "Set", "Insert": "Add", "Drop": "Delete", "Clear": "Flush",
		"Reset": "Set", "Enable": "Set", "Disable": "Set", "Subscribe": "JoinGroup", "Unsubscribe": "LeaveGroup",
		"Watch": "Events", "Listen": "Events", "Monitor": "Events", "Stream": "a plural noun or Events",
		"Open": "Dial", "Do": "Execute", "Run": "Execute", "Send": "Execute", "Recv": "Receive", "Encode": "Append",
		"Parse": "UnmarshalText or UnmarshalBinary", "Print": "String or Format", "Resolve": "a noun (Family)",
		"Retrieve": "a noun", "Iterate": "a plural noun",
		"Destroy": "Delete", "Erase": "Delete", "Purge": "Flush", "Register": "Add", "Unregister": "Delete",
		"Install": "Add", "Apply": "Set or Change", "Edit": "Change", "Alter": "Change", "Assign": "Set",
		"Notify": "Events", "Poll": "Receive", "Connect": "Dial",
	}
	// OtherVerbs are verbs outside the vocabulary that a package may keep
	// for its own reason (the raw layer's Execute and Dump, a codec's
	// Marshal and Unmarshal, an iterator adapter's Collect ...), which its
	// allow-list must give.
	OtherVerbs = []string{
		"Execute", "Dump", "Join", "Leave", "Collect", "Decode", "Validate", "Check", "Describe", "Forget",
		"Marshal", "Unmarshal", "Enter", "Exit", "Wait", "Start", "Stop", "Handle", "Serve", "Convert",
		"Compute", "Bind", "Accept", "Attach", "Detach", "Lock", "Unlock", "Respond", "Expect", "Emit",
		"Push", "Pop", "Release", "Acquire", "Refresh", "Sync", "Try", "Verify", "Ensure", "Cancel",
		"Abort", "Commit", "Begin", "Toggle", "Save", "Restore", "Peek", "Seek", "Drain", "Discard",
		"Dispatch", "Deliver", "Inject", "Capture", "Serialize", "Deserialize", "Pack", "Unpack", "Wrap",
		"Call", "Invoke", "Exec", "Spawn", "Fork", "Mount", "Unmount", "Init", "Setup",
	}
	// ChangeVerbs name changes: they talk to the kernel (context first)
	// and name what they change (AddRoute, not Add).
	ChangeVerbs = []string{"Add", "Replace", "Change", "Set", "Delete", "Flush"}
)

// Allow is a package's allow-list: names outside the rules, each with the
// reason it stays. A key is either an exact name ("Func", or "Type.Method")
// or a verb followed by '*' ("Execute*": every name whose first word is
// Execute). A verb entry waives the verb, plural-stream, XxxList,
// change and Lookup rules of the names it covers; the rules on stream
// docs and on Events stay. An exact entry waives every rule for that one
// name (its reason says which and why). A denied verb can be allowed by
// exact name only.
type Allow map[string]string

// exact reports whether an exact entry of a covers f.
func (a Allow) exact(f Func) bool {
	k := a.match(f)
	return k != "" && !strings.HasSuffix(k, "*")
}

// match gives the allow-list key that covers f, or "".
func (a Allow) match(f Func) string {
	exact := f.Name
	if f.Recv != "" {
		exact = f.Recv + "." + f.Name
	}
	if _, ok := a[exact]; ok {
		return exact
	}
	first := Words(f.Name)[0]
	if _, ok := a[first+"*"]; ok && DeniedVerbs[first] == "" {
		return first + "*"
	}
	return ""
}

var eventsResult = regexp.MustCompile(`^iter\.Seq2\[(\w+\.)?(Event|E), error\]$`)

// Problems gives what f's name and shape break of the vocabulary, past
// what allow waives.
func Problems(f Func, allow Allow) []string {
	if allow.exact(f) {
		return nil
	}
	var out []string
	w := Words(f.Name)
	first := w[0]
	ctxFirst := f.CtxFirst()
	allowed := allow.match(f) != ""
	switch {
	case allowed:
	case StdMethods[f.Name] && f.Recv != "":
	case Verbs[first] != "":
	case DeniedVerbs[first] != "":
		out = append(out, fmt.Sprintf("%q is not a verb of the vocabulary; use %s", first, DeniedVerbs[first]))
	case slices.Contains(OtherVerbs, first):
		out = append(out, fmt.Sprintf("%q is not a verb of the vocabulary: rename, or allow-list it with the reason", first))
	}
	if slices.Contains(ChangeVerbs, first) {
		if len(w) == 1 && !allowed {
			out = append(out, fmt.Sprintf("a change names what it changes (%sRoute, not %s)", first, first))
		}
		if !ctxFirst && !allowed {
			out = append(out, fmt.Sprintf("%s... reads as a change of kernel state, but takes no context (a setter? a noun?)", first))
		}
	}
	if first == "Lookup" && !ctxFirst && !allowed {
		out = append(out, "Lookup is for answers the kernel computes; a table lookup is a singular noun")
	}
	doc := strings.Join(strings.Fields(f.Doc), " ")
	for _, r := range f.Results {
		if strings.HasPrefix(r, "iter.Seq2[") {
			if !strings.HasSuffix(f.Name, "s") && f.Name != "Receive" && !allowed {
				out = append(out, "a stream is a plural noun (Routes, Events)")
			}
			if !strings.Contains(doc, "single-use iterator") {
				out = append(out, `the doc of a stream says "single-use iterator"`)
			}
		}
		if ctxFirst && strings.HasPrefix(r, "[]") && r != "[]byte" && !strings.HasSuffix(f.Name, "List") && !allowed {
			out = append(out, "a dump as a slice is XxxList")
		}
	}
	if f.Name == "Events" && (len(f.Results) != 1 || !eventsResult.MatchString(f.Results[0])) {
		out = append(out, fmt.Sprintf("Events yields Event, not %v", f.Results))
	}
	return out
}

// Check fails t on every exported function or method of pkgs that breaks
// the vocabulary, and on every entry of allow that covers nothing (a
// stale reason). It returns the number of functions and methods checked.
func Check(t testing.TB, allow Allow, pkgs ...*Package) int {
	t.Helper()
	for key := range allow {
		if v, ok := strings.CutSuffix(key, "*"); ok && DeniedVerbs[v] != "" {
			t.Errorf("allow-list: %q: a denied verb (use %s) can be allowed by exact name only", key, DeniedVerbs[v])
		}
	}
	used := map[string]bool{}
	seen := map[string]bool{} // a name declared once per build (foo_linux.go, foo_other.go) is checked once
	n := 0
	for _, p := range pkgs {
		for _, f := range p.Funcs {
			if seen[p.Dir+" "+f.String()] {
				continue
			}
			seen[p.Dir+" "+f.String()] = true
			n++
			if k := allow.match(f); k != "" {
				used[k] = true
			}
			for _, pr := range Problems(f, allow) {
				t.Errorf("%v: %s", f, pr)
			}
		}
	}
	var stale []string
	for key := range allow {
		if !used[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("allow-list: %q covers no exported name: remove it", key)
	}
	return n
}

func seq(elem string) []string { return []string{"iter.Seq2[" + elem + ", error]"} }

var ctx = Param{"ctx", "context.Context"}

// Refused are names the rules must refuse, whatever a package's allow-list
// says by verb (each was, or could have been, in the API).
var Refused = []Func{
	{Name: "GetLink", Params: []Param{ctx}},
	{Recv: "Conn", Name: "GetLink", Params: []Param{ctx}},
	{Recv: "Conn", Name: "ListRoutes", Params: []Param{ctx}, Results: seq("Route"), Doc: "A single-use iterator."},
	{Recv: "Conn", Name: "RemoveAddress", Params: []Param{ctx}},
	{Recv: "Conn", Name: "CreateLink", Params: []Param{ctx}},
	{Recv: "Conn", Name: "UpdateLink", Params: []Param{ctx}},
	{Recv: "Conn", Name: "Subscribe", Params: []Param{ctx}},
	{Recv: "Conn", Name: "Watch", Params: []Param{ctx}, Results: seq("Event"), Doc: "A single-use iterator."},
	{Name: "OpenConn"},
	{Recv: "Conn", Name: "Flush", Params: []Param{ctx}, Results: []string{"error"}},
	{Recv: "Bitset", Name: "SetNames", Results: []string{"[]string"}},
	{Recv: "CommandNames", Name: "Lookup", Params: []Param{{"name", "string"}}},
	{Recv: "Conn", Name: "Route", Params: []Param{ctx}, Results: seq("Route"), Doc: "A single-use iterator."},
	{Recv: "Conn", Name: "Links", Params: []Param{ctx}, Results: seq("Link")},
	{Recv: "Conn", Name: "Routes", Params: []Param{ctx}, Results: []string{"[]Route", "error"}},
	{Recv: "Client", Name: "Do", Params: []Param{ctx}},
	{Recv: "Conn", Name: "Events", Params: []Param{ctx}, Results: seq("Attrs"), Doc: "A single-use iterator."},
	{Recv: "Conn", Name: "Events", Params: []Param{ctx}, Results: []string{"<-chan Event"}},
}

// Accepted are names the rules must let through.
var Accepted = []Func{
	{Recv: "Conn", Name: "LinkByName", Params: []Param{ctx}},
	{Recv: "Conn", Name: "Link", Params: []Param{ctx, {"index", "int32"}}},
	{Recv: "Conn", Name: "LookupRoute", Params: []Param{ctx}},
	{Recv: "Conn", Name: "AddRoute", Params: []Param{ctx}, Results: []string{"error"}},
	{Recv: "Conn", Name: "FlushEntries", Params: []Param{ctx}, Results: []string{"error"}},
	{Recv: "Conn", Name: "RouteList", Params: []Param{ctx}, Results: []string{"[]Route", "error"}},
	{Recv: "Conn", Name: "Routes", Params: []Param{ctx}, Results: seq("Route"), Doc: "Routes is a single-use\niterator."},
	{Recv: "Conn", Name: "Events", Params: []Param{ctx}, Results: seq("Event"), Doc: "It is a single-use\niterator."},
	{Recv: "Bitset", Name: "ValueNames", Results: []string{"[]string"}},
	{Recv: "Family", Name: "String", Results: []string{"string"}},
	{Name: "Dial", Params: []Param{{"cfg", "*Config"}}},
	{Name: "NewConn"},
}

// CheckRefuses fails t if a name of Refused passes the rules under allow
// (an allow-list by verb that opened a hole), or if one of Accepted fails
// them with no allow-list at all.
func CheckRefuses(t testing.TB, allow Allow) {
	t.Helper()
	for _, f := range Refused {
		if allow.exact(f) {
			continue // named exactly: the package's reason stands
		}
		if len(Problems(f, allow)) == 0 {
			t.Errorf("%v %v -> %v passes the rules", f, f.Params, f.Results)
		}
	}
	for _, f := range Accepted {
		if p := Problems(f, nil); len(p) != 0 {
			t.Errorf("%v: %v", f, p)
		}
	}
}
