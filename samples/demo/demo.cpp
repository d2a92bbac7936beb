// The as3net demo, for now without a network: it frames a game message the way AS3 code does
// (u32 length prefix, writeUTF, writeDouble, a Shift_JIS name), hands the frame to a listener
// through an EventDispatcher as a socketData event would, parses it back, and shows the AS3
// errors a porter meets. Later issues turn this into the secure-socket demo.
#include <cstdio>
#include <string>
#include <utility>

#include "as3/errors/EOFError.h"
#include "as3/events/Event.h"
#include "as3/events/EventDispatcher.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/utils/ByteArray.h"

using as3::events::Event;
using as3::events::EventDispatcher;
using as3::events::ProgressEvent;
using as3::utils::ByteArray;

namespace {

// What a ported client looks like: a class whose member functions are the listeners.
class Client {
 public:
  explicit Client(ByteArray& wire) : wire_(wire) {}

  void onConnect(Event& event) { std::printf("  listener: %s\n", event.toString().c_str()); }

  void onSocketData(ProgressEvent& event) {
    std::printf("  listener: %s\n", event.toString().c_str());
    // Framed reading, as AS3 code does it: wait until the whole frame is there.
    while (wire_.bytesAvailable() >= 4) {
      std::uint32_t size = wire_.readUnsignedInt();
      if (wire_.bytesAvailable() < size) {
        wire_.position(wire_.position() - 4);
        std::printf("  listener: frame of %u bytes is incomplete, waiting\n", size);
        return;
      }
      std::string player = wire_.readUTF();
      double x = wire_.readDouble();
      std::string nickname = wire_.readMultiByte(wire_.readUnsignedByte(), "shift_jis");
      std::printf("  listener: player=%s x=%.2f nickname=%s\n", player.c_str(), x,
                  nickname.c_str());
    }
  }

 private:
  ByteArray& wire_;
};

ByteArray frame(const std::string& player, double x, const std::string& nickname) {
  ByteArray body;
  body.writeUTF(player);
  body.writeDouble(x);
  ByteArray name;
  name.writeMultiByte(nickname, "shift_jis");
  body.writeByte(static_cast<std::int32_t>(name.length()));
  body.writeBytes(name);
  ByteArray out;
  out.writeUnsignedInt(body.length());
  out.writeBytes(body);
  return out;
}

}  // namespace

int main() {
  std::printf("as3net demo: ByteArray and events, as AS3 code uses them\n\n");

  ByteArray message = frame("alice", 12.5, "\xE3\x81\x82\xE3\x82\x8A\xE3\x81\x99");  // "ありす"
  std::printf("1. A frame built with writeUnsignedInt/writeUTF/writeDouble/writeMultiByte:\n");
  std::printf("   %u bytes, big-endian: %s\n", message.length(), message.toHexString().c_str());

  ByteArray packed = message;
  packed.compress();
  std::printf("   compress() (zlib): %u bytes, header %02x %02x", packed.length(),
              unsigned{std::as_const(packed)[0]}, unsigned{std::as_const(packed)[1]});
  packed.uncompress();
  std::printf("; uncompress() gives the frame back: %s\n\n", packed == message ? "yes" : "NO");

  std::printf("2. An EventDispatcher delivers connect and socketData to member listeners:\n");
  ByteArray wire;
  Client client(wire);
  EventDispatcher socket;
  socket.addEventListener(Event::CONNECT, as3::events::listener(&client, &Client::onConnect));
  socket.addEventListener(ProgressEvent::SOCKET_DATA,
                          as3::events::listener(&client, &Client::onSocketData));
  Event connect(Event::CONNECT);
  socket.dispatchEvent(connect);

  // The frame arrives in two pieces, as TCP may deliver it.
  ByteArray second = frame("bob", -3.75, "bob");
  std::uint32_t cut = 7;
  wire.writeBytes(message);
  wire.writeBytes(second, 0, cut);
  wire.position(0);
  ProgressEvent first(ProgressEvent::SOCKET_DATA, false, false, message.length() + cut);
  socket.dispatchEvent(first);
  std::uint32_t readPosition = wire.position();
  wire.position(wire.length());
  wire.writeBytes(second, cut);
  wire.position(readPosition);
  ProgressEvent rest(ProgressEvent::SOCKET_DATA, false, false, second.length() - cut);
  socket.dispatchEvent(rest);

  std::printf("\n3. Priorities decide the order; removeEventListener takes the same listener:\n");
  as3::events::Listener low = [](Event&) { std::printf("  priority 0 runs second\n"); };
  socket.addEventListener(Event::CLOSE, low);
  socket.addEventListener(
      Event::CLOSE, [](Event&) { std::printf("  priority 5 runs first\n"); }, false, 5);
  Event close(Event::CLOSE);
  socket.dispatchEvent(close);
  socket.removeEventListener(Event::CLOSE, low);
  std::printf("  after removing the priority-0 listener:\n");
  Event again(Event::CLOSE);
  socket.dispatchEvent(again);

  std::printf("\n4. Reading past the end throws AS3's EOFError, and consumes nothing:\n");
  ByteArray shortData;
  shortData.writeShort(7);
  shortData.position(0);
  try {
    shortData.readInt();
  } catch (const as3::errors::EOFError& e) {
    std::printf("  caught %s (errorID %d); position still %u\n", e.toString().c_str(), e.errorID(),
                shortData.position());
  }
  std::printf("\nDone: every step above ran through the as3net library.\n");
  return 0;
}
