package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter/nflog"
	"github.com/nlkit/nlkit/netlink"
)

const nflogHelp = `Usage: nl nflog listen GROUP [ copy-range BYTES ] [ threshold N ] [ timeout MS ]
                 [ buffer-size BYTES ] [ meta ] [ seq-global ] [ conntrack ]
                 [ count N ] [ -w FILE ]
       nl nflog show
show lists the log groups bound in the namespace: the port of the socket
holding each, the entries it has gathered, its copy mode and range and its
flush timeout (/proc/net/netfilter/nfnetlink_log).
listen binds log group GROUP (nft: log group GROUP; iptables: -j NFLOG
--nflog-group GROUP) and prints one line per entry: the time, the rule's
prefix, the hook and devices, and the packet as tcpdump -n describes it.
With -j, one JSON object per line. copy-range copies at most BYTES of each
packet (default: all); meta copies none; threshold and timeout let the
kernel gather up to N entries per datagram for up to MS milliseconds;
buffer-size sizes the kernel's batch buffer (at most 131072); seq-global
and conntrack ask for the namespace's sequence numbers and the packet's
connection state. Entries are numbered (NFULA_SEQ), so that losses are
counted. count stops after N
entries. -w writes every entry to FILE as a pcap file of link type NFLOG
(239): each record is the entry as the kernel sent it (prefix, devices,
hardware header, packet), which tcpdump -r and Wireshark decode. On
interrupt (or at count) a summary goes to standard error: entries
received, entries lost, overruns.
`

// nflogRequest is a parsed nflog command.
type nflogRequest struct {
	cmd   string // "listen" or "show"
	group uint16
	cfg   nflog.Config
	count int
	file  string
}

var nflogCommands = []command{{name: "listen"}, {name: "show"}}

