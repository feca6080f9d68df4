package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/genl/ethtool"
)

const ethtoolHelp = `Usage: nl ethtool [ show ] [ dev ] DEV
       nl ethtool { features | channels | rings } [ dev ] DEV
"show" prints what ethtool DEV prints (link modes, speed, duplex,
autonegotiation, port), the channels (ethtool -l) and the features
(ethtool -k, with the kernel's feature names); with -d the rings (ethtool
-g) too. Parts the driver does not implement are left out.
With -j: [{"ifname", "ifindex",
  "link_modes": {"supported": [...], "advertised": [...], "peer_advertised": [...],
                 "speed" (Mb/s, left out when unknown), "lanes", "duplex", "autoneg"},
  "link_info": {"port", "phyad", "transceiver", "mdix", "mdix_ctrl"},
  "channels": {"rx_max", "tx_max", "other_max", "combined_max",
               "rx", "tx", "other", "combined"},
  "rings": {"rx_max", "rx_mini_max", "rx_jumbo_max", "tx_max",
            "rx", "rx_mini", "rx_jumbo", "tx", "rx_buf_len", "tcp_data_split", ...},
  "features": {"NAME": {"active", "fixed", "requested"}, ...}}]
`

// ethtoolRequest is a parsed ethtool command.
type ethtoolRequest struct {
	cmd string // show, features, channels, rings
	dev string
}

// parseEthtool turns the words after "ethtool" into a request.
func parseEthtool(args []string) (ethtoolRequest, error) {
	r := ethtoolRequest{cmd: "show"}
	a := wordsOf(args)
	for _, cmd := range []string{"show", "features", "channels", "rings"} {
		if a.more() && matches(a.peek(), cmd) {
			r.cmd = cmd
			a.next()
			break
		}
	}
	for a.more() {
		w := a.next()
		if w == "dev" {
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.dev != "" {
				return r, errDuparg("dev", v)
			}
			w = v
		} else if r.dev != "" {
			return r, errDuparg2("dev", w)
		}
		if !validIfname(w) {
			return r, errInvarg(`"dev" not a valid ifname`, w)
		}
		r.dev = w
	}
	if r.dev == "" {
		return r, usagef(`Not enough information: "dev" argument is required.`)
	}
	return r, nil
}

// ethUnsupported reports whether err means the driver lacks an operation.
func ethUnsupported(err error) bool {
	return errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENODATA)
}

func runEthtool(ctx context.Context, e *env, args []string) error {
	r, err := parseEthtool(args)
	if err != nil {
		return err
	}
	c, err := ethtool.Dial(e.netlinkConfig())
	if err != nil {
		return fmt.Errorf("Cannot open generic netlink socket: %w", err)
	}
	defer c.Close()
	dev := ethtool.ByName(r.dev)
	single := r.cmd != "show" // one section asked for: its errors are errors
	// keep decides about a section's error: whether to print the
	// section, or the error to return (show leaves out what the driver
	// does not implement).
	keep := func(err error) (bool, error) {
		if err != nil && !single && ethUnsupported(err) {
			return false, nil
		}
		return err == nil, err
	}
	// One record: the device (named as the kernel names it in its
	// replies), then a section per part, each printed field by field.
	p := newRecord(e.opts.JSON)
	p.add("ifname", r.dev, "")
	p.add("ifindex", int32(0), "")
	seen := func(d ethtool.Device) {
		p.jsonOnly("ifname", d.Name)
		p.jsonOnly("ifindex", d.Index)
	}

	if r.cmd == "show" {
		lm, err := c.LinkModes(ctx, dev)
		haveModes, err := keep(err)
		if err != nil {
			return err
		}
		li, err := c.LinkInfo(ctx, dev)
		haveInfo, err := keep(err)
		if err != nil {
			return err
		}
		if haveModes || haveInfo {
			p.text("Settings for %s:\n", r.dev)
		}
		if haveModes {
			seen(lm.Device)
			ethLinkModes(p.nested("link_modes"), lm)
		}
		if haveInfo {
			seen(li.Device)
			ethLinkInfo(p.nested("link_info"), li)
		}
	}
	if r.cmd == "show" || r.cmd == "channels" {
		ch, err := c.Channels(ctx, dev)
		if ok, err := keep(err); err != nil {
			return err
		} else if ok {
			seen(ch.Device)
			ethChannels(p, r.dev, ch)
		}
	}
	if r.cmd == "rings" || r.cmd == "show" && e.opts.Details {
		rg, err := c.Rings(ctx, dev)
		if ok, err := keep(err); err != nil {
			return err
		} else if ok {
			seen(rg.Device)
			ethRings(p, r.dev, rg)
		}
	}
	if r.cmd == "show" || r.cmd == "features" {
		f, err := c.Features(ctx, dev)
		if ok, err := keep(err); err != nil {
			return err
		} else if ok {
			seen(f.Device)
			ethFeatures(p, f)
		}
	}
	return writeRecords(e, []*printer{p})
}

