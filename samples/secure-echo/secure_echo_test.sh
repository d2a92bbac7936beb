#!/bin/sh
# secure_echo_test.sh SERVER CLIENT: runs the secure-echo samples together over loopback, as
# ctest's sample_secure_echo does.
#  1. SERVER with a throwaway CA, writing the CA certificate; CLIENT trusting it: echo over TLS.
#  2. CLIENT without --ca: the certificate is refused, certificateError + ioError, exit status 1.
#  3. When the openssl command exists: SERVER with --cert/--key files made by openssl.
# Every server is stopped by its pid, whatever happens (trap).
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
  echo "secure_echo_test: FAILED: $*" >&2
  for f in "$work"/server*.out; do
    [ -f "$f" ] && { echo "--- $f:" >&2; cat "$f" >&2; }
  done
  exit 1
}

# start_server OUT ARGS...: starts SERVER in the background, waits up to 10 s for its
# "listening" line, and sets $port. The pid joins $pids at once, so the trap always kills it.
start_server() {
  out=$1
  shift
  : >"$out"  # exists before the background shell opens it, so grep below never misses it
  "$server" --seconds 60 "$@" >"$out" 2>&1 &
  server_pid=$!
  pids="$pids $server_pid"
  tries=0
  until grep -q '^secure_echo_server: listening on ' "$out"; do
    tries=$((tries + 1))
    [ "$tries" -le 100 ] || fail "the server never printed its port"
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited"
    sleep 0.1
  done
  port=$(sed -n 's/^secure_echo_server: listening on .*:\([0-9][0-9]*\)$/\1/p' "$out")
  [ -n "$port" ] || fail "no port in the server's listening line"
  echo "secure_echo_test: server pid $server_pid listens on port $port"
}

# 1. A throwaway CA, trusted through --ca.
start_server "$work/server1.out" --write-ca "$work/ca.pem"
[ -s "$work/ca.pem" ] || fail "the server did not write the CA certificate"
"$client" 127.0.0.1 "$port" --ca "$work/ca.pem" "hello over TLS" "über ✓" \
  >"$work/client1.out" 2>&1
status=$?
cat "$work/client1.out"
[ "$status" -eq 0 ] || fail "the trusting client exited with $status"
grep -qx 'serverCertificateStatus: trusted' "$work/client1.out" || fail "not trusted"
grep -qx 'protocol: TLSv1.3' "$work/client1.out" || fail "no TLS 1.3"
grep -q '^cipher: TLS_' "$work/client1.out" || fail "no cipher"
grep -qx '< hello over TLS' "$work/client1.out" || fail "no echo of \"hello over TLS\""
grep -qx '< über ✓' "$work/client1.out" || fail "no echo of \"über ✓\""

# 2. No --ca: the same server's certificate is refused, and the client says how.
"$client" 127.0.0.1 "$port" "never sent" >"$work/client2.out" 2>&1
status=$?
cat "$work/client2.out"
[ "$status" -eq 1 ] || fail "the untrusting client exited with $status, expected 1"
grep -q '^certificateError: Certificate rejected (untrustedSigners)' "$work/client2.out" ||
  fail "no certificateError text"
grep -qx 'serverCertificateStatus: untrustedSigners' "$work/client2.out" || fail "no status"
grep -q 'failed: Error #2031: Socket Error. URL: 127.0.0.1. Certificate rejected (untrustedSigners)' \
  "$work/client2.out" || fail "no ioError text"
grep -q '^rejected certificate: CN=localhost' "$work/client2.out" || fail "no rejected certificate"
grep -q '> never sent' "$work/client2.out" && fail "a message went to an untrusted server"

# The server announced only the trusted client, and saw it close cleanly (close_notify).
tries=0
until grep -q 'a client closed the connection (0 connected)' "$work/server1.out"; do
  tries=$((tries + 1))
  [ "$tries" -le 50 ] || fail "the server did not see the client close"
  sleep 0.1
done
[ "$(grep -c ' connected over TLS' "$work/server1.out")" -eq 1 ] ||
  fail "the server announced a client that failed validation"

# 3. Certificate files from openssl, when it is installed: a self-signed leaf, trusted directly.
if command -v openssl >/dev/null 2>&1; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=localhost/O=as3net sample" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" -addext "extendedKeyUsage=serverAuth" \
    -keyout "$work/key.pem" -out "$work/cert.pem" >"$work/openssl.out" 2>&1 ||
    { cat "$work/openssl.out"; fail "openssl could not make a certificate"; }
  start_server "$work/server2.out" --cert "$work/cert.pem" --key "$work/key.pem"
  "$client" 127.0.0.1 "$port" --ca "$work/cert.pem" "from files" >"$work/client3.out" 2>&1
  status=$?
  cat "$work/client3.out"
  [ "$status" -eq 0 ] || fail "the client of the --cert server exited with $status"
  grep -q '^server certificate: CN=localhost, O=as3net sample' "$work/client3.out" ||
    fail "not the openssl certificate"
  grep -qx '< from files' "$work/client3.out" || fail "no echo from the --cert server"
else
  echo "secure_echo_test: no openssl command: skipping the --cert/--key run"
fi

for f in "$work"/server*.out; do
  echo "--- $f:"
  cat "$f"
done
echo "secure_echo_test: passed"
