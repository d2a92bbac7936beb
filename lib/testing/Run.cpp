#include "as3/testing/Run.h"

#include "net/detail/TestingHooks.h"

namespace as3::testing {

bool runUntil(net::EventLoop& loop, const std::function<bool()>& done,
              std::chrono::milliseconds limit) {
  return net::detail::runUntil(loop, done, limit);
}

void runFor(net::EventLoop& loop, std::chrono::milliseconds duration) {
  net::detail::runUntil(
      loop, [] { return false; }, duration);
}

}  // namespace as3::testing
