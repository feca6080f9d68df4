package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// netnsMonitor is ip netns monitor: the names added to and deleted from
// /run/netns as they come (inotify), one line each, until interrupted.
// As ip, it creates the directory if it is missing.
func (e *env) netnsMonitor(ctx context.Context) error {
	if err := os.Mkdir(netnsRunDir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return failf("mkdir %s failed: %v", netnsRunDir, err)
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return failf("inotify_init failed: %v", err)
	}
	f := os.NewFile(uintptr(fd), "inotify") // non-blocking: reads park on the poller
	defer f.Close()
	if _, err := unix.InotifyAddWatch(fd, netnsRunDir, unix.IN_CREATE|unix.IN_DELETE); err != nil {
		return failf("inotify_add_watch failed: %v", err)
	}
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	buf := make([]byte, 64*1024)
	for {
		n, err := f.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted, as ip's loop ends on a signal
			}
			return failf("read failed: %v", err)
		}
		// struct inotify_event: wd, mask, cookie, len, then len bytes of
		// NUL-padded name.
		for b := buf[:n]; len(b) >= unix.SizeofInotifyEvent; {
			mask := binary.NativeEndian.Uint32(b[4:])
			end := unix.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(b[12:]))
			if end > len(b) {
				break
			}
			name, _, _ := strings.Cut(string(b[unix.SizeofInotifyEvent:end]), "\x00")
			switch {
			case mask&unix.IN_Q_OVERFLOW != 0:
				// The kernel's event queue overflowed: names came and went
				// unseen. ip says nothing; nl says so, on standard error.
				fmt.Fprintln(e.stderr, "Overrun: events were lost")
			case mask&unix.IN_CREATE != 0:
				fmt.Fprintf(e.stdout, "add %s\n", name)
			case mask&unix.IN_DELETE != 0:
				fmt.Fprintf(e.stdout, "delete %s\n", name)
			}
			b = b[end:]
		}
		if err := e.flush(); err != nil {
			return err
		}
	}
}
