#!/bin/sh
# echo_test.sh SERVER CLIENT: runs the echo samples together, as ctest's sample_echo does.
# Starts SERVER on port 0, reads the port it prints, runs CLIENT with fixed messages and then
# with standard input, checks what came back, and stops SERVER by its pid.
set -u
server=$1
client=$2

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "echo_test: FAILED: $*" >&2
  echo "--- server output:" >&2
  cat "$work/server.out" >&2
  exit 1
}

# wait_for PATTERN: up to 10 s for the server's output to contain a line matching PATTERN.
wait_for() {
  tries=0
  until grep -q "$1" "$work/server.out"; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || fail "the server never printed \"$1\""
    kill -0 "$pid" 2>/dev/null || fail "the server exited"
    sleep 0.1
  done
}

"$server" 0 >"$work/server.out" 2>&1 &
pid=$!
wait_for '^echo_server: listening on '
port=$(sed -n 's/^echo_server: listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out")
[ -n "$port" ] || fail "no port in the server's first line"
echo "echo_test: the server (pid $pid) listens on port $port"

# 1. Messages from the command line, one of them UTF-8.
"$client" 127.0.0.1 "$port" "hello, echo" "über ✓" >"$work/client1.out" 2>&1 ||
  { cat "$work/client1.out"; fail "the client exited with $?"; }
cat "$work/client1.out"
grep -qx '< hello, echo' "$work/client1.out" || fail "no echo of \"hello, echo\""
grep -qx '< über ✓' "$work/client1.out" || fail "no echo of \"über ✓\""
grep -q 'bytes echoed back unchanged' "$work/client1.out" || fail "no success line"

# 2. Lines from standard input.
printf 'first line\nsecond line\n' | "$client" 127.0.0.1 "$port" - >"$work/client2.out" 2>&1 ||
  { cat "$work/client2.out"; fail "the client (stdin) exited with $?"; }
cat "$work/client2.out"
grep -qx '< second line' "$work/client2.out" || fail "no echo of \"second line\""

# 3. The server saw both clients close and dropped them. The second client may exit before the
# server has read its close: wait for that client's own line.
second=$(sed -n 's/^echo_client: connected from \(.*\)$/\1/p' "$work/client2.out")
[ -n "$second" ] || fail "the second client did not say where it connected from"
wait_for "^echo_server: $second: closed the connection (0 connected)"
[ "$(grep -c 'closed the connection' "$work/server.out")" -eq 2 ] ||
  fail "the server did not report two closes"

# 4. A refused connection is an ioError with its text, and exit status 1.
kill "$pid"
wait "$pid" 2>/dev/null
pid=
"$client" 127.0.0.1 "$port" "nobody listens" >"$work/client3.out" 2>&1
status=$?
cat "$work/client3.out"
[ "$status" -eq 1 ] || fail "the client exited with $status after a refused connection"
grep -q 'Error #2031' "$work/client3.out" || fail "no ioError text for the refused connection"

echo "--- server output:"
cat "$work/server.out"
echo "echo_test: passed"
