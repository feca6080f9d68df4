package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/netlink"
)

const ethtoolHelp = `Usage: nl ethtool [ show ] [ dev ] DEV
       nl ethtool { features | channels | rings } [ dev ] DEV
"show" prints what ethtool DEV prints (link modes, speed, duplex,
autonegotiation, port), the channels (ethtool -l) and the features
(ethtool -k, with the kernel's feature names); with -d the rings (ethtool
-g) too. Parts the driver does not implement are left out.
With -j: [{"ifname", "ifindex",
  "link_modes": {"speed" (Mb/s, left out when unknown), "duplex",
                 "autoneg", "lanes", "supported": [...], "advertised": [...],
                 "peer_advertised": [...]},
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

// ethtoolOut is one device with -j; sections the driver does not
// implement are left out.
type ethtoolOut struct {
	Ifname    string            `json:"ifname"`
	Ifindex   uint32            `json:"ifindex"`
	LinkModes *ethLinkModesJSON `json:"link_modes,omitempty"`
	LinkInfo  *ethLinkInfoJSON  `json:"link_info,omitempty"`
	Channels  *ethChannelsJSON  `json:"channels,omitempty"`
	Rings     *ethRingsJSON     `json:"rings,omitempty"`
	Features  ethFeaturesJSON   `json:"features,omitempty"`
}

type ethLinkModesJSON struct {
	Speed          *uint32  `json:"speed,omitempty"`
	Duplex         string   `json:"duplex"`
	Autoneg        bool     `json:"autoneg"`
	Lanes          uint32   `json:"lanes,omitempty"`
	Supported      []string `json:"supported"`
	Advertised     []string `json:"advertised"`
	PeerAdvertised []string `json:"peer_advertised,omitempty"`
}

type ethLinkInfoJSON struct {
	Port        string `json:"port"`
	PhyAddr     uint8  `json:"phyad"`
	Transceiver string `json:"transceiver"`
	MDIX        string `json:"mdix"`
	MDIXCtrl    string `json:"mdix_ctrl"`
}

type ethChannelsJSON struct {
	RxMax       uint32 `json:"rx_max"`
	TxMax       uint32 `json:"tx_max"`
	OtherMax    uint32 `json:"other_max"`
	CombinedMax uint32 `json:"combined_max"`
	Rx          uint32 `json:"rx"`
	Tx          uint32 `json:"tx"`
	Other       uint32 `json:"other"`
	Combined    uint32 `json:"combined"`
}

type ethRingsJSON struct {
	RxMax           uint32 `json:"rx_max"`
	RxMiniMax       uint32 `json:"rx_mini_max"`
	RxJumboMax      uint32 `json:"rx_jumbo_max"`
	TxMax           uint32 `json:"tx_max"`
	Rx              uint32 `json:"rx"`
	RxMini          uint32 `json:"rx_mini"`
	RxJumbo         uint32 `json:"rx_jumbo"`
	Tx              uint32 `json:"tx"`
	RxBufLen        uint32 `json:"rx_buf_len,omitempty"`
	TCPDataSplit    string `json:"tcp_data_split"`
	CQESize         uint32 `json:"cqe_size,omitempty"`
	TxPush          bool   `json:"tx_push"`
	RxPush          bool   `json:"rx_push"`
	TxPushBufLen    uint32 `json:"tx_push_buf_len,omitempty"`
	TxPushBufLenMax uint32 `json:"tx_push_buf_len_max,omitempty"`
	HDSThresh       uint32 `json:"hds_thresh,omitempty"`
	HDSThreshMax    uint32 `json:"hds_thresh_max,omitempty"`
}

// ethFeatureJSON is one feature's state.
type ethFeatureJSON struct {
	Active    bool `json:"active"`
	Fixed     bool `json:"fixed"`
	Requested bool `json:"requested"`
}

// ethFeaturesJSON prints as an object keyed by feature name, in the
// kernel's order.
type ethFeaturesJSON []ethNamedFeature

// ethNamedFeature is a feature with its name.
type ethNamedFeature struct {
	name string
	ethFeatureJSON
}

// MarshalJSON writes the features as one object, keys in order.
func (fs ethFeaturesJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.ethFeatureJSON)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
	g, err := genl.Dial(&netlink.Config{NetNS: e.ns})
	if err != nil {
		return fmt.Errorf("Cannot open generic netlink socket: %w", err)
	}
	c := ethtool.NewConn(g)
	defer c.Close()
	dev := ethtool.ByName(r.dev)
	out := ethtoolOut{Ifname: r.dev}
	var text strings.Builder
	single := r.cmd != "show" // one section asked for: its errors are errors
	// check decides about a section's error: nil to print the section,
	// errSkip to leave it out (show only), or the error.
	errSkip := errors.New("skip")
	check := func(err error) error {
		if err != nil && !single && ethUnsupported(err) {
			return errSkip
		}
		return err
	}
	seen := func(d ethtool.Device) {
		out.Ifname, out.Ifindex = d.Name, d.Index
	}

	if r.cmd == "show" {
		lm, err := c.LinkModes(ctx, dev)
		switch err = check(err); err {
		case nil:
			seen(lm.Device)
			out.LinkModes = ethLinkModesOut(lm)
		case errSkip:
		default:
			return err
		}
		li, err := c.LinkInfo(ctx, dev)
		switch err = check(err); err {
		case nil:
			seen(li.Device)
			out.LinkInfo = &ethLinkInfoJSON{Port: li.Port.String(), PhyAddr: li.PhyAddr, Transceiver: li.Transceiver.String(),
				MDIX: li.TPMDIX.String(), MDIXCtrl: li.TPMDIXCtrl.String()}
		case errSkip:
		default:
			return err
		}
		if out.LinkModes != nil || out.LinkInfo != nil {
			ethSettingsText(&text, r.dev, out.LinkModes, out.LinkInfo)
		}
	}
	if r.cmd == "show" || r.cmd == "channels" {
		ch, err := c.Channels(ctx, dev)
		switch err = check(err); err {
		case nil:
			seen(ch.Device)
			out.Channels = &ethChannelsJSON{RxMax: ch.RxMax, TxMax: ch.TxMax, OtherMax: ch.OtherMax, CombinedMax: ch.CombinedMax,
				Rx: ch.RxCount, Tx: ch.TxCount, Other: ch.OtherCount, Combined: ch.CombinedCnt}
			ethChannelsText(&text, r.dev, out.Channels)
		case errSkip:
		default:
			return err
		}
	}
	if r.cmd == "rings" || r.cmd == "show" && e.opts.Details {
		rg, err := c.Rings(ctx, dev)
		switch err = check(err); err {
		case nil:
			seen(rg.Device)
			out.Rings = &ethRingsJSON{RxMax: rg.RxMax, RxMiniMax: rg.RxMiniMax, RxJumboMax: rg.RxJumboMax, TxMax: rg.TxMax,
				Rx: rg.Rx, RxMini: rg.RxMini, RxJumbo: rg.RxJumbo, Tx: rg.Tx, RxBufLen: rg.RxBufLen,
				TCPDataSplit: rg.TCPDataSplit.String(), CQESize: rg.CQESize, TxPush: rg.TxPush, RxPush: rg.RxPush,
				TxPushBufLen: rg.TxPushBufLen, TxPushBufLenMax: rg.TxPushBufLenMax, HDSThresh: rg.HDSThresh, HDSThreshMax: rg.HDSThreshMax}
			ethRingsText(&text, r.dev, out.Rings)
		case errSkip:
		default:
			return err
		}
	}
	if r.cmd == "show" || r.cmd == "features" {
		f, err := c.Features(ctx, dev)
		switch err = check(err); err {
		case nil:
			seen(f.Device)
			out.Features = ethFeaturesOut(f)
			text.WriteString(f.String())
		case errSkip:
		default:
			return err
		}
	}
	if e.opts.JSON {
		return writeJSON(e, []ethtoolOut{out})
	}
	_, err = fmt.Fprint(e.stdout, text.String())
	return err
}

func ethLinkModesOut(lm ethtool.LinkModes) *ethLinkModesJSON {
	j := &ethLinkModesJSON{Duplex: lm.Duplex.String(), Autoneg: lm.Autoneg, Lanes: lm.Lanes,
		Supported: lm.Supported(), Advertised: lm.Advertised(), PeerAdvertised: lm.Peer.SetNames()}
	if j.Supported == nil {
		j.Supported = []string{}
	}
	if j.Advertised == nil {
		j.Advertised = []string{}
	}
	if lm.Speed != ethtool.SpeedUnknown {
		s := lm.Speed
		j.Speed = &s
	}
	return j
}

func ethFeaturesOut(f ethtool.Features) ethFeaturesJSON {
	out := ethFeaturesJSON{}
	for _, x := range f.Named() {
		out = append(out, ethNamedFeature{x.Name, ethFeatureJSON{Active: x.Active, Fixed: x.Fixed, Requested: x.Requested}})
	}
	return out
}

// ethModeList prints a link mode list as ethtool does, "Not reported"
// when empty.
func ethModeList(modes []string) string {
	if len(modes) == 0 {
		return "Not reported"
	}
	return strings.Join(modes, " ")
}

// ethSettingsText writes the part of `ethtool DEV` we know.
func ethSettingsText(b *strings.Builder, dev string, lm *ethLinkModesJSON, li *ethLinkInfoJSON) {
	fmt.Fprintf(b, "Settings for %s:\n", dev)
	if lm != nil {
		fmt.Fprintf(b, "\tSupported link modes:   %s\n", ethModeList(lm.Supported))
		fmt.Fprintf(b, "\tAdvertised link modes:  %s\n", ethModeList(lm.Advertised))
		if len(lm.PeerAdvertised) > 0 {
			fmt.Fprintf(b, "\tLink partner advertised link modes:  %s\n", ethModeList(lm.PeerAdvertised))
		}
		speed := "Unknown!"
		if lm.Speed != nil {
			speed = fmt.Sprintf("%dMb/s", *lm.Speed)
		}
		fmt.Fprintf(b, "\tSpeed: %s\n", speed)
		if lm.Lanes != 0 {
			fmt.Fprintf(b, "\tLanes: %d\n", lm.Lanes)
		}
		fmt.Fprintf(b, "\tDuplex: %s\n", lm.Duplex)
		an := "off"
		if lm.Autoneg {
			an = "on"
		}
		fmt.Fprintf(b, "\tAuto-negotiation: %s\n", an)
	}
	if li != nil {
		fmt.Fprintf(b, "\tPort: %s\n\tPHYAD: %d\n\tTransceiver: %s\n\tMDI-X: %s\n", li.Port, li.PhyAddr, li.Transceiver, li.MDIX)
	}
}

// ethCount prints a channel count as ethtool -l does: "n/a" for 0.
func ethCount(n uint32) string {
	if n == 0 {
		return "n/a"
	}
	return fmt.Sprint(n)
}

func ethChannelsText(b *strings.Builder, dev string, ch *ethChannelsJSON) {
	fmt.Fprintf(b, "Channel parameters for %s:\n", dev)
	fmt.Fprintf(b, "Pre-set maximums:\nRX:\t\t%s\nTX:\t\t%s\nOther:\t\t%s\nCombined:\t%s\n",
		ethCount(ch.RxMax), ethCount(ch.TxMax), ethCount(ch.OtherMax), ethCount(ch.CombinedMax))
	fmt.Fprintf(b, "Current hardware settings:\nRX:\t\t%s\nTX:\t\t%s\nOther:\t\t%s\nCombined:\t%s\n",
		ethCount(ch.Rx), ethCount(ch.Tx), ethCount(ch.Other), ethCount(ch.Combined))
}

func ethRingsText(b *strings.Builder, dev string, r *ethRingsJSON) {
	fmt.Fprintf(b, "Ring parameters for %s:\n", dev)
	fmt.Fprintf(b, "Pre-set maximums:\nRX:\t\t%s\nRX Mini:\t%s\nRX Jumbo:\t%s\nTX:\t\t%s\n",
		ethCount(r.RxMax), ethCount(r.RxMiniMax), ethCount(r.RxJumboMax), ethCount(r.TxMax))
	fmt.Fprintf(b, "Current hardware settings:\nRX:\t\t%s\nRX Mini:\t%s\nRX Jumbo:\t%s\nTX:\t\t%s\n",
		ethCount(r.Rx), ethCount(r.RxMini), ethCount(r.RxJumbo), ethCount(r.Tx))
	if r.RxBufLen != 0 {
		fmt.Fprintf(b, "RX Buf Len:\t\t%d\n", r.RxBufLen)
	}
	fmt.Fprintf(b, "TCP data split:\t\t%s\n", r.TCPDataSplit)
}