// ethModeList prints a link mode list as ethtool does, "Not reported"
// when empty; in JSON a list, [] when empty.
func ethModeList(p *printer, key, label string, modes []string) {
	text := "Not reported"
	if len(modes) > 0 {
		text = strings.Join(modes, " ")
	} else {
		modes = []string{}
	}
	p.add(key, modes, "\t"+label+text+"\n")
}

// ethLinkModes prints the link modes as `ethtool DEV` does: {"supported",
// "advertised", "peer_advertised" (left out when empty), "speed" (Mb/s,
// left out when unknown), "lanes" (left out when 0), "duplex",
// "autoneg"}.
func ethLinkModes(p *printer, lm ethtool.LinkModes) {
	ethModeList(p, "supported", "Supported link modes:   ", lm.Supported())
	ethModeList(p, "advertised", "Advertised link modes:  ", lm.Advertised())
	if peer := lm.Peer.ValueNames(); len(peer) > 0 {
		ethModeList(p, "peer_advertised", "Link partner advertised link modes:  ", peer)
	}
	if lm.Speed != ethtool.SpeedUnknown {
		p.add("speed", lm.Speed, fmt.Sprintf("\tSpeed: %dMb/s\n", lm.Speed))
	} else {
		p.text("\tSpeed: Unknown!\n")
	}
	if lm.Lanes != 0 {
		p.add("lanes", lm.Lanes, fmt.Sprintf("\tLanes: %d\n", lm.Lanes))
	}
	p.add("duplex", lm.Duplex.String(), "\tDuplex: "+lm.Duplex.String()+"\n")
	p.add("autoneg", lm.Autoneg, "\tAuto-negotiation: "+map[bool]string{false: "off", true: "on"}[lm.Autoneg]+"\n")
}

// ethLinkInfo prints the port settings as `ethtool DEV` does.
func ethLinkInfo(p *printer, li ethtool.LinkInfo) {
	p.add("port", li.Port.String(), "\tPort: "+li.Port.String()+"\n")
	p.add("phyad", li.PhyAddr, fmt.Sprintf("\tPHYAD: %d\n", li.PhyAddr))
	p.add("transceiver", li.Transceiver.String(), "\tTransceiver: "+li.Transceiver.String()+"\n")
	p.add("mdix", li.TPMDIX.String(), "\tMDI-X: "+li.TPMDIX.String()+"\n")
	p.add("mdix_ctrl", li.TPMDIXCtrl.String(), "")
}

// ethCount is one count of ethtool -l or -g: its JSON key, the label of
// its line, the count.
type ethCount struct {
	key, label string
	n          uint32
}

// ethCounts prints counts as ethtool -l and -g do, one per line after
// the label, "n/a" for 0; in JSON the numbers at their keys.
func ethCounts(p *printer, counts ...ethCount) {
	for _, c := range counts {
		text := "n/a"
		if c.n != 0 {
			text = fmt.Sprint(c.n)
		}
		p.add(c.key, c.n, c.label+text+"\n")
	}
}

