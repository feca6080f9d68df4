package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/genl/tcpmetrics"
)

const genlHelp = `Usage: nl genl [ family ] [ { show | list | get } ] [ [ name ] NAME | id ID ]
       nl genl policy { [ name ] NAME | id ID } [ [ op ] OP ]
OP := { NUMBER | COMMAND-NAME }
"family" lists the generic netlink families, as genl ctrl list does, or the
one named. "policy" dumps how the kernel validates a family's requests (all
commands, or one) as a tree of policy sets. Command names are known for
nlctrl, ethtool, mptcp_pm, netdev and tcp_metrics.
With -j, families print as [{"name", "id", "version", "hdrsize", "maxattr",
"ops": [{"id", "name", "flags": [ "admin-perm" | "uns-admin-perm" | "do" |
"dump" | "has-policy" ...]}], "mcast_groups": [{"name", "id"}]}] ("ops",
"mcast_groups" and an op's "name" are left out when there are none), and a
policy as {"family", "id", "ops": [{"id", "name", "do", "dump"}] (policy
set numbers), "policies": [{"index", "attrs": [{"type", "kind", "min",
"max", "min_len", "max_len", "mask", "bitfield32_mask", "policy",
"max_type"}]}]} (absent rules left out).
`

// genlRequest is a parsed genl command.
type genlRequest struct {
	cmd    string // "family" or "policy"
	name   string // family name; "" with id, or for all families
	id     uint16 // family id, when idSet
	idSet  bool
	op     uint8 // policy: the command, when opSet
	opSet  bool
	opWord string // policy: a command name to resolve once the family's name is known
}

// genlOpNames returns the command names of a family the library has a
// table for (nil for others).
func genlOpNames(family string) genl.CommandNames {
	switch family {
	case genl.ControllerName:
		return genl.ControllerCommands()
	case ethtool.FamilyName:
		return ethtool.CommandNames()
	}
	for _, spec := range []func() *genl.Spec{mptcp.Spec, netdev.Spec, tcpmetrics.Spec} {
		if s := spec(); s.Name == family {
			return s.CommandNames()
		}
	}
	return nil
}

// genlOpNumber resolves an op word of family: a number or a command name.
func genlOpNumber(family, w string) (uint8, error) {
	if n, ok := getUint(w, 0, 8); ok {
		return uint8(n), nil
	}
	if id, ok := genlOpNames(family).Command(w); ok {
		return id, nil
	}
	return 0, errInvarg(fmt.Sprintf("not a command number or a command name of %s", family), w)
}

// genlCommands are genl's commands.
var genlCommands = []command{{name: "family"}, {name: "policy"}}

// parseGenl turns the words after "genl" into a request.
func parseGenl(args []string) (genlRequest, error) {
	r := genlRequest{cmd: "family"}
	a := wordsOf(args)
	if !a.more() {
		return r, nil
	}
	cmd, err := pickCommand("genl", a.next(), genlCommands)
	switch {
	case err != nil:
		return r, err
	case cmd == "family":
		if w := a.peek(); a.more() && (matches(w, "show") || matches(w, "list") || matches(w, "get")) {
			a.next()
		}
	case cmd == "policy":
		r.cmd = "policy"
	}
	haveFamily := func() bool { return r.name != "" || r.idSet }
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "name") && !haveFamily():
			r.name, err = valueOf(a, genlName, "family name longer than 15 bytes")
		case matches(w, "id") && !haveFamily():
			var n uint64
			n, err = valueOf(a, func(v string) (uint64, bool) {
				n, ok := getUint(v, 0, 16)
				return n, ok && n != 0
			}, "invalid family id")
			r.id, r.idSet = uint16(n), true
		case r.cmd == "policy" && haveFamily() && !r.opSet && r.opWord == "":
			if matches(w, "op") {
				if w, err = a.value(); err != nil {
					return r, err
				}
			}
			if r.name == "" {
				// Names are resolved once the id gives the family's
				// name; a number that does not fit is wrong now.
				if _, end, _ := strtoul(w, 0); w != "" && end == len(w) {
					if _, err = parseWord(w, func(v string) (uint64, bool) { return getUint(v, 0, 8) }, "not a command number or a command name"); err != nil {
						return r, err
					}
				}
				r.opWord = w
				break
			}
			r.op, err = genlOpNumber(r.name, w)
			r.opSet = true
		case !haveFamily():
			r.name, err = parseWord(w, genlName, "family name longer than 15 bytes")
		default:
			return r, errDuparg2(genlSelectorWord(r), w)
		}
		if err != nil {
			return r, err
		}
	}
	if r.cmd == "policy" && !haveFamily() {
		return r, errMissarg("FAMILY")
	}
	return r, nil
}

