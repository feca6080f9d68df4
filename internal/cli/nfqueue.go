package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
)

const nfqueueHelp = `Usage: nl nfqueue listen NUM [ verdict { accept | drop } ] [ copy-range BYTES ]
                         [ maxlen PACKETS ] [ fail-open ] [ gso ] [ conntrack ]
                         [ uid-gid ] [ count PACKETS ] [ -w FILE ]
       nl nfqueue show
listen binds queue NUM (iptables ... -j NFQUEUE --queue-num NUM), prints one
line per packet (time, id, hook, devices, mark, a tcpdump-like summary) and
gives each the verdict (accept by default); -w FILE also writes the packets to
FILE as a pcap file (tcpdump -r, Wireshark). It stops after count packets or
on SIGINT, then prints a summary line on standard error. With -j, one JSON
object per packet per line.
show lists the bound queues of the namespace and their counters
(/proc/net/netfilter/nfnetlink_queue).
`

// nfqueueRequest is a parsed nfqueue command.
type nfqueueRequest struct {
	cmd     string // "listen" or "show"
	cfg     queue.Config
	verdict queue.Action
	count   int    // stop after this many packets; 0: never
	write   string // -w FILE
}

var nfqueueCommands = []command{{name: "listen"}, {name: "show"}}

// parseNfqueue turns the words after "nfqueue" into a request.
func parseNfqueue(args []string) (nfqueueRequest, error) {
	r := nfqueueRequest{cmd: "show", verdict: queue.Accept}
	a := wordsOf(args)
	if a.more() {
		var err error
		if r.cmd, err = pickCommand("nfqueue", a.next(), nfqueueCommands); err != nil {
			return r, err
		}
	}
	if r.cmd == "show" {
		if a.more() {
			return r, errInvarg("unknown argument", a.peek())
		}
		return r, nil
	}
	if !a.more() {
		return r, errMissarg("NUM")
	}
	num, err := parseWord(a.next(), getU16, "invalid queue number")
	if err != nil {
		return r, err
	}
	r.cfg.Num = num
	var seenVerdict, seenRange, seenMax, seenCount, seenWrite bool
	for a.more() {
		w := a.next()
		switch {
		case w == "-w" || matches(w, "write"):
			r.write, err = onceOf(a, "-w", &seenWrite, func(s string) (string, bool) { return s, s != "" }, "invalid file name")
		case matches(w, "verdict"):
			var v string
			if v, err = onceValue(a, "verdict", &seenVerdict); err == nil {
				switch {
				case matches(v, "accept"):
					r.verdict = queue.Accept
				case matches(v, "drop"):
					r.verdict = queue.Drop
				default:
					err = errInvarg("verdict is accept or drop", v)
				}
			}
		case matches(w, "copy-range"):
			r.cfg.CopyRange, err = onceOf(a, "copy-range", &seenRange, getU32, "invalid copy range")
			if err == nil && r.cfg.CopyRange == 0 {
				r.cfg.CopyMode = queue.CopyMeta
			}
		case matches(w, "maxlen"):
			r.cfg.MaxLen, err = onceOf(a, "maxlen", &seenMax, getU32, "invalid queue length")
		case matches(w, "count"):
			var n uint32
			n, err = onceOf(a, "count", &seenCount, getU32, "invalid count")
			r.count = int(n)
		case w == "fail-open":
			r.cfg.Flags |= queue.FlagFailOpen
		case w == "gso":
			r.cfg.Flags |= queue.FlagGSO
		case w == "conntrack":
			r.cfg.Flags |= queue.FlagConntrack
		case w == "uid-gid":
			r.cfg.Flags |= queue.FlagUIDGID
		default:
			err = errInvarg("unknown argument", w)
		}
		if err != nil {
			return r, err
		}
	}
	return r, nil
}

func runNfqueue(ctx context.Context, e *env, args []string) error {
	r, err := parseNfqueue(args)
	if err != nil {
		return err
	}
	if r.cmd == "show" {
		list, err := queue.InstanceList(ctx, e.ns)
		if err != nil {
			return err
		}
		recs := make([]*printer, 0, len(list))
		for _, in := range list {
			recs = append(recs, nfqueueInstanceFormat(in, e.opts.JSON))
		}
		return writeRecords(e, recs)
	}
	return nfqueueListen(ctx, e, r)
}

// nfqueueInstanceFormat prints a bound queue: {"queue", "portid",
// "waiting", "copy_mode", "copy_range", "queue_dropped", "user_dropped",
// "id_sequence"}.
func nfqueueInstanceFormat(in queue.Instance, asJSON bool) *printer {
	p := newRecord(asJSON)
	p.add("queue", in.Num, fmt.Sprintf("queue %d", in.Num))
	p.add("portid", in.PortID, fmt.Sprintf(" portid %d", in.PortID))
	p.add("waiting", in.Waiting, fmt.Sprintf(" waiting %d", in.Waiting))
	p.add("copy_mode", in.CopyMode.String(), " copy "+in.CopyMode.String())
	p.add("copy_range", in.CopyRange, fmt.Sprintf(" range %d", in.CopyRange))
	p.add("queue_dropped", in.QueueDropped, fmt.Sprintf(" queue-dropped %d", in.QueueDropped))
	p.add("user_dropped", in.UserDropped, fmt.Sprintf(" user-dropped %d", in.UserDropped))
	p.add("id_sequence", in.IDSequence, fmt.Sprintf(" id %d\n", in.IDSequence))
	return p
}

