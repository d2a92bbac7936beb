// A TCP proxy on loopback that stands between a client and a server and misbehaves on purpose,
// reproducibly. Per direction it can split the bytes into fixed or random (seeded) segments,
// hold them and forward them in bigger chunks, delay them, and at an exact offset end the
// connection with a FIN or a reset, flip bits of one byte, or stall (forward nothing more and
// keep the connection open). Offsets count bytes of one direction's stream, or bytes from the
// start or end of one of its TLS records, which the proxy follows as they pass.
//
// It runs on a thread of its own, serves one connection (or several, one after another), and is
// joined by its destructor. Everything it does happens on loopback.
//
//     test::FaultProxy::Plan plan;
//     plan.randomSegments = 13;  // sends of 1 to 13 bytes, the same ones for the same seed
//     plan.seed = 42;
//     plan.toClient.cut = test::FaultProxy::Offset::recordStart(0, 100).ofAtLeast(4000);
//     plan.toClient.reset = true;  // an RST 100 bytes into the first record of 4000 bytes or more
//     test::FaultProxy proxy(server.port(), plan);
//     socket.connect("127.0.0.1", proxy.port());
#ifndef AS3NET_TEST_SUPPORT_FAULTPROXY_H_
#define AS3NET_TEST_SUPPORT_FAULTPROXY_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace test {

class FaultProxy {
 public:
  /// Direction names one of the two byte streams through the proxy.
  enum class Direction { kToClient, kToServer };

  /// Offset is a position in one direction's stream: a byte count from its start, or from the
  /// start or the end of a TLS record. The proxy parses the 5-byte record headers as the bytes
  /// pass, and holds back at most the 4 bytes of an incomplete header while an offset still
  /// waits for its record, so a fault is never late.
  struct Offset {
    enum class Base { kNever, kStream, kRecordStart, kRecordEnd };
    Base base = Base::kNever;
    long long bytes = 0;          ///< from the base; may be negative from a record's end
    int record = 0;               ///< which record: 0 is the first one counted
    std::size_t minimumBody = 0;  ///< count only records whose body is at least this long

    /// never is no position at all (the default).
    static Offset never() { return {}; }
    /// at is byte `n` of the stream (from 0): a cut or a stall there forwards bytes 0 to n - 1,
    /// a corruption flips byte n.
    static Offset at(long long n) { return {Base::kStream, n, 0, 0}; }
    /// recordStart is `n` bytes after the first byte of record `k` (its 5-byte header first).
    static Offset recordStart(int k, long long n = 0) { return {Base::kRecordStart, n, k, 0}; }
    /// recordEnd is `n` bytes after the last byte of record `k` (n = 0: exactly at the boundary
    /// after it; n = -1: its last byte).
    static Offset recordEnd(int k, long long n = 0) { return {Base::kRecordEnd, n, k, 0}; }
    /// ofAtLeast counts only records whose body has at least `length` bytes: recordStart(0)
    /// .ofAtLeast(4000) is the first record that long.
    Offset ofAtLeast(std::size_t length) const {
      Offset copy = *this;
      copy.minimumBody = length;
      return copy;
    }
  };

  /// Faults happen to one direction's stream; the receiving side is the victim.
  struct Faults {
    /// Forward the bytes before this offset, then end the connection to the receiver (and send
    /// a FIN to the other side). Nothing else is forwarded either way afterwards.
    Offset cut;
    /// The cut is a reset (RST, SO_LINGER 0) instead of a FIN. It is sent once the receiver's
    /// kernel has acknowledged the bytes before it (up to 0.5 s), which an abortive close would
    /// otherwise throw away.
    bool reset = false;
    /// XOR the byte at this offset with `corruptMask`.
    Offset corrupt;
    std::uint8_t corruptMask = 0x01;
    /// Forward the bytes before this offset and nothing after it, keeping the connection open.
    Offset stall;
  };

  struct Plan {
    // The first five fields keep their order: older tests initialize them positionally.
    /// Forward at most this many bytes per send, in both directions (0: as they come).
    std::size_t segment = 0;
    /// Wait this long after each segment.
    std::chrono::microseconds pause{0};
    /// After this many bytes from the server, end the client's side (-1: never); the same as
    /// toClient.cut = Offset::at(cutAfter).
    long long cutAfter = -1;
    /// Or end it once the server has sent something and then been quiet this long: a cut at the
    /// boundary after its last write.
    std::chrono::milliseconds cutWhenQuiet{0};
    /// End the client's side with a reset (SO_LINGER 0) instead of a FIN.
    bool reset = false;

    /// When not 0: each send carries 1 to randomSegments bytes, drawn from a generator seeded
    /// with `seed` (and the connection's number and the direction), so a run is reproducible.
    std::size_t randomSegments = 0;
    std::uint64_t seed = 0;
    /// When not 0: hold bytes until this many wait (or the first has waited coalesceWait, or
    /// the sender ended, or a fault's offset is reached), then forward them together.
    std::size_t coalesce = 0;
    std::chrono::milliseconds coalesceWait{20};
    /// Forward each byte this long after it arrived (latency, in both directions).
    std::chrono::milliseconds delay{0};
    /// The faults of each direction.
    Faults toClient{}, toServer{};
    /// How many connections to serve, one after another (0: any number, until stop()).
    int connections = 1;
  };

  /// Record is a TLS record header seen in a stream: where it starts, its type and body length.
  struct Record {
    long long start;
    int type;
    std::size_t length;
  };

  FaultProxy(int serverPort, Plan plan);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const noexcept { return port_; }
  /// serverBytes counts what the server sent and the proxy forwarded to the client so far.
  long long serverBytes() const noexcept { return serverBytes_; }
  /// clientBytes counts what the client sent and the proxy forwarded to the server so far.
  long long clientBytes() const noexcept { return clientBytes_; }
  /// segments counts the sends the proxy made, both directions.
  long long segments() const noexcept { return segments_; }
  /// accepted counts the client connections accepted.
  int accepted() const noexcept { return accepted_; }
  /// cuts counts the cuts made (by an offset or cutWhenQuiet); corrupted the bytes flipped;
  /// stalled the directions that reached their stall offset.
  int cuts() const noexcept { return cuts_; }
  int corrupted() const noexcept { return corrupted_; }
  int stalled() const noexcept { return stalled_; }
  /// finished counts the connections the proxy has closed on both sides.
  int finished() const noexcept { return finished_; }
  /// records lists the TLS record headers seen in one direction of the last connection (at
  /// most 4096).
  std::vector<Record> records(Direction direction) const;
  /// cut ends the current connection now, as a Faults::cut at the bytes of `direction` already
  /// forwarded: the receiver of `direction` gets an RST when `reset`, else a FIN; the other
  /// side a FIN. Safe from any thread; applies to the connection being served (or the next).
  void cut(Direction direction, bool reset);
  /// stop ends the proxy's connection and its thread.
  void stop();

 private:
  struct Stream;
  void run();
  void serve(int client, int server, int index);

  int listenFd_ = -1;
  int port_ = 0;
  int serverPort_;
  Plan plan_;
  std::atomic<long long> serverBytes_{0}, clientBytes_{0}, segments_{0};
  std::atomic<int> accepted_{0}, cuts_{0}, corrupted_{0}, stalled_{0}, finished_{0};
  mutable std::mutex recordsMutex_;
  std::vector<Record> records_[2];
  std::atomic<int> cutRequest_{0};  // 0, or 1 + direction * 2 + reset
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace test

#endif  // AS3NET_TEST_SUPPORT_FAULTPROXY_H_
