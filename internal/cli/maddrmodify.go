package cli

import (
	"context"

	"unsafe"

	"golang.org/x/sys/unix"
)

// maddress add|del: ip 6.1's multiaddr_modify, which joins or leaves a
// link-layer multicast group with the SIOCADDMULTI / SIOCDELMULTI ioctls
// on a socket in the namespace (there is no netlink request for it). The
// groups it adds show in `maddress show` as "static".

// ifreqHW is struct ifreq with its struct sockaddr ifr_hwaddr.
type ifreqHW struct {
	name   [unix.IFNAMSIZ]byte
	family uint16
	data   [14]byte
	_      [8]byte // the rest of the union
}

// maddrRequest is a parsed maddress add|del.
type maddrRequest struct {
	add  bool
	dev  string
	addr [14]byte // sa_data, as ip fills it
}

// parseMaddrModify reads maddress add|del's words as ip: "dev NAME",
// and an address, after "address" or bare; a second address is refused
// only while the first one's first byte is not 0 (ip tests sa_data[0]).
func parseMaddrModify(add bool, args []string) (maddrRequest, error) {
	r := maddrRequest{add: add}
	a := wordsOf(args)
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
			if !validIfname(v) {
				return r, errInvarg(`"dev" not a valid ifname`, v)
			}
			r.dev = v
			continue
		}
		if matches(w, "address") {
			v, err := a.value()
			if err != nil {
				return r, err
			}
			w = v
		}
		if matches(w, "help") {
			return r, usagef("%s", maddrUsage)
		}
		if r.addr[0] != 0 {
			return r, errDuparg("address", w)
		}
		hw, err := parseLLAddr(w, len(r.addr))
		if err != nil {
			return r, err
		}
		if len(hw) != 6 {
			return r, errBadWord("Error: Invalid address length %d - must be 6 bytes", len(hw))
		}
		copy(r.addr[:], hw)
	}
	if r.dev == "" {
		return r, usagef(`Not enough information: "dev" is required.`)
	}
	return r, nil
}

// maddrUsage is ip 6.1's usage of maddress.
const maddrUsage = `Usage: nl maddr [ add | del ] MULTIADDR dev STRING
       nl maddr show [ dev STRING ]`

// maddressModify runs maddress add|del: the ioctl on an AF_INET datagram
// socket in the -n namespace; its error is ip's perror("ioctl"), exit 1.
func (e *env) maddressModify(_ context.Context, add bool, args []string) error {
	r, err := parseMaddrModify(add, args)
	if err != nil {
		return err
	}
	req := uintptr(unix.SIOCDELMULTI)
	if r.add {
		req = unix.SIOCADDMULTI
	}
	var ifr ifreqHW
	copy(ifr.name[:], r.dev)
	ifr.data = r.addr
	do := func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return failf("Cannot create socket: %s", capitalize(err.Error()))
		}
		defer unix.Close(fd)
		if _, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), req, uintptr(unsafe.Pointer(&ifr))); errno != 0 {
			return failf("ioctl: %s", capitalize(errno.Error()))
		}
		return nil
	}
	if e.ns != nil {
		return e.ns.Do(do)
	}
	return do()
}

// maddrBatchLine runs a -batch line that is maddress add or del, and says
// so: ip's multiaddr_modify ends the process (exit(0), exit(1) after a
// failed ioctl, exit(-1) on a bad word), so the batch stops after it
// whatever follows and whatever failed before, -force or not.
func (e *env) maddrBatchLine(ctx context.Context, words []string) (int, bool) {
	if len(words) < 2 {
		return 0, false
	}
	if o, ok := lookupObject(words[0]); !ok || o.name != "maddress" {
		return 0, false
	}
	if cmd, ok := lookupCommand(words[1], maddressCommands); !ok || cmd == "show" {
		return 0, false
	}
	return report(e.stderr, dispatch(ctx, e, words)), true
}
