// libFuzzer target: the Socket and SecureSocket state machines over a real loopback connection
// whose far end is a peer in this process, playing the input as a script.
//
// Input: byte 0 holds settings (bit 0: TLS; bit 1: the peer allows TLS 1.2 at most; bits 2-7:
// how the TLS peer cuts its handshake flights, 0 = whole), then a script of one-byte steps, some
// followed by an argument byte or by the bytes they send. The peer's steps send bytes (at once,
// or sealed and held back to leave in chosen cuts, across TLS record boundaries), read what the
// client sent, end with a FIN, TLS close_notify, an RST or a full close, or inject raw bytes into
// the TLS stream. The client's steps read (every IDataInput read, readAll, lookahead), write,
// flush, change settings (input and output high-water marks, endian, autoFlush, tcpNoDelay),
// purge, close, end abruptly through the testing hook, or destroy the socket; a step can be
// deferred into the next socketData (or close) listener. Between steps the loop is polled, never
// waited on, so each input takes about a millisecond (TLS: a handshake more).
//
// Checked beyond the sanitizers, against a model of both byte streams:
// - every byte read is the peer's byte at that offset, in order; a read succeeds exactly when
//   enough bytes are buffered, fails with EOFError #2030 (consuming nothing) when too few, and
//   with IOError #2002 when there is no connection and nothing buffered; writes likewise;
// - CONNECT comes once, before any socketData; socketData always brings bytes; at most one of
//   close/ioError ends the connection and nothing follows it, nor anything after close();
// - a peer that ends cleanly (plain FIN, or TLS close_notify) gets `close` after every byte it
//   sent was announced; a TLS peer's bare FIN gets `ioError` after every complete record;
// - the peer receives exactly what the client flushed, in order, when the client closes (or the
//   peer's FIN closes it); no exception but an AS3 error ever leaves the library;
// - after each input every libuv handle of the socket is released (the loop goes idle).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "Checks.h"
#include "as3/amf/Value.h"
#include "as3/errors/EOFError.h"
#include "as3/errors/Error.h"
#include "as3/errors/IOError.h"
#include "as3/errors/MemoryError.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/OutputProgressEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/Socket.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"
#include "as3/utils/Endian.h"
#include "net/detail/TestingHooks.h"

namespace {

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::OutputProgressEvent;
using as3::events::ProgressEvent;
using as3::net::EventLoop;
using as3::net::SecureSocket;
using as3::net::Socket;
using Clock = std::chrono::steady_clock;

constexpr const char* kTarget = "fuzz_socket";
// How long the end of an input may wait for what must happen (a close, the peer's EOF): far
// more than loopback needs, so a miss is a hang, not a slow machine.
constexpr std::chrono::milliseconds kPatience{3000};

[[noreturn]] void broken(const std::string& what) {
  fuzz::broken(kTarget, what);
}

// --- what lives as long as the process
// ------------------------------------------------------------

struct Fixture {
  EventLoop loop;
  int listener = -1;
  int port = 0;
  as3::testing::TestCertificateAuthority root{"as3net fuzz socket root"};
  bssl::UniquePtr<SSL_CTX> serverCtx;
  // AS3NET_FUZZ_VERBOSE=1 prints how each input ended, to see what a corpus reaches.
  bool verbose = std::getenv("AS3NET_FUZZ_VERBOSE") != nullptr;

  Fixture() {
    loop.uncaughtErrorHandler([](std::exception_ptr error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        broken(std::string("an exception reached the loop: ") + e.what());
      }
    });
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(listener, 64) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      broken("cannot listen on 127.0.0.1");
    port = ntohs(address.sin_port);

    // The TLS peer presents a kit certificate for 127.0.0.1; every SecureSocket of the process
    // trusts the kit's root, so they keep the default policy and share resumable sessions.
    as3::testing::IssuedCertificate identity = root.issue();
    SecureSocket trusting(loop);
    trusting.addBinaryChainBuildingCertificate(root.certificateDer(), true);
    serverCtx.reset(SSL_CTX_new(TLS_method()));
    bssl::UniquePtr<BIO> keyBio(BIO_new_mem_buf(identity.privateKeyPem.data(),
                                                static_cast<long>(identity.privateKeyPem.size())));
    bssl::UniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    const std::uint8_t* der = identity.certificate.der().data();
    bssl::UniquePtr<X509> certificate(
        d2i_X509(nullptr, &der, static_cast<long>(identity.certificate.der().size())));
    if (!serverCtx || !key || !certificate ||
        !SSL_CTX_use_certificate(serverCtx.get(), certificate.get()) ||
        !SSL_CTX_use_PrivateKey(serverCtx.get(), key.get()) ||
        !SSL_CTX_set_min_proto_version(serverCtx.get(), TLS1_2_VERSION))
      broken("cannot make the TLS peer's context");
  }
};

