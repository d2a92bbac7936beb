#ifndef AS3_NET_SOCKET_H_
#define AS3_NET_SOCKET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/EventDispatcher.h"
#include "as3/net/EventLoop.h"
#include "as3/utils/IDataInput.h"
#include "as3/utils/IDataOutput.h"

/// as3::net holds the sockets (Socket, SecureSocket, ServerSocket, SecureServerSocket) and the
/// EventLoop that runs their I/O and dispatches their events.
namespace as3::net {

namespace detail {
class SocketCore;
}

/// Socket is AS3's flash.net.Socket: a buffered, event-driven TCP client, and the type of the
/// connections a ServerSocket accepts. Events are dispatched on its loop's thread, never from
/// inside a call on this object:
///
/// - `Event::CONNECT` once connected (connected() is true from then on);
/// - `ProgressEvent::SOCKET_DATA` when bytes arrive: bytesLoaded() is how many are new,
///   and bytesAvailable() counts them already; never dispatched with nothing to read;
/// - `OutputProgressEvent::OUTPUT_PROGRESS` as flushed bytes leave for the network;
/// - `Event::CLOSE` when the peer (or the OS) closes the connection, after every byte received
///   before the close has been announced; connected() is already false in its listeners, and
///   bytes flushed before the peer's FIN arrived still reach it;
/// - `IOErrorEvent::IO_ERROR` (#2031, text naming what failed: DNS, refused, timeout, reset,
///   with the OS's reason) when connecting fails or the connection breaks; nothing follows it.
///
/// Reads and writes never block. Reads take from the received bytes and throw
/// errors::EOFError #2030, consuming nothing, when too few are buffered; writes append to an
/// output buffer that flush() hands to the network. Both throw errors::IOError #2002 while
/// not connected.
///
/// A Socket may be destroyed anywhere, even inside one of its own listeners; no listener runs
/// after that, and the connection is closed as close() would. Not copyable or movable.
/// Differs from AS3: after the peer closes, the bytes already received stay readable until
/// they are read or connect() is called again (Flash discards them). See docs/porting-guide.md.
class AS3NET_EXPORT Socket : public events::EventDispatcher,
                             public utils::IDataInput,
                             public utils::IDataOutput {
 public:
  /// The default high-water mark for bytesPending (outputHighWaterMark), 64 MiB.
  static constexpr std::uint32_t kDefaultOutputHighWaterMark = 64u << 20;
  /// The default cap on received bytes buffered unread (inputHighWaterMark), 64 MiB.
  static constexpr std::uint32_t kDefaultInputHighWaterMark = 64u << 20;

  /// Creates an unconnected socket on the default loop, as `new Socket()`.
  Socket();
  /// Creates an unconnected socket on `loop`. Not in AS3 (AS3 has one runtime loop).
  explicit Socket(EventLoop& loop);
  /// Creates a socket on the default loop and connects at once, as `new Socket(host, port)`:
  /// attach listeners before the loop runs again and no event is missed.
  Socket(std::string_view host, int port);
  /// Creates a socket on `loop` and connects at once, as Socket(host, port). Not in AS3.
  Socket(EventLoop& loop, std::string_view host, int port);
  ~Socket() override;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // --- connecting -------------------------------------------------------------------------
  /// connect resolves `host` (a name, dotted IPv4 or IPv6 text; anything after a NUL is
  /// ignored) asynchronously and connects, racing the resolved addresses with Happy Eyeballs
  /// (RFC 8305), within timeout() ms in all. Returns at once; connected() stays false until
  /// `Event::CONNECT`. Failure is an `IOErrorEvent::IO_ERROR`, never an exception, except:
  /// errors::SecurityError #2003 for a port outside 0-65535 and errors::IOError #2031 for an
  /// empty host, both thrown at once. A connection already open or pending is dropped first
  /// without any event; its unread input and unflushed output are discarded.
  virtual void connect(std::string_view host, int port);
  /// close closes the connection: bytes already flushed still reach the peer, unflushed output
  /// and unread input are discarded. Dispatches nothing (`Event::CLOSE` reports the peer's
  /// closes only). Throws errors::IOError #2002 when neither connected nor connecting.
  virtual void close();
  /// flush hands every byte written since the last flush to the network: at once, except that
  /// a listener's second and later flushes of one loop turn wait for the turn's end and leave
  /// together in one write. Throws errors::IOError #2002 when not connected; does nothing when
  /// nothing was written.
  void flush();

  // --- properties -------------------------------------------------------------------------
  /// connected is true while the connection is open: from `Event::CONNECT` (or from acceptance
  /// by a ServerSocket) until close(), the peer's close or a failure.
  bool connected() const noexcept;
  /// bytesAvailable counts received bytes not yet read.
  std::uint32_t bytesAvailable() const noexcept final;
  /// bytesPending counts bytes written and not yet taken by the operating system: unflushed
  /// ones and flushed ones still queued. It is exact; 0 once everything has left.
  std::uint32_t bytesPending() const noexcept;
  /// timeout is how many milliseconds connect() may take, resolution included (default 20000);
  /// the value in force when connect() is called applies. 0 means no limit of as3net's own.
  ///@{
  std::uint32_t timeout() const noexcept;
  void timeout(std::uint32_t milliseconds) noexcept;
  ///@}
  /// The addresses of the connection as numeric text, and their ports; "" and 0 while there is
  /// none (AS3 leaves them undocumented). IPv6 addresses have no brackets.
  ///@{
  std::string localAddress() const;
  int localPort() const;
  std::string remoteAddress() const;
  int remotePort() const;
  ///@}
  /// tcpNoDelay turns Nagle's algorithm off (AIR 51); false by default. Kept across connects.
  ///@{
  bool tcpNoDelay() const noexcept;
  void tcpNoDelay(bool value);
  ///@}

  utils::Endian endian() const noexcept final;
  void endian(utils::Endian value) noexcept final;
  /// endian(text) takes AS3's strings; anything else throws errors::ArgumentError #2008.
  void endian(std::string_view value);
  /// objectEncoding is 3 (AMF3) for a new socket, whatever ByteArray's default is, as in AS3.
  std::uint32_t objectEncoding() const noexcept final;
  void objectEncoding(std::uint32_t value) final;

  // --- as3net's additions -----------------------------------------------------------------
  /// outputHighWaterMark bounds bytesPending. A write that would take it higher throws
  /// errors::MemoryError #1000 and writes nothing: wait for `OUTPUT_PROGRESS` instead. Not in
  /// AS3, whose runtime let a peer that never reads take all memory.
  ///@{
  std::uint32_t outputHighWaterMark() const noexcept;
  void outputHighWaterMark(std::uint32_t bytes) noexcept;
  ///@}
  /// inputHighWaterMark bounds bytesAvailable: while that many bytes are unread, the socket
  /// stops reading from the network (TCP then slows the peer down) until at most half of them
  /// are left. Not in AS3.
  ///@{
  std::uint32_t inputHighWaterMark() const noexcept;
  void inputHighWaterMark(std::uint32_t bytes) noexcept;
  ///@}
  /// autoFlush flushes written bytes at the end of each loop turn, as some AIR platforms did
  /// between frames. Off by default, as on Windows AIR; portable code calls flush().
  ///@{
  bool autoFlush() const noexcept;
  void autoFlush(bool value) noexcept;
  ///@}
  /// lookahead returns up to `length` buffered bytes (all by default) without consuming them
  /// (Xojo's Lookahead). Unlike the reads it never throws.
  std::string lookahead(std::uint32_t length = 0xFFFFFFFFu) const;
  /// readAll consumes and returns every buffered byte (Xojo's ReadAll); "" when none. Throws
  /// errors::IOError #2002 like the other reads.
  std::string readAll();
  /// purge discards the received bytes not yet read (Xojo's Purge).
  void purge() noexcept;
  /// purgeOutput discards the bytes written since the last flush.
  void purgeOutput() noexcept;
  /// loop is the event loop this socket runs on.
  EventLoop& loop() const noexcept { return *loop_; }

  // --- IDataInput -------------------------------------------------------------------------
  bool readBoolean() final;
  std::int32_t readByte() final;
  std::uint32_t readUnsignedByte() final;
  std::int32_t readShort() final;
  std::uint32_t readUnsignedShort() final;
  std::int32_t readInt() final;
  std::uint32_t readUnsignedInt() final;
  double readFloat() final;
  double readDouble() final;
  void readBytes(utils::ByteArray& bytes, std::uint32_t offset = 0, std::uint32_t length = 0) final;
  std::string readMultiByte(std::uint32_t length, std::string_view charSet) final;
  std::string readUTF() final;
  std::string readUTFBytes(std::uint32_t length) final;
  amf::Value readObject() final;

  // --- IDataOutput ------------------------------------------------------------------------
  void writeBoolean(bool value) final;
  void writeByte(std::int32_t value) final;
  void writeShort(std::int32_t value) final;
  void writeInt(std::int32_t value) final;
  void writeUnsignedInt(std::uint32_t value) final;
  void writeFloat(double value) final;
  void writeDouble(double value) final;
  void writeBytes(const utils::ByteArray& bytes, std::uint32_t offset = 0,
                  std::uint32_t length = 0) final;
  /// writeBytes(pointer, length) appends raw bytes. Not in AS3.
  void writeBytes(const void* bytes, std::size_t length);
  void writeMultiByte(std::string_view value, std::string_view charSet) final;
  void writeUTF(std::string_view value) final;
  void writeUTFBytes(std::string_view value) final;
  void writeObject(const amf::Value& object) final;

  /// core is the connection's state, shared with libuv until it lets go. Internal.
  detail::SocketCore& core() const noexcept { return *core_; }

 protected:
  /// Creates the socket around `core`; SecureSocket gives it its TLS engine this way.
  Socket(EventLoop& loop, std::shared_ptr<detail::SocketCore> core);

 private:
  EventLoop* loop_;
  std::shared_ptr<detail::SocketCore> core_;
};

}  // namespace as3::net

#endif  // AS3_NET_SOCKET_H_
