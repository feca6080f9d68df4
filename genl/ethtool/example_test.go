package ethtool_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"syscall"

	"github.com/nlkit/nlkit/genl/ethtool"
)

// The first lines of `ethtool eth0`.
func ExampleConn_LinkInfo() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkInfo(context.Background(), ethtool.ByName("eth0"))
	if errors.Is(err, syscall.ENODEV) {
		fmt.Println("no eth0")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Port:", l.Port, "Transceiver:", l.Transceiver)
}

// Link information of every device.
func ExampleConn_LinkInfos() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for l, err := range c.LinkInfos(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l)
	}
}

// Speed, duplex, autonegotiation and link modes.
func ExampleConn_LinkModes() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkModes(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Speed:", l.SpeedString(), "Duplex:", l.Duplex, "Auto-negotiation:", l.Autoneg)
	fmt.Println("Supported link modes:", l.Supported())
	fmt.Println("Advertised link modes:", l.Advertised())
}

// Channel counts, like `ethtool -l eth0`.
func ExampleConn_Channels() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ch, err := c.Channels(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch)
}

// Ring sizes, like `ethtool -g eth0`.
func ExampleConn_Rings() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	r, err := c.Rings(context.Background(), ethtool.ByName("eth0"))
	if errors.Is(err, syscall.EOPNOTSUPP) {
		fmt.Println("the driver has no rings")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
}

// Offload features, like `ethtool -k eth0`.
func ExampleConn_Features() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(f)
	fmt.Println("GRO on:", f.Enabled("rx-gro"))
}

// Each feature's state, for printing as one likes; unnamed (retired)
// feature bits are not in the list.
func ExampleFeatures_Named() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	for _, x := range f.Named() {
		if !x.Fixed {
			fmt.Println(x.Name, x.Active)
		}
	}
}

// Print the ethtool family's policy with its command names.
func ExampleCommandNames() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	names := ethtool.CommandNames()
	cmd, _ := names.Command("features-get")
	p, err := c.Genl().CommandPolicy(context.Background(), ethtool.FamilyName, cmd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(p.Format(names)) // "  cmd 11 features-get do: policy #0" ...
}