Fixture* fixture = nullptr;

// --- the peer
// ---------------------------------------------------------------------------------------

// Peer is the far end: a non-blocking socket this thread drives between loop turns, with a
// BoringSSL server over memory BIOs when the client is a SecureSocket.
class Peer {
 public:
  explicit Peer(bool tls, bool tls12) : tls_(tls) {
    if (!tls) return;
    ssl_.reset(SSL_new(fixture->serverCtx.get()));
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (!ssl_ || !in || !out) broken("SSL_new");
    BIO_set_mem_eof_return(in, -1);
    SSL_set_bio(ssl_.get(), in, out);
    in_ = in;
    out_ = out;
    SSL_set_accept_state(ssl_.get());
    if (tls12) SSL_set_max_proto_version(ssl_.get(), TLS1_2_VERSION);
  }
  ~Peer() { closeFd(); }

  bool accepted() const noexcept { return fd_ >= 0 || closed_; }
  // accept takes the client's connection. The backlog holds no other: dropBacklog() empties it
  // before each input's client connects.
  void accept() {
    if (accepted()) return;
    int fd = ::accept4(fixture->listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) fd_ = fd;
  }
  static void dropBacklog() {
    for (int fd; (fd = ::accept4(fixture->listener, nullptr, nullptr, SOCK_CLOEXEC)) >= 0;)
      ::close(fd);
  }

