#!/bin/sh
# RunSecurityCli.sh TOOL: the contract of `as3net verify`, `connect` and `serve`, on certificates
# made here with the openssl command (ECDSA P-256, SHA-256): a root CA, a server leaf for
# localhost and 127.0.0.1, an expired leaf, a leaf under an intermediate, and a CRL revoking the
# server leaf. verify is checked for each status; a `serve` started in the background (ended by
# its pid, which must exit 0 on SIGTERM) is reached with `connect` for an echo, a wrong pin, a
# missing anchor, the CRL and --servername. Prints PASS; exits 77 (skipped) without openssl.
set -u
tool="$1"
case "$tool" in /*) ;; *) tool="$PWD/$tool" ;; esac  # the script works in a directory of its own
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl command"; exit 77; }
dir="$(mktemp -d "${TMPDIR:-/tmp}/as3net-securitycli.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server" 2>/dev/null; fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
  echo "FAIL: $*" >&2
  for f in "$dir"/*.out "$dir"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }; done
  exit 1
}
cd "$dir" || exit 1

# --- certificates ---------------------------------------------------------------------------
ossl() { openssl "$@" >>openssl.log 2>&1 || fail "openssl $*"; }
newkey() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
newkey root.key
ossl req -x509 -new -key root.key -sha256 -days 30 -subj "/CN=as3net CLI test root" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -out root.pem
cat >leaf.ext <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
EOF
cat >ca.ext <<'EOF'
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
EOF
newkey leaf.key
ossl req -new -key leaf.key -subj "/CN=localhost" -out leaf.csr
ossl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -set_serial 2 -days 30 -sha256 \
  -extfile leaf.ext -out leaf.pem
# `openssl x509` cannot set dates in the past; `openssl ca` can, with a throwaway database.
: >index.txt
echo 03 >serial
echo 01 >crlnumber
cat >ca.cnf <<'EOF'
[ca]
default_ca = testca
[testca]
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
default_crl_days = 7
policy = anything
unique_subject = no
[anything]
commonName = supplied
EOF
ossl ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in leaf.csr -notext \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile leaf.ext -out expired.pem
newkey inter.key
ossl req -new -key inter.key -subj "/CN=as3net CLI test intermediate" -out inter.csr
ossl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 10 -days 30 -sha256 \
  -extfile ca.ext -out inter.pem
newkey leaf2.key
ossl req -new -key leaf2.key -subj "/CN=localhost" -out leaf2.csr
ossl x509 -req -in leaf2.csr -CA inter.pem -CAkey inter.key -set_serial 11 -days 30 -sha256 \
  -extfile leaf.ext -out leaf2.pem
# A CRL of the root revoking the server's leaf (serial 2), with a CRL number.
ossl ca -config ca.cnf -cert root.pem -keyfile root.key -revoke leaf.pem
ossl ca -config ca.cnf -cert root.pem -keyfile root.key -gencrl -out root.crl

# --- verify ---------------------------------------------------------------------------------
# expect_verify STATUS EXIT ARGS...: the first line of stdout is STATUS, the exit status EXIT.
n=0
expect_verify() {
  want="$1"
  want_exit="$2"
  shift 2
  n=$((n + 1))
  "$tool" verify "$@" >"verify$n.out" 2>"verify$n.err"
  got_exit=$?
  got="$(head -n 1 "verify$n.out")"
  [ "$got" = "$want" ] || fail "verify $*: printed '$got', expected '$want'"
  [ "$got_exit" -eq "$want_exit" ] || fail "verify $*: exit $got_exit, expected $want_exit"
}
expect_verify trusted 0 --ca root.pem --host localhost leaf.pem
grep -q '^chain\[0\] subject="CN=localhost" issuer="CN=as3net CLI test root"$' "verify$n.out" ||
  fail "verify: the chain line of the leaf"
grep -q '^chain\[1\] subject="CN=as3net CLI test root"' "verify$n.out" ||
  fail "verify: the chain line of the root"
expect_verify trusted 0 --ca root.pem --host 127.0.0.1 leaf.pem
expect_verify principalMismatch 1 --ca root.pem --host example.com leaf.pem
grep -q '^reason=.*example.com' "verify$n.out" || fail "verify: the reason of principalMismatch"
expect_verify principalMismatch 1 --ca root.pem --host 127.0.0.2 leaf.pem
expect_verify untrustedSigners 1 --host localhost leaf.pem
expect_verify expired 1 --ca root.pem --host localhost expired.pem
expect_verify notYetValid 1 --ca root.pem --host localhost --time 1000000000 leaf.pem
expect_verify untrustedSigners 1 --ca root.pem --host localhost leaf2.pem
expect_verify trusted 0 --ca root.pem --untrusted inter.pem --host localhost leaf2.pem
[ "$(grep -c '^chain\[' "verify$n.out")" -eq 3 ] || fail "verify: a chain of 3 through --untrusted"
expect_verify revoked 1 --ca root.pem --crl root.crl --host localhost leaf.pem
expect_verify trusted 0 --ca root.pem --crl root.crl --untrusted inter.pem leaf2.pem
expect_verify trusted 0 --ca root.pem --system-roots --host localhost leaf.pem
# DER files, and the leaf from stdin.
openssl x509 -in leaf.pem -outform DER -out leaf.der 2>>openssl.log || fail "openssl x509 DER"
openssl x509 -in root.pem -outform DER -out root.der 2>>openssl.log || fail "openssl x509 DER"
expect_verify trusted 0 --ca root.der --host localhost leaf.der
"$tool" verify --ca root.pem --host localhost - <leaf.pem >stdin.out 2>&1 &&
  [ "$(head -n 1 stdin.out)" = trusted ] || fail "verify: LEAF from stdin"
# Usage and input errors: status 2, nothing on stdout.
"$tool" verify --ca root.pem >usage.out 2>usage.err
[ $? -eq 2 ] || fail "verify without LEAF: expected exit 2"
"$tool" verify --ca missing.pem leaf.pem >missing.out 2>missing.err
[ $? -eq 2 ] && grep -q '^as3net: Error #2038' missing.err || fail "verify --ca missing.pem"
"$tool" verify --ca leaf.key leaf.pem >bad.out 2>bad.err
[ $? -eq 2 ] && grep -q '^as3net: Error #2004' bad.err || fail "verify --ca with a key file"

# --- serve and connect ----------------------------------------------------------------------
"$tool" serve 0 --cert leaf.pem --key leaf.key >server.out 2>server.err &
server=$!
port=""
i=0
while [ $i -lt 100 ] && [ -z "$port" ]; do
  port="$(sed -n 's/^LISTENING port=\([0-9][0-9]*\)$/\1/p' server.out)"
  [ -n "$port" ] || sleep 0.05
  i=$((i + 1))
done
[ -n "$port" ] || fail "the server printed no LISTENING line"

echo hello | "$tool" connect 127.0.0.1 "$port" --ca root.pem --linger 2 >echo.out 2>echo.err ||
  fail "connect with --ca root.pem: exit $?"
[ "$(head -n 1 echo.out)" = "status=trusted" ] || fail "connect: the first line is not status=trusted"
grep -q '^event=connect$' echo.out || fail "connect: no event=connect line"
grep -q '^chain\[0\] subject="CN=localhost"' echo.out || fail "connect: no chain line"
grep -q '^protocol=TLSv1\.[23]$' echo.out || fail "connect: no protocol line"
grep -q '^cipher=.' echo.out || fail "connect: no cipher line"
grep -q '^hello$' echo.out || fail "connect: the echo did not come back"

echo hello | "$tool" connect 127.0.0.1 "$port" --ca root.pem \
  --pin AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= >pin.out 2>pin.err
[ $? -ne 0 ] || fail "connect with a wrong --pin succeeded"
[ "$(head -n 1 pin.out)" = "status=invalidChain" ] || fail "connect --pin: not status=invalidChain"
grep -q '^event=ioError text=' pin.out || fail "connect --pin: no event=ioError line"
grep -q '^hello$' pin.out && fail "connect --pin: data went through"

pin="$(openssl x509 -in root.pem -pubkey -noout | openssl pkey -pubin -outform DER |
  openssl dgst -sha256 -binary | openssl base64)"
echo pinned | "$tool" connect 127.0.0.1 "$port" --ca root.pem --pin "$pin" --linger 2 \
  >pinok.out 2>pinok.err || fail "connect with the root's pin: exit $?"
grep -q '^pinned$' pinok.out || fail "connect with the root's pin: no echo"

"$tool" connect 127.0.0.1 "$port" </dev/null >noca.out 2>noca.err
[ $? -eq 1 ] || fail "connect without --ca: expected exit 1"
[ "$(head -n 1 noca.out)" = "status=untrustedSigners" ] || fail "connect without --ca: status"

"$tool" connect 127.0.0.1 "$port" --ca root.pem --crl root.crl </dev/null >crl.out 2>crl.err
[ $? -eq 1 ] || fail "connect --crl: expected exit 1"
[ "$(head -n 1 crl.out)" = "status=revoked" ] || fail "connect --crl: status"

echo named | "$tool" connect 127.0.0.1 "$port" --servername localhost --ca root.pem --linger 2 \
  >sni.out 2>sni.err || fail "connect --servername localhost: exit $?"
[ "$(head -n 1 sni.out)" = "status=trusted" ] || fail "connect --servername: status"
grep -q '^named$' sni.out || fail "connect --servername: no echo"

"$tool" connect 127.0.0.1 1 </dev/null >refused.out 2>refused.err
[ $? -eq 1 ] || fail "connect to a closed port: expected exit 1"
grep -q '^event=ioError text=' refused.out || fail "connect to a closed port: no ioError line"

kill -TERM "$server"
wait "$server"
status=$?
server=""
[ "$status" -eq 0 ] || fail "the server exited with status $status on SIGTERM"
echo "PASS"
