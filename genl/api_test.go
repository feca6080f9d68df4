package genl_test

// Tests over the source of the genl packages: the exported API speaks the
// vocabulary of design.md, and every family client's Conn has the method
// set FamilyConn gives it. They read the packages with go/parser, so a new
// family package (the next one) is checked without being listed here.

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
	"strings"
	"testing"
	"unicode"
)

// apiFunc is an exported function, or a method of an exported type.
type apiFunc struct {
	pkg    string // directory, relative to genl: ".", "ethtool" ...
	recv   string // receiver type, without '*'; "" for a function
	name   string
	params []apiParam
	result []string
	doc    string
	decl   *ast.FuncDecl
}

type apiParam struct{ name, typ string }

func (f apiFunc) String() string {
	pkg := f.pkg
	if pkg == "." {
		pkg = "genl"
	}
	if f.recv != "" {
		return pkg + "." + f.recv + "." + f.name
	}
	return pkg + "." + f.name
}

// apiPackage is one package's parsed, non-test source.
type apiPackage struct {
	dir    string
	files  []*ast.File
	funcs  []apiFunc
	consts []string // exported constant names
	types  map[string]*ast.TypeSpec
}

// genlPackages parses genl and the packages below it, but internal/ and
// testdata/.
func genlPackages(t *testing.T) []*apiPackage {
	t.Helper()
	var pkgs []*apiPackage
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if name := d.Name(); path != "." && (name == "internal" || name == "testdata" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		p := &apiPackage{dir: path, types: map[string]*ast.TypeSpec{}}
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(path, "*.go"))
		if err != nil {
			return err
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				return err
			}
			p.files = append(p.files, f)
		}
		if len(p.files) == 0 {
			return nil
		}
		p.collect()
		pkgs = append(pkgs, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func (p *apiPackage) collect() {
	for _, f := range p.files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						p.types[s.Name.Name] = s
					case *ast.ValueSpec:
						if d.Tok == token.CONST {
							for _, n := range s.Names {
								if n.IsExported() {
									p.consts = append(p.consts, n.Name)
								}
							}
						}
					}
				}
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				fn := apiFunc{pkg: p.dir, name: d.Name.Name, doc: d.Doc.Text(), decl: d}
				if d.Recv != nil {
					fn.recv = recvName(d.Recv.List[0].Type)
					if !ast.IsExported(fn.recv) {
						continue
					}
				}
				for _, f := range d.Type.Params.List {
					typ := types.ExprString(f.Type)
					if len(f.Names) == 0 {
						fn.params = append(fn.params, apiParam{"", typ})
					}
					for _, n := range f.Names {
						fn.params = append(fn.params, apiParam{n.Name, typ})
					}
				}
				if d.Type.Results != nil {
					for _, f := range d.Type.Results.List {
						for range max(1, len(f.Names)) {
							fn.result = append(fn.result, types.ExprString(f.Type))
						}
					}
				}
				p.funcs = append(p.funcs, fn)
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

