package genl_test

// Tests over the source of the genl packages: the exported API speaks the
// vocabulary of design.md, and every family client's Conn has the method
// set FamilyConn gives it. They read the packages with go/parser (through
// internal/apitest, which every package's vocabulary test shares), so a
// new family package (the next one) is checked without being listed here.

import (
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

	"github.com/nlkit/nlkit/internal/apitest"
)

// genlPackages parses genl and the packages below it, but internal/ and
// testdata/.
func genlPackages(t *testing.T) []*apitest.Package {
	t.Helper()
	pkgs, err := apitest.Walk(".")
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// allow lists the names of the genl packages outside the vocabulary's
// verbs (apitest.Verbs), each with the reason it stays.
var allow = apitest.Allow{
	"Join*":     "multicast membership, netlink.Conn's words (JoinGroup)",
	"Leave*":    "multicast membership, netlink.Conn's words (LeaveGroup)",
	"Execute*":  "the raw request of netlink.Conn (replies as a slice), kept by genl.Conn, Client and FamilyConn",
	"Dump*":     "the raw dump of netlink.Conn, kept by genl.Conn, Client and FamilyConn",
	"Decode*":   "the value-tree decoder of AttrSet and Spec (Append encodes)",
	"Validate*": "a Spec or AttrSet checks itself",
	"Check*":    "AttrSet.CheckPolicy: a spec against the kernel's policy, for tests",
	"Describe*": "Family.Describe: the long text form, as genl ctrl list prints it",
	"Forget*":   "Conn.Forget: drop a family from the Conn's own cache (no kernel object)",
}

// TestVocabulary walks the exported API of the genl packages and fails on
// a name outside the vocabulary.
func TestVocabulary(t *testing.T) {
	pkgs := genlPackages(t)
	if n := apitest.Check(t, allow, pkgs...); n < 100 {
		t.Fatalf("only %d exported functions and methods found: is the walk broken?", n)
	}
	for _, p := range pkgs {
		for _, f := range p.Funcs {
			if f.Name == "Receive" && (len(f.Results) != 1 || f.Results[0] != "iter.Seq2[Notification, error]") {
				t.Errorf("%v: Receive is the raw stream of Notifications, not %v", f, f.Results)
			}
		}
		checkIfindex(t, p)
		checkEnums(t, p)
	}
}

// The rules catch what the vocabulary forbids, under genl's allow-list.
func TestVocabularyRules(t *testing.T) {
	apitest.CheckRefuses(t, allow)
}

// flagSet matches the names of the flag sets (a bit per flag), which
// print their words with String only.
var flagSet = regexp.MustCompile(`(Flags|Features|Metadata|Attrs)$`)

// checkEnums: an enum (an exported integer type whose String gives its
// words) has MarshalText, AppendText and UnmarshalText too.
func checkEnums(t *testing.T, p *apitest.Package) {
	t.Helper()
	methods := map[string]map[string]bool{}
	for _, f := range p.Funcs {
		if f.Recv != "" {
			if methods[f.Recv] == nil {
				methods[f.Recv] = map[string]bool{}
			}
			methods[f.Recv][f.Name] = true
		}
	}
	for name, ts := range p.Types {
		id, ok := ts.Type.(*ast.Ident)
		if !ok || !ast.IsExported(name) || !methods[name]["String"] || flagSet.MatchString(name) {
			continue
		}
		if !regexp.MustCompile(`^u?int(8|16|32|64)?$`).MatchString(id.Name) {
			continue
		}
		for _, m := range []string{"MarshalText", "AppendText", "UnmarshalText"} {
			if !methods[name][m] {
				t.Errorf("%s.%s is an enum without %s", p.Dir, name, m)
			}
		}
	}
}

// checkIfindex: one interface index type, int32, in every package.
func checkIfindex(t *testing.T, p *apitest.Package) {
	t.Helper()
	for name, ts := range p.Types {
		st, ok := ts.Type.(*ast.StructType)
		if !ok || !ast.IsExported(name) {
			continue
		}
		for _, fld := range st.Fields.List {
			for _, n := range fld.Names {
				if (n.Name == "IfIndex" || n.Name == "Index" && name == "Device") && types.ExprString(fld.Type) != "int32" {
					t.Errorf("%s.%s.%s is %s; an interface index is int32", p.Dir, name, n.Name, types.ExprString(fld.Type))
				}
			}
		}
	}
	for _, f := range p.Funcs {
		for _, a := range f.Params {
			if (a.Name == "index" || a.Name == "ifindex") && a.Type != "int32" {
				t.Errorf("%v: parameter %s is %s; an interface index is int32", f, a.Name, a.Type)
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
	var genl *apitest.Package
	for _, p := range pkgs {
		if p.Dir == "." {
			genl = p
		}
	}
	// FamilyConn's signatures, as a family package spells them.
	want := map[string]string{}
	for _, f := range genl.Funcs {
		if f.Recv == "FamilyConn" {
			want[f.Name] = familySpelling(f.Decl.Type)
		}
	}
	families := 0
	for _, p := range pkgs {
		conn, ok := p.Types["Conn"]
		if p.Dir == "." || !ok {
			continue
		}
		families++
		// One field: the base.
		st := conn.Type.(*ast.StructType)
		if len(st.Fields.List) != 1 || len(st.Fields.List[0].Names) != 1 {
			t.Errorf("%s.Conn: want one field, a *genl.FamilyConn", p.Dir)
			continue
		}
		field := st.Fields.List[0].Names[0].Name
		typ := types.ExprString(st.Fields.List[0].Type)
		m := regexp.MustCompile(`^\*genl\.FamilyConn\[(.+)\]$`).FindStringSubmatch(typ)
		if m == nil {
			t.Errorf("%s.Conn.%s is %s, want *genl.FamilyConn[...]", p.Dir, field, typ)
			continue
		}
		hasGroups := slices.ContainsFunc(p.Consts, func(c string) bool { return strings.HasPrefix(c, "Group") })
		if hasGroups && m[1] != "Event" || !hasGroups && m[1] != "struct{}" {
			t.Errorf("%s.Conn: FamilyConn[%s]; want Event for a family with groups, struct{} without", p.Dir, m[1])
		}
		methods := map[string]apitest.Func{}
		funcs := map[string]apitest.Func{}
		for _, f := range p.Funcs {
			if f.Recv == "Conn" {
				methods[f.Name] = f
			} else if f.Recv == "" {
				funcs[f.Name] = f
			}
		}
		// Dial and NewConn.
		for name, sig := range map[string]string{
			"Dial":    "func(cfg *netlink.Config) (*Conn, error)",
			"NewConn": "func(g *genl.Conn) *Conn",
		} {
			f, ok := funcs[name]
			if !ok {
				t.Errorf("%s: no %s", p.Dir, name)
				continue
			}
			if got := types.ExprString(f.Decl.Type); got != sig {
				t.Errorf("%v: %s, want %s", f, got, sig)
			}
			base := map[string]string{"Dial": "genl.DialFamily", "NewConn": "genl.NewFamilyConn"}[name]
			if !calls(f.Decl.Body, base) {
				t.Errorf("%v does not build the Conn with %s", f, base)
			}
		}
		required := baseMethods
		if hasGroups {
			required = append(slices.Clip(required), groupMethods...)
		} else {
			for _, name := range groupMethods {
				if _, ok := methods[name]; ok {
					t.Errorf("%s.Conn.%s: the family has no multicast groups (no Group* constant)", p.Dir, name)
				}
			}
		}
		for _, name := range required {
			f, ok := methods[name]
			if !ok {
				t.Errorf("%s.Conn has no %s", p.Dir, name)
				continue
			}
			if got := types.ExprString(f.Decl.Type); got != want[name] {
				t.Errorf("%v: %s, want FamilyConn's %s", f, got, want[name])
			}
			if !oneLineCall(f.Decl, field, name) {
				t.Errorf("%v: want one statement, return c.%s.%s(...) with the parameters in order", f, field, name)
			}
			if f.Doc == "" {
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
		for _, fn := range p.Funcs {
			if len(fn.Params) == 0 || fn.Params[0].Type != "context.Context" {
				continue
			}
			n++
			want := "Example" + fn.Name
			if fn.Recv != "" {
				want = "Example" + fn.Recv + "_" + fn.Name
			}
			found := false
			for e := range examples {
				pkg, name, _ := strings.Cut(e, " ")
				if pkg == p.Dir && (name == want || strings.HasPrefix(name, want+"_") && unicode.IsLower([]rune(name[len(want)+1:])[0])) {
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