// plainError keeps an error's text and drops its *netlink.Error, so that
// report prints "Error: queue: bind queue 0: ..." rather than route
// netlink's "RTNETLINK answers" (exit code 2 either way).
func plainError(err error) error {
	var ne *netlink.Error
	if errors.As(err, &ne) {
		return errors.New(err.Error())
	}
	return err
}

func nfqueueListen(ctx context.Context, e *env, r nfqueueRequest) error {
	var pcap *packet.Writer
	if r.write != "" {
		f, err := os.Create(r.write)
		if err != nil {
			return failf("Cannot open %s: %v", r.write, unwrapErrno(err))
		}
		defer f.Close()
		snap := int(r.cfg.CopyRange)
		if snap == 0 {
			snap = queue.DefaultCopyRange
		}
		if pcap, err = packet.NewWriter(f, packet.LinkRaw, snap); err != nil {
			return err
		}
	}
	r.cfg.NetNS = e.ns
	q, err := queue.Dial(&r.cfg)
	if err != nil {
		return plainError(err)
	}
	defer q.Close()
	if e.opts.JSON {
		// Device names come from route netlink: load them once.
		e.loadLinkNames(ctx)
	}
	seen, verdicts, overruns, refused := 0, 0, 0, 0
	var loopErr error
	for p, err := range q.Packets(ctx) {
		if p == nil {
			var ve *queue.VerdictError
			switch {
			case errors.Is(err, netlink.ErrOverrun):
				overruns++
				fmt.Fprintln(e.stderr, "Warning: packets were lost (socket buffer overrun)")
				continue
			case errors.As(err, &ve):
				refused++
				fmt.Fprintf(e.stderr, "Warning: %v\n", err)
				continue
			case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			default:
				loopErr = plainError(err)
			}
			break
		}
		seen++
		if err != nil {
			// Undecodable, with its id: print the error, drop it.
			fmt.Fprintf(e.stderr, "Warning: %v\n", err)
			if q.SetVerdict(ctx, queue.Verdict{ID: p.ID, Action: queue.Drop}) == nil {
				verdicts++
			}
			continue
		}
		if err := q.SetVerdict(ctx, queue.Verdict{ID: p.ID, Action: r.verdict}); err != nil {
			fmt.Fprintf(e.stderr, "Warning: %v\n", err)
		} else {
			verdicts++
		}
		ts := p.Time
		if ts.IsZero() {
			ts = time.Now()
		}
		if pcap != nil {
			if err := pcap.WritePacket(ts, p.Payload, p.Len()); err != nil {
				loopErr = err
				break
			}
		}
		rec := nfqueuePacketFormat(ctx, e, p, ts, r.verdict)
		if e.opts.JSON {
			err = writeJSON(e, rec.obj)
		} else {
			_, err = io.WriteString(e.stdout, rec.b.String())
		}
		if err == nil {
			err = e.flush()
		}
		if err != nil {
			loopErr = err
			break
		}
		if r.count > 0 && seen >= r.count {
			break
		}
	}
	st, _ := q.Stats(context.WithoutCancel(ctx))
	fmt.Fprintf(e.stderr, "%d packets seen, %d verdicts given, %d overruns, %d missed, %d refused\n",
		seen, verdicts, overruns, st.Missed, refused)
	return loopErr
}

// nfqueuePacketFormat prints a packet as one line: "TIME queue N id ID
// HOOK in DEV out DEV mark M: " and tcpdump's summary, or a JSON object
// {"time", "queue", "id", "hook", "family", "hw_protocol", "indev",
// "outdev", "mark", "uid", "gid", "conn_state", "len", "verdict", then
// internal/packet's fields}.
func nfqueuePacketFormat(ctx context.Context, e *env, p *queue.Packet, ts time.Time, v queue.Action) *printer {
	r := newRecord(e.opts.JSON)
	r.add("time", ts.Format(time.RFC3339Nano), ts.Format("15:04:05.000000"))
	r.add("queue", p.Queue, fmt.Sprintf(" queue %d", p.Queue))
	r.add("id", p.ID, fmt.Sprintf(" id %d", p.ID))
	r.add("hook", p.Hook.String(), " "+p.Hook.String())
	r.jsonOnly("family", p.Family.String())
	r.jsonOnly("hw_protocol", p.HWProtocol)
	if p.InIndex != 0 {
		n := e.linkName(ctx, p.InIndex)
		r.add("indev", n, " in "+n)
	}
	if p.OutIndex != 0 {
		n := e.linkName(ctx, p.OutIndex)
		r.add("outdev", n, " out "+n)
	}
	if p.Mark != 0 {
		r.add("mark", p.Mark, fmt.Sprintf(" mark %#x", p.Mark))
	}
	if p.HasUID {
		r.add("uid", p.UID, fmt.Sprintf(" uid %d", p.UID))
	}
	if p.HasGID {
		r.add("gid", p.GID, fmt.Sprintf(" gid %d", p.GID))
	}
	if p.HasConn {
		r.add("conn_state", p.ConnState.String(), " ct "+p.ConnState.String())
	}
	if p.Info&queue.InfoGSO != 0 {
		r.add("gso", true, " gso")
	}
	r.add("len", p.Len(), fmt.Sprintf(" len %d", p.Len()))
	r.jsonOnly("verdict", v.String())
	info := packet.Summary(p.Payload)
	if e.opts.JSON {
		pushJSONFields(r, info)
	} else {
		r.b.WriteString(": ")
		r.b.WriteString(info.String())
		r.b.WriteString("\n")
	}
	return r
}

// pushJSONFields adds the fields of v's JSON object to r, in order.
func pushJSONFields(r *printer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return
		}
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			return
		}
		r.obj.push(k.(string), raw)
	}
}
