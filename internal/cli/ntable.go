package cli

import (
	"context"
	"strings"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

const ntableHelp = ntableChangeUsage // ntablechange.go

// Neighbour tables' parameters (RTM_GETNEIGHTBL, linux/neighbour.h): a
// struct ndtmsg (family, padded to 4 bytes) and NDTA_* attributes, the
// parameters nested in NDTA_PARMS as NDTPA_*.
const (
	rtmNewNeighTbl = 64
	rtmGetNeighTbl = 66

	ndtaName       = 1
	ndtaThresh1    = 2
	ndtaThresh2    = 3
	ndtaThresh3    = 4
	ndtaParms      = 6
	ndtaGCInterval = 8

	ndtpaIfindex           = 1
	ndtpaRefcnt            = 2
	ndtpaReachableTime     = 3
	ndtpaBaseReachableTime = 4
	ndtpaRetransTime       = 5
	ndtpaGCStaletime       = 6
	ndtpaDelayProbeTime    = 7
	ndtpaQueueLen          = 8
	ndtpaAppProbes         = 9
	ndtpaUcastProbes       = 10
	ndtpaMcastProbes       = 11
	ndtpaAnycastDelay      = 12
	ndtpaProxyDelay        = 13
	ndtpaProxyQlen         = 14
	ndtpaLocktime          = 15
)

// ntableLines are the parameters ip prints, line by line, in its order:
// the attribute, its JSON key and text word, and whether it is a u64.
var ntableLines = [][]struct {
	attr      uint16
	key, word string
	u64       bool
}{
	{{ndtpaRefcnt, "refcnt", "refcnt", false}, {ndtpaReachableTime, "reachable", "reachable", true},
		{ndtpaBaseReachableTime, "base_reachable", "base_reachable", true}, {ndtpaRetransTime, "retrans", "retrans", true}},
	{{ndtpaGCStaletime, "gc_stale", "gc_stale", true}, {ndtpaDelayProbeTime, "delay_probe", "delay_probe", true},
		{ndtpaQueueLen, "queue", "queue", false}},
	{{ndtpaAppProbes, "app_probes", "app_probes", false}, {ndtpaUcastProbes, "ucast_probes", "ucast_probes", false},
		{ndtpaMcastProbes, "mcast_probes", "mcast_probes", false}},
	{{ndtpaAnycastDelay, "anycast_delay", "anycast_delay", true}, {ndtpaProxyDelay, "proxy_delay", "proxy_delay", true},
		{ndtpaProxyQlen, "proxy_queue", "proxy_queue", false}, {ndtpaLocktime, "locktime", "locktime", true}},
}

// parseNtable reads ntable show's words: dev DEV, name NAME.
func parseNtable(args []string) (dev, name string, err error) {
	a := wordsOf(args)
	if a.more() {
		if _, err = pickCommand("ntable", a.next(), []command{{name: "show", abbrev: []string{"show", "list", "lst"}}}); err != nil {
			return "", "", err
		}
	}
	for a.more() {
		switch w := a.next(); w {
		case "dev":
			dev, err = a.value()
		case "name":
			name, err = a.value()
		default:
			return "", "", errInvarg("unknown", w)
		}
		if err != nil {
			return "", "", err
		}
	}
	return dev, name, nil
}

func runNtable(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (matches(args[0], "change") || matches(args[0], "chg")) {
		return e.ntableChangeRun(ctx, args[1:]) // ntablechange.go
	}
	dev, name, err := parseNtable(args)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	var idx int32
	if dev != "" {
		if idx, err = e.linkIndex(ctx, dev); err != nil {
			return errInvarg(`"DEV" is invalid`, dev)
		}
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetNeighTbl}, Data: make([]byte, 4)}
	req.Data[0] = byte(e.opts.Family.rtnl())
	var recs []*printer
	// The kernel sends a table's own entry again each time a dump resumes
	// inside the table's devices (neightbl_dump_info); ip, reading all
	// in one buffer, sees it once: print it once.
	seen := map[string]bool{}
	for m, err := range c.Netlink().Dump(ctx, req) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if m.Header.Type != rtmNewNeighTbl || len(m.Data) < 4 {
			continue
		}
		if p, global := e.ntableFormat(ctx, m.Data, idx, name); p != nil {
			if global != "" {
				if seen[global] {
					continue
				}
				seen[global] = true
			}
			recs = append(recs, p)
		}
	}
	return writeRecords(e, recs)
}

