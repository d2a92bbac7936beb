#include "support/FakeDns.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace {

struct Entry {
  std::vector<std::string> addresses;
  std::chrono::milliseconds delay;
};

std::mutex gMutex;
std::map<std::string, Entry>& table() {
  static std::map<std::string, Entry> entries;
  return entries;
}
std::set<addrinfo*>& ours() {
  static std::set<addrinfo*> results;
  return results;
}

bool isFake(const char* node) {
  static const char kSuffix[] = ".as3net.test";
  std::size_t n = node ? std::strlen(node) : 0, s = sizeof kSuffix - 1;
  return n > s && std::strcmp(node + n - s, kSuffix) == 0;
}

addrinfo* makeResult(const std::vector<std::string>& addresses, const char* service) {
  int port = service ? std::atoi(service) : 0;
  addrinfo* head = nullptr;
  addrinfo** tail = &head;
  for (const std::string& text : addresses) {
    auto* ai = static_cast<addrinfo*>(std::calloc(1, sizeof(addrinfo)));
    auto* storage = static_cast<sockaddr_storage*>(std::calloc(1, sizeof(sockaddr_storage)));
    if (text.find(':') != std::string::npos) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(storage);
      in6->sin6_family = AF_INET6;
      in6->sin6_port = htons(static_cast<std::uint16_t>(port));
      inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr);
      ai->ai_family = AF_INET6;
      ai->ai_addrlen = sizeof(sockaddr_in6);
    } else {
      auto* in = reinterpret_cast<sockaddr_in*>(storage);
      in->sin_family = AF_INET;
      in->sin_port = htons(static_cast<std::uint16_t>(port));
      inet_pton(AF_INET, text.c_str(), &in->sin_addr);
      ai->ai_family = AF_INET;
      ai->ai_addrlen = sizeof(sockaddr_in);
    }
    ai->ai_socktype = SOCK_STREAM;
    ai->ai_protocol = IPPROTO_TCP;
    ai->ai_addr = reinterpret_cast<sockaddr*>(storage);
    *tail = ai;
    tail = &ai->ai_next;
  }
  return head;
}

using GetaddrinfoFn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
using FreeaddrinfoFn = void (*)(addrinfo*);

}  // namespace

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                           addrinfo** result) {
  if (isFake(node)) {
    Entry entry;
    {
      std::lock_guard<std::mutex> lock(gMutex);
      auto it = table().find(node);
      if (it == table().end()) return EAI_NONAME;
      entry = it->second;
    }
    std::this_thread::sleep_for(entry.delay);
    if (entry.addresses.empty()) return EAI_NONAME;
    *result = makeResult(entry.addresses, service);
    std::lock_guard<std::mutex> lock(gMutex);
    ours().insert(*result);
    return 0;
  }
  static auto real = reinterpret_cast<GetaddrinfoFn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  return real(node, service, hints, result);
}

extern "C" void freeaddrinfo(addrinfo* result) {
  {
    std::lock_guard<std::mutex> lock(gMutex);
    if (ours().erase(result)) {
      while (result) {
        addrinfo* next = result->ai_next;
        std::free(result->ai_addr);
        std::free(result);
        result = next;
      }
      return;
    }
  }
  static auto real = reinterpret_cast<FreeaddrinfoFn>(dlsym(RTLD_NEXT, "freeaddrinfo"));
  real(result);
}

namespace test {

FakeName::FakeName(std::string name, std::vector<std::string> addresses,
                   std::chrono::milliseconds delay)
    : name_(std::move(name)) {
  std::lock_guard<std::mutex> lock(gMutex);
  table()[name_] = Entry{std::move(addresses), delay};
}

FakeName::~FakeName() {
  std::lock_guard<std::mutex> lock(gMutex);
  table().erase(name_);
}

}  // namespace test
