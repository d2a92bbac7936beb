#ifndef AS3_TESTING_RUN_H_
#define AS3_TESTING_RUN_H_

#include <chrono>
#include <functional>

#include "as3/Export.h"

namespace as3::net {
class EventLoop;
}

namespace as3::testing {

/// runUntil drives `loop` until `done()` is true or `limit` has passed, and returns done(): a
/// test's way to wait for events with a time limit that stops by itself. `done` is checked
/// after every turn of the loop, and at least every 5 ms, so a condition another thread sets
/// is seen too. Rethrows what a listener threw (EventLoop::runOnce). Call it from the loop's
/// thread, never from inside one of its callbacks (errors::IllegalOperationError #2037).
AS3NET_EXPORT bool runUntil(net::EventLoop& loop, const std::function<bool()>& done,
                            std::chrono::milliseconds limit = std::chrono::seconds(10));

/// runFor drives `loop` for `duration`, whatever happens: for tests that something does not
/// happen.
AS3NET_EXPORT void runFor(net::EventLoop& loop, std::chrono::milliseconds duration);

}  // namespace as3::testing

#endif  // AS3_TESTING_RUN_H_