  // pump reads what arrived, runs TLS, and sends the handshake's output (in cuts of `cut`).
  void pump() {
    if (fd_ < 0) return;
    char buffer[16384];
    for (;;) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) {
        if (tls_)
          BIO_write(in_, buffer, static_cast<int>(n));
        else
          received_.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) eof_ = true;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) readFailed_ = true;
      break;
    }
    if (!tls_ || failed_) return;
    if (!handshakeDone_) {
      int r = SSL_do_handshake(ssl_.get());
      if (r == 1) {
        handshakeDone_ = true;
      } else if (SSL_get_error(ssl_.get(), r) != SSL_ERROR_WANT_READ) {
        failed_ = true;
      }
    }
    if (handshakeDone_) {
      for (;;) {
        int r = SSL_read(ssl_.get(), buffer, sizeof buffer);
        if (r > 0) {
          received_.append(buffer, static_cast<std::size_t>(r));
          continue;
        }
        int error = SSL_get_error(ssl_.get(), r);
        if (error == SSL_ERROR_ZERO_RETURN)
          closeNotifyReceived_ = true;
        else if (error != SSL_ERROR_WANT_READ)
          failed_ = true;
        break;
      }
    }
    ERR_clear_error();
    collectWire();
    // Handshake flights leave at once; afterwards what TLS adds (tickets, alerts) waits behind
    // the records the script holds back.
    if (!handshakeDone_ || heldPlain_ == 0) sendWire(wire_.size() - wireSent_);
  }

  // write queues plaintext: sealed into records for TLS; `now` sends the wire at once.
  void write(std::string_view bytes, bool now) {
    if (fd_ < 0 || finSent_ || bytes.empty()) return;
    if (tls_) {
      if (!handshakeDone_ || failed_) return;
      if (SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size())) !=
          static_cast<int>(bytes.size())) {
        ERR_clear_error();
        failed_ = true;  // the client's alert or close_notify arrived first
        return;
      }
      collectWire();
    } else {
      wire_.append(bytes);
    }
    plain_.append(bytes);
    records_.push_back({wire_.size(), plain_.size()});
    if (now)
      sendWire(wire_.size() - wireSent_);
    else
      heldPlain_ += bytes.size();
  }

  // inject puts raw bytes on the wire: for TLS a corrupt record.
  void inject(std::string_view bytes) {
    if (!tls_) return write(bytes, true);
    if (fd_ < 0 || finSent_) return;
    sendWire(wire_.size() - wireSent_);
    wire_.append(bytes);
    corrupted_ = true;
    sendWire(bytes.size());
  }

  // sendWire sends up to `count` bytes of the held wire (the kernel may take fewer).
  void sendWire(std::size_t count) {
    if (fd_ < 0 || finSent_) return;
    count = std::min(count, wire_.size() - wireSent_);
    while (count > 0) {
      std::size_t cut =
          handshakeDone_ || handshakeCut_ == 0 ? count : std::min(count, handshakeCut_);
      ssize_t n = ::send(fd_, wire_.data() + wireSent_, cut, MSG_NOSIGNAL);
      if (n <= 0) {
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) writeFailed_ = true;
        return;
      }
      wireSent_ += static_cast<std::size_t>(n);
      count -= static_cast<std::size_t>(n);
      if (wireSent_ == wire_.size()) heldPlain_ = 0;
      if (!handshakeDone_ && handshakeCut_ != 0) fixture->loop.poll();
    }
  }
  std::size_t heldWire() const noexcept { return wire_.size() - wireSent_; }
  std::size_t wireSent() const noexcept { return wireSent_; }

  // fin sends a FIN now, whatever is held back: clean for TCP, a truncation for TLS.
  void fin() {
    if (fd_ < 0 || finSent_) return;
    ::shutdown(fd_, SHUT_WR);
    finSent_ = true;
    clean_ = !tls_ || closeNotifySent_;
  }
  // closeNotify ends cleanly: every held byte, then (TLS) close_notify, then a FIN.
  void closeNotify() {
    if (fd_ < 0 || finSent_) return;
    if (tls_ && handshakeDone_ && !failed_) {
      SSL_shutdown(ssl_.get());
      ERR_clear_error();
      collectWire();
      closeNotifySent_ = true;
    }
    sendWire(wire_.size() - wireSent_);
    if (heldWire() == 0) fin();
  }
  void reset() {
    if (fd_ < 0) return;
    linger off{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    mayReset_ = true;
    closeFd();
  }
  // closeFully closes both directions; the kernel answers later client bytes with an RST.
  void closeFully() {
    if (fd_ < 0) return;
    pump();
    mayReset_ = true;
    finSent_ = true;
    closeFd();
  }

  // The plaintext a TLS client can have got: every byte of a record that left whole.
  std::size_t completePlain() const noexcept {
    std::size_t complete = 0;
    for (const auto& [wireEnd, plainEnd] : records_)
      if (wireEnd <= wireSent_) complete = plainEnd;
    return complete;
  }
  const std::string& plain() const noexcept { return plain_; }
  const std::string& received() const noexcept { return received_; }
  bool tls() const noexcept { return tls_; }
  bool handshakeDone() const noexcept { return handshakeDone_; }
  bool failed() const noexcept { return failed_; }
  bool eof() const noexcept { return eof_; }
  bool finSent() const noexcept { return finSent_; }
  bool clean() const noexcept { return clean_; }
  bool closeNotifySent() const noexcept { return closeNotifySent_; }
  bool closeNotifyReceived() const noexcept { return closeNotifyReceived_; }
  bool corrupted() const noexcept { return corrupted_; }
  bool mayReset() const noexcept { return mayReset_ || readFailed_ || writeFailed_; }
  bool open() const noexcept { return fd_ >= 0; }
  void handshakeCut(std::size_t cut) noexcept { handshakeCut_ = cut; }
  void describe() const {
    std::fprintf(stderr, "  wire %zu, sent %zu, records", wire_.size(), wireSent_);
    for (const auto& r : records_) std::fprintf(stderr, " %zu:%zu", r.wireEnd, r.plainEnd);
    std::fprintf(stderr, "\n");
  }

 private:
  void collectWire() {
    if (!tls_) return;
    const std::uint8_t* data = nullptr;
    std::size_t length = 0;
    if (BIO_mem_contents(out_, &data, &length) && length > 0) {
      wire_.append(reinterpret_cast<const char*>(data), length);
      BIO_reset(out_);
    }
  }
  void closeFd() {
    if (fd_ >= 0) ::close(fd_);
    if (fd_ >= 0) closed_ = true;
    fd_ = -1;
  }

  bool tls_;
  int fd_ = -1;
  bool closed_ = false;
  bssl::UniquePtr<SSL> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  std::string wire_;    // every byte meant for the wire; [0, wireSent_) has left
  std::size_t wireSent_ = 0;
  std::string plain_;     // the application bytes written, in order
  std::string received_;  // what arrived from the client (decrypted)
  struct Record {
    std::size_t wireEnd, plainEnd;
  };
  std::vector<Record> records_;
  std::size_t handshakeCut_ = 0;
  std::size_t heldPlain_ = 0;  // application bytes sealed but not all sent
  bool handshakeDone_ = false, failed_ = false, eof_ = false, finSent_ = false, clean_ = false;
  bool closeNotifySent_ = false, closeNotifyReceived_ = false, corrupted_ = false;
  bool mayReset_ = false, readFailed_ = false, writeFailed_ = false;
};

// --- the client and its model -------------------------------------------------------------------