// ntableFormat prints one table (or one device's parameters of it) as
// ip's print_ntable, or nil when the filters drop it; global names a
// table's own entry (family and name), "" for a device's.
func (e *env) ntableFormat(ctx context.Context, b []byte, idx int32, name string) (p *printer, global string) {
	var tname string
	var thresh [3]*uint32
	var gc *uint64
	var parms map[uint16]uint64
	var config, stats []byte // NDTA_CONFIG, NDTA_STATS: printed with -s
	d := nlattr.NewDecoder(b[4:])
	for d.Next() {
		switch t := d.Type(); t {
		case ndtaName:
			tname = d.String()
		case ndtaThresh1, ndtaThresh2, ndtaThresh3:
			v := d.Uint32()
			thresh[t-ndtaThresh1] = &v
		case ndtaGCInterval:
			v := d.Uint64()
			gc = &v
		case ndtaConfig:
			config = d.Bytes()
		case ndtaStats:
			stats = d.Bytes()
		case ndtaParms:
			parms = map[uint16]uint64{}
			n := d.Nested()
			for n.Next() {
				switch n.Len() {
				case 4:
					parms[n.Type()] = uint64(n.Uint32())
				case 8:
					parms[n.Type()] = n.Uint64()
				}
			}
		}
	}
	if d.Err() != nil {
		return nil, ""
	}
	pidx, hasIdx := parms[ndtpaIfindex]
	if idx != 0 && (!hasIdx || int32(pidx) != idx) || name != "" && tname != name {
		return nil, ""
	}
	if !hasIdx {
		global = string(b[0]) + tname
	}
	p = e.record()
	fam := map[byte]string{unix.AF_INET: "inet", unix.AF_INET6: "inet6", unix.AF_DECnet: "dnet"}[b[0]]
	if fam == "" {
		fam = "unknown"
	}
	p.field("family", "%s ", fam)
	if tname != "" {
		p.field("name", "%s ", tname)
	}
	p.text("\n")
	if thresh[0] != nil || thresh[1] != nil || thresh[2] != nil || gc != nil {
		p.text("    ")
		for i, t := range thresh {
			if t != nil {
				key := [...]string{"thresh1", "thresh2", "thresh3"}[i]
				p.field(key, key+" %d ", *t)
			}
		}
		if gc != nil {
			p.field("gc_interval", "gc_int %d ", *gc)
		}
		p.text("\n")
	}
	if config != nil && e.opts.Stats {
		ntableConfigFormat(p, config)
	}
	if parms != nil {
		if hasIdx {
			n := e.linkName(ctx, int32(pidx))
			p.text("    dev ")
			p.add("dev", n, p.paint(colorIfname, n+" "))
			p.text("\n")
		}
		for _, line := range ntableLines {
			p.text("    ")
			for _, f := range line {
				if v, ok := parms[f.attr]; ok {
					p.field(f.key, f.word+" %d ", v)
				}
			}
			p.text("\n")
		}
	}
	if stats != nil && e.opts.Stats {
		ntableStatsFormat(p, stats)
	}
	if e.opts.Oneline && !p.json {
		// ip's last print_nl is a "\" before the record's end.
		s := strings.TrimSuffix(p.b.String(), "\n")
		p.b.Reset()
		p.b.WriteString(s + "\\")
	}
	p.text("\n")
	return p, global
}
