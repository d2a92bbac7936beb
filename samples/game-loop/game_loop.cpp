// game_loop: as3net inside a game's fixed 60 Hz frame loop, driven by EventLoop::poll().
//
//   sample_game_loop [--seconds S] [--auto-flush] [--throw-once]
//
// One process plays both sides over loopback, on one EventLoop:
// - a tiny "game server" (a ServerSocket) sends a state message 10 times a second, framed as
//   AS3 games frame them: a u32 big-endian length, then that many bytes of UTF-8;
// - a client Socket reads complete frames in its socketData listener and sends one small input
//   message (u32 frame number + 1 byte of keys) per frame.
//
// Each frame: poll() the network (it never waits), update the game, sleep until the next frame.
// After S seconds (default 2) it prints a summary line, closes everything and exits 0.
// --auto-flush lets the socket flush at the end of each loop turn instead of calling flush().
// --throw-once makes one socketData listener throw, to show the exception policy below.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kFramesPerSecond = 60;
constexpr Clock::duration kFrame = std::chrono::duration_cast<Clock::duration>(
    std::chrono::duration<double>(1.0 / kFramesPerSecond));
constexpr int kFramesPerState = kFramesPerSecond / 10;  // the server sends state at 10 Hz
constexpr std::uint32_t kInputSize = 5;                 // u32 frame + u8 keys
constexpr std::uint32_t kMaxStateSize = 64 * 1024;      // refuse absurd lengths from the wire

// GameServer accepts players and broadcasts the game state to them. Its listeners are member
// functions bound to `this`; it owns the ServerSocket and the players, so it outlives them.
class GameServer {
 public:
  explicit GameServer(EventLoop& loop) : server_(loop) {
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             listener(this, &GameServer::onConnect));
    server_.bind(0, "127.0.0.1");  // port 0: the OS chooses; localPort() tells which
    server_.listen();
  }

  int port() const { return server_.localPort(); }
  std::uint32_t inputsReceived() const { return inputsReceived_; }

  // tick sends the state to every player: one length-prefixed frame each.
  void tick(int frame) {
    std::string state =
        "tick=" + std::to_string(frame) + " inputs=" + std::to_string(inputsReceived_) +
        " last_input=" + std::to_string(lastInputFrame_) + " keys=" + std::to_string(lastKeys_);
    for (const std::shared_ptr<Socket>& player : players_) {
      player->writeUnsignedInt(static_cast<std::uint32_t>(state.size()));  // bytes, not chars
      player->writeUTFBytes(state);
      player->flush();
    }
  }

  void close() {
    server_.close();  // stops listening; accepted sockets stay open until closed themselves
    for (const std::shared_ptr<Socket>& player : players_) {
      if (player->connected()) player->close();
    }
    players_.clear();
  }

 private:
  // The event's Socket is already connected. Keep the shared_ptr, or it is closed when the
  // listeners return (as AIR collects an unreferenced socket).
  void onConnect(ServerSocketConnectEvent& event) {
    std::shared_ptr<Socket> player = event.socket();
    player->tcpNoDelay(true);  // small, latency-bound messages: no Nagle delay (AIR 51)
    player->addEventListener(ProgressEvent::SOCKET_DATA, listener(this, &GameServer::onInput));
    player->addEventListener(Event::CLOSE, listener(this, &GameServer::onPlayerClose));
    player->addEventListener(IOErrorEvent::IO_ERROR, listener(this, &GameServer::onPlayerError));
    players_.push_back(std::move(player));
  }

  // Input messages have a fixed size: read every complete one, leave a partial one buffered
  // for the next socketData. Reading without checking bytesAvailable() first would throw
  // EOFError #2030 whenever TCP delivered half a message.
  void onInput(ProgressEvent& event) {
    auto* player = dynamic_cast<Socket*>(event.target());
    while (player->bytesAvailable() >= kInputSize) {
      lastInputFrame_ = player->readUnsignedInt();
      lastKeys_ = player->readUnsignedByte();
      ++inputsReceived_;
    }
  }

  void onPlayerClose(Event& event) { drop(dynamic_cast<Socket*>(event.target())); }

  void onPlayerError(IOErrorEvent& event) {
    std::fprintf(stderr, "game_loop: server: a player's connection failed: %s\n",
                 event.text().c_str());
    drop(dynamic_cast<Socket*>(event.target()));
  }

  // drop releases a player; this may destroy the Socket inside its own listener, which as3net
  // allows. Nothing may use `socket` afterwards.
  void drop(Socket* socket) {
    for (auto it = players_.begin(); it != players_.end(); ++it) {
      if (it->get() == socket) {
        players_.erase(it);
        return;
      }
    }
  }

  ServerSocket server_;
  std::vector<std::shared_ptr<Socket>> players_;
  std::uint32_t inputsReceived_ = 0;
  std::uint32_t lastInputFrame_ = 0;
  std::uint32_t lastKeys_ = 0;
};

