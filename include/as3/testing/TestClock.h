#ifndef AS3_TESTING_TESTCLOCK_H_
#define AS3_TESTING_TESTCLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "as3/Export.h"

namespace as3::security {
class CertificateValidator;
}
namespace as3::net {
class SecureSocket;
}

namespace as3::testing {

/// TestClock is a clock a test sets and moves by hand, for certificate validity: drive a
/// SecureSocket's validation with it, issue certificates from a TestCertificateAuthority
/// against it, then advance() past a certificate's expiry instead of waiting. Copies share one
/// time. Safe to read and move from any thread. Not in AIR.
class AS3NET_EXPORT TestClock {
 public:
  /// Creates a clock that starts at the real time now.
  TestClock();
  /// Creates a clock that starts at `secondsSinceEpoch` (seconds since 1970 UTC).
  explicit TestClock(std::int64_t secondsSinceEpoch);

  /// now is the clock's time, in seconds since 1970 UTC.
  std::int64_t now() const noexcept;
  /// set moves the clock to `secondsSinceEpoch`, forwards or back.
  void set(std::int64_t secondsSinceEpoch) noexcept;
  /// advance moves the clock by `by` (negative: back).
  void advance(std::chrono::seconds by) noexcept;

  /// drive makes `validator` validate at this clock's time, now and whenever it moves later
  /// (through CertificateValidator::clock). A fixed CertificateValidator::time() still wins.
  void drive(security::CertificateValidator& validator) const;
  /// drive makes `socket`'s next validations use this clock (its validator()).
  void drive(net::SecureSocket& socket) const;

 private:
  std::shared_ptr<std::atomic<std::int64_t>> seconds_;
};

}  // namespace as3::testing

#endif  // AS3_TESTING_TESTCLOCK_H_
