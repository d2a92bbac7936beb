// A scripted TCP peer on Node's net module, for test/net/Interop.test.cpp; echo_peer.py is the
// same peer on Python's socket module, and both must behave alike.
//
//   node echo_peer.js MODE [--ipv6]     listens on 127.0.0.1 (::1 with --ipv6), port 0, prints
//                                       `PORT <n>`, and serves every connection by MODE
//   node echo_peer.js client-echo PORT  connects to 127.0.0.1:PORT, sends CLIENT_MESSAGE, reads
//                                       its echo, prints OK (or what went wrong) and exits
//
// Server modes:
//   echo       echoes every byte until the client's EOF, prints `EOF <bytes received>`, closes.
//   trickle    sends TRICKLE_PAYLOAD one byte at a time, 5 ms apart (Nagle off), then a FIN.
//   reset      sends RESET_PAYLOAD, waits for a line `RESET` on stdin, then resets (RST).
//   halfclose  sends GREETING and shuts down its write side at once, counts what the client
//              sends until its EOF, then prints `RECEIVED <bytes>` and closes.
//
// The end of stdin ends a server: the test closes it (or dies) when it is done.
'use strict';

const net = require('net');
const readline = require('readline');

// The contents the test expects; Interop.test.cpp builds the same bytes.
const TRICKLE_PAYLOAD = Buffer.from(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const RESET_PAYLOAD = Buffer.alloc(3000, 0).map((_, i) => (i * 7 + 1) & 0xff);
const GREETING = Buffer.from('greeting from the peer, then FIN\n', 'latin1');
const CLIENT_MESSAGE = Buffer.alloc(100000, 0).map((_, i) => (i * 31 + 7) % 251);

function say(line) {
  process.stdout.write(line + '\n');
}

// Lines from stdin go to the oldest waiter; the end of stdin ends the process.
const stdinLines = [];
const lineWaiters = [];
function nextLine(callback) {
  if (stdinLines.length > 0) callback(stdinLines.shift());
  else lineWaiters.push(callback);
}
function watchStdin() {
  const rl = readline.createInterface({input: process.stdin});
  rl.on('line', (line) => {
    if (lineWaiters.length > 0) lineWaiters.shift()(line.trim());
    else stdinLines.push(line.trim());
  });
  rl.on('close', () => process.exit(0));
}

function serveEcho(sock) {
  let total = 0;
  sock.on('data', (data) => {
    total += data.length;
    if (!sock.write(data)) {
      sock.pause();
      sock.once('drain', () => sock.resume());
    }
  });
  sock.on('end', () => {
    say(`EOF ${total}`);
    sock.end();
  });
}

function serveTrickle(sock) {
  sock.setNoDelay(true);
  let next = 0;
  const timer = setInterval(() => {
    if (sock.destroyed) {
      clearInterval(timer);
    } else if (next < TRICKLE_PAYLOAD.length) {
      sock.write(TRICKLE_PAYLOAD.subarray(next, next + 1));
      ++next;
    } else {
      clearInterval(timer);
      sock.end();
    }
  }, 5);
  sock.on('data', () => {});
  sock.on('end', () => sock.destroy());
  sock.on('close', () => clearInterval(timer));
}

function serveReset(sock) {
  sock.write(RESET_PAYLOAD, () => {
    nextLine((line) => {
      if (line !== 'RESET') {
        console.error(`expected RESET on stdin, got ${JSON.stringify(line)}`);
        sock.destroy();
      } else if (typeof sock.resetAndDestroy === 'function') {
        sock.resetAndDestroy();  // SO_LINGER 0 and close: an RST (node >= 16.17)
      } else {
        console.error('socket.resetAndDestroy() is missing: this node cannot send an RST');
        process.exit(3);
      }
    });
  });
  sock.on('data', () => {});
}

function serveHalfClose(sock) {
  let total = 0;
  sock.end(GREETING);  // write, then FIN; reading goes on (allowHalfOpen)
  sock.on('data', (data) => {
    total += data.length;
  });
  sock.on('end', () => {
    say(`RECEIVED ${total}`);
    sock.destroy();
  });
  sock.on('error', (e) => say(`RECEIVED ${total} ${e.code}`));
}

function runServer(mode, ipv6) {
  const serve = {
    echo: serveEcho,
    trickle: serveTrickle,
    reset: serveReset,
    halfclose: serveHalfClose,
  }[mode];
  if (!serve) {
    console.error(`unknown mode ${mode}`);
    process.exit(2);
  }
  const server = net.createServer({allowHalfOpen: true}, (sock) => {
    sock.on('error', (e) => console.error(`${mode}: ${e.code || e.message}`));
    serve(sock);
  });
  server.on('error', (e) => {
    console.error(`listen failed: ${e.message}`);
    process.exit(1);
  });
  server.listen(0, ipv6 ? '::1' : '127.0.0.1', () => say(`PORT ${server.address().port}`));
  watchStdin();
}

function runClientEcho(port) {
  const limit = setTimeout(() => {
    say('TIMEOUT');
    process.exit(1);
  }, 20000);
  const chunks = [];
  let received = 0;
  let done = false;
  const sock = net.connect({host: '127.0.0.1', port}, () => sock.write(CLIENT_MESSAGE));
  sock.on('data', (data) => {
    chunks.push(data);
    received += data.length;
    if (done || received < CLIENT_MESSAGE.length) return;
    done = true;
    const echo = Buffer.concat(chunks);
    say(echo.equals(CLIENT_MESSAGE) ? 'OK' : `MISMATCH ${echo.length} bytes`);
    sock.end();
  });
  sock.on('end', () => {
    if (!done) say(`EOF after ${received} bytes`);
  });
  sock.on('error', (e) => say(`ERROR ${e.code || e.message}`));
  sock.on('close', () => {
    clearTimeout(limit);
    process.exit(0);
  });
}

const mode = process.argv[2];
if (mode === 'client-echo') {
  runClientEcho(Number(process.argv[3]));
} else {
  runServer(mode, process.argv.includes('--ipv6'));
}
