#!/bin/sh -eu
# A #! script as PROGRAM (tests/boot/test_run_script.py): the shell comes from --with
# /bin/busybox (its applet link /bin/sh), and starts with binfmt_script's argv. Builtins only:
# nothing here forks.
echo "0=${0##*/} #=$# flags=$-"
for a in "$@"; do printf '[%s]\n' "$a"; done
n=0
while [ "$n" -lt 5 ]; do n=$((n + 1)); done
echo "n=$n"
case "$1" in a*) echo "first starts with a" ;; esac
f() { echo "f:$#:$*"; return 4; }
f x "y z" || echo "f returned $?"
echo "${UNSET:-default} ${#2}"
