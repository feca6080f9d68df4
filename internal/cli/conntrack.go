package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// nl conntrack speaks conntrack-tools' options (conntrack(8)), not ip's
// words, so that habits and scripts carry over: commands -L -G -D -I -U
// -E -F -C -S with an optional table (conntrack, expect), and the filter
// and flow options. Its lines equal conntrack's for the fields both print;
// its summaries ("N flow entries have been shown.") go to stderr, and its
// exit codes are conntrack's: 2 for a bad option, 1 when the operation
// failed or changed nothing, 0 otherwise. With nl's global -j each flow is
// one JSON object on its own line (conntrack's own -j, --any-nat, is not
// supported).

const conntrackHelp = `Usage: nl conntrack [commands] [options]
Commands:
  -L [table] [options]		List conntrack or expectation table
  -G [table] parameters		Get conntrack
  -D [table] parameters		Delete conntrack or expectation
  -I [table] parameters		Create a conntrack
  -U [table] parameters		Update a conntrack
  -E [table] [options]		Show events
  -F [table]			Flush table
  -C [table]			Show counter
  -S				Show statistics
Tables: conntrack, expect, dying, unconfirmed (-L only)
Parameters and options:
  -s, --src, --orig-src ip		Source address from original direction
  -d, --dst, --orig-dst ip		Destination address from original direction
  -r, --reply-src ip			Source address from reply direction
  -q, --reply-dst ip			Destination address from reply direction
  -p, --protonum proto			Layer 4 Protocol, eg. 'tcp'
  -f, --family proto			Layer 3 Protocol, eg. 'ipv6'
  -t, --timeout timeout			Set timeout
  -u, --status status			Set status, eg. ASSURED
  -m, --mark mark[/mask]		Set or match mark
  -w, --zone value			Set or match conntrack zone
  -e, --event-mask eventmask		Event mask, eg. NEW,DESTROY
  -z, --zero				Zero counters while listing
  -o, --output type[,...]		Output format: extended, id
  -b, --buffer-size size		Netlink socket buffer size
  -n, --src-nat ip[:port]		Source NAT (made with -I, matched with -L)
  -g, --dst-nat ip[:port]		Destination NAT (made with -I, matched with -L)
  --sport, --dport, --reply-port-src, --reply-port-dst port	(after -p tcp, udp, sctp, dccp, udplite)
  --srckey, --dstkey key			(after -p gre)
  --state state				(after -p tcp)
  --icmp-type, --icmp-code, --icmp-id	(after -p icmp; --icmpv6-* after -p icmpv6)
With nl -j, each flow or expectation is one JSON object per line.
`

// Exit codes of conntrack-tools.
const (
	ctExitOther     = 1 // OTHER_PROBLEM: the operation failed or matched nothing
	ctExitParameter = 2 // PARAMETER_PROBLEM: a bad option
)

// ctRequest is a parsed conntrack command line.
type ctRequest struct {
	cmd   byte   // 'L', 'G', 'D', 'I', 'U', 'E', 'F', 'C', 'S', 'h'
	table string // "conntrack" or "expect"

	filter    conntrack.FlowFilter
	orig      conntrack.Tuple // -s -d -p and the protocol's options, for -G -I
	reply     conntrack.Tuple // -r -q and reply ports, for -I
	protoSet  bool
	timeout   uint32
	timeoutOK bool
	status    conntrack.Status
	statusOK  bool
	mark      uint32
	markMask  uint32
	markOK    bool
	zone      uint16
	zoneOK    bool
	state     conntrack.TCPState
	stateOK   bool
	events    conntrack.EventType
	zero      bool
	extended  bool
	withID    bool
	bufSize   int
	icmpSet   bool
	srcNAT    conntrack.NATRange // -n/--src-nat, for -I
	dstNAT    conntrack.NATRange // -g/--dst-nat, for -I
}

// ctParamError is a bad option: conntrack's PARAMETER_PROBLEM, exit 2.
func ctParamError(format string, args ...any) error {
	return &UsageError{Msg: "nl conntrack: " + fmt.Sprintf(format, args...) + "\nTry `nl conntrack -h' for more information.", Exit: ctExitParameter}
}

// ctOther is a failed operation: conntrack's OTHER_PROBLEM, exit 1.
func ctOther(format string, args ...any) error {
	return &ctExit{msg: "nl conntrack: " + fmt.Sprintf(format, args...), code: ctExitOther}
}

