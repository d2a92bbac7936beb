// The as3net demo: the SDK's main job, on this machine only (loopback), in a few seconds.
// A throwaway certificate authority signs a certificate for "localhost"; a SecureServerSocket
// presents it; a SecureSocket with strict validation connects, and every event is printed in
// the order it arrives. Client and server then exchange AMF3 messages framed by a u32 length,
// as many AS3 game servers do. Last, the client connects by address instead of by name, and the
// same certificate is refused: the status and the ioError text say why.
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "as3/amf/Object.h"
#include "as3/amf/Value.h"
#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/testing/Run.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"

using as3::amf::Object;
using as3::amf::Value;
using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::utils::ByteArray;

namespace {

// describe prints an AMF object's members for people: {type: "hello", level: 3}.
std::string describe(const Value& value) {
  if (value.type() == as3::amf::Type::String) return "\"" + value.toString() + "\"";
  if (value.type() != as3::amf::Type::Object) return value.toString();
  Object object = value.asObject();
  std::string out = "{";
  for (std::size_t i = 0; i < object.dynamicCount(); ++i) {
    if (i > 0) out += ", ";
    out += std::string(object.dynamicName(i)) + ": " + describe(object.dynamicValue(i));
  }
  return out + "}";
}

// send writes one frame: the AMF3 body's length as a u32, then the body.
void send(Socket& socket, const Object& message, const char* who) {
  ByteArray body;
  body.writeObject(message);
  socket.writeUnsignedInt(body.length());
  socket.writeBytes(body);
  socket.flush();
  std::printf("   %s sends %u bytes: a u32 length (%u), then AMF3 %s\n", who, body.length() + 4,
              body.length(), describe(Value(message)).c_str());
}

// receive takes every whole frame waiting on `socket`, as AS3 code does: it waits while fewer
// bytes than the length prefix announces have arrived.
std::vector<Object> receive(Socket& socket) {
  std::vector<Object> messages;
  while (socket.bytesAvailable() >= 4) {
    std::string prefix = socket.lookahead(4);
    std::uint32_t length = 0;
    for (char c : prefix) length = length << 8 | static_cast<unsigned char>(c);
    if (socket.bytesAvailable() < 4 + length) break;
    socket.readUnsignedInt();
    ByteArray body;
    if (length > 0) socket.readBytes(body, 0, length);
    Value message = body.readObject();
    if (message.type() == as3::amf::Type::Object) messages.push_back(message.asObject());
  }
  return messages;
}

std::string day(double millisecondsSinceEpoch) {
  std::time_t seconds = static_cast<std::time_t>(millisecondsSinceEpoch / 1000);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d", std::gmtime(&seconds));
  return text;
}

// The lobby server: greets each player by name once it has read their hello.
class LobbyServer {
 public:
  LobbyServer(EventLoop& loop, const as3::testing::IssuedCertificate& identity) : server_(loop) {
    server_.certificate(identity.chainPem(), identity.privateKeyPem);
    server_.bind(0, "127.0.0.1");
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             [this](ServerSocketConnectEvent& event) { accept(event.socket()); });
    server_.listen();
  }
  int port() const { return server_.localPort(); }

 private:
  void accept(std::shared_ptr<Socket> player) {
    std::printf("   server: a client finished its TLS handshake; connection accepted\n");
    players_.push_back(player);
    Socket* socket = player.get();
    socket->addEventListener(ProgressEvent::SOCKET_DATA, [socket](Event&) {
      for (const Object& message : receive(*socket)) {
        std::printf("   server reads %s\n", describe(Value(message)).c_str());
        Object welcome;
        welcome["type"] = "welcome";
        welcome["player"] = message["player"];
        welcome["playersOnline"] = 1;
        send(*socket, welcome, "server");
      }
    });
    socket->addEventListener(Event::CLOSE, [](Event&) {
      std::printf("   server: the client closed the connection (close_notify, then FIN)\n");
    });
  }

  SecureServerSocket server_;
  std::vector<std::shared_ptr<Socket>> players_;
};

