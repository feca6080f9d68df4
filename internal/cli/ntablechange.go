package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// ntable change (ip 6.1's ipntable_modify: RTM_SETNEIGHTBL with
// NLM_F_REPLACE) and the -s part of ntable show (print_ndtconfig,
// print_ndtstats). The rest of ntable show is ntable.go.

const (
	rtmSetNeighTbl = 67 // RTM_SETNEIGHTBL

	ndtaConfig = 5 // NDTA_CONFIG, struct ndt_config
	ndtaStats  = 7 // NDTA_STATS, struct ndt_stats

	ndtConfigLen = 32 // struct ndt_config
)

// ntableChangeUsage is ip 6.1's ntable usage.
const ntableChangeUsage = `Usage: nl ntable change name NAME [ dev DEV ]
        [ thresh1 VAL ] [ thresh2 VAL ] [ thresh3 VAL ] [ gc_int MSEC ]
        [ PARMS ]
Usage: nl ntable show [ dev DEV ] [ name NAME ]
PARMS := [ base_reachable MSEC ] [ retrans MSEC ] [ gc_stale MSEC ]
         [ delay_probe MSEC ] [ queue LEN ]
         [ app_probes VAL ] [ ucast_probes VAL ] [ mcast_probes VAL ]
         [ anycast_delay MSEC ] [ proxy_delay MSEC ] [ proxy_queue LEN ]
         [ locktime MSEC ]
`

// ntableWords are change's parameter words: the attribute (NDTA_* for
// the table's own, NDTPA_* inside NDTA_PARMS), and whether it is a u64.
var ntableWords = map[string]struct {
	attr  uint16
	parms bool
	u64   bool
}{
	"thresh1": {ndtaThresh1, false, false}, "thresh2": {ndtaThresh2, false, false}, "thresh3": {ndtaThresh3, false, false},
	"gc_int":         {ndtaGCInterval, false, true},
	"base_reachable": {ndtpaBaseReachableTime, true, true}, "retrans": {ndtpaRetransTime, true, true},
	"gc_stale": {ndtpaGCStaletime, true, true}, "delay_probe": {ndtpaDelayProbeTime, true, true},
	"queue": {ndtpaQueueLen, true, false}, "app_probes": {ndtpaAppProbes, true, false},
	"ucast_probes": {ndtpaUcastProbes, true, false}, "mcast_probes": {ndtpaMcastProbes, true, false},
	"anycast_delay": {ndtpaAnycastDelay, true, true}, "proxy_delay": {ndtpaProxyDelay, true, true},
	"proxy_queue": {ndtpaProxyQlen, true, false}, "locktime": {ndtpaLocktime, true, true},
}

// ntableChange is a parsed ntable change: the table's attributes in the
// command line's order, and NDTA_PARMS's.
type ntableChange struct {
	name         string
	dev          string
	hasDev       bool
	table, parms []ntableValue
	changeable   bool
}

type ntableValue struct {
	attr uint16
	u64  bool
	v    uint64
}

// parseNtableChange reads change's words as ip's ipntable_modify. The
// device is looked up where ip does it, in the middle of the words, so
// its error comes before those of later words: lookup is called then.
func parseNtableChange(args []string, lookup func(string) (int32, error)) (ntableChange, int32, error) {
	var r ntableChange
	var index int32
	a := wordsOf(args)
	for a.more() {
		w := a.next()
		switch w {
		case "name":
			v, err := a.value()
			if err != nil {
				return r, 0, err
			}
			if r.name != "" {
				return r, 0, errDuparg("NAME", v)
			}
			r.name = v
		case "dev":
			v, err := a.value()
			if err != nil {
				return r, 0, err
			}
			if index, err = lookup(v); err != nil {
				return r, 0, err
			}
			r.dev, r.hasDev = v, true
		default:
			spec, ok := ntableWords[w]
			if !ok {
				return r, 0, errInvarg("unknown", w)
			}
			v, err := a.value()
			if err != nil {
				return r, 0, err
			}
			bits := 32
			if spec.u64 {
				bits = 64
			}
			n, ok := getUint(v, 0, bits)
			if !ok {
				return r, 0, errInvarg(`"`+w+`" value is invalid`, v)
			}
			val := ntableValue{spec.attr, spec.u64, n}
			if spec.parms {
				r.parms = append(r.parms, val)
			} else {
				r.table = append(r.table, val)
			}
			r.changeable = true
		}
	}
	if r.name == "" {
		return r, 0, errMissarg("NAME")
	}
	if !r.changeable {
		return r, 0, usagef("Not enough information: changeable attributes required.")
	}
	return r, index, nil
}