// GameClient is the game's connection to the server.
class GameClient {
 public:
  GameClient(EventLoop& loop, int port, bool autoFlush, bool throwOnce)
      : socket_(loop), throwOnce_(throwOnce) {
    socket_.addEventListener(Event::CONNECT, listener(this, &GameClient::onConnect));
    socket_.addEventListener(ProgressEvent::SOCKET_DATA, listener(this, &GameClient::onData));
    socket_.addEventListener(Event::CLOSE, listener(this, &GameClient::onClose));
    socket_.addEventListener(IOErrorEvent::IO_ERROR, listener(this, &GameClient::onIOError));
    socket_.tcpNoDelay(true);
    // autoFlush (an as3net addition) flushes what was written at the end of the loop turn, as
    // some AIR platforms did between frames. Portable AS3 code calls flush() itself.
    socket_.autoFlush(autoFlush);
    socket_.connect("127.0.0.1", port);  // returns at once; CONNECT comes from a later poll()
  }

  std::uint32_t inputsSent() const { return inputsSent_; }
  std::uint32_t messages() const { return messages_; }
  const std::string& lastState() const { return lastState_; }

  // sendInput is called once per frame by the game.
  void sendInput(int frame, std::uint32_t keys) {
    // Until Event::CONNECT (and after a close) writes throw IOError #2002: skip the frame.
    if (!socket_.connected()) return;
    socket_.writeUnsignedInt(static_cast<std::uint32_t>(frame));
    socket_.writeByte(static_cast<std::int32_t>(keys));
    if (!socket_.autoFlush()) socket_.flush();
    ++inputsSent_;
  }

  void close() {
    if (socket_.connected()) socket_.close();  // close() throws #2002 when not connected
  }

 private:
  void onConnect(Event&) {
    std::printf("game_loop: connected to the game server at %s:%d\n",
                socket_.remoteAddress().c_str(), socket_.remotePort());
  }

  // The AS3 framing idiom. A socketData event may bring half a frame, exactly one, or several:
  // read the length once 4 bytes are there, remember it, read the body once it is all there,
  // and loop for the next. A Socket cannot seek back, so the length is kept in a member
  // (AS3 code keeps `var messageLength:int = -1;`) rather than re-read.
  void onData(ProgressEvent&) {
    if (throwOnce_ && messages_ == 3) {
      // A bug in a listener, for --throw-once. Nothing was read, so the bytes stay buffered and
      // the next socketData picks them up with the new ones.
      throwOnce_ = false;
      throw std::runtime_error("a deliberate bug in the socketData listener (--throw-once)");
    }
    for (;;) {
      if (!length_) {
        if (socket_.bytesAvailable() < 4) return;
        std::uint32_t length = socket_.readUnsignedInt();  // big-endian: endian()'s default
        if (length > kMaxStateSize) {
          // Never trust a length from the wire: waiting for 4 GB would only hang.
          std::fprintf(stderr, "game_loop: a %u-byte state message; disconnecting\n", length);
          socket_.close();
          return;
        }
        length_ = length;
      }
      if (socket_.bytesAvailable() < *length_) return;
      lastState_ = socket_.readUTFBytes(*length_);
      length_.reset();
      ++messages_;
    }
  }

  void onClose(Event&) { std::printf("game_loop: the game server closed the connection\n"); }

  void onIOError(IOErrorEvent& event) {
    std::fprintf(stderr, "game_loop: connection failed: %s\n", event.text().c_str());
  }

  Socket socket_;
  std::optional<std::uint32_t> length_;  // the current frame's length, once read
  std::string lastState_;
  std::uint32_t messages_ = 0;
  std::uint32_t inputsSent_ = 0;
  bool throwOnce_;
};

struct Options {
  double seconds = 2;
  bool autoFlush = false;
  bool throwOnce = false;
};