// genlSelectorWord names what a garbage word might be a duplicate of.
func genlSelectorWord(r genlRequest) string {
	switch {
	case r.opSet || r.opWord != "":
		return "op"
	case r.idSet:
		return "id"
	}
	return "name"
}

// genlName checks a family name's length (GENL_NAMSIZ).
func genlName(name string) (string, bool) {
	return name, len(name) < 16
}

func runGenl(ctx context.Context, e *env, args []string) error {
	r, err := parseGenl(args)
	if err != nil {
		return err
	}
	c, err := genl.Dial(e.netlinkConfig())
	if err != nil {
		return fmt.Errorf("Cannot open generic netlink socket: %w", err)
	}
	defer c.Close()
	var fams []genl.Family
	switch {
	case r.idSet:
		f, err := c.FamilyByID(ctx, r.id)
		if err != nil {
			return err
		}
		r.name = f.Name
		fams = append(fams, f)
	case r.name != "" && r.cmd == "family":
		f, err := c.Family(ctx, r.name)
		if err != nil {
			return err
		}
		fams = append(fams, f)
	case r.cmd == "family":
		for f, err := range c.Families(ctx) {
			if err != nil {
				return err
			}
			fams = append(fams, f)
		}
	}
	if r.cmd == "family" {
		return genlPrintFamilies(e, fams)
	}
	if r.opWord != "" {
		if r.op, err = genlOpNumber(r.name, r.opWord); err != nil {
			return err
		}
		r.opSet = true
	}
	var p *genl.Policy
	if r.opSet {
		p, err = c.CommandPolicy(ctx, r.name, r.op)
	} else {
		p, err = c.Policy(ctx, r.name)
	}
	if err != nil {
		return err
	}
	if e.opts.JSON {
		return writeJSON(e, genlPolicyOut(p))
	}
	_, err = fmt.Fprint(e.stdout, p.Format(genlOpNames(p.Family)))
	return err
}

// genlFamilyFormat prints a family as genl ctrl list does (the library's
// Family.Format); with -j as {"name", "id", "version", "hdrsize",
// "maxattr", "ops": [{"id", "name", "flags"}], "mcast_groups": [{"name",
// "id"}]} ("ops", "mcast_groups" and an op's "name" left out when there
// are none).
func genlFamilyFormat(p *printer, f *genl.Family) {
	p.add("name", f.Name, "Name: "+f.Name+"\n")
	p.add("id", f.ID, fmt.Sprintf("\tID: %#x  ", f.ID))
	p.add("version", f.Version, fmt.Sprintf("Version: %#x  ", f.Version))
	p.add("hdrsize", f.HeaderSize, fmt.Sprintf("header size: %d  ", f.HeaderSize))
	p.add("maxattr", f.MaxAttr, fmt.Sprintf("max attribs: %d\n", f.MaxAttr))
	if len(f.Ops) > 0 {
		p.text("\tcommands supported:\n")
		names := genlOpNames(f.Name)
		p.list("ops", len(f.Ops), func(i int, c *printer) {
			o := f.Ops[i]
			c.add("id", o.Command, fmt.Sprintf("\t\t#%d:  ID-%#x  ", i+1, o.Command))
			if n := names[o.Command]; n != "" {
				c.add("name", n, n+"  ")
			}
			c.add("flags", genlFlagWords(o.Flags), o.Flags.String()+"\n")
		})
	}
	if len(f.Groups) > 0 {
		p.text("\tmulticast groups:\n")
		p.list("mcast_groups", len(f.Groups), func(i int, c *printer) {
			g := f.Groups[i]
			c.text("\t\t#%d:  ID-%#x  ", i+1, g.ID)
			c.add("name", g.Name, "name: "+g.Name+"\n")
			c.add("id", g.ID, "")
		})
	}
}