// ctExit prints msg (if any) to stderr and exits with code.
type ctExit struct {
	msg  string
	code int
}

func (e *ctExit) Error() string { return e.msg }

var ctCommands = map[string]byte{
	"-L": 'L', "--dump": 'L', "-G": 'G', "--get": 'G', "-D": 'D', "--delete": 'D', "-I": 'I', "--create": 'I',
	"-U": 'U', "--update": 'U', "-E": 'E', "--event": 'E', "-F": 'F', "--flush": 'F', "-C": 'C', "--count": 'C',
	"-S": 'S', "--stats": 'S', "-h": 'h', "--help": 'h',
}

// ctProtos are conntrack's protocol names (getprotobyname's and its own).
var ctProtos = map[string]uint8{"tcp": conntrack.ProtoTCP, "udp": conntrack.ProtoUDP, "udplite": conntrack.ProtoUDPLite,
	"sctp": conntrack.ProtoSCTP, "dccp": conntrack.ProtoDCCP, "icmp": conntrack.ProtoICMP, "icmpv6": conntrack.ProtoICMPv6,
	"ipv6-icmp": conntrack.ProtoICMPv6, "gre": conntrack.ProtoGRE}

// parseConntrack turns the words after "conntrack" into a request.
func parseConntrack(args []string, fam Family) (ctRequest, error) {
	r := ctRequest{table: "conntrack"}
	switch fam {
	case FamilyInet:
		r.filter.Family = netfilter.FamilyIPv4
	case FamilyInet6:
		r.filter.Family = netfilter.FamilyIPv6
	}
	if len(args) == 0 {
		r.cmd = 'h' // conntrack without arguments prints its help
		return r, nil
	}
	a := wordsOf(args)
	value := func(opt string) (string, error) {
		if !a.more() {
			return "", ctParamError("option `%s' requires an argument", opt)
		}
		return a.next(), nil
	}
	addr := func(opt string, dst *netip.Addr, pf *netip.Prefix) error {
		v, err := value(opt)
		if err != nil {
			return err
		}
		p, perr := netip.ParsePrefix(v)
		if perr != nil {
			ad, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return ctParamError("Bad parameter `%s'", v)
			}
			p = netip.PrefixFrom(ad, ad.BitLen())
		}
		if f := famOfAddr(p.Addr()); r.filter.Family != netfilter.FamilyUnspec && r.filter.Family != f {
			return ctParamError("mismatched address family")
		}
		*pf, *dst = p.Masked(), p.Addr()
		if !p.IsSingleIP() {
			*pf = p.Masked()
		}
		return nil
	}
	num := func(opt string, bits int) (uint64, error) {
		v, err := value(opt)
		if err != nil {
			return 0, err
		}
		n, ok := getUint(v, 0, bits)
		if !ok {
			return 0, ctParamError("Bad parameter `%s'", v)
		}
		return n, nil
	}
	for a.more() {
		w := a.next()
		if c, ok := ctCommands[w]; ok {
			if r.cmd != 0 {
				return r, ctParamError("Invalid commands combination")
			}
			r.cmd = c
			if a.more() && !strings.HasPrefix(a.peek(), "-") {
				switch t := a.next(); t {
				case "conntrack", "expect":
					r.table = t
				case "dying", "unconfirmed":
					if c != 'L' {
						return r, ctParamError("Can't do that command with tables `dying' and `unconfirmed'")
					}
					r.table = t
				default:
					return r, ctParamError("Bad parameter `%s'", t)
				}
			}
			continue
		}
		var err error
		switch w {
		case "-s", "--src", "--orig-src":
			err = addr(w, &r.orig.Src, &r.filter.Src)
		case "-d", "--dst", "--orig-dst":
			err = addr(w, &r.orig.Dst, &r.filter.Dst)
		case "-r", "--reply-src":
			err = addr(w, &r.reply.Src, &r.filter.ReplySrc)
		case "-q", "--reply-dst":
			err = addr(w, &r.reply.Dst, &r.filter.ReplyDst)
		case "-p", "--protonum", "--proto":
			var v string
			if v, err = value(w); err == nil {
				p, ok := ctProtos[strings.ToLower(v)]
				if !ok {
					n, nok := getUint(v, 0, 8)
					if !nok {
						return r, ctParamError("`%s' unsupported protocol", v)
					}
					p = uint8(n)
				}
				r.orig.Proto, r.reply.Proto, r.filter.Proto, r.protoSet = p, p, p, true
			}
		case "-f", "--family":
			var v string
			if v, err = value(w); err == nil {
				switch v {
				case "ipv4":
					r.filter.Family = netfilter.FamilyIPv4
				case "ipv6":
					r.filter.Family = netfilter.FamilyIPv6
				default:
					return r, ctParamError("`%s' unsupported protocol", v)
				}
			}
		case "-t", "--timeout":
			var n uint64
			n, err = num(w, 32)
			r.timeout, r.timeoutOK = uint32(n), true
		case "-u", "--status":
			var v string
			if v, err = value(w); err == nil {
				if perr := r.status.UnmarshalText([]byte(v)); perr != nil || strings.ContainsAny(v, "0123456789") {
					return r, ctParamError("Bad parameter `%s'", v)
				}
				r.statusOK = true
				r.filter.Status, r.filter.StatusMask = r.status, r.status
			}
		case "-m", "--mark":
			var v string
			if v, err = value(w); err == nil {
				m, mask, hasMask := strings.Cut(v, "/")
				mv, ok := getUint(m, 0, 32)
				mk := uint64(0xffffffff)
				if hasMask {
					var mok bool
					mk, mok = getUint(mask, 0, 32)
					ok = ok && mok
				}
				if !ok {
					return r, ctParamError("Bad parameter `%s'", v)
				}
				r.mark, r.markMask, r.markOK = uint32(mv), uint32(mk), true
				r.filter.Mark, r.filter.MarkMask = uint32(mv), uint32(mk)
			}
		case "-w", "--zone":
			var n uint64
			n, err = num(w, 16)
			r.zone, r.zoneOK = uint16(n), true
			r.filter.Zone, r.filter.MatchZone = uint16(n), true
		case "-e", "--event-mask":
			var v string
			if v, err = value(w); err == nil {
				if perr := r.events.UnmarshalText([]byte(v)); perr != nil {
					return r, ctParamError("Bad parameter `%s'", v)
				}
			}
		case "-z", "--zero":
			r.zero = true
		case "-o", "--output":
			var v string
			if v, err = value(w); err == nil {
				for o := range strings.SplitSeq(v, ",") {
					switch o {
					case "extended":
						r.extended = true
					case "id":
						r.withID = true
					default:
						return r, ctParamError("Bad parameter `%s'", o)
					}
				}
			}
		case "-n", "--src-nat", "-g", "--dst-nat":
			// The address is optional, as in conntrack: without it, -L
			// lists every flow with that translation.
			var nr conntrack.NATRange
			if a.more() && !strings.HasPrefix(a.peek(), "-") {
				v := a.next()
				if ap, perr := netip.ParseAddrPort(v); perr == nil {
					nr = conntrack.NATRange{Min: ap.Addr(), MinPort: ap.Port()}
				} else if ad, aerr := netip.ParseAddr(v); aerr == nil {
					nr = conntrack.NATRange{Min: ad}
				} else {
					return r, ctParamError("Bad parameter `%s'", v)
				}
			}
			bit := conntrack.StatusSrcNAT
			if w == "-g" || w == "--dst-nat" {
				bit = conntrack.StatusDstNAT
				r.dstNAT = nr
				if nr.IsValid() {
					r.filter.ReplySrc = netip.PrefixFrom(nr.Min, nr.Min.BitLen())
				}
			} else {
				r.srcNAT = nr
				if nr.IsValid() {
					r.filter.ReplyDst = netip.PrefixFrom(nr.Min, nr.Min.BitLen())
				}
			}
			r.filter.Status |= bit
			r.filter.StatusMask |= bit
		case "-b", "--buffer-size":
			var n uint64
			n, err = num(w, 31)
			r.bufSize = int(n)
		default:
			err = r.protoOption(w, value, num)
		}
		if err != nil {
			return r, err
		}
	}
	if r.cmd == 0 {
		return r, ctParamError("no command specified")
	}
	return r, r.check()
}

