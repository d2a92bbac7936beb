#include "as3/testing/TestClock.h"

#include <ctime>

#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateValidator.h"

namespace as3::testing {

TestClock::TestClock() : TestClock(static_cast<std::int64_t>(std::time(nullptr))) {}

TestClock::TestClock(std::int64_t secondsSinceEpoch)
    : seconds_(std::make_shared<std::atomic<std::int64_t>>(secondsSinceEpoch)) {}

std::int64_t TestClock::now() const noexcept {
  return seconds_->load(std::memory_order_relaxed);
}

void TestClock::set(std::int64_t secondsSinceEpoch) noexcept {
  seconds_->store(secondsSinceEpoch, std::memory_order_relaxed);
}

void TestClock::advance(std::chrono::seconds by) noexcept {
  seconds_->fetch_add(by.count(), std::memory_order_relaxed);
}

void TestClock::drive(security::CertificateValidator& validator) const {
  // The validator keeps the shared time alive, so it may outlive this clock object.
  validator.clock([seconds = seconds_] { return seconds->load(std::memory_order_relaxed); });
}

void TestClock::drive(net::SecureSocket& socket) const {
  drive(socket.validator());
}

}  // namespace as3::testing
