#!/bin/sh
# busybox's net-tools over /proc/net and the SIOCGIF* requests, with the default NIC
# (tests/boot/test_procnet_nic.py): a listener for netstat to find, then ifconfig, netstat
# -tln and route -n as a user types them, en1's /sys/class/net attributes, then en1 down, up
# and with a smaller MTU.
busybox nc -l -p 8080 127.0.0.1 </dev/null >/dev/null &
for i in 1 2 3 4 5 6 7 8 9 10; do       # until the listener is up (bounded: 5 s)
    busybox netstat -tln | busybox grep -q :8080 && break
    busybox sleep 0.5
done
busybox ifconfig
busybox netstat -tln
busybox route -n
for a in address mtu ifindex flags operstate carrier type tx_queue_len; do
    echo "en1 $a $(busybox cat /sys/class/net/en1/$a)"
done
kill %1
# as root: down and up again (SIOCSIFFLAGS), a smaller MTU (SIOCSIFMTU)
busybox ifconfig en1 down && busybox ifconfig en1 | busybox grep MTU
busybox ifconfig en1 up && busybox ifconfig en1 mtu 1400 && busybox ifconfig en1 | busybox grep MTU
busybox cat /sys/class/net/en1/mtu
