// chat_server: an AIR-style ServerSocket chat room speaking ChatProtocol.h (length-prefixed AMF3
// frames of registered classes). Everything one member says goes to every member.
//
//   sample_chat_server [--port N] [--address IP] [--seconds S]
//
// The first line printed is "chat_server: listening on 127.0.0.1:PORT" (port 0, the default,
// lets the OS choose). It stops by itself after S seconds (default 300; 0: until killed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ChatProtocol.h"
#include "as3/amf/Value.h"
#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/ServerSocket.h"
#include "as3/net/Socket.h"
#include "common/Deadline.h"

using as3::amf::Value;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::ServerSocket;
using as3::net::Socket;

namespace {

// ChatServer owns the ServerSocket and every member's connection, so the listeners bound to
// `this` never outlive it. One set of listeners serves all members; event.target() says which.
class ChatServer {
 public:
  explicit ChatServer(EventLoop& loop) : server_(loop) {
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             listener(this, &ChatServer::onConnect));
  }

  void start(int port, const std::string& address) {
    server_.bind(port, address);
    server_.listen();
    std::printf("chat_server: listening on %s:%d\n", server_.localAddress().c_str(),
                server_.localPort());
  }

  void close() {
    server_.close();
    for (Member& member : members_) {
      if (member.socket->connected()) member.socket->close();
    }
    members_.clear();
  }

 private:
  // Member is one connection: its socket, its frame reader (frames are cut per connection), and
  // its name once chat.Join has arrived.
  struct Member {
    std::shared_ptr<Socket> socket;
    chat::FrameReader reader;
    std::string name;  // "" until joined
  };

  void onConnect(ServerSocketConnectEvent& event) {
    std::shared_ptr<Socket> socket = event.socket();
    socket->tcpNoDelay(true);  // chat lines are small and latency-bound
    socket->addEventListener(ProgressEvent::SOCKET_DATA, listener(this, &ChatServer::onData));
    socket->addEventListener(Event::CLOSE, listener(this, &ChatServer::onMemberClose));
    socket->addEventListener(IOErrorEvent::IO_ERROR, listener(this, &ChatServer::onMemberError));
    members_.push_back(Member{std::move(socket), {}, {}});  // kept, or it closes on return
  }

  // Every complete frame is handled; a partial one stays buffered in the socket until the next
  // socketData. A frame that breaks the protocol ends that member's connection.
  void onData(ProgressEvent& event) {
    Socket* socket = dynamic_cast<Socket*>(event.target());
    for (;;) {
      Member* member = find(socket);
      if (member == nullptr) return;  // dropped while handling the previous frame
      std::optional<Value> message;
      try {
        message = member->reader.next(*socket);
      } catch (const as3::errors::Error& e) {
        // EOFError #2030 or a decoding error from readObject, or the reader's IOError.
        drop(socket, std::string("broke the protocol: ") + e.what());
        return;
      }
      if (!message) return;  // the rest of the frame has not arrived yet
      handle(*member, *message);
    }
  }

  // handle dispatches on the message's class, as AS3 code tests `message is Join`.
  void handle(Member& member, const Value& message) {
    if (auto join = message.as<chat::Join>()) {
      onJoin(member, *join);
    } else if (auto say = message.as<chat::Say>()) {
      if (member.name.empty()) {
        drop(member.socket.get(), "spoke before chat.Join");
        return;
      }
      auto said = std::make_shared<chat::Said>();
      said->sequence = ++sequence_;
      said->from = member.name;
      said->text = say->text;
      std::printf("chat_server: #%u [%s] %s\n", said->sequence, said->from.c_str(),
                  said->text.c_str());
      broadcast(said, nullptr);  // to everyone, the sender included: that is its receipt
    } else {
      // An unregistered alias reads back as an amf::Object that keeps its class name.
      const std::string kind =
          message.type() == as3::amf::Type::Object ? message.asObject().className() : "";
      drop(member.socket.get(), "sent an unexpected " + (kind.empty() ? message.toString() : kind));
    }
  }

