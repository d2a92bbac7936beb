#!/bin/sh
# chat_test.sh SERVER CLIENT: runs the chat samples together over loopback, as ctest's
# sample_chat does: one server, then two clients at once, alice (lines from the command line)
# and bob (lines from standard input), each waiting for the other and for the other's two lines.
# Checks that each saw the other's lines, both exit statuses, and the server's log. Every process
# started here is stopped by its pid, whatever happens (trap).
set -u
server=$1
client=$2

work=$(mktemp -d)
pids=
cleanup() {
  for p in $pids; do
    kill "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "chat_test: FAILED: $*" >&2
  for f in "$work"/*.out; do
    [ -f "$f" ] && { echo "--- $f:" >&2; cat "$f" >&2; }
  done
  exit 1
}

: >"$work/server.out"  # exists before the background shell opens it, so grep never misses it
"$server" --seconds 60 >"$work/server.out" 2>&1 &
server_pid=$!
pids="$server_pid"
tries=0
until grep -q '^chat_server: listening on ' "$work/server.out"; do
  tries=$((tries + 1))
  [ "$tries" -le 100 ] || fail "the server never printed its port"
  kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
  sleep 0.1
done
port=$(sed -n 's/^chat_server: listening on .*:\([0-9][0-9]*\)$/\1/p' "$work/server.out")
[ -n "$port" ] || fail "no port in the server's listening line"
echo "chat_test: the server (pid $server_pid) listens on port $port"

# Both clients run at the same time; whichever joins second finds the other in chat.Welcome.
"$client" 127.0.0.1 "$port" alice --wait-for bob --expect 2 --seconds 20 \
  "hello bob" "AMF3 says: ça va ?" >"$work/alice.out" 2>&1 &
alice_pid=$!
pids="$pids $alice_pid"
printf 'hi alice\nfine, thanks\n' |
  "$client" 127.0.0.1 "$port" bob --wait-for alice --expect 2 --seconds 20 - \
    >"$work/bob.out" 2>&1 &
bob_pid=$!
pids="$pids $bob_pid"

wait "$alice_pid"
alice_status=$?
wait "$bob_pid"
bob_status=$?
pids="$server_pid"
echo "--- alice:"
cat "$work/alice.out"
echo "--- bob:"
cat "$work/bob.out"
[ "$alice_status" -eq 0 ] || fail "alice exited with $alice_status"
[ "$bob_status" -eq 0 ] || fail "bob exited with $bob_status"

# Each heard the other, and got its own lines back as receipts.
grep -qx '\[bob\] hi alice' "$work/alice.out" || fail "alice did not hear \"hi alice\""
grep -qx '\[bob\] fine, thanks' "$work/alice.out" || fail "alice did not hear \"fine, thanks\""
grep -qx '\[alice\] hello bob' "$work/bob.out" || fail "bob did not hear \"hello bob\""
grep -qx '\[alice\] AMF3 says: ça va ?' "$work/bob.out" || fail "bob did not hear the UTF-8 line"
grep -qx '\[alice\] hello bob' "$work/alice.out" || fail "alice's own line did not come back"
grep -qx '\[bob\] hi alice' "$work/bob.out" || fail "bob's own line did not come back"
grep -q 'alice leaves, having heard 2 lines from others' "$work/alice.out" || fail "alice's summary"
grep -q 'bob leaves, having heard 2 lines from others' "$work/bob.out" || fail "bob's summary"
# One of them met the other in chat.Welcome, the other saw a chat.Joined.
cat "$work/alice.out" "$work/bob.out" | grep -q '^\* joined as .*; here already: \(alice\|bob\)$' ||
  fail "nobody found the other in chat.Welcome"
cat "$work/alice.out" "$work/bob.out" | grep -q '^\* \(alice\|bob\) joined$' ||
  fail "nobody saw the other's chat.Joined"

# The server relayed four lines and saw both go. Usually as "left" (Event.CLOSE); but when one
# leaves just as the server tells it that the other left, that write fails (EPIPE) and the
# server sees an ioError instead, reported as "lost". Both end the membership.
tries=0
until [ "$(grep -c '^chat_server: \(alice\|bob\) \(left\|lost: .*\) ([0-9]* connected)$' \
  "$work/server.out")" -eq 2 ]; do
  tries=$((tries + 1))
  [ "$tries" -le 50 ] || fail "the server did not see both leave"
  sleep 0.1
done
[ "$(grep -c '^chat_server: #[0-9]* \[' "$work/server.out")" -eq 4 ] ||
  fail "the server did not relay exactly four lines"
grep -q 'broke the protocol' "$work/server.out" && fail "a client broke the protocol"

echo "--- server:"
cat "$work/server.out"
echo "chat_test: passed"
