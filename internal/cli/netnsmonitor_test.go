package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

// TestNetnsMonitorLikeIP: netns monitor prints "add NAME" and "delete
// NAME" as named namespaces come and go, as ip's does (run side by side
// with ip's; other tests' namespaces may show up in both, so only ours are
// compared), and ends quietly when interrupted.
func TestNetnsMonitorLikeIP(t *testing.T) {
	kerneltest.Tool(t, "ip", "iproute2")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second) // a monitor that prints nothing fails rather than hangs
	kerneltest.Require(t)
	ipCmd := exec.CommandContext(ctx, "stdbuf", "-oL", "ip", "netns", "monitor")
	ipOut, err := ipCmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := ipCmd.Start(); err != nil {
		t.Skipf("stdbuf: %v (coreutils)", err)
	}
	nlR, nlW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- RunProgram(ctx, "ip", []string{"netns", "monitor"}, strings.NewReader(""), nlW, io.Discard)
		nlW.Close()
	}()
	time.Sleep(300 * time.Millisecond) // both watching
	name := fmt.Sprintf("nlkit-test-mon%d", time.Now().UnixNano()%1e9)
	ns, err := netns.NewNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	ns.Close()
	if err := netns.DeleteNamed(name); err != nil {
		t.Fatal(err)
	}
	want := []string{"add " + name, "delete " + name}
	for who, r := range map[string]io.Reader{"ip": ipOut, "nl": nlR} {
		var got []string
		s := bufio.NewScanner(r)
		for len(got) < 2 && s.Scan() {
			if strings.HasSuffix(s.Text(), " "+name) {
				got = append(got, s.Text())
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s netns monitor: %q, want %q", who, got, want)
		}
	}
	cancel()
	go io.Copy(io.Discard, nlR)
	if code := <-done; code != ExitOK {
		t.Errorf("nl netns monitor ended with %d when interrupted, want 0", code)
	}
	ipCmd.Wait()
}