constexpr const char* kCharsets[] = {"utf-8",  "shift_jis", "iso-2022-jp",
                                     "utf-16", "us-ascii",  "windows-1252"};

class Client {
 public:
  Client(bool tls, Peer& peer) : peer_(peer) {
    socket_ = tls ? std::make_unique<SecureSocket>(fixture->loop)
                  : std::make_unique<Socket>(fixture->loop);
    socket_->timeout(static_cast<std::uint32_t>(kPatience.count()));
    socket_->addEventListener(Event::CONNECT, [this](Event&) { onConnect(); });
    socket_->addEventListener(ProgressEvent::SOCKET_DATA, [this](ProgressEvent& e) { onData(e); });
    socket_->addEventListener(Event::CLOSE, [this](Event&) { onClose(); });
    socket_->addEventListener(IOErrorEvent::IO_ERROR, [this](IOErrorEvent& e) { onError(e); });
    socket_->addEventListener(OutputProgressEvent::OUTPUT_PROGRESS,
                              [this](OutputProgressEvent& e) { onProgress(e); });
    socket_->connect("127.0.0.1", fixture->port);
  }

  Socket* socket() const noexcept { return socket_.get(); }
  bool connectedOnce() const noexcept { return connects_ > 0; }
  bool ended() const noexcept { return closes_ + errors_ > 0; }
  bool closedByUs() const noexcept { return closedByUs_; }
  int closes() const noexcept { return closes_; }
  int errors() const noexcept { return errors_; }
  const std::string& errorText() const noexcept { return errorText_; }
  std::size_t deliveredAtEnd() const noexcept { return deliveredAtEnd_; }
  std::size_t consumed() const noexcept { return consumed_; }
  const std::string& flushed() const noexcept { return flushed_; }
  const std::string& written() const noexcept { return written_; }
  bool abrupt() const noexcept { return abrupt_; }
  bool autoFlushUsed() const noexcept { return autoFlushUsed_; }

  // step runs one client operation now, or keeps it for the next socketData or close listener.
  void step(std::function<void()> op) {
    if (deferNext_ > 0) {
      --deferNext_;
      deferred_.push_back(std::move(op));
    } else {
      op();
    }
  }
  void deferNext(int count) noexcept { deferNext_ = count; }

