#ifndef AS3_NET_SERVERSOCKET_H_
#define AS3_NET_SERVERSOCKET_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/EventDispatcher.h"
#include "as3/net/EventLoop.h"

namespace as3::net {

class Socket;

namespace detail {
class ServerCore;
class Tcp;
}  // namespace detail

/// ServerSocket is AIR's flash.net.ServerSocket: it listens for TCP connections and dispatches
/// a `ServerSocketConnectEvent::CONNECT` for each, carrying an already connected Socket (no
/// `Event::CONNECT` follows on it) that behaves exactly like a client socket. The event shares
/// the Socket: keep the `std::shared_ptr` to keep the connection; one nobody keeps is closed
/// when the listeners return, as an unreferenced AIR socket is collected. Accepted sockets stay
/// open when the server closes. May be destroyed anywhere, even in its own listener.
class AS3NET_EXPORT ServerSocket : public events::EventDispatcher {
 public:
  /// Creates a server socket on the default loop.
  ServerSocket();
  /// Creates a server socket on `loop`. Not in AS3.
  explicit ServerSocket(EventLoop& loop);
  ~ServerSocket() override;
  ServerSocket(const ServerSocket&) = delete;
  ServerSocket& operator=(const ServerSocket&) = delete;

  /// isSupported is true: as3net listens on every platform it builds on.
  static bool isSupported() noexcept { return true; }

  /// bound is true from a successful bind() until close().
  bool bound() const noexcept;
  /// listening is true from a successful listen() until close().
  bool listening() const noexcept;
  /// localAddress is the bound address as numeric text, "" before bind().
  std::string localAddress() const;
  /// localPort is the bound port (the one the OS chose for 0), 0 before bind().
  int localPort() const noexcept;

  /// bind binds to `localAddress` ("0.0.0.0": every IPv4 interface; "::": every IPv6 one,
  /// and IPv6 only) and `localPort` (0: one the OS chooses). Throws errors::RangeError #2006
  /// for a port outside 0-65535, errors::ArgumentError #2004 for an address that is not a
  /// well-formed IP, errors::IOError #2002 when already bound, closed, or binding fails (in
  /// use, no privilege, not a local address; the message gives the OS's reason).
  void bind(int localPort = 0, std::string_view localAddress = "0.0.0.0");
  /// listen starts accepting; `backlog` 0 means the system's maximum (larger values are capped
  /// by the OS). Throws errors::RangeError #2006 for a negative backlog, errors::IOError #2002
  /// when not bound, closed, or listening fails.
  virtual void listen(int backlog = 0);
  /// close stops listening and releases the port; the server socket cannot be used again.
  /// Dispatches nothing. Throws errors::IOError #2002 when already closed.
  void close();

  /// loop is the event loop this server socket and its accepted sockets run on.
  EventLoop& loop() const noexcept { return *loop_; }

 protected:
  /// acceptConnection makes an accepted connection a Socket and announces it; SecureServerSocket
  /// handshakes first. Internal.
  virtual void acceptConnection(std::shared_ptr<detail::Tcp> tcp);
  /// announce dispatches the ServerSocketConnectEvent for `socket`.
  void announce(std::shared_ptr<Socket> socket);

 private:
  friend class detail::ServerCore;
  EventLoop* loop_;
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace as3::net

#endif  // AS3_NET_SERVERSOCKET_H_
