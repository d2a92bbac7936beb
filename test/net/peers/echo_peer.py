# A scripted TCP peer on Python's socket module, for test/net/Interop.test.cpp; echo_peer.js is
# the same peer on Node's net module, and both must behave alike.
#
#   python3 echo_peer.py MODE [--ipv6]     listens on 127.0.0.1 (::1 with --ipv6), port 0, prints
#                                          `PORT <n>`, and serves every connection by MODE
#   python3 echo_peer.py client-echo PORT  connects to 127.0.0.1:PORT, sends CLIENT_MESSAGE, reads
#                                          its echo, prints OK (or what went wrong) and exits
#
# Server modes:
#   echo       echoes every byte until the client's EOF, prints `EOF <bytes received>`, closes.
#   trickle    sends TRICKLE_PAYLOAD one byte at a time, 5 ms apart (Nagle off), then a FIN.
#   reset      sends RESET_PAYLOAD, waits for a line `RESET` on stdin, then resets (RST).
#   halfclose  sends GREETING and shuts down its write side at once, counts what the client
#              sends until its EOF, then prints `RECEIVED <bytes>` and closes.
#
# The end of stdin ends a server: the test closes it (or dies) when it is done.
import os
import queue
import socket
import struct
import sys
import threading
import time

# The contents the test expects; Interop.test.cpp builds the same bytes.
TRICKLE_PAYLOAD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
RESET_PAYLOAD = bytes((i * 7 + 1) & 0xFF for i in range(3000))
GREETING = b"greeting from the peer, then FIN\n"
CLIENT_MESSAGE = bytes((i * 31 + 7) % 251 for i in range(100000))

_print_lock = threading.Lock()
_stdin_lines = queue.Queue()


def say(line):
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def watch_stdin():
    """Queues stdin's lines for the connections; its end ends the process."""
    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            os._exit(0)
        _stdin_lines.put(line.decode("latin-1").strip())


def serve_echo(conn):
    total = 0
    while True:
        data = conn.recv(65536)
        if not data:
            break
        total += len(data)
        conn.sendall(data)
    say(f"EOF {total}")


def drain_until_eof(conn):
    conn.settimeout(20)
    while conn.recv(65536):
        pass


def serve_trickle(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for i in range(len(TRICKLE_PAYLOAD)):
        conn.sendall(TRICKLE_PAYLOAD[i : i + 1])
        time.sleep(0.005)
    conn.shutdown(socket.SHUT_WR)
    drain_until_eof(conn)


def serve_reset(conn):
    conn.sendall(RESET_PAYLOAD)
    line = _stdin_lines.get(timeout=30)
    if line != "RESET":
        sys.stderr.write(f"expected RESET on stdin, got {line!r}\n")
        return
    # SO_LINGER with a zero timeout makes close() send an RST and drop the connection.
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def serve_half_close(conn):
    conn.sendall(GREETING)
    conn.shutdown(socket.SHUT_WR)
    conn.settimeout(20)
    total = 0
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            total += len(data)
    except OSError as e:
        say(f"RECEIVED {total} {type(e).__name__}")
        return
    say(f"RECEIVED {total}")


SERVERS = {
    "echo": serve_echo,
    "trickle": serve_trickle,
    "reset": serve_reset,
    "halfclose": serve_half_close,
}


def handle(mode, conn):
    try:
        SERVERS[mode](conn)
    except OSError as e:
        sys.stderr.write(f"{mode}: {e!r}\n")
    finally:
        conn.close()


def run_server(mode, ipv6):
    if mode not in SERVERS:
        sys.stderr.write(f"unknown mode {mode}\n")
        sys.exit(2)
    family, host = (socket.AF_INET6, "::1") if ipv6 else (socket.AF_INET, "127.0.0.1")
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, 0))
    server.listen(16)
    threading.Thread(target=watch_stdin, daemon=True).start()
    say(f"PORT {server.getsockname()[1]}")
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(mode, conn), daemon=True).start()


def run_client_echo(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
            conn.sendall(CLIENT_MESSAGE)
            echo = bytearray()
            while len(echo) < len(CLIENT_MESSAGE):
                data = conn.recv(65536)
                if not data:
                    say(f"EOF after {len(echo)} bytes")
                    return
                echo += data
            say("OK" if echo == CLIENT_MESSAGE else f"MISMATCH {len(echo)} bytes")
    except socket.timeout:
        say("TIMEOUT")
    except OSError as e:
        say(f"ERROR {type(e).__name__}")


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "client-echo":
        run_client_echo(int(sys.argv[2]))
    else:
        run_server(mode, "--ipv6" in sys.argv[2:])


if __name__ == "__main__":
    main()
