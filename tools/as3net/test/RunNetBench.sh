#!/bin/sh
# RunNetBench.sh TOOL: starts `TOOL bench server --port 0`, runs a small bulk and echo client
# against it, and checks their RESULT lines (the peer kit's contract; figures are not checked).
# The server is ended by its pid, and must exit with status 0 on SIGTERM.
set -u
tool="$1"
dir="$(mktemp -d "${TMPDIR:-/tmp}/as3net-netbench.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/*; do [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done
  exit 1
}

"$tool" bench server --port 0 --cert ignored.pem --key ignored.key >"$dir/server.out" 2>"$dir/server.err" &
server=$!
port=""
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
  port="$(sed -n 's/^LISTENING port=\([0-9][0-9]*\).*/\1/p' "$dir/server.out")"
  [ -n "$port" ] || sleep 0.05
  i=$((i + 1))
done
[ -n "$port" ] || fail "the server printed no LISTENING line"

number='[0-9][0-9.]*'
"$tool" bench client bulk --ca ignored.pem --port "$port" --bytes 10000000 --chunk 16384 \
  >"$dir/bulk.out" 2>"$dir/bulk.err" || fail "client bulk failed"
grep -Eq "^RESULT op=bulk bytes=10000000 seconds=$number MBps=$number cpu_s=$number( |\$)" \
  "$dir/bulk.out" || fail "client bulk: RESULT line"

# The kit's w2 names no op: bulk.
"$tool" bench client --port "$port" --bytes 100000 --chunk 16384 >"$dir/w2.out" 2>"$dir/w2.err" ||
  fail "client (w2 form) failed"
grep -Eq "^RESULT op=bulk bytes=100000 " "$dir/w2.out" || fail "client (w2 form): RESULT line"

"$tool" bench client echo --ca ignored.pem --port "$port" --size 100 --conns 2 --seconds 0.3 \
  >"$dir/echo.out" 2>"$dir/echo.err" || fail "client echo failed"
grep -Eq "^RESULT op=echo conns=2 size=100 msgs=[1-9][0-9]* seconds=$number msgs_per_s=$number cpu_s=$number( |\$)" \
  "$dir/echo.out" || fail "client echo: RESULT line"

kill -TERM "$server"
wait "$server"
status=$?
server=""
[ "$status" -eq 0 ] || fail "the server exited with status $status on SIGTERM"
echo "PASS"
