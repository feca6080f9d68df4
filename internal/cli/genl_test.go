package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

func TestParseGenl(t *testing.T) {
	incomplete := `Command line is not complete. Try option "help"`
	for _, tc := range []struct {
		args []string
		want genlRequest
		err  string
	}{
		{args: nil, want: genlRequest{cmd: "family"}},
		{args: []string{"family"}, want: genlRequest{cmd: "family"}},
		{args: []string{"f", "s"}, want: genlRequest{cmd: "family"}},
		{args: []string{"family", "list", "nlctrl"}, want: genlRequest{cmd: "family", name: "nlctrl"}},
		{args: []string{"family", "get", "name", "nlctrl"}, want: genlRequest{cmd: "family", name: "nlctrl"}},
		{args: []string{"family", "nlctrl"}, want: genlRequest{cmd: "family", name: "nlctrl"}},
		{args: []string{"family", "id", "0x10"}, want: genlRequest{cmd: "family", id: 16, idSet: true}},
		{args: []string{"p", "nlctrl"}, want: genlRequest{cmd: "policy", name: "nlctrl"}},
		{args: []string{"policy", "name", "mptcp_pm", "op", "del-addr"}, want: genlRequest{cmd: "policy", name: "mptcp_pm", op: 2, opSet: true}},
		{args: []string{"policy", "mptcp_pm", "3"}, want: genlRequest{cmd: "policy", name: "mptcp_pm", op: 3, opSet: true}},
		{args: []string{"policy", "nlctrl", "getpolicy"}, want: genlRequest{cmd: "policy", name: "nlctrl", op: 10, opSet: true}},
		{args: []string{"policy", "ethtool", "0x2"}, want: genlRequest{cmd: "policy", name: "ethtool", op: 2, opSet: true}},
		{args: []string{"policy", "ethtool", "features-get"}, want: genlRequest{cmd: "policy", name: "ethtool", op: 11, opSet: true}},
		{args: []string{"policy", "tcp_metrics", "get"}, want: genlRequest{cmd: "policy", name: "tcp_metrics", op: 1, opSet: true}},
		{args: []string{"policy", "id", "28", "get-addr"}, want: genlRequest{cmd: "policy", id: 28, idSet: true, opWord: "get-addr"}},

		{args: []string{"zap"}, err: `Command "zap" is unknown, try "nl genl help".`},
		{args: []string{"family", "name"}, err: incomplete},
		{args: []string{"family", "id"}, err: incomplete},
		{args: []string{"family", "id", "x"}, err: `Error: argument "x" is wrong: invalid family id`},
		{args: []string{"family", "id", "0"}, err: `Error: argument "0" is wrong: invalid family id`},
		{args: []string{"family", "id", "65536"}, err: `Error: argument "65536" is wrong: invalid family id`},
		{args: []string{"family", "averyveryverylongname"}, err: `Error: argument "averyveryverylongname" is wrong: family name longer than 15 bytes`},
		{args: []string{"family", "name", "averyveryverylongname"}, err: `Error: argument "averyveryverylongname" is wrong: family name longer than 15 bytes`},
		{args: []string{"family", "nlctrl", "extra"}, err: `Error: either "name" is duplicate, or "extra" is a garbage.`},
		{args: []string{"family", "id", "16", "nlctrl"}, err: `Error: either "id" is duplicate, or "nlctrl" is a garbage.`},
		{args: []string{"policy"}, err: `Error: argument "FAMILY" is required`},
		{args: []string{"policy", "mptcp_pm", "op"}, err: incomplete},
		{args: []string{"policy", "mptcp_pm", "frob"}, err: `Error: argument "frob" is wrong: not a command number or a command name of mptcp_pm`},
		{args: []string{"policy", "mptcp_pm", "300"}, err: `Error: argument "300" is wrong: not a command number or a command name of mptcp_pm`},
		{args: []string{"policy", "id", "16", "300"}, err: `Error: argument "300" is wrong: not a command number or a command name`},
		{args: []string{"policy", "mptcp_pm", "2", "3"}, err: `Error: either "op" is duplicate, or "3" is a garbage.`},
	} {
		got, err := parseGenl(tc.args)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

// genlCtrlFamily is what `genl ctrl get` prints of a family.
type genlCtrlFamily struct {
	name                        string
	id, version, hdrsize, maxat uint64
	ops                         []uint64
	groups                      []string // "ID name"
}

// parseGenlCtrl reads the text of `genl ctrl get name NAME`.
func parseGenlCtrl(t *testing.T, text string) genlCtrlFamily {
	t.Helper()
	var f genlCtrlFamily
	head := regexp.MustCompile(`ID: 0x([0-9a-f]+)\s+Version: 0x([0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)`)
	op := regexp.MustCompile(`^\s+#\d+:\s+ID-0x([0-9a-f]+)`)
	grp := regexp.MustCompile(`^\s+#\d+:\s+ID-0x([0-9a-f]+)\s+name: (\S+)`)
	inGroups := false
	for _, l := range strings.Split(text, "\n") {
		switch {
		case strings.HasPrefix(l, "Name: "):
			f.name = strings.TrimSpace(l[6:])
		case strings.Contains(l, "multicast groups:"):
			inGroups = true
		case head.MatchString(l):
			m := head.FindStringSubmatch(l)
			f.id, _ = strconv.ParseUint(m[1], 16, 64)
			f.version, _ = strconv.ParseUint(m[2], 16, 64)
			f.hdrsize, _ = strconv.ParseUint(m[3], 10, 64)
			f.maxat, _ = strconv.ParseUint(m[4], 10, 64)
		case inGroups && grp.MatchString(l):
			m := grp.FindStringSubmatch(l)
			id, _ := strconv.ParseUint(m[1], 16, 64)
			f.groups = append(f.groups, fmt.Sprintf("%d %s", id, m[2]))
		case !inGroups && op.MatchString(l):
			id, _ := strconv.ParseUint(op.FindStringSubmatch(l)[1], 16, 64)
			f.ops = append(f.ops, id)
		}
	}
	return f
}

// TestGenlFamilyMatchesGenl compares nl genl family, JSON and text, with
// the library and with `genl ctrl get` (the genl tool has no JSON: its
// text gives the id, version, header size, max attribs, the command ids
// and the groups; it prints no command flags for families of version 1).
func TestGenlFamilyMatchesGenl(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c, err := genl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	type jsonFamily struct {
		Name    string `json:"name"`
		ID      uint16 `json:"id"`
		Version uint32 `json:"version"`
		HdrSize uint32 `json:"hdrsize"`
		MaxAttr uint32 `json:"maxattr"`
		Ops     []struct {
			ID    uint8    `json:"id"`
			Name  string   `json:"name"`
			Flags []string `json:"flags"`
		} `json:"ops"`
		McastGroups []struct {
			Name string `json:"name"`
			ID   uint32 `json:"id"`
		} `json:"mcast_groups"`
	}
	decode := func(out string) []jsonFamily {
		t.Helper()
		var fs []jsonFamily
		d := json.NewDecoder(strings.NewReader(out))
		d.DisallowUnknownFields()
		if err := d.Decode(&fs); err != nil {
			t.Fatalf("nl output: %v\n%s", err, out)
		}
		return fs
	}
	for _, fam := range []string{"nlctrl", "mptcp_pm"} {
		lib, err := c.Family(ctx, fam)
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"genl", "family", "show", fam}, {"genl", "f", "id", fmt.Sprint(lib.ID)}} {
			fs := decode(genlMustRun(t, append([]string{"-j", "-n", name}, args...)...))
			if len(fs) != 1 {
				t.Fatalf("%v: %d families", args, len(fs))
			}
			f := fs[0]
			if f.Name != lib.Name || f.ID != lib.ID || f.Version != lib.Version || f.HdrSize != lib.HeaderSize ||
				f.MaxAttr != lib.MaxAttr || len(f.Ops) != len(lib.Ops) || len(f.McastGroups) != len(lib.Groups) {
				t.Fatalf("%v: %+v\nlibrary: %+v", args, f, lib)
			}
			names := genlOpNames(fam)
			for i, o := range lib.Ops {
				want := strings.Split(o.Flags.String(), "|")
				if got := f.Ops[i]; got.ID != o.Command || got.Name != names[o.Command] || !slices.Equal(got.Flags, want) {
					t.Errorf("%v: op %d: %+v, library %+v", args, i, got, o)
				}
			}
			if fam == "nlctrl" && (f.Ops[0].Name != "getfamily" || !slices.Equal(f.Ops[0].Flags, []string{"do", "dump", "has-policy"})) {
				t.Errorf("nlctrl op 3: %+v", f.Ops[0])
			}
			for i, g := range lib.Groups {
				if got := f.McastGroups[i]; got.Name != g.Name || got.ID != g.ID {
					t.Errorf("%v: group %d: %+v, library %+v", args, i, got, g)
				}
			}
			// The same against genl's text.
			gt := parseGenlCtrl(t, string(kerneltest.Run(t, ns, "genl", "ctrl", "get", "name", fam)))
			var ops []uint64
			for _, o := range f.Ops {
				ops = append(ops, uint64(o.ID))
			}
			var groups []string
			for _, g := range f.McastGroups {
				groups = append(groups, fmt.Sprintf("%d %s", g.ID, g.Name))
			}
			if gt.name != f.Name || gt.id != uint64(f.ID) || gt.version != uint64(f.Version) || gt.hdrsize != uint64(f.HdrSize) ||
				gt.maxat != uint64(f.MaxAttr) || !slices.Equal(gt.ops, ops) || !slices.Equal(gt.groups, groups) {
				t.Errorf("%v: nl %+v\ngenl ctrl get %+v", args, f, gt)
			}
		}
	}
	// Text: Family.Describe, which names nlctrl's commands, and
	// Family.Format with the names the library knows for others.
	text := genlMustRun(t, "-n", name, "genl", "family", "nlctrl")
	lib, _ := c.Family(ctx, "nlctrl")
	if want := lib.Describe(); text != want || !strings.Contains(text, "ID-0x3  getfamily  ") || !strings.Contains(text, "ID-0xa  getpolicy  ") {
		t.Errorf("family nlctrl text:\n%s\nwant:\n%s", text, want)
	}
	for fam, op := range map[string]string{"mptcp_pm": "ID-0x2  del-addr  ", "ethtool": "ID-0xb  features-get  "} {
		lib, err := c.Family(ctx, fam)
		if err != nil {
			t.Fatal(err)
		}
		text := genlMustRun(t, "-n", name, "genl", "family", fam)
		if want := lib.Format(genlOpNames(fam)); text != want || !strings.Contains(text, op) {
			t.Errorf("family %s text:\n%s\nwant:\n%s", fam, text, want)
		}
	}
	// All families: the library's list, text blocks separated by blank lines.
	all, err := netlink.Collect(c.Families(ctx))
	if err != nil {
		t.Fatal(err)
	}
	var libNames, nlNames []string
	for _, f := range all {
		libNames = append(libNames, f.Name)
	}
	for _, f := range decode(genlMustRun(t, "-j", "-n", name, "genl")) {
		nlNames = append(nlNames, f.Name)
	}
	if !slices.Equal(nlNames, libNames) || !slices.Contains(nlNames, "nlctrl") {
		t.Errorf("genl -j: %v, library %v", nlNames, libNames)
	}
	if text := genlMustRun(t, "-n", name, "genl", "family", "list"); strings.Count(text, "\n\nName: ")+1 != len(all) {
		t.Errorf("genl family list: %d families in text, want %d", strings.Count(text, "\n\nName: ")+1, len(all))
	}
	genlFails(t, ExitKernel, "No such file or directory", "-n", name, "genl", "family", "nosuchfamily")
}

