package nltest

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

const (
	typGet = 0x20
	typNew = 0x21
)

// kv is a toy stateful family: NEW stores a key, GET reads one or dumps all.
type kv struct {
	mu   sync.Mutex
	keys map[uint32]bool
	srv  *Server
}

func (k *kv) Handle(req netlink.Message) ([]netlink.Message, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(req.Data) < 4 {
		return nil, Errorf(syscall.EINVAL, "payload of %d bytes, want 4", len(req.Data))
	}
	key := binary.NativeEndian.Uint32(req.Data)
	reply := func(key uint32) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: typNew}, Data: binary.NativeEndian.AppendUint32(nil, key)}
	}
	switch req.Header.Type {
	case typNew:
		if k.keys[key] && req.Header.Flags&netlink.Excl != 0 {
			return nil, Errorf(syscall.EEXIST, "key %d exists", key)
		}
		k.keys[key] = true
		if k.srv != nil {
			k.srv.Notify(1, reply(key))
		}
		return nil, nil
	case typGet:
		if req.Header.Flags&netlink.Dump == netlink.Dump {
			var out []netlink.Message
			for _, kk := range slices.Sorted(mapsKeys(k.keys)) {
				out = append(out, reply(kk))
			}
			return out, nil
		}
		if !k.keys[key] {
			return nil, syscall.ENOENT
		}
		return []netlink.Message{reply(key)}, nil
	}
	return nil, syscall.EOPNOTSUPP
}

func mapsKeys(m map[uint32]bool) func(func(uint32) bool) {
	return func(yield func(uint32) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func keyMsg(typ netlink.MessageType, flags netlink.Flags, key uint32) netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: binary.NativeEndian.AppendUint32(nil, key)}
}

func TestHandlerRequestsAndErrors(t *testing.T) {
	c, err := Dial(&kv{keys: map[uint32]bool{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Execute(ctx, keyMsg(typNew, netlink.Create|netlink.Excl, 7)); err != nil {
		t.Fatal(err)
	}
	_, err = c.Execute(ctx, keyMsg(typNew, netlink.Create|netlink.Excl, 7))
	var ne *netlink.Error
	if !errors.As(err, &ne) || !errors.Is(err, fs.ErrExist) || ne.Message != "key 7 exists" {
		t.Fatalf("second add: %v", err)
	}
	msgs, err := c.Execute(ctx, keyMsg(typGet, 0, 7))
	if err != nil || len(msgs) != 1 || binary.NativeEndian.Uint32(msgs[0].Data) != 7 {
		t.Fatalf("get: %v %v", msgs, err)
	}
	if _, err := c.Execute(ctx, keyMsg(typGet, 0, 8)); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("get missing: %v", err)
	}
	if _, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typGet}}); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("bad payload: %v", err)
	}
}

func TestHandlerDumpAndBatch(t *testing.T) {
	c, err := Dial(&kv{keys: map[uint32]bool{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var reqs []netlink.Message
	for k := range uint32(5000) {
		reqs = append(reqs, keyMsg(typNew, netlink.Create|netlink.Excl, k%4990))
	}
	err = c.Batch(ctx, slices.Values(reqs))
	var be *netlink.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 10 || be.Failures[0].Index != 4990 {
		t.Fatalf("batch: %v", err)
	}
	n := 0
	for m, err := range c.Dump(ctx, keyMsg(typGet, 0, 0)) {
		if err != nil {
			t.Fatal(err)
		}
		if got := binary.NativeEndian.Uint32(m.Data); got != uint32(n) {
			t.Fatalf("dump item %d is %d", n, got)
		}
		n++
	}
	if n != 4990 {
		t.Fatalf("dumped %d", n)
	}
}

func TestNotifyOverrunDeadlineClose(t *testing.T) {
	k := &kv{keys: map[uint32]bool{}}
	srv := NewServer(k)
	k.srv = srv
	watcher, err := srv.Dial(&netlink.Config{Groups: []uint32{1}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := srv.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for key := range uint32(3) {
		if _, err := c.Execute(ctx, keyMsg(typNew, netlink.Create, key)); err != nil {
			t.Fatal(err)
		}
	}
	srv.Overrun()
	// The notifications queued before the loss are older than it and go
	// with it (netlink.Transport's rule); what is sent after it arrives.
	// (The overrun reaches every Conn of the Server, c too: the change
	// goes through a new one.)
	c2, err := srv.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Execute(ctx, keyMsg(typNew, netlink.Create, 3)); err != nil {
		t.Fatal(err)
	}
	var got []uint32
	overruns := 0
	rctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for n, err := range watcher.Receive(rctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			overruns++
			continue
		}
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
		if n.Group != 1 {
			t.Fatalf("group %d", n.Group)
		}
		got = append(got, binary.NativeEndian.Uint32(n.Data))
	}
	if overruns != 1 || !slices.Equal(got, []uint32{3}) {
		t.Fatalf("overruns %d, notifications %v", overruns, got)
	}
	// Close unblocks a pending Receive.
	errc := make(chan error, 1)
	go func() {
		for _, err := range watcher.Receive(ctx) {
			errc <- err
			return
		}
	}()
	time.Sleep(20 * time.Millisecond)
	watcher.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("after Close: %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not unblock Receive")
	}
}

func TestConcurrentRequests(t *testing.T) {
	k := &kv{keys: map[uint32]bool{}}
	c, err := Dial(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range uint32(16) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range uint32(300) {
				key := g*1000 + i
				if _, err := c.Execute(context.Background(), keyMsg(typNew, netlink.Create, key)); err != nil {
					errs <- err
					return
				}
				msgs, err := c.Execute(context.Background(), keyMsg(typGet, 0, key))
				if err != nil || len(msgs) != 1 || binary.NativeEndian.Uint32(msgs[0].Data) != key {
					errs <- fmt.Errorf("goroutine %d key %d: %v %v", g, key, msgs, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// Unicast reaches the Conn on the port, in its Receive; a port without a
// Conn is refused.
func TestServerUnicast(t *testing.T) {
	s := NewServer(HandlerFunc(func(netlink.Message) ([]netlink.Message, error) { return nil, nil }))
	c, err := s.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := s.Unicast(c.PortID(), netlink.Message{Header: netlink.Header{Type: 1300}, Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for n, err := range c.Receive(context.Background()) {
		if err != nil || n.Header.Type != 1300 || string(n.Data) != "x" || n.Group != 0 || n.SenderPort != 0 {
			t.Fatalf("%+v %v", n, err)
		}
		break
	}
	if err := s.Unicast(c.PortID() + 100); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("unicast to nobody: %v", err)
	}
}