// protoOption parses the options the protocol given with -p brings.
func (r *ctRequest) protoOption(w string, value func(string) (string, error), num func(string, int) (uint64, error)) error {
	unknown := ctParamError("unknown option `%s'", w)
	if !r.protoSet {
		return unknown
	}
	switch r.orig.Proto {
	case conntrack.ProtoTCP, conntrack.ProtoUDP, conntrack.ProtoUDPLite, conntrack.ProtoSCTP, conntrack.ProtoDCCP:
		var dst *uint16
		switch w {
		case "--sport", "--orig-port-src":
			dst = &r.orig.SrcPort
		case "--dport", "--orig-port-dst":
			dst = &r.orig.DstPort
		case "--reply-port-src":
			dst = &r.reply.SrcPort
		case "--reply-port-dst":
			dst = &r.reply.DstPort
		case "--state":
			if r.orig.Proto != conntrack.ProtoTCP {
				return unknown
			}
			v, err := value(w)
			if err != nil {
				return err
			}
			if err := r.state.UnmarshalText([]byte(v)); err != nil || strings.ContainsAny(v, "0123456789") {
				return ctParamError("unknown TCP state `%s'", v)
			}
			r.stateOK = true
			return nil
		default:
			return unknown
		}
		n, err := num(w, 16)
		if err != nil {
			return err
		}
		*dst = uint16(n)
		r.filter.SrcPort, r.filter.DstPort = r.orig.SrcPort, r.orig.DstPort
		return nil
	case conntrack.ProtoGRE:
		var dst *uint16
		switch w {
		case "--srckey", "--orig-key-src":
			dst = &r.orig.SrcPort
		case "--dstkey", "--orig-key-dst":
			dst = &r.orig.DstPort
		default:
			return unknown
		}
		n, err := num(w, 16)
		if err != nil {
			return err
		}
		*dst = uint16(n)
		r.filter.SrcPort, r.filter.DstPort = r.orig.SrcPort, r.orig.DstPort
		return nil
	case conntrack.ProtoICMP, conntrack.ProtoICMPv6:
		pre := "--icmp-"
		if r.orig.Proto == conntrack.ProtoICMPv6 {
			pre = "--icmpv6-"
		}
		what, ok := strings.CutPrefix(w, pre)
		if !ok {
			return unknown
		}
		var err error
		var n uint64
		switch what {
		case "type":
			n, err = num(w, 8)
			r.orig.ICMPType = uint8(n)
		case "code":
			n, err = num(w, 8)
			r.orig.ICMPCode = uint8(n)
		case "id":
			n, err = num(w, 16)
			r.orig.ICMPID = uint16(n)
		default:
			return unknown
		}
		r.icmpSet = true
		return err
	}
	return unknown
}