Options parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      char* end = nullptr;
      options.seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(options.seconds > 0 && options.seconds <= 3600)) {
        std::fprintf(stderr, "game_loop: --seconds takes a number in (0, 3600]\n");
        std::exit(2);
      }
    } else if (arg == "--auto-flush") {
      options.autoFlush = true;
    } else if (arg == "--throw-once") {
      options.throwOnce = true;
    } else {
      std::fprintf(stderr, "usage: game_loop [--seconds S] [--auto-flush] [--throw-once]\n");
      std::exit(arg == "--help" ? 0 : 2);
    }
  }
  return options;
}

double milliseconds(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  const int frames = static_cast<int>(options.seconds * kFramesPerSecond + 0.5);

  // Declared first, destroyed last: the loop outlives every socket on it. Its destructor also
  // finishes the closes still in progress when main returns.
  EventLoop loop;
  try {
    GameServer server(loop);  // bind/listen throw IOError #2002 when they fail
    GameClient client(loop, server.port(), options.autoFlush, options.throwOnce);

    int listenerErrors = 0;
    Clock::duration longestPoll{};
    const Clock::time_point start = Clock::now();
    Clock::time_point nextFrame = start;
    for (int frame = 0; frame < frames; ++frame) {
      // 1. Network. poll() runs whatever is ready (connects, arrived bytes, flushes) and
      //    dispatches its events, right here on the game's thread, without ever waiting.
      //
      //    The exception policy: a listener's exception never unwinds through libuv. The loop
      //    catches it, stops after that callback, and poll() rethrows it here; events still due
      //    are kept for the next poll(). A game logs it and carries on with the next frame.
      //    (Set loop.uncaughtErrorHandler(...) instead to receive them without the throw.)
      const Clock::time_point pollStart = Clock::now();
      try {
        loop.poll();
      } catch (const as3::errors::Error& e) {
        // An AS3 error: e.g. EOFError #2030 from a read that skipped the bytesAvailable()
        // check, or Error #2044 for an ioError no listener heard.
        ++listenerErrors;
        std::fprintf(stderr, "game_loop: frame %d: caught from poll(): %s (errorID %d)\n", frame,
                     e.what(), e.errorID());
      } catch (const std::exception& e) {
        ++listenerErrors;
        std::fprintf(stderr, "game_loop: frame %d: caught from poll(): %s\n", frame, e.what());
      }
      longestPoll = std::max(longestPoll, Clock::now() - pollStart);

      // 2. Update. The server simulates at 10 Hz, the client sends its input every frame.
      if (frame % kFramesPerState == 0) server.tick(frame);
      client.sendInput(frame, static_cast<std::uint32_t>(frame / 15 % 4));  // fake key presses

      // 3. Render would go here.

      // 4. Sleep until the next frame is due. A frame that ran long makes the next ones start
      //    at once; after a long stall (a debugger, a suspended laptop) resynchronise instead
      //    of running a burst of frames to catch up.
      nextFrame += kFrame;
      const Clock::time_point now = Clock::now();
      if (now - nextFrame > 5 * kFrame) nextFrame = now;
      std::this_thread::sleep_until(nextFrame);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    std::printf("game_loop: last state: \"%s\"\n", client.lastState().c_str());
    std::printf(
        "game_loop: %d frames in %.2f s, %u state messages received, %u inputs sent, %u inputs "
        "received by the server, longest poll %.3f ms, listener errors: %d\n",
        frames, elapsed, client.messages(), client.inputsSent(), server.inputsReceived(),
        milliseconds(longestPoll), listenerErrors);

    // Close everything. close() dispatches nothing; the bytes already flushed still go out.
    client.close();
    server.close();

    const int expectedErrors = options.throwOnce ? 1 : 0;
    if (client.messages() == 0 || server.inputsReceived() == 0 ||
        listenerErrors != expectedErrors) {
      std::fprintf(stderr,
                   "game_loop: FAILED: expected traffic both ways and %d listener "
                   "error(s)\n",
                   expectedErrors);
      return 1;
    }
  } catch (const as3::errors::Error& e) {
    // Outside poll(): bind/listen failing, or a write refused (MemoryError #1000 past
    // outputHighWaterMark when the peer stops reading).
    std::fprintf(stderr, "game_loop: %s\n", e.what());
    return 1;
  }
  return 0;
}