  // --- the operations ---
  void readFixed(int kind) {
    static constexpr std::uint32_t kWidths[] = {1, 1, 1, 2, 2, 4, 4, 4, 8};
    std::uint32_t width = kWidths[kind];
    read("a fixed-width read", width, [&] {
      std::string expected = available() >= width ? peek(width) : std::string(width, '\0');
      std::uint32_t value = 0;
      bool little = socket_->endian() == as3::utils::Endian::littleEndian;
      for (std::uint32_t i = 0; i < width && width <= 4; ++i)
        value |= static_cast<std::uint32_t>(static_cast<unsigned char>(expected[i]))
                 << (8 * (little ? i : width - 1 - i));
      switch (kind) {
        case 0:
          if (socket_->readBoolean() != (value != 0)) broken("readBoolean gave another byte");
          break;
        case 1:
          if (socket_->readByte() != static_cast<std::int8_t>(value)) broken("readByte differs");
          break;
        case 2:
          if (socket_->readUnsignedByte() != value) broken("readUnsignedByte differs");
          break;
        case 3:
          if (socket_->readShort() != static_cast<std::int16_t>(value)) broken("readShort differs");
          break;
        case 4:
          if (socket_->readUnsignedShort() != value) broken("readUnsignedShort differs");
          break;
        case 5:
          if (socket_->readInt() != static_cast<std::int32_t>(value)) broken("readInt differs");
          break;
        case 6:
          if (socket_->readUnsignedInt() != value) broken("readUnsignedInt differs");
          break;
        case 7:
          (void)socket_->readFloat();
          break;
        default:
          (void)socket_->readDouble();
          break;
      }
    });
  }
  void readBytes(std::uint32_t length) {
    std::uint32_t width = length == 0 ? available() : length;
    read("readBytes", width, [&] {
      std::string expected = available() >= width ? peek(width) : std::string();
      as3::utils::ByteArray target;
      target.writeUTFBytes("xy");
      socket_->readBytes(target, 2, length);
      if (target.length() != 2 + width ||
          std::string_view(reinterpret_cast<const char*>(target.data()) + 2, width) != expected)
        broken("readBytes gave other bytes than the peer sent");
    });
  }
  void readAll() {
    std::uint32_t width = available();
    read("readAll", width, [&] {
      std::string expected = peek(width);
      if (socket_->readAll() != expected) broken("readAll gave other bytes than the peer sent");
    });
  }
  void lookahead(std::uint32_t length) {
    if (!socket_) return;
    std::string seen = socket_->lookahead(length);
    if (seen != peek(std::min(length, available())))
      broken("lookahead shows other bytes than the peer sent");
  }
  void readText(int kind, std::uint32_t length) {
    if (!socket_) return;
    if (kind == 0) {  // readUTF: its prefix goes even when the text is short
      readVariable("readUTF", [&] { (void)socket_->readUTF(); });
    } else if (kind == 1) {
      read("readUTFBytes", length, [&] { (void)socket_->readUTFBytes(length); });
    } else {
      const char* charset = kCharsets[kind % (sizeof kCharsets / sizeof kCharsets[0])];
      read("readMultiByte", length, [&] { (void)socket_->readMultiByte(length, charset); });
    }
  }
  void readObject() {
    readVariable("readObject", [&] { (void)socket_->readObject(); });
  }
  void write(std::string_view bytes) {
    writeOp("writeBytes", bytes, [&] { socket_->writeBytes(bytes.data(), bytes.size()); });
  }
  void writeInt(std::uint8_t seed) {
    std::int32_t value = static_cast<std::int32_t>(seed * 0x01030507u);
    std::string bytes(4, '\0');
    bool little = socket_ && socket_->endian() == as3::utils::Endian::littleEndian;
    for (int i = 0; i < 4; ++i)
      bytes[static_cast<std::size_t>(i)] =
          static_cast<char>(static_cast<std::uint32_t>(value) >> (8 * (little ? i : 3 - i)));
    writeOp("writeInt", bytes, [&] { socket_->writeInt(value); });
  }
  void flush() {
    if (!socket_) return;
    bool connected = socket_->connected();
    try {
      socket_->flush();
    } catch (const as3::errors::IOError& e) {
      if (connected || e.errorID() != 2002) broken("flush threw " + e.toString());
      return;
    } catch (const as3::errors::Error& e) {
      broken("flush threw " + e.toString());
    }
    if (!connected) broken("flush succeeded without a connection");
    flushed_ += unflushed_;
    unflushed_.clear();
  }
  void close() {
    if (!socket_) return;
    bool open = socket_->connected();
    try {
      socket_->close();
    } catch (const as3::errors::IOError& e) {
      if (open || e.errorID() != 2002) broken("close threw " + e.toString());
      return;
    } catch (const as3::errors::Error& e) {
      broken("close threw " + e.toString());
    }
    if (!open) broken("close succeeded without a connection");
    closedByUs_ = true;
    unflushed_.clear();
  }
  void endAbruptly(bool reset) {
    if (!socket_) return;
    bool open = socket_->connected();
    try {
      as3::net::detail::endAbruptly(*socket_, reset);
    } catch (const as3::errors::IOError& e) {
      if (open || e.errorID() != 2002) broken("endAbruptly threw " + e.toString());
      return;
    }
    closedByUs_ = true;
    abrupt_ = true;
    unflushed_.clear();
  }
  void destroy() {
    if (!socket_) return;
    if (socket_->connected()) closedByUs_ = true;
    socket_.reset();
    unflushed_.clear();
  }
  void setting(std::uint8_t arg) {
    if (!socket_) return;
    switch (arg % 8) {
      case 0:
        // A mark of 1 never resumes reading (regress-input-mark-1-never-resumes.bin).
        socket_->inputHighWaterMark((fuzz::known("input-mark-1") ? 2u : 1u) + (arg >> 3));
        break;
      case 1:
        socket_->inputHighWaterMark(Socket::kDefaultInputHighWaterMark);
        break;
      case 2:
        socket_->endian(socket_->endian() == as3::utils::Endian::bigEndian
                            ? as3::utils::Endian::littleEndian
                            : as3::utils::Endian::bigEndian);
        break;
      case 3:
        socket_->autoFlush(!socket_->autoFlush());
        autoFlushUsed_ = true;
        break;
      case 4:
        socket_->tcpNoDelay(!socket_->tcpNoDelay());
        break;
      case 5:
        socket_->outputHighWaterMark(arg & 8 ? Socket::kDefaultOutputHighWaterMark
                                             : 4u * (arg >> 4));
        break;
      case 6: {
        std::uint32_t before = available();
        socket_->purge();
        if (available() != 0) broken("purge left bytes to read");
        consumed_ += before;
        break;
      }
      default:
        if (!autoFlushUsed_) {  // with autoFlush, which bytes went is not known
          socket_->purgeOutput();
          written_.resize(written_.size() - unflushed_.size());
          unflushed_.clear();
        }
        break;
    }
  }