// ethMaxCur prints the table of ethtool -l or -g: the maximums, then the
// current settings; in JSON the object at key, which it returns.
func ethMaxCur(p *printer, title, dev, key string, maxima, current []ethCount) *printer {
	p.text("%s parameters for %s:\nPre-set maximums:\n", title, dev)
	c := p.nested(key)
	ethCounts(c, maxima...)
	p.text("Current hardware settings:\n")
	ethCounts(c, current...)
	return c
}

// ethChannels prints the channels as ethtool -l does.
func ethChannels(p *printer, dev string, ch ethtool.Channels) {
	ethMaxCur(p, "Channel", dev, "channels",
		[]ethCount{{"rx_max", "RX:\t\t", ch.RxMax}, {"tx_max", "TX:\t\t", ch.TxMax},
			{"other_max", "Other:\t\t", ch.OtherMax}, {"combined_max", "Combined:\t", ch.CombinedMax}},
		[]ethCount{{"rx", "RX:\t\t", ch.RxCount}, {"tx", "TX:\t\t", ch.TxCount},
			{"other", "Other:\t\t", ch.OtherCount}, {"combined", "Combined:\t", ch.CombinedCount}})
}

// ethRings prints the rings as ethtool -g does (the settings it has no
// line for in JSON only).
func ethRings(p *printer, dev string, rg ethtool.Rings) {
	c := ethMaxCur(p, "Ring", dev, "rings",
		[]ethCount{{"rx_max", "RX:\t\t", rg.RxMax}, {"rx_mini_max", "RX Mini:\t", rg.RxMiniMax},
			{"rx_jumbo_max", "RX Jumbo:\t", rg.RxJumboMax}, {"tx_max", "TX:\t\t", rg.TxMax}},
		[]ethCount{{"rx", "RX:\t\t", rg.Rx}, {"rx_mini", "RX Mini:\t", rg.RxMini},
			{"rx_jumbo", "RX Jumbo:\t", rg.RxJumbo}, {"tx", "TX:\t\t", rg.Tx}})
	if rg.RxBufLen != 0 {
		c.add("rx_buf_len", rg.RxBufLen, fmt.Sprintf("RX Buf Len:\t\t%d\n", rg.RxBufLen))
	}
	c.add("tcp_data_split", rg.TCPDataSplit.String(), "TCP data split:\t\t"+rg.TCPDataSplit.String()+"\n")
	if rg.CQESize != 0 {
		c.add("cqe_size", rg.CQESize, "")
	}
	c.add("tx_push", rg.TxPush, "")
	c.add("rx_push", rg.RxPush, "")
	for _, x := range [...]struct {
		key string
		n   uint32
	}{{"tx_push_buf_len", rg.TxPushBufLen}, {"tx_push_buf_len_max", rg.TxPushBufLenMax},
		{"hds_thresh", rg.HDSThresh}, {"hds_thresh_max", rg.HDSThreshMax}} {
		if x.n != 0 {
			c.add(x.key, x.n, "")
		}
	}
}

// ethFeatures prints the named features as ethtool -k does
// (ethtool.Features.String); in JSON {"NAME": {"active", "fixed",
// "requested"}, ...} in the kernel's order.
func ethFeatures(p *printer, f ethtool.Features) {
	p.text("Features for %s:\n", f.Device)
	fs := p.nested("features")
	for _, x := range f.Named() {
		state := map[bool]string{false: "off", true: "on"}
		c := fs.nested(x.Name)
		c.add("active", x.Active, x.Name+": "+state[x.Active])
		c.add("fixed", x.Fixed, map[bool]string{false: "", true: " [fixed]"}[x.Fixed])
		requested := ""
		if x.Requested != x.Active {
			requested = " [requested " + state[x.Requested] + "]"
		}
		c.add("requested", x.Requested, requested+"\n")
	}
}