// genlFlagWords splits OpFlags.String into words; no flags is an empty
// list.
func genlFlagWords(f genl.OpFlags) []string {
	if f == 0 {
		return []string{}
	}
	return strings.Split(f.String(), "|")
}

func genlPrintFamilies(e *env, fams []genl.Family) error {
	recs := make([]*printer, len(fams))
	for i := range fams {
		recs[i] = newRecord(e.opts.JSON)
		if i > 0 {
			recs[i].text("\n")
		}
		genlFamilyFormat(recs[i], &fams[i])
	}
	return writeRecords(e, recs)
}

// genlPolicyJSON is a policy with -j.
type genlPolicyJSON struct {
	Family   string              `json:"family"`
	ID       uint16              `json:"id"`
	Ops      []genlOpPolicyJSON  `json:"ops"`
	Policies []genlPolicySetJSON `json:"policies"`
}

type genlOpPolicyJSON struct {
	ID   uint8   `json:"id"`
	Name string  `json:"name,omitempty"`
	Do   *uint32 `json:"do,omitempty"`
	Dump *uint32 `json:"dump,omitempty"`
}

type genlPolicySetJSON struct {
	Index uint32         `json:"index"`
	Attrs []genlAttrJSON `json:"attrs"`
}

type genlAttrJSON struct {
	Type           uint16  `json:"type"`
	Kind           string  `json:"kind"`
	Min            any     `json:"min,omitempty"`
	Max            any     `json:"max,omitempty"`
	MinLen         uint32  `json:"min_len,omitempty"`
	MaxLen         uint32  `json:"max_len,omitempty"`
	Mask           uint64  `json:"mask,omitempty"`
	Bitfield32Mask uint32  `json:"bitfield32_mask,omitempty"`
	Policy         *uint32 `json:"policy,omitempty"`
	MaxType        uint32  `json:"max_type,omitempty"`
}

func genlPolicyOut(p *genl.Policy) genlPolicyJSON {
	names := genlOpNames(p.Family)
	out := genlPolicyJSON{Family: p.Family, ID: p.FamilyID, Ops: []genlOpPolicyJSON{}, Policies: []genlPolicySetJSON{}}
	idx := func(s *genl.PolicySet) *uint32 {
		if s == nil {
			return nil
		}
		i := s.Index
		return &i
	}
	for _, o := range p.Ops {
		out.Ops = append(out.Ops, genlOpPolicyJSON{ID: o.Command, Name: names[o.Command], Do: idx(o.Do), Dump: idx(o.Dump)})
	}
	for _, s := range p.Sets {
		js := genlPolicySetJSON{Index: s.Index, Attrs: []genlAttrJSON{}}
		for _, a := range s.Attrs {
			ja := genlAttrJSON{Type: a.Type, Kind: a.Kind.String(), MinLen: a.MinLength, MaxLen: a.MaxLength,
				Mask: a.Mask, Bitfield32Mask: a.Bitfield32Mask, Policy: idx(a.Nested), MaxType: a.MaxType}
			if rg := a.Range; rg != nil {
				if rg.Signed {
					ja.Min, ja.Max = rg.Min, rg.Max
				} else {
					ja.Min, ja.Max = rg.UMin, rg.UMax
				}
			}
			js.Attrs = append(js.Attrs, ja)
		}
		out.Policies = append(out.Policies, js)
	}
	return out
}