// check holds the combinations conntrack refuses.
func (r *ctRequest) check() error {
	need := func(ok bool, opt string) error {
		if !ok {
			return ctParamError("You need to supply the `%s' option for this command", opt)
		}
		return nil
	}
	switch r.cmd {
	case 'G', 'I':
		if r.table == "expect" {
			return ctParamError("expectations: command not supported by nl")
		}
		if err := cmpErr(need(r.orig.Src.IsValid(), "--src"), need(r.orig.Dst.IsValid(), "--dst"), need(r.protoSet, "--protonum")); err != nil {
			return err
		}
		if r.orig.Src.Is4() != r.orig.Dst.Is4() {
			return ctParamError("mismatched address family")
		}
		if r.cmd == 'I' {
			return need(r.timeoutOK, "--timeout")
		}
	case 'U':
		if r.table == "expect" {
			return ctParamError("expectations: command not supported by nl")
		}
	}
	return nil
}

func cmpErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func famOfAddr(a netip.Addr) netfilter.Family {
	if a.Is4() {
		return netfilter.FamilyIPv4
	}
	return netfilter.FamilyIPv6
}

// runConntrack runs the words after "conntrack".
func runConntrack(ctx context.Context, e *env, args []string) error {
	r, err := parseConntrack(args, e.opts.Family)
	if err != nil {
		return err
	}
	if r.cmd == 'h' {
		_, err := io.WriteString(e.stdout, conntrackHelp)
		return err
	}
	c, err := conntrack.Dial(&netlink.Config{NetNS: e.ns, ReceiveBuffer: r.bufSize})
	if err != nil {
		return ctOther("Can't open handler: %v", err)
	}
	defer c.Close()
	err = r.run(ctx, e, c)
	if ee := (*ctExit)(nil); errors.As(err, &ee) {
		e.flush()
		if ee.msg != "" {
			fmt.Fprintln(e.stderr, ee.msg)
		}
		return &exitError{code: ee.code}
	}
	return err
}

// summary prints conntrack's closing line to stderr and exits 1 when
// nothing was done, for the commands where conntrack does.
func summary(e *env, n int, what string, failIfNone bool) error {
	e.flush()
	msg := fmt.Sprintf("nl conntrack: %d %s.", n, what)
	if n == 0 && failIfNone {
		return &ctExit{msg: msg, code: ctExitOther}
	}
	fmt.Fprintln(e.stderr, msg)
	return nil
}

