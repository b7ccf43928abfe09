# Run by busybox sh as pid 1 (tests/boot/test_nginx_workers.py): nginx from its stock config, then
# SIGKILL to its first worker; once the master has started another, its log goes to stderr.
/usr/sbin/nginx -g 'daemon off; error_log stderr notice;' 2>/tmp/nginx.log &
until grep -q 'start worker process' /tmp/nginx.log; do sleep 0.1; done
worker=$(sed -n 's/.*start worker process \([0-9]*\)$/\1/p' /tmp/nginx.log | head -n 1)
kill -9 "$worker"
until [ "$(grep -c 'start worker process' /tmp/nginx.log)" -ge 2 ]; do sleep 0.1; done
cat /tmp/nginx.log >&2
wait
