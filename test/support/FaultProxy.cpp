#include "support/FaultProxy.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <stdexcept>
#include <string>

#include "support/Net.h"

namespace test {

namespace {

using Clock = std::chrono::steady_clock;

void noDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// SplitMix64: a small generator whose output is the same on every platform.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

constexpr long long kUnresolved = -1;
constexpr std::size_t kMaxRecordsKept = 4096;
constexpr std::size_t kMaxHeld = 1u << 20;  // stop reading a sender while this much waits

// A fault's offset as the stream passes: absolute once known.
struct Position {
  FaultProxy::Offset offset;
  long long absolute = kUnresolved;
  int counted = 0;  // records counted so far toward offset.record

  explicit Position(const FaultProxy::Offset& o) : offset(o) {
    if (o.base == FaultProxy::Offset::Base::kStream) absolute = std::max(0LL, o.bytes);
  }
  bool never() const { return offset.base == FaultProxy::Offset::Base::kNever; }
  bool waitsForRecord() const { return !never() && absolute == kUnresolved; }
  // A complete header of a record starting at `start` with a body of `length`.
  void onRecord(long long start, std::size_t length) {
    if (!waitsForRecord() || length < offset.minimumBody) return;
    if (counted++ != offset.record) return;
    long long base = offset.base == FaultProxy::Offset::Base::kRecordStart
                         ? start
                         : start + 5 + static_cast<long long>(length);
    absolute = std::max(0LL, base + offset.bytes);
  }
};

// resetAfterSent resets `fd` once the bytes sent on it have left (acknowledged by the peer's
// kernel, up to a limit): an abortive close throws away what is still queued, and a cut at
// byte N must deliver N bytes.
void resetAfterSent(int& fd) {
  for (int i = 0; i < 500; ++i) {
    int queued = 0;
    if (::ioctl(fd, SIOCOUTQ, &queued) != 0 || queued == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  resetConnection(fd);
}

}  // namespace

// One direction of a connection: what was read from the sender, and what is done with it.
struct FaultProxy::Stream {
  struct Chunk {
    std::string bytes;
    Clock::time_point due;
    Clock::time_point arrived;
  };

  int index;  // 0: to the client, 1: to the server
  int* from;
  int* to;
  const Faults* faults;
  Position cut, corrupt, stall;
  SplitMix random;
  std::deque<Chunk> held;
  std::size_t heldBytes = 0;
  long long readTotal = 0;   // bytes read from the sender
  long long forwarded = 0;   // bytes sent to the receiver
  bool senderEnded = false;  // EOF or error from the sender
  bool senderReset = false;
  bool done = false;  // nothing more goes this way
  bool stalledNow = false;
  Clock::time_point lastRead = Clock::now();
  // The TLS record parser.
  unsigned char header[5] = {};
  int headerHave = 0;
  long long bodyLeft = 0;
  std::vector<Record> records;

  Stream(int i, int* sender, int* receiver, const Faults* f, std::uint64_t seed)
      : index(i),
        from(sender),
        to(receiver),
        faults(f),
        cut(f->cut),
        corrupt(f->corrupt),
        stall(f->stall),
        random{seed} {}

  bool waitsForRecord() const {
    return cut.waitsForRecord() || corrupt.waitsForRecord() || stall.waitsForRecord();
  }

  void parse(const unsigned char* data, std::size_t n) {
    long long position = readTotal;
    std::size_t i = 0;
    while (i < n) {
      if (bodyLeft > 0) {
        std::size_t take =
            static_cast<std::size_t>(std::min<long long>(bodyLeft, static_cast<long long>(n - i)));
        bodyLeft -= static_cast<long long>(take);
        i += take;
        continue;
      }
      header[headerHave++] = data[i++];
      if (headerHave < 5) continue;
      headerHave = 0;
      std::size_t length = static_cast<std::size_t>(header[3]) << 8 | header[4];
      long long start = position + static_cast<long long>(i) - 5;
      bodyLeft = static_cast<long long>(length);
      if (records.size() < kMaxRecordsKept) records.push_back({start, header[0], length});
      cut.onRecord(start, length);
      corrupt.onRecord(start, length);
      stall.onRecord(start, length);
    }
  }

  // How far forwarding may go now: before a fault's offset, and before the incomplete header of
  // a record an offset may still name.
  long long limit() const {
    long long end = readTotal;
    if (waitsForRecord() && !senderEnded) end = readTotal - headerHave;
    if (cut.absolute != kUnresolved) end = std::min(end, cut.absolute);
    if (stall.absolute != kUnresolved) end = std::min(end, stall.absolute);
    return end;
  }
};

FaultProxy::FaultProxy(int serverPort, Plan plan) : serverPort_(serverPort), plan_(plan) {
  if (plan_.cutAfter >= 0) plan_.toClient.cut = Offset::at(plan_.cutAfter);
  if (plan_.reset) plan_.toClient.reset = true;
  listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listenFd_, 16) != 0) {
    ::close(listenFd_);
    throw std::runtime_error("the proxy could not listen");
  }
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { run(); });
}