// words splits a Go name into its words: "LinkByName" -> Link, By, Name;
// "XDPFeatures" -> XDP, Features.
func words(name string) []string {
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

// The vocabulary (design.md, "Vocabulary" and "Naming"), as rules on the
// first word of an exported function's or method's name. A first word
// that is not a verb below is taken as a noun (Link, Devices, LinkByName)
// or an adjective (Enabled, Supported), which is what lookups, dumps and
// accessors are called.
var (
	// Verbs of the vocabulary, and why each is allowed.
	allowedVerbs = map[string]string{
		"Dial":     "open a socket (Dial(cfg))",
		"New":      "wrap one, or make a value (NewConn, NewClient, NewFamilyConn)",
		"Add":      "a change",
		"Replace":  "a change",
		"Append":   "a change; also the encoder's verb (AttrSet.Append, AppendBinary, AppendText)",
		"Change":   "a change",
		"Set":      "a change",
		"Delete":   "a change",
		"Flush":    "a change",
		"Lookup":   "an answer the kernel computes",
		"Join":     "multicast membership, netlink.Conn's words (JoinGroup)",
		"Leave":    "multicast membership, netlink.Conn's words (LeaveGroup)",
		"Execute":  "the raw request of netlink.Conn, kept by genl.Conn, Client and FamilyConn",
		"Dump":     "the raw dump of netlink.Conn, kept by genl.Conn, Client and FamilyConn",
		"Receive":  "the raw notification stream (typed ones are Events)",
		"Collect":  "a stream into a slice (design.md: a Collect helper: netlink.Collect)",
		"Decode":   "the value-tree decoder of AttrSet and Spec (Append encodes)",
		"Validate": "a Spec or AttrSet checks itself",
		"Check":    "AttrSet.CheckPolicy: a spec against the kernel's policy, for tests",
		"Describe": "Family.Describe: the long text form, as genl ctrl list prints it",
		"Forget":   "Conn.Forget: drop a family from the Conn's own cache (no kernel object)",
		"Is":       "a predicate",
		"Has":      "a predicate",
	}
	// Methods the standard library's interfaces name.
	stdMethods = map[string]bool{
		"String": true, "Error": true, "Unwrap": true, "Close": true, "Format": true,
		"MarshalBinary": true, "AppendBinary": true, "UnmarshalBinary": true,
		"MarshalText": true, "AppendText": true, "UnmarshalText": true,
	}
	// Verbs outside the vocabulary, with the word to use instead.
	deniedVerbs = map[string]string{
		"Get": "a singular noun (Link), or Value for a tree", "List": "a plural noun, or XxxList", "Show": "a noun",
		"Fetch": "a noun", "Read": "a noun", "Load": "a noun", "Query": "a noun or Lookup", "Find": "a noun or Lookup",
		"Search": "Lookup", "Remove": "Delete", "Del": "Delete", "Create": "Add", "Make": "New", "Update": "Set or Change",
		"Modify": "Change", "Put": "Set", "Write": "Set", "Insert": "Add", "Drop": "Delete", "Clear": "Flush",
		"Reset": "Set", "Enable": "Set", "Disable": "Set", "Subscribe": "JoinGroup", "Unsubscribe": "LeaveGroup",
		"Watch": "Events", "Listen": "Events", "Monitor": "Events", "Stream": "a plural noun or Events",
		"Open": "Dial", "Do": "Execute", "Run": "Execute", "Send": "Execute", "Recv": "Receive", "Encode": "Append",
		"Parse": "UnmarshalText or UnmarshalBinary", "Print": "String or Format", "Resolve": "a noun (Family)",
	}
	// Verbs of changes: they talk to the kernel (ctx first) and name
	// what they change (AddRoute, not Add).
	changeVerbs = []string{"Add", "Replace", "Change", "Set", "Delete", "Flush"}
	// Raw layer methods that may return a slice of replies without
	// being called XxxList.
	rawSlices = []string{"Execute", "ExecuteAttrs"}
	// Raw streams that need not be plural nouns.
	rawStreams = []string{"Dump", "Receive"}
)

// TestVocabulary walks the exported API of the genl packages and fails on
// a name outside the vocabulary.
func TestVocabulary(t *testing.T) {
	n := 0
	for _, p := range genlPackages(t) {
		for _, f := range p.funcs {
			n++
			checkName(t, f)
		}
		checkIfindex(t, p)
		checkEnums(t, p)
	}
	if n < 100 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
}

func checkName(t *testing.T, f apiFunc) {
	t.Helper()
	for _, p := range nameProblems(f) {
		t.Errorf("%v: %s", f, p)
	}
}

// nameProblems gives what f's name and shape break of the vocabulary.
func nameProblems(f apiFunc) []string {
	var out []string
	w := words(f.name)
	first := w[0]
	ctxFirst := len(f.params) > 0 && f.params[0].typ == "context.Context"
	switch {
	case stdMethods[f.name] && f.recv != "":
	case allowedVerbs[first] != "":
	case deniedVerbs[first] != "":
		out = append(out, fmt.Sprintf("%q is not a verb of the vocabulary; use %s", first, deniedVerbs[first]))
	}
	if slices.Contains(changeVerbs, first) {
		if len(w) == 1 {
			out = append(out, fmt.Sprintf("a change names what it changes (%sRoute, not %s)", first, first))
		}
		if !ctxFirst {
			out = append(out, fmt.Sprintf("%s... reads as a change of kernel state, but takes no context (a setter? a noun?)", first))
		}
	}
	if first == "Lookup" && !ctxFirst {
		out = append(out, "Lookup is for answers the kernel computes; a table lookup is a singular noun")
	}
	doc := strings.Join(strings.Fields(f.doc), " ")
	for _, r := range f.result {
		if strings.HasPrefix(r, "iter.Seq2[") {
			if !strings.HasSuffix(f.name, "s") && !slices.Contains(rawStreams, f.name) {
				out = append(out, "a stream is a plural noun (Routes, Events)")
			}
			if !strings.Contains(doc, "single-use iterator") {
				out = append(out, `the doc of a stream says "single-use iterator"`)
			}
		}
		if ctxFirst && strings.HasPrefix(r, "[]") && r != "[]byte" && !strings.HasSuffix(f.name, "List") && !slices.Contains(rawSlices, f.name) {
			out = append(out, "a dump as a slice is XxxList")
		}
	}
	switch f.name {
	case "Events":
		if len(f.result) != 1 || !regexp.MustCompile(`^iter\.Seq2\[(\w+\.)?(Event|E), error\]$`).MatchString(f.result[0]) {
			out = append(out, fmt.Sprintf("Events yields Event, not %v", f.result))
		}
	case "Receive":
		if len(f.result) != 1 || f.result[0] != "iter.Seq2[Notification, error]" {
			out = append(out, fmt.Sprintf("Receive is the raw stream of Notifications, not %v", f.result))
		}
	}
	return out
}

// The rules catch what the vocabulary forbids (each of these was, or could
// have been, in the API).
func TestVocabularyRules(t *testing.T) {
	ctx := apiParam{"ctx", "context.Context"}
	seq := func(elem string) []string { return []string{"iter.Seq2[" + elem + ", error]"} }
	for _, f := range []apiFunc{
		{name: "GetLink", params: []apiParam{ctx}},
		{recv: "Conn", name: "Flush", params: []apiParam{ctx}, result: []string{"error"}},
		{recv: "Bitset", name: "SetNames", result: []string{"[]string"}},
		{recv: "CommandNames", name: "Lookup", params: []apiParam{{"name", "string"}}},
		{recv: "Conn", name: "Device", params: []apiParam{ctx}, result: seq("Device"), doc: "A single-use iterator."},
		{recv: "Conn", name: "Devices", params: []apiParam{ctx}, result: seq("Device")},
		{recv: "Conn", name: "Routes", params: []apiParam{ctx}, result: []string{"[]Route", "error"}},
		{recv: "Client", name: "Do", params: []apiParam{ctx}},
		{recv: "Conn", name: "Events", params: []apiParam{ctx}, result: seq("Attrs"), doc: "A single-use iterator."},
		{recv: "Client", name: "Receive", params: []apiParam{ctx}, result: seq("Event"), doc: "A single-use iterator."},
	} {
		if len(nameProblems(f)) == 0 {
			t.Errorf("%v %v -> %v passes the rules", f, f.params, f.result)
		}
	}
	for _, f := range []apiFunc{
		{recv: "Conn", name: "LinkByName", params: []apiParam{ctx}},
		{recv: "Conn", name: "FlushEntries", params: []apiParam{ctx}, result: []string{"error"}},
		{recv: "Conn", name: "RouteList", params: []apiParam{ctx}, result: []string{"[]Route", "error"}},
		{recv: "Conn", name: "Events", params: []apiParam{ctx}, result: seq("Event"), doc: "It is a single-use\niterator."},
		{recv: "Bitset", name: "ValueNames", result: []string{"[]string"}},
		{recv: "Family", name: "String", result: []string{"string"}},
	} {
		if p := nameProblems(f); len(p) != 0 {
			t.Errorf("%v: %v", f, p)
		}
	}
}

// flagSet matches the names of the flag sets (a bit per flag), which
// print their words with String only.
var flagSet = regexp.MustCompile(`(Flags|Features|Metadata|Attrs)$`)

// checkEnums: an enum (an exported integer type whose String gives its
// words) has MarshalText, AppendText and UnmarshalText too.
func checkEnums(t *testing.T, p *apiPackage) {
	t.Helper()
	methods := map[string]map[string]bool{}
	for _, f := range p.funcs {
		if f.recv != "" {
			if methods[f.recv] == nil {
				methods[f.recv] = map[string]bool{}
			}
			methods[f.recv][f.name] = true
		}
	}
	for name, ts := range p.types {
		id, ok := ts.Type.(*ast.Ident)
		if !ok || !ast.IsExported(name) || !methods[name]["String"] || flagSet.MatchString(name) {
			continue
		}
		if !regexp.MustCompile(`^u?int(8|16|32|64)?$`).MatchString(id.Name) {
			continue
		}
		for _, m := range []string{"MarshalText", "AppendText", "UnmarshalText"} {
			if !methods[name][m] {
				t.Errorf("%s.%s is an enum without %s", p.dir, name, m)
			}
		}
	}
}

// checkIfindex: one interface index type, int32, in every package.
func checkIfindex(t *testing.T, p *apiPackage) {
	t.Helper()
	for name, ts := range p.types {
		st, ok := ts.Type.(*ast.StructType)
		if !ok || !ast.IsExported(name) {
			continue
		}
		for _, fld := range st.Fields.List {
			for _, n := range fld.Names {
				if (n.Name == "IfIndex" || n.Name == "Index" && name == "Device") && types.ExprString(fld.Type) != "int32" {
					t.Errorf("%s.%s.%s is %s; an interface index is int32", p.dir, name, n.Name, types.ExprString(fld.Type))
				}
			}
		}
	}
	for _, f := range p.funcs {
		for _, a := range f.params {
			if (a.name == "index" || a.name == "ifindex") && a.typ != "int32" {
				t.Errorf("%v: parameter %s is %s; an interface index is int32", f, a.name, a.typ)
			}
		}
	}
}

// The methods FamilyConn writes once, which every family Conn declares as
// a one-line call; the last three only where the family has multicast
// groups (a Group* constant).
var (
	baseMethods  = []string{"Close", "Genl"}
	groupMethods = []string{"JoinGroup", "LeaveGroup", "Events"}
)

// TestFamilyConnsAlike keeps the Conns of the family packages (ethtool,
// mptcp, netdev, tcpmetrics, and the next) alike: each holds one
// *genl.FamilyConn; Dial and NewConn build it with DialFamily and
// NewFamilyConn; Close and Genl, and where the family has groups
// JoinGroup, LeaveGroup and Events, have FamilyConn's signatures and are
// one return statement calling it; a family without groups has none of
// the three and no events.
func TestFamilyConnsAlike(t *testing.T) {
	pkgs := genlPackages(t)
	var genl *apiPackage
	for _, p := range pkgs {
		if p.dir == "." {
			genl = p
		}
	}
	// FamilyConn's signatures, as a family package spells them.
	want := map[string]string{}
	for _, f := range genl.funcs {
		if f.recv == "FamilyConn" {
			want[f.name] = familySpelling(f.decl.Type)
		}
	}
	families := 0
	for _, p := range pkgs {
		conn, ok := p.types["Conn"]
		if p.dir == "." || !ok {
			continue
		}
		families++
		// One field: the base.
		st := conn.Type.(*ast.StructType)
		if len(st.Fields.List) != 1 || len(st.Fields.List[0].Names) != 1 {
			t.Errorf("%s.Conn: want one field, a *genl.FamilyConn", p.dir)
			continue
		}
		field := st.Fields.List[0].Names[0].Name
		typ := types.ExprString(st.Fields.List[0].Type)
		m := regexp.MustCompile(`^\*genl\.FamilyConn\[(.+)\]$`).FindStringSubmatch(typ)
		if m == nil {
			t.Errorf("%s.Conn.%s is %s, want *genl.FamilyConn[...]", p.dir, field, typ)
			continue
		}
		hasGroups := slices.ContainsFunc(p.consts, func(c string) bool { return strings.HasPrefix(c, "Group") })
		if hasGroups && m[1] != "Event" || !hasGroups && m[1] != "struct{}" {
			t.Errorf("%s.Conn: FamilyConn[%s]; want Event for a family with groups, struct{} without", p.dir, m[1])
		}
		methods := map[string]apiFunc{}
		funcs := map[string]apiFunc{}
		for _, f := range p.funcs {
			if f.recv == "Conn" {
				methods[f.name] = f
			} else if f.recv == "" {
				funcs[f.name] = f
			}
		}
		// Dial and NewConn.
		for name, sig := range map[string]string{
			"Dial":    "func(cfg *netlink.Config) (*Conn, error)",
			"NewConn": "func(g *genl.Conn) *Conn",
		} {
			f, ok := funcs[name]
			if !ok {
				t.Errorf("%s: no %s", p.dir, name)
				continue
			}
			if got := types.ExprString(f.decl.Type); got != sig {
				t.Errorf("%v: %s, want %s", f, got, sig)
			}
			base := map[string]string{"Dial": "genl.DialFamily", "NewConn": "genl.NewFamilyConn"}[name]
			if !calls(f.decl.Body, base) {
				t.Errorf("%v does not build the Conn with %s", f, base)
			}
		}
		required := baseMethods
		if hasGroups {
			required = append(slices.Clip(required), groupMethods...)
		} else {
			for _, name := range groupMethods {
				if _, ok := methods[name]; ok {
					t.Errorf("%s.Conn.%s: the family has no multicast groups (no Group* constant)", p.dir, name)
				}
			}
		}
		for _, name := range required {
			f, ok := methods[name]
			if !ok {
				t.Errorf("%s.Conn has no %s", p.dir, name)
				continue
			}
			if got := types.ExprString(f.decl.Type); got != want[name] {
				t.Errorf("%v: %s, want FamilyConn's %s", f, got, want[name])
			}
			if !oneLineCall(f.decl, field, name) {
				t.Errorf("%v: want one statement, return c.%s.%s(...) with the parameters in order", f, field, name)
			}
			if f.doc == "" {
				t.Errorf("%v: undocumented", f)
			}
		}
	}
	if families < 4 {
		t.Errorf("found %d family packages, want ethtool, mptcp, netdev, tcpmetrics at least", families)
	}
}

// familySpelling prints a FamilyConn method's type as a family package
// spells it: genl's types qualified, E the package's Event.
func familySpelling(ft *ast.FuncType) string {
	s := types.ExprString(ft)
	s = regexp.MustCompile(`\bE\b`).ReplaceAllString(s, "Event")
	return regexp.MustCompile(`\*Conn\b`).ReplaceAllString(s, "*genl.Conn")
}

// calls reports whether body calls the function called name (pkg.Func).
func calls(body *ast.BlockStmt, name string) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			fun := c.Fun
			if ix, ok := fun.(*ast.IndexExpr); ok {
				fun = ix.X
			}
			if types.ExprString(fun) == name {
				found = true
			}
		}
		return !found
	})
	return found
}

