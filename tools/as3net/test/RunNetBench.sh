#!/bin/sh
# RunNetBench.sh TOOL [KIT_CERTS]: the peer kit's network contract (figures are not checked).
# Plain round: `TOOL bench server` (--plain ignores the TLS options), bulk, echo and the w2 form
# of the client. TLS round: a CA and a leaf for localhost/127.0.0.1 made with the openssl command
# (else the kit's KIT_CERTS folder, holding ca.pem, server.pem and server.key, when given and
# present; else the round is skipped with a message), then `server --cert --key` with bulk, echo,
# full and resumed handshakes and idle clients trusting `--ca`, a client refusing a server its
# CA did not issue, and --tls without TLS material refused. Servers are ended by their pid
# and must exit with status 0 on SIGTERM.
set -u
tool="$1"
kitCerts="${2:-}"
dir="$(mktemp -d "${TMPDIR:-/tmp}/as3net-netbench.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/*.out "$dir"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done
  exit 1
}

# startServer NAME ARGS...: starts `TOOL bench server --port 0 ARGS` and sets $port.
startServer() {
  name="$1"
  shift
  "$tool" bench server --port 0 "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  server=$!
  port=""
  i=0
  while [ $i -lt 100 ] && [ -z "$port" ]; do
    port="$(sed -n 's/^LISTENING port=\([0-9][0-9]*\) .*/\1/p' "$dir/$name.out" 2>/dev/null)"
    [ -n "$port" ] || sleep 0.05
    i=$((i + 1))
  done
  [ -n "$port" ] || fail "$name: the server printed no LISTENING line"
}

stopServer() {
  kill -TERM "$server"
  wait "$server"
  status=$?
  server=""
  [ "$status" -eq 0 ] || fail "the server exited with status $status on SIGTERM"
}

number='[0-9][0-9.]*'

# --- plain TCP ---------------------------------------------------------------------------------
startServer plain-server --plain --cert ignored.pem --key ignored.key
grep -q " transport=tcp " "$dir/plain-server.out" || fail "plain server: LISTENING transport"

"$tool" bench client bulk --plain --ca ignored.pem --port "$port" --bytes 10000000 --chunk 16384 \
  >"$dir/bulk.out" 2>"$dir/bulk.err" || fail "client bulk failed"
grep -Eq "^RESULT op=bulk bytes=10000000 seconds=$number MBps=$number cpu_s=$number lib=as3net transport=tcp\$" \
  "$dir/bulk.out" || fail "client bulk: RESULT line"

# The kit's w2 names no op and passes no TLS options: bulk over plain TCP.
"$tool" bench client --port "$port" --bytes 100000 --chunk 16384 >"$dir/w2.out" 2>"$dir/w2.err" ||
  fail "client (w2 form) failed"
grep -Eq "^RESULT op=bulk bytes=100000 .* transport=tcp\$" "$dir/w2.out" ||
  fail "client (w2 form): RESULT line"

"$tool" bench client echo --plain --ca ignored.pem --port "$port" --size 100 --conns 2 \
  --seconds 0.3 >"$dir/echo.out" 2>"$dir/echo.err" || fail "client echo failed"
grep -Eq "^RESULT op=echo conns=2 size=100 msgs=[1-9][0-9]* seconds=$number msgs_per_s=$number cpu_s=$number( |\$)" \
  "$dir/echo.out" || fail "client echo: RESULT line"
stopServer

# --- TLS ---------------------------------------------------------------------------------------
"$tool" bench client bulk --tls --port 1 >"$dir/tls-refused.out" 2>"$dir/tls-refused.err"
[ $? -eq 2 ] || fail "client --tls without --ca: status 2 expected"

certs=""
if command -v openssl >/dev/null 2>&1; then
  c="$dir/certs"
  mkdir "$c"
  if openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$c/ca.key" 2>/dev/null &&
    openssl req -x509 -new -key "$c/ca.key" -sha256 -days 30 -subj "/CN=as3net bench test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$c/ca.pem" 2>/dev/null &&
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$c/server.key" 2>/dev/null &&
    openssl req -new -key "$c/server.key" -subj "/CN=localhost" -out "$c/server.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$c/leaf.ext" &&
    openssl x509 -req -in "$c/server.csr" -CA "$c/ca.pem" -CAkey "$c/ca.key" -CAcreateserial \
      -sha256 -days 30 -extfile "$c/leaf.ext" -out "$c/server.pem" 2>/dev/null; then
    certs="$c"
  fi
