package nltest

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/netlink"
)

// Recorder captures the messages a Conn sends and receives, to replay them
// later without a kernel. Set its Trace method as netlink.Config.Trace of
// the Conn to record (against the real kernel), then Save. Safe for
// concurrent use.
type Recorder struct {
	mu   sync.Mutex
	msgs []recorded
}

type recorded struct {
	sent bool
	m    netlink.Message
}

// Trace records one message; it is a netlink.Config.Trace function.
func (r *Recorder) Trace(d netlink.Direction, m netlink.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.Data = append([]byte(nil), m.Data...)
	r.msgs = append(r.msgs, recorded{sent: d == netlink.Sent, m: m})
}

// Save writes the recording as text: one line per message, "send" or
// "recv" and the hex of the whole message.
func (r *Recorder) Save(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	bw := bufio.NewWriter(w)
	for _, x := range r.msgs {
		b, err := netlink.AppendMessage(nil, x.m.Header, x.m.Data)
		if err != nil {
			return err
		}
		dir := "recv"
		if x.sent {
			dir = "send"
		}
		fmt.Fprintf(bw, "%s %s\n", dir, hex.EncodeToString(b))
	}
	return bw.Flush()
}

// SaveFile writes the recording to a file (see Save).
func (r *Recorder) SaveFile(path string) error {
	var b bytes.Buffer
	if err := r.Save(&b); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// Replay is a Handler that plays a recording back: each request must equal
// the next recorded request (type, flags without Request/Ack, and payload;
// sequence and port may differ) and is answered with the messages recorded
// after it, renumbered to the new request. A request that does not match
// gets EINVAL with a message saying what was expected. Replay is for one
// Conn at a time, in the recorded order.
type Replay struct {
	mu    sync.Mutex
	steps []replayStep
	next  int
}

type replayStep struct {
	req     netlink.Message
	replies []netlink.Message
}

// LoadReplay reads a recording written by Recorder.Save.
func LoadReplay(r io.Reader) (*Replay, error) {
	rp := &Replay{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		dir, hx, ok := strings.Cut(strings.TrimSpace(sc.Text()), " ")
		if !ok {
			if dir == "" {
				continue
			}
			return nil, fmt.Errorf("nltest: recording line %d: no message", line)
		}
		b, err := hex.DecodeString(hx)
		if err != nil {
			return nil, fmt.Errorf("nltest: recording line %d: %w", line, err)
		}
		msgs, err := netlink.AppendParse(nil, b)
		if err != nil || len(msgs) != 1 {
			return nil, fmt.Errorf("nltest: recording line %d: not one message: %v", line, err)
		}
		switch dir {
		case "send":
			rp.steps = append(rp.steps, replayStep{req: msgs[0]})
		case "recv":
			if len(rp.steps) == 0 {
				return nil, fmt.Errorf("nltest: recording line %d: a reply before any request", line)
			}
			s := &rp.steps[len(rp.steps)-1]
			s.replies = append(s.replies, msgs[0])
		default:
			return nil, fmt.Errorf("nltest: recording line %d: %q is neither send nor recv", line, dir)
		}
	}
	return rp, sc.Err()
}

// LoadReplayFile reads a recording from a file.
func LoadReplayFile(path string) (*Replay, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadReplay(f)
}

// Remaining returns how many recorded requests have not been replayed.
func (rp *Replay) Remaining() int {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return len(rp.steps) - rp.next
}

const matchMask = ^(netlink.Request | netlink.Acknowledge)

// Handle implements Handler.
func (rp *Replay) Handle(req netlink.Message) ([]netlink.Message, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.next >= len(rp.steps) {
		return nil, Errorf(22, "nltest: replay: request %v after the end of the recording", req.Header)
	}
	s := rp.steps[rp.next]
	want := s.req
	if want.Header.Type != req.Header.Type || want.Header.Flags&matchMask != req.Header.Flags&matchMask || !bytes.Equal(want.Data, req.Data) {
		return nil, Errorf(22, "nltest: replay: request %d is %v with %d bytes, the recording has %v with %d bytes",
			rp.next, req.Header, len(req.Data), want.Header, len(want.Data))
	}
	rp.next++
	out := make([]netlink.Message, len(s.replies))
	for i, m := range s.replies {
		m.Header.Sequence = req.Header.Sequence
		m.Header.PortID = req.Header.PortID
		out[i] = m
	}
	return out, nil
}