// oneLineCall reports whether d's body is `return recv.field.name(params...)`
// (or the call alone, for a method without results).
func oneLineCall(d *ast.FuncDecl, field, name string) bool {
	if d.Body == nil || len(d.Body.List) != 1 || d.Recv == nil || len(d.Recv.List[0].Names) != 1 {
		return false
	}
	var call ast.Expr
	switch s := d.Body.List[0].(type) {
	case *ast.ReturnStmt:
		if len(s.Results) != 1 {
			return false
		}
		call = s.Results[0]
	case *ast.ExprStmt:
		call = s.X
	default:
		return false
	}
	c, ok := call.(*ast.CallExpr)
	if !ok || types.ExprString(c.Fun) != d.Recv.List[0].Names[0].Name+"."+field+"."+name {
		return false
	}
	var params []string
	for _, f := range d.Type.Params.List {
		for _, n := range f.Names {
			params = append(params, n.Name)
		}
	}
	var args []string
	for _, a := range c.Args {
		args = append(args, types.ExprString(a))
	}
	return slices.Equal(params, args)
}

// The walk's word splitting, which the rules rely on.
func TestWords(t *testing.T) {
	for name, want := range map[string]string{
		"LinkByName": "Link By Name", "XDPFeatures": "XDP Features", "SetEndpointFlags": "Set Endpoint Flags",
		"Close": "Close", "UnmarshalText": "Unmarshal Text", "IfIndex": "If Index",
	} {
		if got := strings.Join(words(name), " "); got != want {
			t.Errorf("words(%q) = %q, want %q", name, got, want)
		}
	}
}

