#ifndef AS3_EVENTS_SERVERSOCKETCONNECTEVENT_H_
#define AS3_EVENTS_SERVERSOCKETCONNECTEVENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "as3/Export.h"
#include "as3/events/Event.h"

namespace as3::net {
class Socket;
}  // namespace as3::net

namespace as3::events {

/// ServerSocketConnectEvent is AS3's flash.events.ServerSocketConnectEvent: a ServerSocket
/// accepted a client, and socket() is the connected Socket. The event shares ownership of it;
/// keep a copy of the pointer to keep the connection, or call `socket()->close()` to refuse it.
/// toString(): `[ServerSocketConnectEvent type="connect" bubbles=false cancelable=false
/// eventPhase=2 socket=[object Socket]]` (`socket=null` without one).
class AS3NET_EXPORT ServerSocketConnectEvent : public Event {
 public:
  /// CONNECT is "connect": a ServerSocket accepted a client.
  static constexpr std::string_view CONNECT = "connect";

  /// Creates an undispatched event that shares ownership of `socket`.
  explicit ServerSocketConnectEvent(std::string_view type, bool bubbles = false,
                                    bool cancelable = false,
                                    std::shared_ptr<net::Socket> socket = nullptr);
  ~ServerSocketConnectEvent() override;

  /// socket is the accepted connection, shared with the event; null when none was given.
  ///@{
  const std::shared_ptr<net::Socket>& socket() const noexcept { return socket_; }
  void socket(std::shared_ptr<net::Socket> value) noexcept { socket_ = std::move(value); }
  ///@}

  std::unique_ptr<Event> clone() const override;
  std::string toString() const override;

 protected:
  /// Copies the fields (sharing socket()) but none of the dispatch state, for clone(), as
  /// Event(const Event&).
  ServerSocketConnectEvent(const ServerSocketConnectEvent& other) = default;

 private:
  std::shared_ptr<net::Socket> socket_;
};

}  // namespace as3::events

#endif  // AS3_EVENTS_SERVERSOCKETCONNECTEVENT_H_
