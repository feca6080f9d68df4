package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// VRF devices (kind "vrf", linux/if_link.h IFLA_VRF_*), which the library
// does not model: link add ... type vrf table N sends IFLA_VRF_TABLE in
// the raw IFLA_INFO_DATA of an rtnl.UnknownKind, and ip -d and vrf show
// read it back from there.

const (
	iflaVrfTable = 1 // IFLA_VRF_TABLE, u32
)

const vrfHelp = `Usage:	nl vrf show [NAME] ...
`

// parseVrf reads vrf's words as ip's vrf_parse_opt.
func parseVrf(a *words, r *linkRequest) error {
	enc := nlattr.NewEncoder(nil)
	for a.more() {
		switch w := a.next(); {
		case matches(w, "table"):
			t, err := valueOf(a, parseTable, "invalid table ID\n")
			if err != nil {
				return err
			}
			enc.Uint32(iflaVrfTable, uint32(t))
		default:
			return errBadWord("vrf: unknown option \"%s\"?\n%s", w, kindUsage("vrf"))
		}
	}
	data, err := enc.Finish()
	if err != nil {
		return err
	}
	r.info = &rtnl.UnknownKind{Kind: "vrf", Data: data}
	return nil
}

// vrfTable is the table of a vrf link (false when it has none).
func vrfTable(l *rtnl.Link) (uint32, bool) {
	u, ok := l.Info.(*rtnl.UnknownKind)
	if !ok || l.Kind != "vrf" {
		return 0, false
	}
	d := nlattr.NewDecoder(u.Data)
	for d.Next() {
		if d.Type() == iflaVrfTable && d.Len() == 4 {
			return d.Uint32(), true
		}
	}
	return 0, false
}

// printVrf prints a vrf's settings as ip -d: "table N".
func printVrf(_ context.Context, _ *env, p *printer, l *rtnl.Link) {
	if t, ok := vrfTable(l); ok {
		p.field("table", "table %d ", t)
	}
}

// runVrf is vrf show [NAME]: the vrf devices and their tables, as ip.
func runVrf(ctx context.Context, e *env, args []string) error {
	a := wordsOf(args)
	if a.more() {
		if w := a.next(); !matches(w, "show") {
			return usagef(`Error: "vrf %s" is not supported by nl (vrf exec, identify and pids work with cgroups, not netlink).`, w)
		}
	}
	names := a.rest()
	c, err := e.rt()
	if err != nil {
		return err
	}
	links, err := c.LinkList(ctx, rtnl.LinkFilter{Kind: "vrf"})
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.ContainsFunc(links, func(l rtnl.Link) bool { _, ok := vrfTable(&l); return ok && l.Name == n }) {
			return usagef("Invalid VRF")
		}
	}
	var recs []*printer
	for i := range links {
		l := &links[i]
		t, ok := vrfTable(l)
		if !ok || len(names) > 0 && !slices.Contains(names, l.Name) {
			continue
		}
		p := e.record()
		p.field("name", "%-17s ", l.Name)
		p.field("table", "%d\n", t)
		recs = append(recs, p)
	}
	if e.opts.JSON {
		return writeRecords(e, recs)
	}
	io.WriteString(e.stdout, fmt.Sprintf("%-17s %s\n%s\n", "Name", "Table", strings.Repeat("-", 23)))
	if len(recs) == 0 {
		_, err := io.WriteString(e.stdout, "No VRF has been configured\n")
		return err
	}
	return writeRecords(e, recs)
}