// opFailed turns a kernel error into conntrack's "Operation failed".
func opFailed(err error) error {
	var ne *netlink.Error
	if errors.As(err, &ne) {
		if ne.Errno == syscall.ENOENT {
			return ctOther("Operation failed: such conntrack doesn't exist")
		}
		return ctOther("Operation failed: %s", capitalize(ne.Errno.Error()))
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	return ctOther("Operation failed: %v", err)
}

func (r *ctRequest) run(ctx context.Context, e *env, c *conntrack.Conn) error {
	if r.table == "expect" {
		return r.runExpect(ctx, e, c)
	}
	switch r.cmd {
	case 'L':
		list := c.Flows
		switch {
		case r.table == "dying":
			list = c.DyingFlows
		case r.table == "unconfirmed":
			list = c.UnconfirmedFlows
		case r.zero:
			list = c.ZeroedFlows
		}
		n := 0
		for f, err := range list(ctx, r.filter) {
			if err != nil {
				return opFailed(err)
			}
			if err := r.printFlow(e, &f, ""); err != nil {
				return err
			}
			n++
		}
		return summary(e, n, "flow entries have been shown", false)
	case 'G':
		f, err := c.Flow(ctx, r.orig, r.zone)
		if err != nil {
			return opFailed(err)
		}
		if err := r.printFlow(e, &f, ""); err != nil {
			return err
		}
		return summary(e, 1, "flow entries have been shown", false)
	case 'D':
		flows, err := c.FlowList(ctx, r.filter)
		if err != nil {
			return opFailed(err)
		}
		err = c.DeleteFlows(ctx, flows)
		failed := map[int]bool{}
		var be *netlink.BatchError
		if errors.As(err, &be) {
			for _, f := range be.Failures {
				failed[f.Index] = true
			}
		} else if err != nil {
			return opFailed(err)
		}
		n := 0
		for i := range flows {
			if !failed[i] {
				if err := r.printFlow(e, &flows[i], ""); err != nil {
					return err
				}
				n++
			}
		}
		return summary(e, n, "flow entries have been deleted", true)
	case 'I':
		f := conntrack.Flow{Orig: r.orig, Timeout: time.Duration(r.timeout) * time.Second, Mark: r.mark, Zone: r.zone, Status: r.status}
		if r.srcNAT.IsValid() || r.dstNAT.IsValid() {
			f.NAT = &conntrack.NAT{Src: r.srcNAT, Dst: r.dstNAT}
		}
		if r.reply.Src.IsValid() || r.reply.Dst.IsValid() {
			f.Reply = r.orig.Reverse()
			if r.reply.Src.IsValid() {
				f.Reply.Src = r.reply.Src
			}
			if r.reply.Dst.IsValid() {
				f.Reply.Dst = r.reply.Dst
			}
			if r.reply.SrcPort != 0 {
				f.Reply.SrcPort = r.reply.SrcPort
			}
			if r.reply.DstPort != 0 {
				f.Reply.DstPort = r.reply.DstPort
			}
		}
		if r.stateOK {
			f.TCP.State = r.state
		}
		if err := c.AddFlow(ctx, f); err != nil {
			return opFailed(err)
		}
		return summary(e, 1, "flow entries have been created", false)
	case 'U':
		flows, err := c.FlowList(ctx, r.updateFilter())
		if err != nil {
			return opFailed(err)
		}
		var ch conntrack.FlowChange
		if r.markOK {
			ch.Mark = &r.mark
			if r.markMask != 0xffffffff {
				ch.MarkMask = r.markMask
			}
		}
		if r.timeoutOK {
			d := time.Duration(r.timeout) * time.Second
			ch.Timeout = &d
		}
		n := 0
		for i := range flows {
			f := &flows[i]
			if r.statusOK {
				st := f.Status | r.status
				ch.Status = &st
			}
			if err := c.ChangeFlow(ctx, f.Orig, f.Zone, ch); err != nil {
				continue // gone meanwhile, or refused: not counted, as conntrack does
			}
			if g, err := c.Flow(ctx, f.Orig, f.Zone); err == nil {
				*f = g
			}
			if err := r.printFlow(e, f, ""); err != nil {
				return err
			}
			n++
		}
		return summary(e, n, "flow entries have been updated", true)
	case 'F':
		if err := c.FlushFlows(ctx, r.filter.Family); err != nil {
			return opFailed(err)
		}
		e.flush()
		fmt.Fprintln(e.stderr, "nl conntrack: connection tracking table has been emptied.")
		return nil
	case 'C':
		st, err := c.Stats(ctx)
		if err != nil {
			return opFailed(err)
		}
		_, err = fmt.Fprintf(e.stdout, "%d\n", st.Entries)
		return err
	case 'S':
		cpus, err := c.CPUStatsList(ctx)
		if err != nil {
			return opFailed(err)
		}
		for _, s := range cpus {
			p := newRecord(e.opts.JSON)
			p.field("cpu", "cpu=%-4d\t", s.CPU)
			for _, kv := range []struct {
				k string
				v uint32
			}{{"found", s.Found}, {"invalid", s.Invalid}, {"insert", s.Insert}, {"insert_failed", s.InsertFailed},
				{"drop", s.Drop}, {"early_drop", s.EarlyDrop}, {"error", s.Error}, {"search_restart", s.SearchRestart},
				{"clash_resolve", s.ClashResolve}, {"chaintoolong", s.ChainTooLong}} {
				p.field(kv.k, kv.k+"=%d ", kv.v)
			}
			if err := r.emit(e, p); err != nil {
				return err
			}
		}
		return nil
	case 'E':
		return r.runEvents(ctx, e, c)
	}
	return nil
}

// updateFilter is the selection of -U: the options that name flows; -m,
// -u and -t are the change.
func (r *ctRequest) updateFilter() conntrack.FlowFilter {
	f := r.filter
	f.Mark, f.MarkMask, f.Status, f.StatusMask = 0, 0, 0, 0
	return f
}

// emit writes a record: text as it is, JSON as one object per line.
func (r *ctRequest) emit(e *env, p *printer) error {
	if e.opts.JSON {
		b, err := appendJSON(nil, p.obj)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(append(b, '\n'))
		return err
	}
	p.b.WriteByte('\n')
	_, err := io.WriteString(e.stdout, p.b.String())
	return err
}

// printFlow prints a flow as conntrack's default output does
// (libnetfilter_conntrack's __snprintf_conntrack_default), with prefix
// (an event's type) first.
func (r *ctRequest) printFlow(e *env, f *conntrack.Flow, prefix string) error {
	p := newRecord(e.opts.JSON)
	formatFlow(p, f, prefix, r.extended, r.withID)
	return r.emit(e, p)
}

func formatFlow(p *printer, f *conntrack.Flow, prefix string, extended, withID bool) {
	if prefix != "" {
		p.field("type", "%9s ", "["+prefix+"]")
	}
	if extended {
		p.field("family", "%-8s ", f.Family.String())
		p.text("%d ", f.Family)
	} else {
		p.jsonOnly("family", f.Family.String())
	}
	p.field("protoname", "%-8s ", conntrack.ProtoName(f.Orig.Proto))
	p.field("proto", "%d ", f.Orig.Proto)
	if f.Has(conntrack.AttrTimeout) {
		p.field("timeout", "%d ", int64(f.Timeout/time.Second))
	}
	if f.Has(conntrack.AttrProtoInfo) && f.Orig.Proto == conntrack.ProtoTCP {
		p.field("state", "%s ", f.TCP.State.String())
	}
	formatTuple(p.nested("orig"), &f.Orig, f.Has(conntrack.AttrCountersOrig), f.CountersOrig)
	if f.Status&conntrack.StatusSeenReply == 0 {
		p.text("[UNREPLIED] ")
	}
	formatTuple(p.nested("reply"), &f.Reply, f.Has(conntrack.AttrCountersReply), f.CountersReply)
	if f.Status&conntrack.StatusAssured != 0 {
		p.text("[ASSURED] ")
	}
	if f.Status&conntrack.StatusOffload != 0 {
		p.text("[OFFLOAD] ")
	}
	if f.Status&conntrack.StatusHWOffload != 0 {
		p.text("[HW_OFFLOAD] ")
	}
	if p.json {
		var st []string
		for s := range strings.SplitSeq(f.Status.String(), "|") {
			st = append(st, s)
		}
		p.jsonOnly("status", st)
	}
	if f.Has(conntrack.AttrMark) {
		p.field("mark", "mark=%d ", f.Mark)
	}
	if f.SecCtx != "" {
		p.field("secctx", "secctx=%s ", f.SecCtx)
	}
	if f.Has(conntrack.AttrZone) {
		p.field("zone", "zone=%d ", f.Zone)
	}
	if f.Has(conntrack.AttrUse) {
		p.field("use", "use=%d ", f.Use)
	}
	if withID && f.Has(conntrack.AttrID) {
		p.field("id", "id=%d ", f.ID)
	}
	if f.Helper != "" {
		p.field("helper", "helper=%s ", f.Helper)
	}
	if !p.json {
		// conntrack trims the trailing space.
		s := strings.TrimSuffix(p.b.String(), " ")
		p.b.Reset()
		p.b.WriteString(s)
	}
}

func formatTuple(p *printer, t *conntrack.Tuple, counters bool, c conntrack.Counter) {
	p.field("src", "src=%s ", t.Src.String())
	p.field("dst", "dst=%s ", t.Dst.String())
	switch t.Proto {
	case conntrack.ProtoICMP, conntrack.ProtoICMPv6:
		p.field("type", "type=%d ", t.ICMPType)
		p.field("code", "code=%d ", t.ICMPCode)
		p.field("id", "id=%d ", t.ICMPID)
	case conntrack.ProtoTCP, conntrack.ProtoUDP, conntrack.ProtoUDPLite, conntrack.ProtoSCTP, conntrack.ProtoDCCP:
		p.field("sport", "sport=%d ", t.SrcPort)
		p.field("dport", "dport=%d ", t.DstPort)
	case conntrack.ProtoGRE:
		p.field("srckey", "srckey=0x%x ", t.SrcPort)
		p.field("dstkey", "dstkey=0x%x ", t.DstPort)
	}
	if t.HasZone {
		p.field("zone", "zone=%d ", t.Zone)
	}
	if counters {
		p.field("packets", "packets=%d ", c.Packets)
		p.field("bytes", "bytes=%d ", c.Bytes)
	}
}

// runEvents is -E: events until ctx ends (a signal).
func (r *ctRequest) runEvents(ctx context.Context, e *env, c *conntrack.Conn) error {
	f := conntrack.EventFilter{Types: r.events, Family: r.filter.Family, Mark: r.filter.Mark, MarkMask: r.filter.MarkMask}
	if r.filter.Proto != 0 {
		f.Protos = []uint8{r.filter.Proto}
	}
	n := 0
	for ev, err := range c.Events(ctx, f) {
		if errors.Is(err, netlink.ErrOverrun) {
			e.flush()
			fmt.Fprintln(e.stderr, "WARNING: We have hit ENOBUFS! We are losing events.")
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return opFailed(err)
		}
		fl := &ev.Flow
		if !r.filter.Match(fl) {
			continue
		}
		p := newRecord(e.opts.JSON)
		formatFlow(p, fl, map[conntrack.EventType]string{conntrack.EventNew: "NEW", conntrack.EventUpdate: "UPDATE", conntrack.EventDestroy: "DESTROY"}[ev.Type], r.extended, r.withID)
		if ev.PortID != 0 {
			// As conntrack does: the program whose process id the port is,
			// while it runs.
			p.text(" [USERSPACE] portid=%d", ev.PortID)
			p.jsonOnly("portid", ev.PortID)
			if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", ev.PortID)); err == nil {
				name := strings.TrimSpace(string(comm))
				p.text(" progname=%s", name)
				p.jsonOnly("progname", name)
			}
		}
		if err := r.emit(e, p); err != nil {
			return err
		}
		e.flush()
		n++
	}
	return summary(e, n, "flow events have been shown", false)
}

