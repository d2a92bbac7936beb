// LobbyClient is a small game client of the kind as3net's users write: it joins a lobby server
// over TLS and exchanges AMF3 messages, each framed by a u32 length. It is what
// LobbyClientTests.cpp tests with as3net's testing kit.
#ifndef LOBBY_CLIENT_H_
#define LOBBY_CLIENT_H_

#include <string>
#include <vector>

#include "as3/amf/Object.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/utils/ByteArray.h"

class LobbyClient {
 public:
  explicit LobbyClient(as3::net::EventLoop& loop);

  /// join connects and, once the server is trusted, says hello as `player`.
  void join(const std::string& host, int port, const std::string& player);
  /// say sends a chat line; the client must have joined.
  void say(const std::string& text);
  void leave();

  /// socket is the connection, for configuring trust before join().
  as3::net::SecureSocket& socket() { return socket_; }

  bool welcomed() const { return welcomed_; }
  const std::vector<std::string>& chat() const { return chat_; }
  /// problem is "" while all is well, else what went wrong, as the user would be told.
  const std::string& problem() const { return problem_; }
  bool ended() const { return ended_; }

  /// frame is one message as it goes on the wire: a u32 length, then the AMF3 object.
  static as3::utils::ByteArray frame(const as3::amf::Object& message);

 private:
  void send(const as3::amf::Object& message);
  void readFrames();
  void handle(const as3::amf::Object& message);

  as3::net::SecureSocket socket_;
  std::string player_;
  bool welcomed_ = false;
  bool ended_ = false;
  std::vector<std::string> chat_;
  std::string problem_;
};

#endif  // LOBBY_CLIENT_H_
