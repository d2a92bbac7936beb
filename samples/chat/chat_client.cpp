// chat_client: a Socket client for chat_server. It joins under a name, says scripted lines, prints
// everything the room says, and leaves once it has heard what it was told to wait for.
//
//   sample_chat_client HOST PORT NAME [--wait-for PEER] [--expect N] [--seconds S] [LINE... | -]
//
// --wait-for PEER  say nothing until PEER is in the room (already there, or joining later)
// --expect N       stay until N lines from others have arrived (default 0)
// LINE...          the lines to say; "-" reads them from standard input, to its end, before
//                  connecting (so the loop never blocks on the terminal)
//
// It leaves when its own lines have come back from the server (the server sends every chat.Said
// to everyone, the sender included) and the expected lines have arrived. Exit status: 0 then,
// 1 on a network or protocol error, a refused name, or S seconds (default 10) without getting
// there, 2 on bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
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
#include "as3/net/EventLoop.h"
#include "as3/net/Socket.h"
#include "common/Deadline.h"

using as3::amf::Value;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::Socket;

namespace {

struct Script {
  std::string name;
  std::string waitFor;  // "" : speak at once
  std::uint32_t expect = 0;
  std::vector<std::string> lines;
};

class ChatClient {
 public:
  ChatClient(EventLoop& loop, Script script)
      : loop_(loop), socket_(loop), script_(std::move(script)) {
    socket_.addEventListener(Event::CONNECT, listener(this, &ChatClient::onConnect));
    socket_.addEventListener(ProgressEvent::SOCKET_DATA, listener(this, &ChatClient::onData));
    socket_.addEventListener(Event::CLOSE, listener(this, &ChatClient::onClose));
    socket_.addEventListener(IOErrorEvent::IO_ERROR, listener(this, &ChatClient::onIOError));
    socket_.tcpNoDelay(true);
  }

  void connect(const std::string& host, int port) { socket_.connect(host, port); }
  bool succeeded() const { return succeeded_; }

  // timedOut reports what was still missing once the deadline has stopped the loop. It must not
  // call stop() again: a stop() outside run() would end the next run() at once.
  void timedOut() {
    loopStopped_ = true;
    finish(false, "gave up after the time limit: heard " + std::to_string(heardFromOthers_) +
                      " of " + std::to_string(script_.expect) + " lines from others, " +
                      std::to_string(ownEchoed_) + " of " + std::to_string(script_.lines.size()) +
                      " own lines came back");
  }

 private:
  void onConnect(Event&) {
    auto join = std::make_shared<chat::Join>();
    join->name = script_.name;
    chat::sendMessage(socket_, join);  // the first frame: who we are
  }

  // The framing loop: take every complete frame, stop at a partial one. FrameReader keeps the
  // length it has read between socketData events (see ChatProtocol.h for the AS3 it ports).
  void onData(ProgressEvent&) {
    for (;;) {
      std::optional<Value> message;
      try {
        message = reader_.next(socket_);
      } catch (const as3::errors::Error& e) {
        finish(false, std::string("the server broke the protocol: ") + e.what());
        return;
      }
      if (!message) return;
      handle(*message);
      if (finished_) return;  // finish() closed the socket: nothing more to read
    }
  }

  // handle is a chain of `if (message is Said)` tests, in C++: message.as<Said>() is the object
  // readObject made for the alias "chat.Said", or null when the value is something else.
  void handle(const Value& message) {
    if (auto said = message.as<chat::Said>()) {
      std::printf("[%s] %s\n", said->from.c_str(), said->text.c_str());
      if (said->from == script_.name) {
        ++ownEchoed_;
      } else {
        ++heardFromOthers_;
      }
    } else if (auto welcome = message.as<chat::Welcome>()) {
      std::string names;
      // Read through a const reference: on a non-const Array, operator[] gives a proxy for
      // assignment that lacks Value's members. The index is a size_t, since operator[] has int
      // and size_t overloads and the uint an AS3 loop would use is ambiguous between them.
      const as3::amf::Array& present = welcome->present;
      for (std::size_t i = 0; i < present.length(); ++i) {
        const std::string name = present[i].toString();
        present_.insert(name);
        names += (i ? ", " : "") + name;
      }
      std::printf("* joined as %s; here already: %s\n", welcome->name.c_str(),
                  names.empty() ? "nobody" : names.c_str());
    } else if (auto joined = message.as<chat::Joined>()) {
      std::printf("* %s joined\n", joined->name.c_str());
      present_.insert(joined->name);
    } else if (auto left = message.as<chat::Left>()) {
      std::printf("* %s left\n", left->name.c_str());
      present_.erase(left->name);
    } else {
      std::printf("* an unexpected message: %s\n", message.toString().c_str());
    }
    if (!spoken_ && (script_.waitFor.empty() || present_.count(script_.waitFor) != 0)) speak();
    if (spoken_ && ownEchoed_ >= script_.lines.size() && heardFromOthers_ >= script_.expect) {
      finish(true, "");
    }
  }

