package audittest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/audit/audittest"
)

// Test code that reads audit events, without root: the fake plays a
// scripted event to a listener.
func ExampleFake() {
	f := audittest.New()
	defer f.Close()
	l, err := f.DialListener(nil)
	if err != nil {
		log.Fatal(err)
	}
	f.EmitEvent(
		audittest.Record{Type: audit.TypeSyscall, Text: `arch=c000003e syscall=257 success=yes exit=3 auid=1000 comm="vi" key="etc"`},
		audittest.Record{Type: audit.TypePath, Text: `item=0 name="/etc/hosts" nametype=NORMAL`},
	)
	for ev, err := range l.Events(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		name, _ := ev.Value("name")
		auid, _ := ev.Value("auid")
		fmt.Println(ev.Key(), auid, name, len(ev.Records), ev.EOE)
		break
	}
	// Output:
	// etc 1000 /etc/hosts 2 true
}

// Rules added through the fake are kept and listed as the kernel lists them.
func ExampleFake_RuleList() {
	f := audittest.New()
	defer f.Close()
	c, err := f.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	var r audit.Rule
	if err := r.UnmarshalText([]byte("-a always,exit -F arch=b64 -S execve -k exec")); err != nil {
		log.Fatal(err)
	}
	if err := c.AddRule(context.Background(), r); err != nil {
		log.Fatal(err)
	}
	for _, r := range f.RuleList() {
		fmt.Println(r)
	}
	// Output:
	// -a always,exit -F arch=b64 -S execve -F key=exec
}
