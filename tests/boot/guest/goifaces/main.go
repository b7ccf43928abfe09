// Go's interface discovery (net.Interfaces, net.InterfaceAddrs, Interface.Addrs), which the Go
// runtime answers with NETLINK_ROUTE dumps: each interface and its addresses on a line.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ifaces, err := net.Interfaces()
	if err != nil {
		fmt.Println("net.Interfaces:", err)
		os.Exit(1)
	}
	for _, ifc := range ifaces {
		addrs, err := ifc.Addrs()
		if err != nil {
			fmt.Println("Addrs:", err)
			os.Exit(1)
		}
		fmt.Printf("%d %s mtu %d flags %v hw %q addrs %v\n", ifc.Index, ifc.Name, ifc.MTU, ifc.Flags,
			ifc.HardwareAddr.String(), addrs)
	}
	all, err := net.InterfaceAddrs()
	if err != nil {
		fmt.Println("net.InterfaceAddrs:", err)
		os.Exit(1)
	}
	fmt.Println("all", all)
	byName, err := net.InterfaceByName("lo")
	if err != nil {
		fmt.Println("InterfaceByName:", err)
		os.Exit(1)
	}
	fmt.Println("lo index", byName.Index)
}