// watch prints every event `socket` dispatches, in order, and sets `ended` at the last one.
void watch(SecureSocket& socket, bool& ended) {
  socket.addEventListener(Event::CONNECT, [&socket](Event&) {
    std::printf("   client event: connect    (serverCertificateStatus \"%s\", %s, %s)\n",
                socket.serverCertificateStatus().c_str(), socket.protocol().c_str(),
                socket.cipher().c_str());
  });
  socket.addEventListener(ProgressEvent::SOCKET_DATA, [](ProgressEvent& event) {
    std::printf("   client event: socketData (bytesLoaded %.0f)\n", event.bytesLoaded());
  });
  socket.addEventListener(Event::CLOSE, [&ended](Event&) {
    std::printf("   client event: close\n");
    ended = true;
  });
  socket.addEventListener(SecurityErrorEvent::CERTIFICATE_ERROR, [](SecurityErrorEvent& event) {
    std::printf("   client event: certificateError\n      %s\n", event.text().c_str());
  });
  socket.addEventListener(IOErrorEvent::IO_ERROR, [&ended](IOErrorEvent& event) {
    std::printf("   client event: ioError\n      %s\n", event.text().c_str());
    ended = true;
  });
}

}  // namespace

int main() {
  try {
    EventLoop loop;
    std::printf(
        "as3net demo: a TLS server and a strictly validating SecureSocket, both on this machine.\n"
        "\n");

    std::printf(
        "1. A throwaway certificate authority, made in memory, signs a certificate for\n"
        "   the name \"localhost\" (and no IP address). The server presents it.\n");
    as3::testing::TestCertificateAuthority authority("as3net demo CA");
    as3::testing::CertificateOptions localhostOnly;
    localhostOnly.ipAddresses = {};
    LobbyServer server(loop, authority.issue(localhostOnly));
    std::printf("   server: listening on 127.0.0.1:%d\n\n", server.port());

    std::printf(
        "2. The client trusts that authority (AIR's addBinaryChainBuildingCertificate)\n"
        "   and connects to localhost:%d. Every event is printed as it arrives.\n",
        server.port());
    bool welcomed = false;
    {
      SecureSocket client(loop);
      client.addBinaryChainBuildingCertificate(authority.certificateDer(), true);
      bool ended = false;
      watch(client, ended);
      client.addEventListener(Event::CONNECT, [&client](Event&) {
        as3::security::X509Certificate leaf = *client.serverCertificate();
        std::printf("   the server's certificate: %s, issued by %s, valid until %s\n",
                    leaf.subject().toString().c_str(), leaf.issuer().toString().c_str(),
                    day(leaf.validNotAfter()).c_str());
        Object hello;
        hello["type"] = "hello";
        hello["player"] = "Kestrel";
        send(client, hello, "client");
      });
      client.addEventListener(ProgressEvent::SOCKET_DATA, [&](Event&) {
        for (const Object& message : receive(client)) {
          std::printf("   client reads %s\n", describe(Value(message)).c_str());
          welcomed = message["type"].toString() == "welcome";
          std::printf("   client closes the connection\n");
          client.close();  // dispatches nothing: close is what the peer's end reports
        }
      });
      client.connect("localhost", server.port());
      as3::testing::runUntil(loop, [&] { return welcomed || ended; });
      std::printf(
          "   serverCertificateStatus after close(): \"%s\" (kept until the next connect)\n",
          client.serverCertificateStatus().c_str());
      as3::testing::runFor(loop, std::chrono::milliseconds(50));  // the server sees the close
    }

    std::printf(
        "\n3. The same client setup connects to 127.0.0.1:%d instead. The certificate\n"
        "   names only \"localhost\", so strict validation refuses it: no connect event.\n",
        server.port());
    std::string refusedStatus;
    {
      SecureSocket client(loop);
      bool ended = false;
      watch(client, ended);
      client.connect("127.0.0.1", server.port());
      as3::testing::runUntil(loop, [&] { return ended; });
      refusedStatus = client.serverCertificateStatus();
      std::printf("   serverCertificateStatus: \"%s\"\n", refusedStatus.c_str());
    }

    const bool ok = welcomed && refusedStatus == "principalMismatch";
    std::printf("\n%s\n",
                ok ? "Done: a trusted TLS connection exchanged AMF3 messages, and a connection "
                     "to a name the certificate does not cover was refused."
                   : "Something went differently than described above.");
    return ok ? 0 : 1;
  } catch (const as3::errors::Error& error) {
    std::fprintf(stderr, "demo failed: %s\n", error.message().c_str());
    return 1;
  }
}
