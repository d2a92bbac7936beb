#!/usr/bin/env python3
"""Writes the seed scripts of fuzz_socket into fuzz/corpus/socket/ (the format: fuzz_socket.cpp)."""
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "socket")

# Steps (the step byte modulo 24), as fuzz_socket.cpp numbers them.
def send(data): return bytes([0, len(data) - 1]) + data
def hold(data): return bytes([1, len(data) - 1]) + data
def wire(count): return bytes([2, count - 1])
FIN, CLOSE_NOTIFY, RST, CLOSE_FULLY = b"\x03", b"\x04", b"\x05", b"\x06"
def garbage(data): return bytes([7, len(data) - 1]) + data
DRAIN = b"\x08"
def turns(n): return bytes([9, n - 1])
def read_fixed(kind): return bytes([10, kind])  # 0 boolean ... 5 int ... 8 double
def read_bytes(n): return bytes([11, n])
READ_ALL = b"\x0c"
def lookahead(n): return bytes([13, n])
def read_text(kind, n): return bytes([14, kind, n])  # 0 readUTF, 1 readUTFBytes, else charsets
READ_OBJECT = b"\x0f"
def write(data): return bytes([16, len(data) - 1]) + data
def write_int(seed): return bytes([17, seed])
FLUSH, CLOSE = b"\x12", b"\x13"
def setting(arg): return bytes([20, arg])  # arg % 8: 0 input mark (1 + arg>>3), 2 endian, ...
def defer(n): return bytes([21, n - 1])
DESTROY = b"\x16"
def abrupt(reset): return bytes([23, 1 if reset else 0])

PLAIN, TLS, TLS12 = 0x00, 0x01, 0x03

SEEDS = {
    "plain-echo": [PLAIN, send(b"hello"), turns(2), READ_ALL, write(b"hi"), FLUSH, turns(2),
                   DRAIN, CLOSE_NOTIFY],
    "plain-numbers": [PLAIN, send(bytes(range(1, 17))), turns(1), read_fixed(5), read_fixed(8),
                      setting(2), read_fixed(4), read_fixed(1), lookahead(4), read_bytes(0)],
    "plain-close-in-listener": [PLAIN, defer(2), READ_ALL, CLOSE, send(b"abc"), turns(3)],
    "plain-reset": [PLAIN, send(b"data before the reset"), RST, turns(2), READ_ALL],
    "plain-input-mark": [PLAIN, setting(0 | 3 << 3), send(bytes(200)), turns(4), read_fixed(5),
                         read_bytes(100), turns(2), send(b"more"), FIN],
    "plain-unread-close": [PLAIN, write(b"x" * 64), FLUSH, CLOSE_FULLY, write(b"y"), FLUSH,
                           turns(3)],
    "plain-destroy-in-listener": [PLAIN, defer(1), DESTROY, send(b"zz"), turns(2)],
    "plain-abrupt": [PLAIN, write(b"bye"), FLUSH, abrupt(True), turns(2)],
    "plain-texts": [PLAIN, send(b"\x00\x03abc\xe3\x81\x82\x82\xa0"), turns(1), read_text(0, 0),
                    read_text(2, 2), read_text(1, 3)],
    "plain-object": [PLAIN, send(b"\x0a\x0b\x01\x03a\x04\x05\x01"), turns(1), READ_OBJECT,
                     READ_OBJECT],
    "plain-autoflush": [PLAIN, setting(3), write(b"auto"), write_int(7), turns(2), DRAIN,
                        setting(5 | 1 << 4), write(b"refused?"), CLOSE],
    "tls-echo": [TLS, send(b"hello over TLS"), turns(2), READ_ALL, write(b"hi"), FLUSH, turns(2),
                 DRAIN, CLOSE_NOTIFY],
    "tls-cut-records": [TLS, hold(b"a" * 100), hold(b"b" * 50), wire(7), turns(1), wire(60),
                        turns(1), wire(255), wire(255), turns(1), READ_ALL, FIN],
    "tls-truncated-mid-record": [TLS, hold(b"c" * 80), wire(40), FIN, turns(2)],
    "tls-garbage": [TLS, send(b"good"), garbage(b"\x17\x03\x03\x00\x05junk!"), turns(3), READ_ALL],
    "tls12-handshake-cuts": [TLS12 | 5 << 2, send(b"after a cut handshake"), turns(2), READ_ALL,
                             CLOSE_NOTIFY],
    "tls-client-close": [TLS, write(b"last words"), FLUSH, CLOSE, turns(2)],
    "tls-reset": [TLS, send(b"before"), RST, turns(2)],
    "tls-close-in-listener": [TLS, defer(2), read_fixed(2), CLOSE, send(b"\x01\x02"), turns(3)],
}

os.makedirs(OUT, exist_ok=True)
for name, parts in SEEDS.items():
    data = bytes([parts[0]]) + b"".join(parts[1:])
    with open(os.path.join(OUT, name + ".bin"), "wb") as f:
        f.write(data)
