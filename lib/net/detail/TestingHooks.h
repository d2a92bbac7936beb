// What the testing kit (as3net::testing, a library of its own) needs from inside as3net and no
// application should: exported so the kit can link to it, declared only here, off the public
// headers. The kit is built and installed with the same version, so these may change freely.
#ifndef AS3NET_LIB_NET_DETAIL_TESTINGHOOKS_H_
#define AS3NET_LIB_NET_DETAIL_TESTINGHOOKS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "as3/Export.h"

namespace as3::net {
class EventLoop;
class Socket;
}  // namespace as3::net

namespace as3::net::detail {

/// endAbruptly ends `socket`'s connection without a TLS close_notify: after its flushed bytes
/// with a FIN, or at once with an RST when `reset`. Dispatches nothing. Throws errors::IOError
/// #2002 when it is not connected.
AS3NET_EXPORT void endAbruptly(Socket& socket, bool reset);

/// runUntil drives `loop` until `done()` is true or `limit` has passed, waking at least every
/// few milliseconds so that a condition another thread changes is seen; returns done().
AS3NET_EXPORT bool runUntil(EventLoop& loop, const std::function<bool()>& done,
                            std::chrono::milliseconds limit);

/// startTimer calls `fire` on `loop` once, after `milliseconds`, unless the handle it returns
/// is released first. Returns null when the loop is gone.
AS3NET_EXPORT std::shared_ptr<void> startTimer(EventLoop& loop, std::uint64_t milliseconds,
                                               std::function<void()> fire);

}  // namespace as3::net::detail

#endif  // AS3NET_LIB_NET_DETAIL_TESTINGHOOKS_H_