// genlPolicyLine is one line of `genl ctrl policy`.
var genlPolicyLine = regexp.MustCompile(`policy\[(\d+)\]:attr\[(\d+)\]: type=(\S+)(.*)$`)

// TestGenlPolicyMatchesGenl compares nl genl policy -j with the library
// and with `genl ctrl policy` (ops' policy sets and every attribute's
// kind, range, lengths and nested policy), and the text with
// Policy.String.
func TestGenlPolicyMatchesGenl(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c, err := genl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type jsonAttr struct {
		Type           uint16      `json:"type"`
		Kind           string      `json:"kind"`
		Min            json.Number `json:"min"`
		Max            json.Number `json:"max"`
		MinLen         uint32      `json:"min_len"`
		MaxLen         uint32      `json:"max_len"`
		Mask           uint64      `json:"mask"`
		Bitfield32Mask uint32      `json:"bitfield32_mask"`
		Policy         *uint32     `json:"policy"`
		MaxType        uint32      `json:"max_type"`
	}
	type jsonPolicy struct {
		Family string `json:"family"`
		ID     uint16 `json:"id"`
		Ops    []struct {
			ID   uint8   `json:"id"`
			Name string  `json:"name"`
			Do   *uint32 `json:"do"`
			Dump *uint32 `json:"dump"`
		} `json:"ops"`
		Policies []struct {
			Index uint32     `json:"index"`
			Attrs []jsonAttr `json:"attrs"`
		} `json:"policies"`
	}
	decode := func(out string) jsonPolicy {
		t.Helper()
		var p jsonPolicy
		d := json.NewDecoder(strings.NewReader(out))
		d.DisallowUnknownFields()
		d.UseNumber()
		if err := d.Decode(&p); err != nil {
			t.Fatalf("nl output: %v\n%s", err, out)
		}
		return p
	}
	str := func(p *uint32) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	for _, fam := range []string{"nlctrl", "mptcp_pm"} {
		p := decode(genlMustRun(t, "-j", "-n", name, "genl", "policy", fam))
		lib, err := c.Policy(t.Context(), fam)
		if err != nil {
			t.Fatal(err)
		}
		if p.Family != fam || p.ID != lib.FamilyID || len(p.Ops) != len(lib.Ops) || len(p.Policies) != len(lib.Sets) {
			t.Fatalf("%s: %+v\nlibrary %+v", fam, p, lib)
		}
		if text, want := genlMustRun(t, "-n", name, "genl", "policy", fam), lib.Format(genlOpNames(fam)); text != want {
			t.Errorf("%s text:\n%s\nwant:\n%s", fam, text, want)
		}
		if fam == "nlctrl" && lib.String() != lib.Format(genlOpNames(fam)) {
			t.Errorf("nlctrl: Policy.String does not name the commands:\n%s", lib)
		}
		// genl's view. Its "op 0" lines are the dump-only commands.
		var genlOps, nlOps []string
		attrs := map[string]string{} // "set/attr" -> genl's description
		for _, l := range strings.Split(string(kerneltest.Run(t, ns, "genl", "ctrl", "policy", "name", fam)), "\n") {
			if m := regexp.MustCompile(`op (\d+) policies:(.*)$`).FindStringSubmatch(l); m != nil {
				genlOps = append(genlOps, strings.TrimSpace(m[2]))
			}
			if m := genlPolicyLine.FindStringSubmatch(l); m != nil {
				attrs[m[1]+"/"+m[2]] = m[3] + m[4]
			}
		}
		for _, o := range p.Ops {
			s := ""
			if o.Do != nil {
				s = "do=" + str(o.Do)
			}
			if o.Dump != nil {
				s = strings.TrimSpace(s + " dump=" + str(o.Dump))
			}
			nlOps = append(nlOps, s)
		}
		slices.Sort(genlOps)
		slices.Sort(nlOps)
		if !slices.Equal(genlOps, nlOps) {
			t.Errorf("%s: op policies: nl %q, genl %q", fam, nlOps, genlOps)
		}
		n := 0
		for _, s := range p.Policies {
			for _, a := range s.Attrs {
				n++
				key := fmt.Sprintf("%d/%d", s.Index, a.Type)
				// genl's words for the same rule.
				var b strings.Builder
				b.WriteString(strings.ToUpper(strings.ReplaceAll(a.Kind, "-", "_")))
				if a.Min != "" {
					fmt.Fprintf(&b, " range:[%s,%s]", a.Min, a.Max)
				}
				if a.MinLen != 0 {
					fmt.Fprintf(&b, " min len:%d", a.MinLen)
				}
				if a.MaxLen != 0 {
					fmt.Fprintf(&b, " max len:%d", a.MaxLen)
				}
				if a.Policy != nil {
					fmt.Fprintf(&b, " policy:%d maxattr:%d", *a.Policy, a.MaxType)
				}
				if got, ok := attrs[key]; !ok || got != b.String() {
					t.Errorf("%s: policy %s: nl %q, genl %q", fam, key, b.String(), got)
				}
			}
		}
		if n != len(attrs) {
			t.Errorf("%s: nl prints %d attribute rules, genl %d", fam, n, len(attrs))
		}
	}
	// One command, by name and by number.
	for _, op := range []string{"del-addr", "2"} {
		p := decode(genlMustRun(t, "-j", "-n", name, "genl", "policy", "mptcp_pm", op))
		if len(p.Ops) != 1 || p.Ops[0].ID != 2 || p.Ops[0].Name != "del-addr" || p.Ops[0].Do == nil || p.Ops[0].Dump != nil {
			t.Errorf("policy mptcp_pm %s: %+v", op, p.Ops)
		}
	}
	p := decode(genlMustRun(t, "-j", "-n", name, "genl", "policy", "nlctrl", "getpolicy"))
	if len(p.Ops) != 1 || p.Ops[0].ID != 10 || p.Ops[0].Name != "getpolicy" || p.Ops[0].Do != nil || p.Ops[0].Dump == nil {
		t.Errorf("policy nlctrl getpolicy: %+v", p.Ops)
	}
	if text := genlMustRun(t, "-n", name, "genl", "policy", "mptcp_pm", "del-addr"); !strings.Contains(text, "\n  cmd 2 del-addr do: policy #") {
		t.Errorf("policy mptcp_pm del-addr text:\n%s", text)
	}
	p = decode(genlMustRun(t, "-j", "-n", name, "genl", "policy", "ethtool", "channels-get"))
	if len(p.Ops) != 1 || p.Ops[0].ID != 17 || p.Ops[0].Name != "channels-get" || p.Ops[0].Do == nil {
		t.Errorf("policy ethtool channels-get: %+v", p.Ops)
	}
	if out := genlMustRun(t, "-j", "-p", "-n", name, "genl", "policy", "nlctrl"); !bytes.Contains([]byte(out), []byte("\n    \"id\": 16,\n")) {
		t.Errorf("-p: %s", out)
	}
	genlFails(t, ExitKernel, "No such file or directory", "-n", name, "genl", "policy", "nosuchfamily")
}

