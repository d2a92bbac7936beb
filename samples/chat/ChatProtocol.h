// ChatProtocol: the messages of the chat sample and how they travel, shared by chat_server and
// chat_client as an AS3 project shares its message classes between client and server.
//
// On the wire every message is one frame: its body's length as a u32 big-endian, then the body,
// one AMF3 value written by writeObject. Messages are typed objects: C++ classes registered with
// registerClassAlias under the names an AS3 peer would register, so a Flash or AIR client using
// the same aliases reads them as its own classes.
//
//   client -> server   chat.Join {name}           first frame of a connection
//                      chat.Say {text}
//   server -> client   chat.Welcome {name, present}   to the new client: who is already here
//                      chat.Joined {name}         to everyone else
//                      chat.Said {sequence, from, text}   to everyone, the sender included
//                      chat.Left {name}           to everyone else
#ifndef SAMPLES_CHAT_CHATPROTOCOL_H_
#define SAMPLES_CHAT_CHATPROTOCOL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "as3/amf/Array.h"
#include "as3/amf/ClassAlias.h"
#include "as3/amf/Value.h"
#include "as3/errors/IOError.h"
#include "as3/net/Socket.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/ObjectEncoding.h"

namespace chat {

// The message classes. In AS3 each would be a class with public vars and a
// registerClassAlias("chat.Join", Join) call; in C++ the members are plain fields and
// registerChatClasses() below describes them, since C++ has no reflection.
struct Join {
  std::string name;
};

struct Say {
  std::string text;
};

struct Welcome {
  std::string name;         // the name the server accepted
  as3::amf::Array present;  // names of the others already here (AS3: an Array of String)
};

struct Joined {
  std::string name;
};

struct Said {
  std::uint32_t sequence = 0;  // the server's count of messages: AS3's uint stays a uint
  std::string from;
  std::string text;
};

struct Left {
  std::string name;
};

// registerChatClasses is what both sides run at start-up, as both sides of an AS3 project call
// registerClassAlias before the first readObject. Without it, writeObject would send anonymous
// objects and readObject on the other side could not give back a Join or a Said.
inline void registerChatClasses() {
  using as3::amf::Class;
  using as3::amf::registerClassAlias;
  registerClassAlias("chat.Join", Class<Join>().member("name", &Join::name));
  registerClassAlias("chat.Say", Class<Say>().member("text", &Say::text));
  registerClassAlias(
      "chat.Welcome",
      Class<Welcome>().member("name", &Welcome::name).member("present", &Welcome::present));
  registerClassAlias("chat.Joined", Class<Joined>().member("name", &Joined::name));
  registerClassAlias("chat.Said", Class<Said>()
                                      .member("sequence", &Said::sequence)
                                      .member("from", &Said::from)
                                      .member("text", &Said::text));
  registerClassAlias("chat.Left", Class<Left>().member("name", &Left::name));
}

// kMaxFrame bounds a body's length. A length comes from the network: without a bound, a peer
// (or a bug) announcing 4 GB would make the reader wait for ever.
constexpr std::uint32_t kMaxFrame = 64 * 1024;

// sendMessage writes one frame and flushes it. The body is encoded into a ByteArray first, since
// its length must go before it; `message` is any registered class, as a shared_ptr (a Value).
// Throws IOError #2002 when the socket is not connected.
inline void sendMessage(as3::net::Socket& socket, const as3::amf::Value& message) {
  as3::utils::ByteArray body;
  body.objectEncoding(as3::utils::ObjectEncoding::AMF3);  // the default, said out loud
  body.writeObject(message);
  socket.writeUnsignedInt(body.length());
  socket.writeBytes(body);
  socket.flush();
}

// FrameReader cuts what arrives on one socket into messages, the AS3 way: a socketData event may
// bring part of a frame, one, or several, so read the length once 4 bytes are there, keep it
// (a Socket cannot seek back to re-read it), and read the body once all of it is there.
//
//   private var frameLength:int = -1;
//   private function onSocketData(event:ProgressEvent):void {
//     while (true) {
//       if (frameLength < 0) {
//         if (socket.bytesAvailable < 4) return;
//         frameLength = socket.readUnsignedInt();
//       }
//       if (socket.bytesAvailable < frameLength) return;
//       var body:ByteArray = new ByteArray();
//       socket.readBytes(body, 0, frameLength);
//       frameLength = -1;
//       handle(body.readObject());
//     }
//   }
class FrameReader {
 public:
  // next returns the next complete message, or std::nullopt until one has fully arrived (call
  // it in a loop from socketData until then). Throws IOError for a frame the protocol forbids,
  // and readObject's AS3 errors for a body that is not AMF3; the connection is unusable then.
  std::optional<as3::amf::Value> next(as3::net::Socket& socket) {
    if (!length_) {
      if (socket.bytesAvailable() < 4) return std::nullopt;
      const std::uint32_t length = socket.readUnsignedInt();  // big-endian, endian()'s default
      // 0 is refused too: readBytes(body, 0, 0) means "everything available" in AS3, so an
      // empty frame would swallow the frames after it.
      if (length == 0 || length > kMaxFrame) {
        throw as3::errors::IOError("a frame of " + std::to_string(length) + " bytes", 0);
      }
      length_ = length;
    }
    if (socket.bytesAvailable() < *length_) return std::nullopt;
    as3::utils::ByteArray body;
    socket.readBytes(body, 0, *length_);
    length_.reset();
    // Decoding from a ByteArray of exactly one frame, not from the socket: a malformed body can
    // then never eat into the next frame.
    as3::amf::Value message = body.readObject();
    if (body.bytesAvailable() != 0) {
      throw as3::errors::IOError("a frame holding more than one value", 0);
    }
    return message;
  }

 private:
  std::optional<std::uint32_t> length_;  // the current frame's length, once read
};

}  // namespace chat

#endif  // SAMPLES_CHAT_CHATPROTOCOL_H_
