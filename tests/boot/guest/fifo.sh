#!/bin/sh -eu
# Named pipes the way shell scripts use them (tests/boot/test_fifo_shell.py): busybox's sh and
# applets (mkfifo, cat, ls, test -p), a background writer, a reader loop and an
# fd held open on both ends with exec 3<>. $1: a writable directory.
cd "$1"
mkfifo p
ls -l p | cut -c1
[ -p p ] && echo "p is a fifo"
(echo one; echo two) > p &
cat p
wait
exec 3<> p
echo "held open" >&3
read -r line <&3
echo "read back: $line"
exec 3>&-
(for i in 1 2 3; do echo "line $i"; done) > p &
n=0
while read -r l; do n=$((n + 1)); done < p
wait
echo "lines: $n"
rm p
[ -e p ] || echo "p removed"