// runExpect runs the commands on the expectation table.
func (r *ctRequest) runExpect(ctx context.Context, e *env, c *conntrack.Conn) error {
	switch r.cmd {
	case 'L':
		n := 0
		for x, err := range c.Expectations(ctx, r.filter.Family) {
			if err != nil {
				return opFailed(err)
			}
			p := newRecord(e.opts.JSON)
			formatExpect(p, &x)
			if err := r.emit(e, p); err != nil {
				return err
			}
			n++
		}
		return summary(e, n, "expectations have been shown", false)
	case 'D':
		list, err := c.ExpectationList(ctx, r.filter.Family)
		if err != nil {
			return opFailed(err)
		}
		n := 0
		for _, x := range list {
			if (r.filter.Src.IsValid() && !r.filter.Src.Contains(x.Tuple.Src)) || (r.filter.Dst.IsValid() && !r.filter.Dst.Contains(x.Tuple.Dst)) ||
				(r.protoSet && x.Tuple.Proto != r.orig.Proto) {
				continue
			}
			if c.DeleteExpectation(ctx, x.Tuple, x.Zone) == nil {
				n++
			}
		}
		return summary(e, n, "expectations have been deleted", true)
	case 'F':
		if err := c.FlushExpectations(ctx, r.filter.Family); err != nil {
			return opFailed(err)
		}
		e.flush()
		fmt.Fprintln(e.stderr, "nl conntrack: expectation table has been emptied.")
		return nil
	case 'C':
		list, err := c.ExpectationList(ctx, r.filter.Family)
		if err != nil {
			return opFailed(err)
		}
		_, err = fmt.Fprintf(e.stdout, "%d\n", len(list))
		return err
	case 'E':
		types := r.events
		if types == 0 {
			types = conntrack.EventAll
		}
		n := 0
		for ev, err := range c.Events(ctx, conntrack.EventFilter{Types: types, Expectations: true}) {
			if errors.Is(err, netlink.ErrOverrun) {
				e.flush()
				fmt.Fprintln(e.stderr, "WARNING: We have hit ENOBUFS! We are losing events.")
				continue
			}
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				return opFailed(err)
			}
			x := ev.Expectation
			if x == nil || r.filter.Family != netfilter.FamilyUnspec && x.Family != r.filter.Family {
				continue
			}
			p := newRecord(e.opts.JSON)
			p.field("type", "%9s ", "["+map[conntrack.EventType]string{conntrack.EventNew: "NEW", conntrack.EventUpdate: "UPDATE", conntrack.EventDestroy: "DESTROY"}[ev.Type]+"]")
			formatExpect(p, x)
			if err := r.emit(e, p); err != nil {
				return err
			}
			e.flush()
			n++
		}
		return summary(e, n, "expectation events have been shown", false)
	case 'S':
		st, err := c.ExpectationCPUStatsList(ctx)
		if err != nil {
			return opFailed(err)
		}
		for _, s := range st {
			p := newRecord(e.opts.JSON)
			p.field("cpu", "cpu=%-4d\t", s.CPU)
			p.field("expect_new", "expect_new=%d ", s.New)
			p.field("expect_create", "expect_create=%d ", s.Create)
			p.field("expect_delete", "expect_delete=%d ", s.Delete)
			if err := r.emit(e, p); err != nil {
				return err
			}
		}
		return nil
	}
	return ctParamError("expectations: command not supported by nl")
}