FaultProxy::~FaultProxy() {
  stop();
}

void FaultProxy::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listenFd_ >= 0) ::close(listenFd_);
  listenFd_ = -1;
}

void FaultProxy::cut(Direction direction, bool reset) {
  cutRequest_ = 1 + (direction == Direction::kToClient ? 0 : 2) + (reset ? 1 : 0);
}

std::vector<FaultProxy::Record> FaultProxy::records(Direction direction) const {
  std::lock_guard<std::mutex> lock(recordsMutex_);
  return records_[direction == Direction::kToClient ? 0 : 1];
}

void FaultProxy::run() {
  for (int index = 0; !stop_ && (plan_.connections <= 0 || index < plan_.connections);) {
    pollfd waiting{listenFd_, POLLIN, 0};
    if (::poll(&waiting, 1, 20) <= 0) continue;
    int client = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    ++accepted_;
    int server = connectTo("127.0.0.1", serverPort_);
    if (server < 0) {
      resetConnection(client);
      continue;
    }
    noDelay(client);
    noDelay(server);
    serve(client, server, index++);
    ++finished_;
  }
  while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void FaultProxy::serve(int client, int server, int index) {
  auto seedFor = [&](int direction) {
    SplitMix mix{plan_.seed};
    for (int i = 0; i < 2 * index + direction + 1; ++i) mix.next();
    return mix.next();
  };
  Stream streams[2] = {Stream(0, &server, &client, &plan_.toClient, seedFor(0)),
                       Stream(1, &client, &server, &plan_.toServer, seedFor(1))};
  bool cutDone = false;
  std::chrono::steady_clock::time_point endedAt{};
  char buffer[65536];

  {
    std::lock_guard<std::mutex> lock(recordsMutex_);
    for (std::vector<Record>& kept : records_) kept.clear();
  }

  // Sends `n` bytes without blocking past stop(); false when the receiver is gone.
  auto sendFully = [&](int fd, const char* data, std::size_t n) {
    while (n > 0) {
      ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) {
        data += sent;
        n -= static_cast<std::size_t>(sent);
        continue;
      }
      if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (stop_) return false;
        pollfd writable{fd, POLLOUT, 0};
        ::poll(&writable, 1, 20);
        continue;
      }
      return false;
    }
    return true;
  };

  // The cut: the victim gets a FIN or an RST, the other side a FIN; nothing more goes through.
  auto cutNow = [&](Stream& s, bool reset) {
    cutDone = true;
    ++cuts_;
    int& victim = *s.to;
    int& other = *s.from;
    if (reset) {
      resetAfterSent(victim);
    } else {
      ::shutdown(victim, SHUT_WR);
    }
    ::shutdown(other, SHUT_WR);
    for (Stream& each : streams) {
      each.done = true;
      each.held.clear();
      each.heldBytes = 0;
    }
    endedAt = Clock::now();
  };

  // Forwards what may go now in direction `s`.
  auto forward = [&](Stream& s) {
    if (s.done || s.stalledNow) return;
    Clock::time_point now = Clock::now();
    long long limit = s.limit();
    std::size_t due = 0;  // bytes whose delay has passed, up to the limit
    for (const Stream::Chunk& chunk : s.held) {
      if (chunk.due > now) break;
      due += chunk.bytes.size();
    }
    std::size_t allowed = static_cast<std::size_t>(std::max<long long>(
        0, std::min<long long>(static_cast<long long>(due), limit - s.forwarded)));
    bool atFault = s.forwarded + static_cast<long long>(allowed) == limit && limit < s.readTotal;
    if (plan_.coalesce > 0 && allowed > 0 && allowed < plan_.coalesce && !s.senderEnded &&
        !atFault && now - s.held.front().arrived < plan_.coalesceWait)
      return;
    while (allowed > 0) {
      std::size_t step = allowed;
      if (plan_.randomSegments > 0)
        step = std::min<std::size_t>(allowed, 1 + s.random.next() % plan_.randomSegments);
      else if (plan_.segment > 0)
        step = std::min(allowed, plan_.segment);
      // Gather `step` bytes from the front chunks.
      std::string out;
      while (out.size() < step) {
        Stream::Chunk& front = s.held.front();
        std::size_t take = std::min(step - out.size(), front.bytes.size());
        out.append(front.bytes, 0, take);
        if (take == front.bytes.size())
          s.held.pop_front();
        else
          front.bytes.erase(0, take);
      }
      s.heldBytes -= step;
      if (s.corrupt.absolute != kUnresolved && s.corrupt.absolute >= s.forwarded &&
          s.corrupt.absolute < s.forwarded + static_cast<long long>(step)) {
        out[static_cast<std::size_t>(s.corrupt.absolute - s.forwarded)] ^=
            static_cast<char>(s.faults->corruptMask);
        ++corrupted_;
      }
      if (!sendFully(*s.to, out.data(), out.size())) {
        s.done = true;
        return;
      }
      ++segments_;
      s.forwarded += static_cast<long long>(step);
      (s.index == 0 ? serverBytes_ : clientBytes_) += static_cast<long long>(step);
      allowed -= step;
      if (plan_.pause.count() > 0) std::this_thread::sleep_for(plan_.pause);
      if (stop_) return;
    }
    if (s.cut.absolute != kUnresolved && s.forwarded >= s.cut.absolute) {
      cutNow(s, s.faults->reset);
      return;
    }
    if (s.stall.absolute != kUnresolved && s.forwarded >= s.stall.absolute && !s.stalledNow) {
      s.stalledNow = true;
      ++stalled_;
      return;
    }
    if (s.senderEnded && s.heldBytes == 0 && s.forwarded == s.readTotal) {
      // Pass the end on: an RST as an RST, a FIN as a FIN.
      s.done = true;
      if (s.senderReset) {
        resetAfterSent(*s.to);
      } else if (*s.to >= 0) {
        ::shutdown(*s.to, SHUT_WR);
      }
    }
  };

  for (;;) {
    if (stop_) break;
    bool allDone = streams[0].done && streams[1].done;
    bool sendersGone =
        (streams[0].senderEnded || server < 0) && (streams[1].senderEnded || client < 0);
    if (allDone && sendersGone) break;
    // After a cut the peers have a moment to see it and go; a lone connection stays until stop().
    if (cutDone && plan_.connections != 1 && Clock::now() - endedAt > std::chrono::seconds(1))
      break;

    // What to wait for: readable senders (unless too much is held), and the next due time.
    pollfd fds[2];
    int count = 0;
    Stream* polled[2];
    for (Stream& s : streams) {
      if (*s.from < 0 || s.senderEnded) continue;
      short events = s.heldBytes < kMaxHeld ? POLLIN : 0;
      fds[count] = {*s.from, events, 0};
      polled[count++] = &s;
    }
    int timeout = 5;
    Clock::time_point now = Clock::now();
    for (Stream& s : streams) {
      // Only a time in the future can free held bytes: what was due went at the last turn.
      if (s.done || s.stalledNow || s.held.empty()) continue;
      Clock::time_point next = s.held.front().due;
      if (plan_.coalesce > 0) next = std::max(next, s.held.front().arrived + plan_.coalesceWait);
      if (next <= now) continue;
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
      timeout = std::min<int>(timeout, static_cast<int>(wait));
    }
    if (count == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout));
    } else if (::poll(fds, static_cast<nfds_t>(count), timeout) < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < count; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Stream& s = *polled[i];
      ssize_t n = ::recv(*s.from, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) {
        s.senderEnded = true;
        s.senderReset = n < 0;
        continue;
      }
      // ACK at once: a sender with Nagle's algorithm on (as3net's default) would otherwise wait
      // for the delayed ACK, 40 ms, before each small write after the first.
      int one = 1;
      ::setsockopt(*s.from, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
      s.lastRead = Clock::now();
      if (s.done) continue;  // after a cut or a stall's end: drained and dropped
      auto size = static_cast<std::size_t>(n);
      std::size_t known = s.records.size();
      s.parse(reinterpret_cast<const unsigned char*>(buffer), size);
      if (s.records.size() != known) {
        std::lock_guard<std::mutex> lock(recordsMutex_);
        records_[s.index] = s.records;
      }
      s.readTotal += n;
      s.held.push_back({std::string(buffer, size), s.lastRead + plan_.delay, s.lastRead});
      s.heldBytes += size;
    }
    for (Stream& s : streams) {
      forward(s);
      if (s.stalledNow && s.senderEnded) s.done = true;  // nothing more can come: no FIN passed on
    }
    // cutWhenQuiet: the server spoke, everything it said went through, then silence.
    Stream& toClient = streams[0];
    if (plan_.cutWhenQuiet.count() > 0 && !cutDone && !toClient.done && toClient.forwarded > 0 &&
        toClient.heldBytes == 0 && Clock::now() - toClient.lastRead >= plan_.cutWhenQuiet)
      cutNow(toClient, toClient.faults->reset);
    // A cut the test asked for.
    if (int request = cutRequest_.exchange(0); request != 0 && !cutDone)
      cutNow(streams[(request - 1) / 2], (request - 1) % 2 == 1);
  }
  // A lone connection keeps its sockets until stop(), draining them, as a peer that is merely
  // slow to close would.
  while (plan_.connections == 1 && !stop_) {
    pollfd fds[2];
    int count = 0;
    for (int fd : {client, server})
      if (fd >= 0) fds[count++] = {fd, POLLIN, 0};
    if (count == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    if (::poll(fds, static_cast<nfds_t>(count), 5) <= 0) continue;
    for (int i = 0; i < count; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      if (::recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) {
        if (fds[i].fd == client) {
          ::close(client);
          client = -1;
        } else {
          ::close(server);
          server = -1;
        }
      }
    }
  }
  if (client >= 0) ::close(client);
  if (server >= 0) ::close(server);
}

}  // namespace test