  // drain reads whatever is buffered, as the end of an input does.
  void drain() {
    if (socket_ && available() > 0) readAll();
  }

 private:
  std::uint32_t available() const { return socket_ ? socket_->bytesAvailable() : 0; }

  // peek is what the peer sent at the read position, as far as the client may have it.
  std::string peek(std::uint32_t width) const {
    const std::string& plain = peer_.plain();
    if (consumed_ + width > plain.size())
      broken("the socket holds more bytes than the peer sent: " +
             std::to_string(consumed_ + width) + " > " + std::to_string(plain.size()));
    return plain.substr(consumed_, width);
  }

  // read runs a read of `width` bytes and checks its contract.
  template <class F>
  void read(const char* what, std::uint32_t width, F&& fn) {
    if (!socket_) return;
    std::uint32_t before = available();
    bool connected = socket_->connected();
    if (consumed_ + before > peer_.plain().size()) broken("more bytes buffered than were sent");
    try {
      fn();
    } catch (const as3::errors::EOFError&) {
      if (width <= before) broken(std::string(what) + " threw EOFError with enough bytes");
      if (available() != before) broken(std::string(what) + " failed but consumed bytes");
      if (!connected && before == 0) broken(std::string(what) + ": EOFError, not IOError #2002");
      return;
    } catch (const as3::errors::IOError& e) {
      if (e.errorID() != 2002 || connected || before != 0)
        broken(std::string(what) + " threw " + e.toString() + " with " + std::to_string(before) +
               " bytes buffered");
      return;
    } catch (const as3::errors::Error& e) {
      broken(std::string(what) + " threw " + e.toString());
    }
    if (width > before) broken(std::string(what) + " read past the buffered bytes");
    if (!connected && before == 0) broken(std::string(what) + " succeeded without a connection");
    if (!socket_) return;  // destroyed by nothing here, but stay safe
    if (available() != before - width)
      broken(std::string(what) + " took " + std::to_string(before - available()) + " bytes, not " +
             std::to_string(width));
    consumed_ += width;
  }

  // readVariable runs a read whose width depends on the bytes; it may throw any AS3 error.
  template <class F>
  void readVariable(const char* what, F&& fn) {
    if (!socket_) return;
    std::uint32_t before = available();
    bool connected = socket_->connected();
    try {
      fn();
    } catch (const as3::errors::EOFError&) {
    } catch (const as3::errors::IOError& e) {
      if (e.errorID() != 2002 || connected || before != 0)
        broken(std::string(what) + " threw " + e.toString());
    } catch (const as3::errors::Error&) {
    }
    std::uint32_t after = available();
    if (after > before) broken(std::string(what) + " made bytes appear");
    consumed_ += before - after;
    (void)peek(0);
  }

  template <class F>
  void writeOp(const char* what, std::string_view bytes, F&& fn) {
    if (!socket_) return;
    bool connected = socket_->connected();
    std::uint32_t pending = socket_->bytesPending();
    try {
      fn();
    } catch (const as3::errors::IOError& e) {
      if (connected || e.errorID() != 2002) broken(std::string(what) + " threw " + e.toString());
      return;
    } catch (const as3::errors::MemoryError& e) {
      if (e.errorID() != 1000 || socket_->bytesPending() != pending)
        broken(std::string(what) + " was refused but wrote: " + e.toString());
      return;
    } catch (const as3::errors::Error& e) {
      broken(std::string(what) + " threw " + e.toString());
    }
    if (!connected) broken(std::string(what) + " succeeded without a connection");
    unflushed_.append(bytes);
    written_.append(bytes);
  }

  void runDeferred() {
    std::vector<std::function<void()>> ops = std::move(deferred_);
    deferred_.clear();
    for (auto& op : ops) op();
  }
  void noteEvent(const char* what) {
    if (closedByUs_) broken(std::string(what) + " after close()");
    if (ended()) broken(std::string(what) + " after the connection ended");
  }
  void onConnect() {
    noteEvent("connect");
    if (connects_++ > 0) broken("a second connect event");
    if (!socket_->connected()) broken("connected() is false in the connect listener");
  }
  void onData(ProgressEvent& e) {
    noteEvent("socketData");
    if (connects_ == 0) broken("socketData before connect");
    if (e.bytesLoaded() <= 0 || available() < e.bytesLoaded())
      broken("socketData announces " + std::to_string(e.bytesLoaded()) + " bytes with " +
             std::to_string(available()) + " buffered");
    (void)peek(available());
    runDeferred();
  }
  void onClose() {
    noteEvent("close");
    ++closes_;
    if (socket_->connected()) broken("connected() is true in the close listener");
    deliveredAtEnd_ = consumed_ + available();
    (void)peek(available());
    runDeferred();
  }
  void onError(IOErrorEvent& e) {
    noteEvent("ioError");
    ++errors_;
    errorText_ = e.text();
    if (e.errorID() != 2031) broken("ioError with errorID " + std::to_string(e.errorID()));
    deliveredAtEnd_ = consumed_ + available();
    (void)peek(available());
  }
  void onProgress(OutputProgressEvent& e) {
    noteEvent("outputProgress");
    if (e.bytesPending() > e.bytesTotal())
      broken("outputProgress: bytesPending " + std::to_string(e.bytesPending()) + " > bytesTotal " +
             std::to_string(e.bytesTotal()));
    if (e.bytesTotal() < lastTotal_) broken("outputProgress: bytesTotal went down");
    lastTotal_ = e.bytesTotal();
  }