// parseNflog turns the words after "nflog" into a request.
func parseNflog(args []string) (nflogRequest, error) {
	var r nflogRequest
	a := wordsOf(args)
	if !a.more() {
		return r, usagef("%s", strings.TrimSuffix(nflogHelp, "\n"))
	}
	var err error
	if r.cmd, err = pickCommand("nflog", a.next(), nflogCommands); err != nil {
		return r, err
	}
	if r.cmd == "show" {
		if a.more() {
			return r, errInvarg("unknown argument", a.peek())
		}
		return r, nil
	}
	if !a.more() {
		return r, errIncomplete()
	}
	g, err := parseWord(a.next(), getU16, "invalid group")
	if err != nil {
		return r, err
	}
	r.group = g
	r.cfg = nflog.Config{Group: g, Flags: nflog.FlagSeq}
	var rangeSet, threshSet, timeoutSet, bufSet, countSet, fileSet bool
	for a.more() {
		w := a.next()
		switch {
		case w == "-w":
			r.file, err = onceValue(a, w, &fileSet)
		case matches(w, "copy-range"):
			var v uint32
			v, err = onceOf(a, w, &rangeSet, getU32, "invalid copy range")
			if err == nil && v > nflog.MaxCopyRange {
				err = errInvarg(fmt.Sprintf("copy range is at most %d", nflog.MaxCopyRange), fmt.Sprint(v))
			}
			r.cfg.CopyRange = int(v)
		case matches(w, "threshold"):
			var v uint32
			v, err = onceOf(a, w, &threshSet, getU32, "invalid threshold")
			r.cfg.QThreshold = int(v)
		case matches(w, "timeout"):
			var v uint32
			v, err = onceOf(a, w, &timeoutSet, getU32, "invalid timeout")
			r.cfg.Timeout = time.Duration(v) * time.Millisecond
			if err == nil && v == 0 {
				r.cfg.Timeout = time.Millisecond // 0 is the kernel's default in Config; ask for the shortest
			}
		case matches(w, "buffer-size"):
			var v uint32
			v, err = onceOf(a, w, &bufSet, getU32, "invalid buffer size")
			if err == nil && v > nflog.MaxBufferSize {
				err = errInvarg(fmt.Sprintf("buffer size is at most %d", nflog.MaxBufferSize), fmt.Sprint(v))
			}
			r.cfg.BufferSize = int(v)
		case matches(w, "count"):
			var v uint32
			v, err = onceOf(a, w, &countSet, getU32, "invalid count")
			r.count = int(v)
		case w == "meta":
			r.cfg.CopyMode = nflog.CopyMeta
		case w == "seq-global":
			r.cfg.Flags |= nflog.FlagSeqGlobal
		case w == "conntrack":
			r.cfg.Flags |= nflog.FlagConntrack
		default:
			err = usagef("Error: argument \"%s\" is unknown, try \"nl nflog help\".", w)
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

func runNflog(ctx context.Context, e *env, args []string) error {
	r, err := parseNflog(args)
	if err != nil {
		return err
	}
	if r.cmd == "show" {
		list, err := nflog.InstanceList(ctx, e.ns)
		if err != nil {
			return err
		}
		recs := make([]*printer, 0, len(list))
		for _, in := range list {
			p := newRecord(e.opts.JSON)
			p.add("group", in.Group, fmt.Sprintf("group %d", in.Group))
			p.add("portid", in.PortID, fmt.Sprintf(" portid %d", in.PortID))
			p.add("queued", in.Queued, fmt.Sprintf(" queued %d", in.Queued))
			p.add("copy_mode", in.CopyMode.String(), " copy "+in.CopyMode.String())
			p.add("copy_range", in.CopyRange, fmt.Sprintf(" range %d", in.CopyRange))
			p.add("timeout_ms", in.Timeout.Milliseconds(), fmt.Sprintf(" timeout %dms\n", in.Timeout.Milliseconds()))
			recs = append(recs, p)
		}
		return writeRecords(e, recs)
	}
	cfg := r.cfg
	cfg.Netlink = &netlink.Config{NetNS: e.ns, ReceiveBuffer: 8 << 20}
	c, err := nflog.Dial(&cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "Error: %v\n", err)
		return &exitError{code: ExitKernel}
	}
	defer c.Close()

	var pw *packet.Writer
	if r.file != "" {
		f, err := os.Create(r.file)
		if err != nil {
			return failf("Error: %v", err)
		}
		bw := bufio.NewWriter(f)
		defer func() {
			bw.Flush()
			f.Close()
		}()
		if pw, err = packet.NewWriter(bw, packet.LinkNFLOG, 0); err != nil {
			return failf("Error: %v", err)
		}
	}
	var (
		got, lost, overruns int
		rec                 []byte
		end                 error
	)
	for ent, err := range c.Entries(ctx) {
		var le *nflog.LossError
		switch {
		case errors.As(err, &le):
			lost += int(le.Lost)
			e.nflogNote(fmt.Sprintf("%d entries lost", le.Lost), "lost", le.Lost)
			continue
		case errors.Is(err, netlink.ErrOverrun):
			overruns++
			e.nflogNote("overrun: the kernel dropped entries", "overrun", 1)
			continue
		case errors.Is(err, nflog.ErrMalformed):
			fmt.Fprintf(e.stderr, "Warning: %v\n", err)
			continue
		case err != nil:
			// ctx's end (SIGINT) is the normal end of a listen. A deadline
			// may reach the socket a moment before ctx reports it.
			if ctx.Err() == nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				end = err
			}
		}
		if err != nil {
			break
		}
		got++
		now := time.Now()
		if pw != nil {
			ts := ent.Time
			if ts.IsZero() {
				ts = now
			}
			if rec, err = ent.AppendBinary(rec[:0]); err == nil {
				err = pw.WritePacket(ts, rec, len(rec))
			}
			if err != nil {
				end = err
				break
			}
		}
		e.printEntry(ctx, ent, now)
		e.flush()
		if r.count > 0 && got == r.count {
			break
		}
	}
	e.flush()
	fmt.Fprintf(e.stderr, "%d entries received, %d lost, %d overruns\n", got, lost, overruns)
	if end != nil {
		return end
	}
	return nil
}

// nflogNote prints a loss in the stream, as a line of its own.
func (e *env) nflogNote(text, key string, n any) {
	if e.opts.JSON {
		fmt.Fprintf(e.stdout, "{\"%s\":%v}\n", key, n)
	} else {
		fmt.Fprintf(e.stdout, "# %s\n", text)
	}
	e.flush()
}

// printEntry prints one entry: text as
//
//	12:00:01.000001 group 7 prefix "drop " input in eth0 IP 198.18.0.1.5 > 198.18.0.2.9: UDP, length 18
//
// or, with -j, one JSON object per line.
func (e *env) printEntry(ctx context.Context, ent *nflog.Entry, now time.Time) {
	ts := ent.Time
	if ts.IsZero() {
		ts = now // the kernel stamps only received packets
	}
	p := newRecord(e.opts.JSON)
	p.add("time", ts.Format(time.RFC3339Nano), ts.Format("15:04:05.000000"))
	p.field("group", " group %d", ent.Group)
	p.jsonOnly("family", ent.Family.String())
	if ent.Prefix != "" || e.opts.JSON {
		p.field("prefix", " prefix %q", ent.Prefix)
	}
	p.field("hook", " %s", ent.Hook.Name(ent.Family))
	for _, d := range [...]struct {
		key string
		idx int32
	}{{"in", ent.InIndex}, {"out", ent.OutIndex}, {"physin", ent.PhysInIndex}, {"physout", ent.PhysOutIndex}} {
		if d.idx != 0 {
			p.field(d.key, " "+d.key+" %s", e.linkName(ctx, d.idx))
		}
	}
	if ent.Mark != 0 {
		p.add("mark", ent.Mark, fmt.Sprintf(" mark %#x", ent.Mark))
	}
	if ent.HasUID {
		p.field("uid", " uid %d", ent.UID)
		p.field("gid", " gid %d", ent.GID)
	}
	if ent.HasSeq {
		p.jsonOnly("seq", ent.Seq)
	}
	if ent.HasGlobalSeq {
		p.jsonOnly("global_seq", ent.GlobalSeq)
	}
	if len(ent.HWAddr) > 0 {
		p.jsonOnly("hwaddr", ent.HardwareAddr().String())
	}
	if ent.HasCTInfo {
		p.field("ct", " ct %s", ent.CTInfo.String())
	}
	p.jsonOnly("hw_protocol", ent.HWProtocol)
	p.jsonOnly("length", len(ent.Payload))
	if len(ent.Payload) > 0 && (ent.HWProtocol == 0x0800 || ent.HWProtocol == 0x86dd || ent.Family == 2 || ent.Family == 10) {
		info := packet.Summary(ent.Payload)
		p.add("packet", info, " "+info.String())
	} else {
		p.text(" hw protocol %#04x, length %d", ent.HWProtocol, len(ent.Payload))
	}
	if e.opts.JSON {
		b, err := appendJSON(nil, p.obj)
		if err == nil {
			e.stdout.Write(append(b, '\n'))
		}
		return
	}
	p.text("\n")
	e.stdout.Write([]byte(p.b.String()))
}
