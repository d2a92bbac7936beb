// porting: an ActionScript 3 socket client ported to C++ line by line.
//
//   sample_porting [--seconds S]
//
// The class below is the port. Every line or block of the AS3 original sits in an "// AS3:"
// comment directly above the C++ it became; read only those comments and you have the original
// file, unchanged. The rules applied are listed in README.md.
//
// After the port comes what the AS3 original never needed: a small in-process ServerSocket peer
// to talk to (so the sample runs anywhere, over loopback), and main(), which runs the client
// twice: once against the peer, once against the peer's port after it has closed, to show the
// ioError path. It exits 0 when the peer saw the whole conversation and the client got all four
// messages, 1 otherwise; it gives up after S seconds (default 10).

// ---------------------------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------------------------

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "as3/errors/Error.h"                     // for main()
#include "as3/events/ServerSocketConnectEvent.h"  // for the peer
#include "as3/net/EventLoop.h"                    // for main()
#include "as3/net/ServerSocket.h"                 // for the peer
#include "common/Deadline.h"                      // for main()

// AS3: package com.example.lobby {
// AS3:   import flash.errors.EOFError;
#include "as3/errors/EOFError.h"
// AS3:   import flash.events.Event;
// AS3:   import flash.events.IOErrorEvent;
// AS3:   import flash.events.ProgressEvent;
// AS3:   import flash.events.SecurityErrorEvent;
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
// AS3:   import flash.net.Socket;
#include "as3/net/Socket.h"

namespace {
// trace is AS3's global function; a C++ port needs its own. One line to standard output.
void trace(const std::string& text) {
  std::printf("%s\n", text.c_str());
}
}  // namespace

namespace com::example::lobby {

using as3::errors::EOFError;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::net::Socket;

// AS3:   public class LobbyClient {
class LobbyClient {
  // AS3:     private var socket:Socket;
  // AS3:     private var playerName:String;
  // AS3:     private var messageLength:int = -1;
  // AS3:     private var messagesReceived:uint = 0;
  // Fields take a trailing underscore, which also keeps the constructor's `playerName` from
  // shadowing one. An AS3 variable holds a reference: `new Socket()` becomes make_unique.
  std::unique_ptr<Socket> socket_;
  std::string playerName_;
  std::int32_t messageLength_ = -1;
  std::uint32_t messagesReceived_ = 0;

 public:
  // AS3:     public function LobbyClient(host:String, port:int, playerName:String) {
  LobbyClient(const std::string& host, int port, const std::string& playerName) {
    // AS3:       this.playerName = playerName;
    playerName_ = playerName;
    // AS3:       socket = new Socket();
    socket_ = std::make_unique<Socket>();  // on EventLoop::getDefault(), as AS3's one runtime
    // AS3:       socket.timeout = 5000;
    socket_->timeout(5000);  // a property write is a call with the value
    // AS3:       socket.addEventListener(Event.CONNECT, onConnect);
    socket_->addEventListener(Event::CONNECT, listener(this, &LobbyClient::onConnect));
    // AS3:       socket.addEventListener(IOErrorEvent.IO_ERROR, onIOError);
    socket_->addEventListener(IOErrorEvent::IO_ERROR, listener(this, &LobbyClient::onIOError));
    // AS3:       socket.addEventListener(SecurityErrorEvent.SECURITY_ERROR, onSecurityError);
    socket_->addEventListener(SecurityErrorEvent::SECURITY_ERROR,
                              listener(this, &LobbyClient::onSecurityError));
    // AS3:       socket.addEventListener(ProgressEvent.SOCKET_DATA, onSocketData);
    socket_->addEventListener(ProgressEvent::SOCKET_DATA,
                              listener(this, &LobbyClient::onSocketData));
    // AS3:       socket.addEventListener(Event.CLOSE, function(event:Event):void {
    // AS3:         trace("server closed the connection after " + messagesReceived + " messages");
    // AS3:       });
    socket_->addEventListener(Event::CLOSE, [this](Event&) {
      trace("server closed the connection after " + std::to_string(messagesReceived_) +
            " messages");
    });
    // AS3:       socket.connect(host, port);
    socket_->connect(host, port);
    // AS3:     }
  }