  void speak() {
    spoken_ = true;
    for (const std::string& line : script_.lines) {
      auto say = std::make_shared<chat::Say>();
      say->text = line;
      chat::sendMessage(socket_, say);
    }
  }

  // The server closes only when it refuses us (a name already taken) or stops.
  void onClose(Event&) { finish(false, "the server closed the connection"); }

  void onIOError(IOErrorEvent& event) { finish(false, event.text()); }

  void finish(bool ok, const std::string& why) {
    if (finished_) return;
    finished_ = true;
    succeeded_ = ok;
    // Leaving is just closing: the server sees Event::CLOSE and tells the others chat.Left.
    if (socket_.connected()) socket_.close();
    if (ok) {
      std::printf("chat_client: %s leaves, having heard %u %s from others\n", script_.name.c_str(),
                  heardFromOthers_, heardFromOthers_ == 1 ? "line" : "lines");
    } else {
      std::fprintf(stderr, "chat_client: %s failed: %s\n", script_.name.c_str(), why.c_str());
    }
    if (!loopStopped_) loop_.stop();
    loopStopped_ = true;
  }

  EventLoop& loop_;
  Socket socket_;
  Script script_;
  chat::FrameReader reader_;
  std::set<std::string> present_;  // the others in the room, as far as we know
  bool spoken_ = false;
  std::uint32_t ownEchoed_ = 0;
  std::uint32_t heardFromOthers_ = 0;
  bool finished_ = false;
  bool succeeded_ = false;
  bool loopStopped_ = false;
};

[[noreturn]] void usage(const char* problem) {
  if (problem) std::fprintf(stderr, "chat_client: %s\n", problem);
  std::fprintf(stderr,
               "usage: chat_client HOST PORT NAME [--wait-for PEER] [--expect N] [--seconds S] "
               "[LINE... | -]\n");
  std::exit(problem ? 2 : 0);
}

}  // namespace

int main(int argc, char** argv) {
  Script script;
  double seconds = 10;
  std::vector<std::string> positional;
  bool fromStdin = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") usage(nullptr);
    if (arg == "--wait-for" || arg == "--expect" || arg == "--seconds") {
      if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
      const char* value = argv[++i];
      char* end = nullptr;
      if (arg == "--wait-for") {
        script.waitFor = value;
      } else if (arg == "--expect") {
        long n = std::strtol(value, &end, 10);
        if (end == value || *end != '\0' || n < 0 || n > 1000000) usage("bad --expect");
        script.expect = static_cast<std::uint32_t>(n);
      } else {
        seconds = std::strtod(value, &end);
        if (end == value || *end != '\0' || !(seconds > 0)) usage("bad --seconds");
      }
    } else if (arg == "-" && positional.size() >= 3) {
      fromStdin = true;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 3) usage("HOST, PORT and NAME are required");
  char* end = nullptr;
  long port = std::strtol(positional[1].c_str(), &end, 10);
  if (end == positional[1].c_str() || *end != '\0' || port < 0 || port > 65535) usage("bad PORT");
  script.name = positional[2];
  script.lines.assign(positional.begin() + 3, positional.end());
  if (fromStdin) {
    for (std::string line; std::getline(std::cin, line);) script.lines.push_back(line);
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep stdout in step with stderr in a log

  chat::registerChatClasses();  // before the first frame is read or written
  EventLoop loop;               // first, so it is destroyed last
  ChatClient client(loop, std::move(script));
  try {
    client.connect(positional[0], static_cast<int>(port));
    Deadline deadline(loop, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
    loop.run();
    if (deadline.expired()) client.timedOut();
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "chat_client: %s\n", e.what());
    return 1;
  }
  return client.succeeded() ? 0 : 1;
}