  void onJoin(Member& member, const chat::Join& join) {
    const bool taken = std::any_of(members_.begin(), members_.end(), [&](const Member& m) {
      return !m.name.empty() && m.name == join.name;
    });
    if (!member.name.empty() || join.name.empty() || taken) {
      drop(member.socket.get(), "sent a bad chat.Join (\"" + join.name + "\")");
      return;
    }
    auto welcome = std::make_shared<chat::Welcome>();
    welcome->name = join.name;
    for (const Member& other : members_) {
      if (!other.name.empty()) welcome->present.push(other.name);
    }
    member.name = join.name;
    chat::sendMessage(*member.socket, welcome);
    std::printf("chat_server: %s joined (%zu connected)\n", member.name.c_str(), members_.size());

    auto joined = std::make_shared<chat::Joined>();
    joined->name = join.name;
    // Last: broadcast may drop other members, and erasing from members_ moves `member`.
    broadcast(joined, member.socket.get());
  }

  // broadcast sends one message to every member who has joined, except `except`. A socket
  // whose connection just failed is skipped: its ioError drops it. A member whose output is
  // refused (MemoryError #1000 once a peer that stops reading has 64 MiB pending) is dropped
  // after the loop, so one slow reader cannot stop the room or make run() throw.
  void broadcast(const Value& message, const Socket* except) {
    std::vector<std::pair<Socket*, std::string>> refused;
    for (Member& member : members_) {
      if (member.name.empty() || member.socket.get() == except) continue;
      if (!member.socket->connected()) continue;
      try {
        chat::sendMessage(*member.socket, message);
      } catch (const as3::errors::Error& e) {
        refused.emplace_back(member.socket.get(), std::string("could not be sent to: ") + e.what());
      }
    }
    for (const auto& [socket, why] : refused) drop(socket, why);
  }

  void onMemberClose(Event& event) { drop(dynamic_cast<Socket*>(event.target()), "left"); }

  void onMemberError(IOErrorEvent& event) {
    drop(dynamic_cast<Socket*>(event.target()), "lost: " + event.text());
  }

  Member* find(const Socket* socket) {
    auto it = std::find_if(members_.begin(), members_.end(),
                           [socket](const Member& m) { return m.socket.get() == socket; });
    return it == members_.end() ? nullptr : &*it;
  }

  // drop ends a member's connection and tells the others. Erasing may destroy the Socket inside
  // its own listener, which as3net allows; nothing may use `socket` afterwards.
  void drop(Socket* socket, const std::string& why) {
    auto it = std::find_if(members_.begin(), members_.end(),
                           [socket](const Member& m) { return m.socket.get() == socket; });
    if (it == members_.end()) return;
    const std::string name = it->name;
    if (it->socket->connected()) it->socket->close();  // close() throws #2002 when not connected
    members_.erase(it);
    std::printf("chat_server: %s %s (%zu connected)\n", name.empty() ? "a newcomer" : name.c_str(),
                why.c_str(), members_.size());
    if (!name.empty()) {
      auto left = std::make_shared<chat::Left>();
      left->name = name;
      broadcast(left, nullptr);
    }
  }

  ServerSocket server_;
  std::vector<Member> members_;
  std::uint32_t sequence_ = 0;
};

[[noreturn]] void usage(const char* problem) {
  if (problem) std::fprintf(stderr, "chat_server: %s\n", problem);
  std::fprintf(stderr, "usage: chat_server [--port N] [--address IP] [--seconds S]\n");
  std::exit(problem ? 2 : 0);
}

}  // namespace

int main(int argc, char** argv) {
  int port = 0;
  std::string address = "127.0.0.1";
  double seconds = 300;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") usage(nullptr);
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--port") {
      long n = std::strtol(value, &end, 10);
      if (end == value || *end != '\0' || n < 0 || n > 65535) usage("bad --port");
      port = static_cast<int>(n);
    } else if (arg == "--address") {
      address = value;
    } else if (arg == "--seconds") {
      seconds = std::strtod(value, &end);
      if (end == value || *end != '\0' || !(seconds >= 0)) usage("bad --seconds");
    } else {
      usage(("unknown option " + arg).c_str());
    }
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // the test script waits for the "listening" line

  chat::registerChatClasses();  // before the first frame is read or written
  EventLoop loop;               // first, so it is destroyed last
  ChatServer server(loop);
  try {
    server.start(port, address);
    std::optional<Deadline> deadline;
    if (seconds > 0) {
      deadline.emplace(loop, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
    }
    loop.run();  // returns at the deadline only: a listening server always has work
    if (deadline && deadline->expired()) {
      std::printf("chat_server: %g seconds are up, stopping\n", seconds);
    }
    server.close();
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "chat_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