// formatExpect prints an expectation as conntrack -L expect does.
func formatExpect(p *printer, x *conntrack.Expectation) {
	p.field("timeout", "%d ", int64(x.Timeout/time.Second))
	p.field("proto", "proto=%d ", x.Tuple.Proto)
	formatTuple(p.nested("tuple"), &x.Tuple, false, conntrack.Counter{})
	m := p.nested("mask")
	m.field("src", "mask-src=%s ", x.Mask.Src.String())
	m.field("dst", "mask-dst=%s ", x.Mask.Dst.String())
	if x.Tuple.Proto != conntrack.ProtoICMP && x.Tuple.Proto != conntrack.ProtoICMPv6 {
		m.field("sport", "sport=%d ", x.Mask.SrcPort)
		m.field("dport", "dport=%d ", x.Mask.DstPort)
	}
	ms := p.nested("master")
	ms.field("src", "master-src=%s ", x.Master.Src.String())
	ms.field("dst", "master-dst=%s ", x.Master.Dst.String())
	if x.Master.Proto != conntrack.ProtoICMP && x.Master.Proto != conntrack.ProtoICMPv6 {
		ms.field("sport", "sport=%d ", x.Master.SrcPort)
		ms.field("dport", "dport=%d ", x.Master.DstPort)
	}
	if x.Flags&conntrack.ExpectPermanent != 0 {
		p.text("PERMANENT ")
	}
	if x.Flags&conntrack.ExpectInactive != 0 {
		p.text("INACTIVE ")
	}
	if x.Flags&conntrack.ExpectUserspace != 0 {
		p.text("USERSPACE ")
	}
	p.jsonOnly("flags", x.Flags)
	p.field("class", "class=%d ", x.Class)
	if x.Helper != "" {
		p.field("helper", "helper=%s ", x.Helper)
	}
	if !p.json {
		s := strings.TrimSuffix(p.b.String(), " ")
		p.b.Reset()
		p.b.WriteString(s)
	}
}
