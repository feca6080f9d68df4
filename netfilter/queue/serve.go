package queue

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/nlkit/nlkit/netlink"
)

// ServeConfig describes a pool of queues served by Serve.
type ServeConfig struct {
	// Queue is the settings of every queue; its Num is ignored.
	Queue Config
	// Nums are the queue numbers to bind, each on its own socket with its
	// own reader: iptables' --queue-balance 4:7 spreads flows over
	// queues 4, 5, 6 and 7 (packets of one flow stay on one queue, so in
	// order). Empty: queue Queue.Num alone.
	Nums []uint16
	// Workers is how many goroutines per queue run the handler and give
	// the verdicts; 0 means GOMAXPROCS. Packets of one queue may then be
	// handled out of order.
	Workers int
	// Errors, if set, is called (from a reader goroutine) with each error
	// that does not stop the queue: netlink.ErrOverrun, *VerdictError, a
	// packet that did not decode (given Drop when its id was known), a
	// verdict that could not be sent.
	Errors func(num uint16, err error)
}

// Serve binds the queues of cfg and calls handle for every packet, on
// cfg.Workers goroutines per queue, giving each packet the verdict handle
// returns (its ID is filled in). The *Packet passed to handle is valid
// until handle returns. It returns when ctx ends (with nil) or a queue
// fails (with its error), after giving the packets it holds their
// verdicts and closing the queues (the kernel drops those it still held
// unread).
//
// The reader copies each packet into one of a fixed set of buffers that
// the workers hand back: Serve allocates nothing per packet.
func Serve(ctx context.Context, cfg *ServeConfig, handle func(*Packet) Verdict) error {
	nums := cfg.Nums
	if len(nums) == 0 {
		nums = []uint16{cfg.Queue.Num}
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	conns := make([]*Conn, 0, len(nums))
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for _, n := range nums {
		qc := cfg.Queue
		qc.Num = n
		c, err := Dial(&qc)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(conns))
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := serveOne(ctx, c, workers, cfg.Errors, handle); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

type slot struct {
	p   Packet
	buf []byte
}

func serveOne(ctx context.Context, c *Conn, workers int, onErr func(uint16, error), handle func(*Packet) Verdict) error {
	report := func(err error) {
		if onErr != nil {
			onErr(c.num, err)
		}
	}
	free := make(chan *slot, workers*2)
	for range cap(free) {
		free <- &slot{}
	}
	work := make(chan *slot)
	// Verdicts go on after ctx ends, for the packets already taken.
	vctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				v := handle(&s.p)
				v.ID = s.p.ID
				if err := c.SetVerdict(vctx, v); err != nil {
					report(err)
				}
				free <- s
			}
		}()
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	for p, err := range c.Packets(ctx) {
		if err != nil {
			if p != nil {
				// Undecodable, but its id is known: do not strand it.
				report(err)
				if err := c.SetVerdict(vctx, Verdict{ID: p.ID, Action: Drop}); err != nil {
					report(err)
				}
				continue
			}
			var ve *VerdictError
			if errors.Is(err, netlink.ErrOverrun) || errors.As(err, &ve) {
				report(err)
				continue
			}
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("queue: serve queue %d: %w", c.num, err)
		}
		var s *slot
		select {
		case s = <-free:
		case <-ctx.Done():
			// The packet goes back to the kernel's care: it drops it at
			// Close.
			return nil
		}
		s.buf = p.CopyTo(&s.p, s.buf)
		work <- s
	}
	return nil
}