  Peer& peer_;
  std::unique_ptr<Socket> socket_;
  int connects_ = 0, closes_ = 0, errors_ = 0;
  std::string errorText_;
  bool closedByUs_ = false, abrupt_ = false, autoFlushUsed_ = false;
  std::size_t consumed_ = 0;  // bytes of the peer's stream read (or purged) by the client
  std::size_t deliveredAtEnd_ = 0;
  std::string unflushed_, flushed_, written_;
  double lastTotal_ = 0;
  int deferNext_ = 0;
  std::vector<std::function<void()>> deferred_;
};

// turns polls the loop `count` times, letting the peer read and answer in between.
void turns(Peer& peer, int count) {
  for (int i = 0; i < count; ++i) {
    peer.pump();
    fixture->loop.poll();
  }
}

bool waitFor(Peer& peer, const std::function<bool()>& done) {
  return as3::net::detail::runUntil(
      fixture->loop,
      [&] {
        peer.pump();
        return done();
      },
      kPatience);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture;  // used until the process ends
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader input(data, size);
  const std::uint8_t settings = input.byte();
  const bool tls = settings & 1;
  Peer::dropBacklog();
  Peer peer(tls, settings & 2);
  peer.handshakeCut((settings >> 2) * 24u);
  Client client(tls, peer);

  // Connected (and, for TLS, handshaken) before the script starts.
  if (!waitFor(peer, [&] {
        peer.accept();
        return (client.connectedOnce() && peer.accepted()) || client.ended();
      }))
    broken("no connection within the time limit");
  if (!client.connectedOnce()) broken("the connection failed: " + client.errorText());
  if (tls) waitFor(peer, [&] { return peer.handshakeDone() || peer.failed(); });

  while (!input.empty()) {
    std::uint8_t op = input.byte();
    if (fixture->verbose)
      std::fprintf(stderr, "step %u (connected %d, available %u, held wire %zu)\n", op % 24,
                   client.socket() && client.socket()->connected(),
                   client.socket() ? client.socket()->bytesAvailable() : 0, peer.heldWire());
    switch (op % 24) {
      case 0:
        peer.write(input.bytes(input.byte() + 1u), true);
        break;
      case 1:
        peer.write(input.bytes(input.byte() + 1u), false);
        break;
      case 2:
        peer.sendWire(input.byte() + 1u);
        break;
      case 3:
        peer.fin();
        break;
      case 4:
        peer.closeNotify();
        break;
      case 5:
        peer.reset();
        break;
      case 6:
        peer.closeFully();
        break;
      case 7:
        peer.inject(input.bytes(input.byte() % 32 + 1u));
        break;
      case 8:
        peer.pump();
        break;
      case 9:
        turns(peer, input.byte() % 4 + 1);
        break;
      case 10: {
        int kind = input.byte() % 9;
        client.step([&client, kind] { client.readFixed(kind); });
        break;
      }
      case 11: {
        std::uint32_t length = input.byte();
        client.step([&client, length] { client.readBytes(length); });
        break;
      }
      case 12:
        client.step([&client] { client.readAll(); });
        break;
      case 13: {
        std::uint32_t length = input.byte();
        client.step([&client, length] { client.lookahead(length); });
        break;
      }
      case 14: {
        int kind = input.byte() % 8;
        std::uint32_t length = input.byte();
        client.step([&client, kind, length] { client.readText(kind, length); });
        break;
      }
      case 15:
        client.step([&client] { client.readObject(); });
        break;
      case 16: {
        std::string bytes(input.bytes(input.byte() + 1u));
        client.step([&client, bytes] { client.write(bytes); });
        break;
      }
      case 17: {
        std::uint8_t seed = input.byte();
        client.step([&client, seed] { client.writeInt(seed); });
        break;
      }
      case 18:
        client.step([&client] { client.flush(); });
        break;
      case 19:
        client.step([&client] { client.close(); });
        break;
      case 20: {
        std::uint8_t arg = input.byte();
        client.step([&client, arg] { client.setting(arg); });
        break;
      }
      case 21:
        client.deferNext(input.byte() % 4 + 1);
        break;
      case 22:
        client.step([&client] { client.destroy(); });
        break;
      default: {
        bool reset = input.byte() & 1;
        client.step([&client, reset] { client.endAbruptly(reset); });
        break;
      }
    }
    turns(peer, 1);
  }

  // The end: the peer finishes cleanly unless the script ended it otherwise, the client reads
  // everything, and each side must see the other's end.
  peer.closeNotify();
  bool cleanEnd = peer.clean() && !peer.corrupted() && !peer.mayReset() && !peer.failed();
  bool truncated = tls && peer.finSent() && !peer.closeNotifySent() && !peer.corrupted() &&
                   !peer.mayReset() && !peer.failed();
  waitFor(peer, [&] {
    client.drain();
    return client.ended() || client.closedByUs() || !client.socket();
  });
  if (client.socket() && !client.closedByUs()) {
    if (!client.ended()) broken("the connection never ended after the peer's FIN");
    if (client.closes() + client.errors() != 1) broken("more than one terminal event");
    if (cleanEnd || truncated) {
      if (client.closes() != (cleanEnd ? 1 : 0))
        broken(std::string(cleanEnd ? "a clean end" : "a truncation") + " was reported as " +
               (client.closes() ? "close" : "ioError: " + client.errorText()));
      std::size_t expected = tls ? peer.completePlain() : peer.wireSent();
      if (client.deliveredAtEnd() != expected)
        broken("the connection ended with " + std::to_string(client.deliveredAtEnd()) +
               " bytes announced, not the " + std::to_string(expected) + " sent");
    }
  }

  if (fixture->verbose)
    std::fprintf(stderr,
                 "%s: close %d, ioError %d (%s), closed by us %d, delivered %zu of %zu sent "
                 "(%zu complete), flushed %zu, peer got %zu%s\n",
                 tls ? "tls" : "tcp", client.closes(), client.errors(), client.errorText().c_str(),
                 client.closedByUs(), client.deliveredAtEnd(), peer.plain().size(),
                 peer.completePlain(), client.flushed().size(), peer.received().size(),
                 peer.closeNotifyReceived() ? " + close_notify" : "");
  if (fixture->verbose) peer.describe();

  // What the client flushed reaches the peer, in order, and its end after it.
  std::string_view received = peer.received();
  std::string_view sent = client.autoFlushUsed() ? client.written() : client.flushed();
  if (received.size() > sent.size() || sent.substr(0, received.size()) != received)
    broken("the peer received bytes the client did not flush, or out of order");
  bool ours = client.closedByUs() && !client.abrupt();
  bool clientEndedByPeer = client.closes() > 0;
  if ((ours || clientEndedByPeer || !client.socket()) && peer.open() && !peer.corrupted() &&
      !peer.mayReset() && !peer.failed() && client.errors() == 0 && !client.abrupt()) {
    if (!waitFor(peer, [&] { return peer.eof() || peer.mayReset(); }))
      broken("the peer never saw the client's end");
    if (!peer.mayReset()) {
      if (received.size() < client.flushed().size())
        broken("the peer received " + std::to_string(peer.received().size()) + " of the " +
               std::to_string(client.flushed().size()) + " bytes flushed");
      if (tls && !peer.closeNotifyReceived()) broken("the client's close sent no close_notify");
    }
  }

  // Nothing of the socket may stay behind once it and the peer are gone. runUntil's own timer
  // is the one active handle allowed while it waits.
  client.destroy();
  peer.reset();
  uv_loop_t* uv = fixture->loop.uvLoop();
  as3::net::detail::runUntil(
      fixture->loop,
      [uv] {
        return uv->active_handles <= 1 && uv->active_reqs.count == 0 && !uv->closing_handles;
      },
      kPatience);
  fixture->loop.poll();
  if (uv_loop_alive(uv)) {
    uv_walk(
        uv,
        [](uv_handle_t* h, void*) {
          if (uv_is_active(h) && uv_has_ref(h))
            std::fprintf(stderr, "open: %s%s\n", uv_handle_type_name(h->type),
                         uv_is_closing(h) ? " (closing)" : "");
        },
        nullptr);
    broken("libuv handles or requests still open after the socket was destroyed");
  }
  return 0;
}