// exampleFile is a parsed _test.go file of a genl package.
type exampleFile struct {
	pkg  string // directory
	file *ast.File
}

// testFiles parses the _test.go files of genl and the packages below it
// (but internal/ and testdata/).
func testFiles(t *testing.T) []exampleFile {
	t.Helper()
	var out []exampleFile
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (name == "internal" || name == "testdata" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		out = append(out, exampleFile{pkg: filepath.Dir(path), file: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExamples: examples are the documentation people copy, so they live
// in the external test packages and use only the public API (no helper of
// the tests), and every exported operation (a function or method taking a
// context) has one, named Example<Type>_<Method> or Example<Func> (with an
// optional _suffix).
func TestExamples(t *testing.T) {
	files := testFiles(t)
	examples := map[string]bool{} // "pkg ExampleConn_Devices"
	// Top-level names of the external test packages (but the tests and
	// examples themselves): the tests' helpers, which the documentation
	// of an example would not show.
	helpers := map[string]map[string]bool{}
	for _, f := range files {
		if !strings.HasSuffix(f.file.Name.Name, "_test") {
			continue
		}
		h := helpers[f.pkg]
		if h == nil {
			h = map[string]bool{}
			helpers[f.pkg] = h
		}
		for _, d := range f.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && !regexp.MustCompile(`^(Test|Example|Benchmark|Fuzz)`).MatchString(d.Name.Name) {
					h[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							h[n.Name] = true
						}
					case *ast.TypeSpec:
						h[s.Name.Name] = true
					}
				}
			}
		}
	}
	for _, f := range files {
		for _, d := range f.file.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "Example") {
				continue
			}
			examples[f.pkg+" "+fd.Name.Name] = true
			if !strings.HasSuffix(f.file.Name.Name, "_test") {
				t.Errorf("%s: %s is in package %s, not an external test package", f.pkg, fd.Name.Name, f.file.Name.Name)
				continue
			}
			var visit func(n ast.Node) bool
			visit = func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.SelectorExpr: // x.Sel is a field or method
					ast.Inspect(x.X, visit)
					return false
				case *ast.KeyValueExpr: // a bare key is a field name
					if _, ok := x.Key.(*ast.Ident); !ok {
						ast.Inspect(x.Key, visit)
					}
					ast.Inspect(x.Value, visit)
					return false
				case *ast.Ident:
					if !helpers[f.pkg][x.Name] {
						return true
					}
					if x.Obj != nil && x.Obj.Pos() > fd.Pos() && x.Obj.Pos() < fd.End() {
						return true // declared in the example
					}
					t.Errorf("%s: %s uses %s, a helper of the tests, not the public API", f.pkg, fd.Name.Name, x.Name)
				}
				return true
			}
			ast.Inspect(fd.Body, visit)
		}
	}
	n := 0
	for _, p := range genlPackages(t) {
		for _, fn := range p.funcs {
			if len(fn.params) == 0 || fn.params[0].typ != "context.Context" {
				continue
			}
			n++
			want := "Example" + fn.name
			if fn.recv != "" {
				want = "Example" + fn.recv + "_" + fn.name
			}
			found := false
			for e := range examples {
				pkg, name, _ := strings.Cut(e, " ")
				if pkg == p.dir && (name == want || strings.HasPrefix(name, want+"_") && unicode.IsLower([]rune(name[len(want)+1:])[0])) {
					found = true
				}
			}
			if !found {
				t.Errorf("%v: no example (%s)", fn, want)
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d operations found: is the walk broken?", n)
	}
}