// TestGenlHelp: each object's help lists its grammar.
func TestGenlHelp(t *testing.T) {
	for obj, want := range map[string]string{
		"genl":    "nl genl policy { [ name ] NAME | id ID } [ [ op ] OP ]",
		"mptcp":   "nl mptcp limits set [ subflows NR ] [ add_addr_accepted NR ]",
		"ethtool": "nl ethtool { features | channels | rings } [ dev ] DEV",
	} {
		if _, out, code := genlRun(t, obj, "help"); code != ExitUsage || !strings.Contains(out, want) {
			t.Errorf("%s help: exit %d, %q", obj, code, out)
		}
	}
	if _, stderr, code := genlRun(t, "mptcp"); code != ExitUsage || !strings.Contains(stderr, "Usage: nl mptcp endpoint add") {
		t.Errorf("mptcp without a command: exit %d, %q", code, stderr)
	}
}

// TestGenlFamilyFormat: a family printed field by field with its JSON
// reads as the library's Family.Format (genl ctrl list's text).
func TestGenlFamilyFormat(t *testing.T) {
	for _, f := range []genl.Family{
		{Name: "nlctrl", ID: 0x10, Version: 2, MaxAttr: 10,
			Ops:    []genl.Op{{Command: 3, Flags: genl.OpDo | genl.OpDump}, {Command: 10, Flags: genl.OpDump | genl.OpHasPolicy}, {Command: 200}},
			Groups: []genl.Group{{Name: "notify", ID: 0x10}}},
		{Name: "bare", ID: 0x20, Version: 1},
	} {
		p := newRecord(false)
		genlFamilyFormat(p, &f)
		if got, want := p.b.String(), f.Format(genlOpNames(f.Name)); got != want {
			t.Errorf("%s text:\n%s\nwant:\n%s", f.Name, got, want)
		}
		j := newRecord(true)
		genlFamilyFormat(j, &f)
		b, err := appendJSON(nil, j.obj)
		if err != nil || strings.Contains(string(b), `"ops":[]`) != false || strings.Contains(string(b), `"ops"`) != (len(f.Ops) > 0) {
			t.Errorf("%s JSON: %s %v", f.Name, b, err)
		}
	}
}
