// Names the tests control: the test executable defines getaddrinfo and freeaddrinfo, which take
// precedence over the C library's for libuv's lookups. Names ending in ".as3net.test" answer
// from the table below; every other name goes to the real resolver.
#ifndef AS3NET_TEST_SUPPORT_FAKEDNS_H_
#define AS3NET_TEST_SUPPORT_FAKEDNS_H_

#include <chrono>
#include <string>
#include <vector>

namespace test {

/// FakeName makes `name` resolve to `addresses` (numeric IPv4 or IPv6 text, in that order),
/// after `delay`, until it is destroyed. An empty list answers EAI_NONAME.
class FakeName {
 public:
  FakeName(std::string name, std::vector<std::string> addresses,
           std::chrono::milliseconds delay = std::chrono::milliseconds(0));
  ~FakeName();
  FakeName(const FakeName&) = delete;
  FakeName& operator=(const FakeName&) = delete;

 private:
  std::string name_;
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_FAKEDNS_H_