// ntableChangeRun sends the change; a refusal exits 2 (ip's exit(2)).
func (e *env) ntableChangeRun(ctx context.Context, args []string) error {
	r, index, err := parseNtableChange(args, func(name string) (int32, error) { return e.linkIndex(ctx, name) })
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	enc := nlattr.NewEncoder([]byte{byte(e.opts.Family.rtnl()), 0, 0, 0}) // struct ndtmsg
	put := func(v ntableValue) {
		if v.u64 {
			enc.Uint64(v.attr, v.v)
		} else {
			enc.Uint32(v.attr, uint32(v.v))
		}
	}
	enc.Bytes(ndtaName, append([]byte(r.name), 0))
	for _, v := range r.table {
		put(v)
	}
	if r.hasDev || len(r.parms) > 0 {
		enc.Nest(ndtaParms)
		if r.hasDev {
			enc.Uint32(ndtpaIfindex, uint32(index))
		}
		for _, v := range r.parms {
			put(v)
		}
		enc.End()
	}
	body, err := enc.Finish()
	if err != nil {
		return err
	}
	_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmSetNeighTbl, Flags: netlink.Replace}, Data: body})
	return err
}

// ntableConfigFormat prints struct ndt_config as ip's print_ndtconfig.
func ntableConfigFormat(p *printer, b []byte) {
	if len(b) < ndtConfigLen {
		return
	}
	u16 := func(o int) uint16 { return binary.NativeEndian.Uint16(b[o:]) }
	u32 := func(o int) uint32 { return binary.NativeEndian.Uint32(b[o:]) }
	p.field("key_length", "    config key_len %d ", u16(0))
	p.field("entry_size", "entry_size %d ", u16(2))
	p.field("entries", "entries %d ", u32(4))
	p.text("\n")
	p.field("last_flush", "        last_flush %s ", ntableTimeDelta(u32(8)))
	p.field("last_rand", "last_rand %s ", ntableTimeDelta(u32(12)))
	p.text("\n")
	p.field("hash_rnd", "        hash_rnd %d ", u32(16))
	mask := u32(20)
	p.add("hash_mask", "0x"+formatHex(uint64(mask)), "hash_mask "+pad8(formatHex(uint64(mask)))+" ")
	p.field("hash_chain_gc", "hash_chain_gc %d ", u32(24))
	p.field("proxy_qlen", "proxy_qlen %d ", u32(28))
	p.text("\n")
}

// ntableTimeDelta is ip's ntable_strtime_delta: the local time msec
// milliseconds ago, "(error)" for 0.
func ntableTimeDelta(msec uint32) string {
	if msec == 0 {
		return "(error)"
	}
	t := time.Unix(time.Now().Unix()-int64(msec/1000), 0)
	return t.Format("2006-01-02 15:04:05")
}

func formatHex(v uint64) string {
	const digits = "0123456789abcdef"
	if v == 0 {
		return "0"
	}
	var b []byte
	for ; v > 0; v >>= 4 {
		b = append([]byte{digits[v&15]}, b...)
	}
	return string(b)
}

func pad8(s string) string {
	for len(s) < 8 {
		s = "0" + s
	}
	return s
}

// ntableStatsFormat prints struct ndt_stats as ip's print_ndtstats.
func ntableStatsFormat(p *printer, b []byte) {
	keys := [][]string{{"allocs", "destroys", "hash_grows"}, {"res_failed", "lookups", "hits"},
		{"rcv_probes_mcast", "rcv_probes_ucast"}, {"periodic_gc_runs", "forced_gc_runs"}, {"table_fulls"}}
	p.text("    stats ")
	i := 0
	for l, line := range keys {
		if l > 0 {
			p.text("\n    ")
		}
		for _, k := range line {
			var v uint64
			if 8*i+8 <= len(b) {
				v = binary.NativeEndian.Uint64(b[8*i:])
			}
			p.field(k, k+" %d ", v)
			i++
		}
	}
	p.text("\n")
}

// ntableExits reports whether ip exits at this failed line of a batch:
// ntable change refused by the kernel (ip's ipntable_modify calls
// exit(2)).
func ntableExits(words []string, err error) bool {
	var ne *netlink.Error
	if !errors.As(err, &ne) || len(words) < 2 {
		return false
	}
	o, ok := lookupObject(words[0])
	return ok && o.name == "ntable" && (matches(words[1], "change") || matches(words[1], "chg"))
}