  // Not in the AS3 original: lets main() check the run. A port may add; it should not change.
  std::uint32_t received() const { return messagesReceived_; }

 private:
  // AS3:     private function onConnect(event:Event):void {
  void onConnect(Event& /*event*/) {  // unnamed: C++ warns about an unused parameter
    // AS3:       trace("connected to " + socket.remoteAddress + ":" + socket.remotePort);
    trace("connected to " + socket_->remoteAddress() + ":" + std::to_string(socket_->remotePort()));
    // AS3:       socket.writeUTF("HELLO " + playerName);
    socket_->writeUTF("HELLO " + playerName_);
    // AS3:       socket.flush();
    socket_->flush();
    // AS3:     }
  }

  // AS3:     private function onSocketData(event:ProgressEvent):void {
  void onSocketData(ProgressEvent& /*event*/) {
    // AS3:       try {
    try {
      // AS3:         while (true) {
      while (true) {
        // AS3:           if (messageLength < 0) {
        if (messageLength_ < 0) {
          // AS3:             if (socket.bytesAvailable < 4) return;
          if (socket_->bytesAvailable() < 4) return;
          // AS3:             messageLength = socket.readUnsignedInt();
          // AS3's uint-to-int coercion, spelled out. As in the original, a length of 2^31 or
          // more turns negative; a port keeps the behaviour, a fix is a separate change.
          messageLength_ = static_cast<std::int32_t>(socket_->readUnsignedInt());
          // AS3:           }
        }
        // AS3:           if (socket.bytesAvailable < messageLength) return;
        // AS3 compares uint and int as numbers; C++ needs both unsigned (messageLength_ >= 0
        // here, unless the length overflowed as noted above).
        if (socket_->bytesAvailable() < static_cast<std::uint32_t>(messageLength_)) return;
        // AS3:           var message:String = socket.readUTFBytes(messageLength);
        std::string message = socket_->readUTFBytes(static_cast<std::uint32_t>(messageLength_));
        // AS3:           messageLength = -1;
        messageLength_ = -1;
        // AS3:           messagesReceived++;
        messagesReceived_++;
        // AS3:           trace("message " + messagesReceived + ": " + message);
        trace("message " + std::to_string(messagesReceived_) + ": " + message);
        // AS3:           if (message.indexOf("PING ") == 0) {
        if (message.rfind("PING ", 0) == 0) {
          // AS3:             socket.writeUTF("PONG " + message.substr(5));
          socket_->writeUTF("PONG " + message.substr(5));
          // AS3:             socket.flush();
          socket_->flush();
          // AS3:           }
        }
        // AS3:         }
      }
      // AS3:       } catch (e:EOFError) {
    } catch (const EOFError& e) {
      // AS3:         trace("short read: " + e.message);
      trace("short read: " + e.message());
      // AS3:       }
    }
    // AS3:     }
  }

  // AS3:     private function onIOError(event:IOErrorEvent):void {
  // AS3:       trace("ioError: " + event.text);
  // AS3:     }
  void onIOError(IOErrorEvent& event) { trace("ioError: " + event.text()); }

  // AS3:     private function onSecurityError(event:SecurityErrorEvent):void {
  // AS3:       trace("securityError: " + event.text);
  // AS3:     }
  // as3net never dispatches securityError on a Socket (no policy files, no sandboxes); the
  // listener is kept so the port stays line for line and harmless.
  void onSecurityError(SecurityErrorEvent& event) { trace("securityError: " + event.text()); }
  // AS3:   }
};
// AS3: }
}  // namespace com::example::lobby

// ---------------------------------------------------------------------------------------------
// Not part of the port: a peer to talk to, a time limit, and main()
// ---------------------------------------------------------------------------------------------

namespace {

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;

// LobbyPeer is the server side of the conversation, on the same default loop: it accepts one
// player, answers HELLO with WELCOME and a PING, and after the PONG sends a score and BYE and
// closes. Frames to the player: u32 big-endian length, then UTF-8, as the port expects.
class LobbyPeer {
 public:
  LobbyPeer() {
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             [this](ServerSocketConnectEvent& event) { accept(event); });
    server_.bind(0, "127.0.0.1");
    server_.listen();
  }

