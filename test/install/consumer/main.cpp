// Uses the installed headers and library: a ByteArray round trip, an event, and an AS3 error
// caught by type across the library boundary. Exit status 0 means all of it worked.
#include <cstdio>

#include "as3/errors/EOFError.h"
#include "as3/events/Event.h"
#include "as3/events/EventDispatcher.h"
#include "as3/utils/ByteArray.h"

int main() {
  as3::utils::ByteArray bytes;
  bytes.writeUTF("installed");
  bytes.compress();
  bytes.uncompress();
  if (bytes.readUTF() != "installed") return 1;
  try {
    bytes.readInt();
    return 2;
  } catch (const as3::errors::EOFError& e) {
    if (e.errorID() != 2030) return 3;
  }
  as3::events::EventDispatcher dispatcher;
  int calls = 0;
  dispatcher.addEventListener(as3::events::Event::CONNECT, [&](as3::events::Event&) { ++calls; });
  as3::events::Event connect(as3::events::Event::CONNECT);
  dispatcher.dispatchEvent(connect);
  if (calls != 1) return 4;
  std::puts("consumer ok");
  return 0;
}