fi
if [ -z "$certs" ] && [ -n "$kitCerts" ] && [ -f "$kitCerts/ca.pem" ] &&
  [ -f "$kitCerts/server.pem" ] && [ -f "$kitCerts/server.key" ]; then
  certs="$kitCerts"
fi
if [ -z "$certs" ]; then
  echo "TLS round skipped: no openssl command to make certificates, and no kit certificates"
  echo "PASS"
  exit 0
fi

startServer tls-server --cert "$certs/server.pem" --key "$certs/server.key"
grep -q " transport=tls " "$dir/tls-server.out" || fail "TLS server: LISTENING transport"

"$tool" bench client bulk --ca "$certs/ca.pem" --port "$port" --bytes 10000000 --chunk 16384 \
  >"$dir/tls-bulk.out" 2>"$dir/tls-bulk.err" || fail "TLS client bulk failed"
grep -Eq "^RESULT op=bulk bytes=10000000 seconds=$number MBps=$number cpu_s=$number cipher=TLS_[A-Z0-9_]+ version=TLSv1\.[23] lib=as3net transport=tls\$" \
  "$dir/tls-bulk.out" || fail "TLS client bulk: RESULT line"

"$tool" bench client echo --ca "$certs/ca.pem" --port "$port" --size 100 --conns 3 \
  --seconds 0.3 >"$dir/tls-echo.out" 2>"$dir/tls-echo.err" || fail "TLS client echo failed"
grep -Eq "^RESULT op=echo conns=3 size=100 msgs=[1-9][0-9]* seconds=$number msgs_per_s=$number cpu_s=$number cipher=TLS_[A-Z0-9_]+ lib=as3net transport=tls\$" \
  "$dir/tls-echo.out" || fail "TLS client echo: RESULT line"

"$tool" bench client handshake --ca "$certs/ca.pem" --port "$port" --seconds 0.3 \
  >"$dir/tls-full.out" 2>"$dir/tls-full.err" || fail "TLS client handshake failed"
grep -Eq "^RESULT op=handshake conns=1 handshakes=[1-9][0-9]* resumed=0 seconds=$number hs_per_s=$number cpu_s=$number lib=as3net transport=tls\$" \
  "$dir/tls-full.out" || fail "TLS client handshake: RESULT line (full handshakes only)"

"$tool" bench client handshake --resume --ca "$certs/ca.pem" --port "$port" --seconds 0.3 \
  >"$dir/tls-resumed.out" 2>"$dir/tls-resumed.err" || fail "TLS client handshake --resume failed"
line="$(grep '^RESULT op=handshake ' "$dir/tls-resumed.out")"
handshakes="$(echo "$line" | sed -n 's/.* handshakes=\([0-9]*\) .*/\1/p')"
resumed="$(echo "$line" | sed -n 's/.* resumed=\([0-9]*\) .*/\1/p')"
[ -n "$handshakes" ] && [ "$handshakes" -gt 0 ] && [ "$resumed" = "$handshakes" ] ||
  fail "TLS client handshake --resume: every timed handshake should resume ($line)"

# idle: WARM, a line on stdin, READY, then the end of stdin ends it.
(sleep 0.5; echo go; sleep 1) | "$tool" bench client idle --ca "$certs/ca.pem" --port "$port" \
  --conns 10 --warm 2 >"$dir/tls-idle.out" 2>"$dir/tls-idle.err" || fail "TLS client idle failed"
grep -Eq "^WARM conns=2 rss_kb=[0-9]+\$" "$dir/tls-idle.out" || fail "TLS client idle: WARM line"
grep -Eq "^READY conns=12 rss_kb=[0-9]+\$" "$dir/tls-idle.out" || fail "TLS client idle: READY line"

# A client trusting only a CA that did not issue the leaf must refuse the server, and say why.
if [ "$certs" = "$dir/certs" ] &&
  openssl req -x509 -new -key "$certs/server.key" -sha256 -days 30 -subj "/CN=other CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
    -out "$certs/other-ca.pem" 2>/dev/null; then
  "$tool" bench client bulk --ca "$certs/other-ca.pem" --port "$port" --bytes 1000 \
    >"$dir/tls-untrusted.out" 2>"$dir/tls-untrusted.err" &&
    fail "a client trusting another CA connected"
  grep -q "untrustedSigners" "$dir/tls-untrusted.err" ||
    fail "the refusal does not give the certificate status"
fi
stopServer
echo "PASS"