  int port() const { return server_.localPort(); }
  bool sawWholeConversation() const { return sawHello_ && sawPong_; }

 private:
  void accept(ServerSocketConnectEvent& event) {
    if (player_) return;  // one player only; a second one is refused by not keeping it
    player_ = event.socket();
    player_->addEventListener(ProgressEvent::SOCKET_DATA, [this](ProgressEvent&) { read(); });
    player_->addEventListener(IOErrorEvent::IO_ERROR, [](IOErrorEvent& error) {
      std::printf("peer: the player's connection failed: %s\n", error.text().c_str());
    });
  }

  // The player writes with writeUTF: a u16 length, then the bytes. readUTF() consumes the prefix
  // even when the rest has not arrived, so wait for the whole string first; lookahead() (an
  // as3net addition) peeks at the prefix without consuming it.
  void read() {
    while (player_ && player_->bytesAvailable() >= 2) {
      const std::string prefix = player_->lookahead(2);
      const std::uint32_t length = static_cast<std::uint32_t>(
          static_cast<unsigned char>(prefix[0]) << 8 | static_cast<unsigned char>(prefix[1]));
      if (player_->bytesAvailable() < 2 + length) return;
      const std::string text = player_->readUTF();
      std::printf("peer: received \"%s\"\n", text.c_str());
      if (text.rfind("HELLO ", 0) == 0) {
        sawHello_ = true;
        send("WELCOME " + text.substr(6));
        send("PING 1");
      } else if (text == "PONG 1") {
        sawPong_ = true;
        send("SCORE 42");
        send("BYE");
        // Flushed bytes still reach the player after close(); it then sees Event::CLOSE.
        player_->close();
        player_.reset();
        server_.close();  // done: with nothing left open, run() returns
      }
    }
  }

  void send(const std::string& text) {
    player_->writeUnsignedInt(static_cast<std::uint32_t>(text.size()));  // bytes, not characters
    player_->writeUTFBytes(text);
    player_->flush();
  }

  ServerSocket server_;  // on EventLoop::getDefault(), like the client
  std::shared_ptr<Socket> player_;
  bool sawHello_ = false;
  bool sawPong_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  const bool withSeconds = argc == 3 && std::string(argv[1]) == "--seconds";
  if (withSeconds) seconds = std::strtod(argv[2], nullptr);
  if ((argc != 1 && !withSeconds) || !(seconds > 0 && seconds < 3600)) {
    std::fprintf(stderr, "usage: porting [--seconds S]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // trace() and the peer's lines in one order

  // AS3 never sees its event loop; in C++ someone has to run it. Sockets made without a loop use
  // EventLoop::getDefault(), so the port needs no loop parameter, and main runs that one.
  EventLoop& loop = EventLoop::getDefault();
  const auto limit = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  try {
    // 1. The conversation. run() returns once the peer has closed and the client has seen it:
    //    nothing is left open then.
    int port = 0;
    bool conversationOk = false;
    {
      LobbyPeer peer;
      port = peer.port();
      std::printf("porting: the peer listens on 127.0.0.1:%d\n", port);
      // In AS3, a document class would say: new LobbyClient("127.0.0.1", port, "player1");
      auto client =
          std::make_unique<com::example::lobby::LobbyClient>("127.0.0.1", port, "player1");
      Deadline deadline(loop, limit);
      loop.run();
      if (deadline.expired()) std::printf("porting: the conversation stalled\n");
      conversationOk = peer.sawWholeConversation() && client->received() == 4;
    }

    // 2. The same client against the port nobody listens on any more: connect() returns at once,
    //    and the failure arrives as an ioError event (AS3's behaviour), not as an exception.
    {
      auto client =
          std::make_unique<com::example::lobby::LobbyClient>("127.0.0.1", port, "player2");
      Deadline deadline(loop, limit);
      loop.run();
    }

    std::printf("porting: %s\n", conversationOk ? "the port behaved as the AS3 original"
                                                : "FAILED: the conversation was incomplete");
    return conversationOk ? 0 : 1;
  } catch (const as3::errors::Error& e) {
    // What a listener threw, rethrown by run(); or an unheard ioError (Error #2044).
    std::fprintf(stderr, "porting: %s\n", e.what());
    return 1;
  }
}
