#!/bin/sh
# Debian's redis-server daemonized in the guest (fork, setsid, a pid file) with an append-only
# file, and redis-cli talking to it over loopback: SET/GET/INCR, BGREWRITEAOF (a fork writing
# the new base file), INFO, SHUTDOWN. Run by tests/boot/test_redis.py.
redis-server --daemonize yes --port 6379 --dir /tmp --appendonly yes --logfile /tmp/redis.log --pidfile /tmp/redis.pid
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    redis-cli ping 2>/dev/null | grep -q PONG && break
    sleep 0.5
done
redis-cli --raw set k v
redis-cli --raw get k
redis-cli --raw incrby n 41
redis-cli --raw incr n
redis-cli --raw bgrewriteaof
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    redis-cli --raw info persistence | grep -q '^aof_rewrite_in_progress:0' && break
    sleep 0.5
done
redis-cli --raw info persistence | grep -E '^aof_last_bgrewrite_status|^aof_rewrites:' | tr -d '\r'
redis-cli --raw shutdown
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /tmp/redis.pid ] || break; sleep 0.5; done
ls /tmp/appendonlydir | sed 's/[0-9][0-9]*/N/g'
grep -c 'ready to exit, bye bye' /tmp/redis.log
