#include "LobbyClient.h"

#include <string_view>

#include "as3/amf/Value.h"
#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"

using as3::amf::Object;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;

LobbyClient::LobbyClient(as3::net::EventLoop& loop) : socket_(loop) {
  socket_.addEventListener(Event::CONNECT, [this](Event&) {
    Object hello;
    hello["type"] = "hello";
    hello["player"] = player_;
    send(hello);
  });
  socket_.addEventListener(ProgressEvent::SOCKET_DATA, [this](Event&) { readFrames(); });
  socket_.addEventListener(Event::CLOSE, [this](Event&) { ended_ = true; });
  socket_.addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& event) {
    ended_ = true;
    problem_ = socket_.serverCertificateStatus() == "trusted"
                   ? "connection lost: " + event.text()
                   : "server not trusted (" + socket_.serverCertificateStatus() + ")";
  });
}

void LobbyClient::join(const std::string& host, int port, const std::string& player) {
  player_ = player;
  socket_.connect(host, port);
}

void LobbyClient::say(const std::string& text) {
  Object line;
  line["type"] = "say";
  line["text"] = text;
  send(line);
}

void LobbyClient::leave() {
  if (socket_.connected()) socket_.close();
}

as3::utils::ByteArray LobbyClient::frame(const Object& message) {
  as3::utils::ByteArray body;
  body.writeObject(message);
  as3::utils::ByteArray out;
  out.writeUnsignedInt(body.length());
  out.writeBytes(body);
  return out;
}

void LobbyClient::send(const Object& message) {
  as3::utils::ByteArray bytes = frame(message);
  socket_.writeBytes(bytes);
  socket_.flush();
}

void LobbyClient::readFrames() {
  // Wait until a whole frame is there, as AS3 code does with bytesAvailable.
  while (socket_.bytesAvailable() >= 4) {
    std::string header = socket_.lookahead(4);
    std::uint32_t length = 0;
    for (char c : header) length = length << 8 | static_cast<unsigned char>(c);
    if (socket_.bytesAvailable() < 4 + length) return;
    socket_.readUnsignedInt();
    as3::utils::ByteArray body;
    if (length > 0) socket_.readBytes(body, 0, length);  // 0 would mean "all there is"
    try {
      as3::amf::Value message = body.readObject();
      if (message.type() == as3::amf::Type::Object) handle(message.asObject());
    } catch (const as3::errors::Error& error) {
      problem_ = "bad message: " + error.message();
      socket_.close();
      ended_ = true;
      return;
    }
  }
}

void LobbyClient::handle(const Object& message) {
  // asString() views the text inside the message: copy what outlives it.
  std::string_view type = message["type"].asString();
  if (type == "welcome") welcomed_ = true;
  if (type == "said")
    chat_.push_back(std::string(message["player"].asString()) + ": " +
                    std::string(message["text"].asString()));
}
