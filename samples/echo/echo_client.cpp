// echo_client: a flash.net.Socket client for echo_server. It sends lines, prints each line that
// comes back, checks that everything came back unchanged, then closes and exits.
//
//   sample_echo_client HOST PORT               sends three fixed messages
//   sample_echo_client HOST PORT MESSAGE...    sends each MESSAGE as a line
//   ... | sample_echo_client HOST PORT -       sends each line of standard input
//
// Exit status: 0 when every byte came back, 1 on a network error or a mismatch, 2 on bad usage.
//
// Standard input is read to its end before connecting, so the event loop never blocks on it.
// An interactive client would read the console on a thread of its own and hand each line to
// the loop with EventLoop::post(), the one call that is safe from another thread.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "as3/utils/ByteArray.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::Socket;
using as3::utils::ByteArray;

namespace {

// EchoClient is shaped like the AS3 class it ports: a Socket member, listeners as member
// functions. It must outlive its socket_, which it owns, since the listeners hold `this`.
class EchoClient {
 public:
  EchoClient(EventLoop& loop, std::vector<std::string> lines)
      : loop_(loop), socket_(loop), lines_(std::move(lines)) {
    socket_.addEventListener(Event::CONNECT, as3::events::listener(this, &EchoClient::onConnect));
    socket_.addEventListener(ProgressEvent::SOCKET_DATA,
                             as3::events::listener(this, &EchoClient::onSocketData));
    socket_.addEventListener(Event::CLOSE, as3::events::listener(this, &EchoClient::onClose));
    socket_.addEventListener(IOErrorEvent::IO_ERROR,
                             as3::events::listener(this, &EchoClient::onIOError));
  }

  // connect returns at once; Event::CONNECT or IOErrorEvent::IO_ERROR follows from the loop.
  // It throws only for arguments that can never work: SecurityError #2003 for a port outside
  // 0-65535, IOError #2031 for an empty host.
  void connect(const std::string& host, int port) {
    std::printf("echo_client: connecting to %s:%d\n", host.c_str(), port);
    socket_.connect(host, port);
  }

  bool succeeded() const { return succeeded_; }

 private:
  void onConnect(Event&) {
    std::printf("echo_client: connected from %s:%d\n", socket_.localAddress().c_str(),
                socket_.localPort());
    for (const std::string& line : lines_) {
      std::printf("> %s\n", line.c_str());
      // writeUTFBytes writes the UTF-8 bytes with no length prefix (writeUTF would add one).
      socket_.writeUTFBytes(line);
      socket_.writeUTFBytes("\n");
      sent_ += line + "\n";
    }
    // Nothing leaves before flush(): writes only fill the socket's output buffer.
    socket_.flush();
    if (sent_.empty()) finish(true, "nothing to send");
  }

  // Bytes arrived; they may be any slice of what was sent (TCP has no message boundaries), so
  // collect them in a ByteArray and print only complete lines. Keeping bytes rather than text
  // until a line is complete never cuts a multi-byte UTF-8 character in two.
  void onSocketData(ProgressEvent&) {
    socket_.readBytes(pending_, pending_.length());  // append everything available
    for (std::uint32_t i = pending_.position(); i < pending_.length(); ++i) {
      if (std::as_const(pending_)[i] != '\n') continue;
      std::string line = pending_.readUTFBytes(i - pending_.position());
      pending_.readUnsignedByte();  // the '\n'
      std::printf("< %s\n", line.c_str());
      received_ += line + "\n";
    }
    if (pending_.bytesAvailable() == 0) pending_.clear();  // all consumed: start afresh
    if (received_.size() >= sent_.size()) finish(received_ == sent_, "");
  }

  void onClose(Event&) { finish(false, "the server closed the connection before echoing all"); }

  // event.text() says what failed: "Error #2031: Socket Error. URL: 127.0.0.1. Connection
  // refused by 127.0.0.1:9 (ECONNREFUSED: connection refused)." Nothing follows it.
  void onIOError(IOErrorEvent& event) { finish(false, event.text()); }

  // finish ends the session: close() dispatches nothing and throws IOError #2002 unless
  // connected (after an ioError or the peer's close it is not), then stop() makes run() return.
  void finish(bool ok, const std::string& why) {
    succeeded_ = ok;
    if (socket_.connected()) socket_.close();
    if (ok) {
      std::printf("echo_client: %zu bytes echoed back unchanged%s%s\n", received_.size(),
                  why.empty() ? "" : "; ", why.c_str());
    } else {
      std::fprintf(stderr, "echo_client: failed: %s\n",
                   why.empty() ? "the echo differs from what was sent" : why.c_str());
    }
    loop_.stop();
  }

  EventLoop& loop_;
  Socket socket_;
  std::vector<std::string> lines_;
  ByteArray pending_;     // received bytes not yet printed: at most part of one line
  std::string sent_;      // every line sent, with its '\n'
  std::string received_;  // every complete line received, with its '\n'
  bool succeeded_ = false;
};

int usage() {
  std::fprintf(stderr, "usage: echo_client HOST PORT [MESSAGE... | -]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  std::string host = argv[1];
  char* end = nullptr;
  long port = std::strtol(argv[2], &end, 10);
  if (end == argv[2] || *end != '\0' || port < 0 || port > 65535) return usage();

  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep stdout in step with stderr in a log

  std::vector<std::string> lines;
  if (argc == 4 && std::string(argv[3]) == "-") {
    for (std::string line; std::getline(std::cin, line);) lines.push_back(line);
  } else if (argc > 3) {
    lines.assign(argv + 3, argv + argc);
  } else {
    lines = {"Hello from as3net!", "Socket.writeUTFBytes + flush, echoed by a ServerSocket",
             "UTF-8 survives: ありがとう"};
  }

  EventLoop loop;  // declared before the client, so destroyed after it
  EchoClient client(loop, std::move(lines));
  try {
    client.connect(host, static_cast<int>(port));
    // Returns when finish() calls stop(), or when nothing is left to do.
    loop.run();
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "echo_client: %s\n", e.what());
    return 1;
  }
  return client.succeeded() ? 0 : 1;
}
