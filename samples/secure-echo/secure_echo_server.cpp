// secure_echo_server: a TLS echo server on SecureServerSocket. Every byte a client sends over
// TLS comes straight back.
//
//   sample_secure_echo_server [--port N] [--address IP] [--seconds S]
//                             (--cert FILE --key FILE | [--write-ca FILE])
//
// With --cert and --key it serves that certificate chain (PEM, leaf first) and private key.
// With neither it makes a throwaway certificate authority in memory, issues itself a leaf for
// "localhost" and 127.0.0.1, and writes the authority's certificate (PEM) to the --write-ca file:
// a client that trusts that file trusts this server, and nothing else does. The key of that
// authority never leaves the process.
//
// The first line printed says where it listens: "secure_echo_server: listening on 127.0.0.1:PORT"
// (port 0, the default, lets the OS choose). It stops by itself after S seconds (default 300;
// 0 serves until killed), so a forgotten server does not linger.
//
// AIR had no TLS server: ServerSocket was plain TCP. SecureServerSocket is as3net's, a
// ServerSocket whose connect event comes only once a client's TLS handshake has succeeded and
// carries a SecureSocket. Everything after that is the AIR echo server of samples/echo.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"
#include "common/Deadline.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::utils::ByteArray;

namespace {

struct Options {
  int port = 0;
  std::string address = "127.0.0.1";
  double seconds = 300;
  std::string certFile;
  std::string keyFile;
  std::string writeCaFile;
};

[[noreturn]] void usage(const char* problem) {
  if (problem) std::fprintf(stderr, "secure_echo_server: %s\n", problem);
  std::fprintf(stderr,
               "usage: secure_echo_server [--port N] [--address IP] [--seconds S]\n"
               "                          (--cert FILE --key FILE | [--write-ca FILE])\n");
  std::exit(problem ? 2 : 0);
}

Options parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") usage(nullptr);
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--port") {
      long port = std::strtol(value, &end, 10);
      if (end == value || *end != '\0' || port < 0 || port > 65535) usage("bad --port");
      options.port = static_cast<int>(port);
    } else if (arg == "--address") {
      options.address = value;
    } else if (arg == "--seconds") {
      options.seconds = std::strtod(value, &end);
      if (end == value || *end != '\0' || !(options.seconds >= 0)) usage("bad --seconds");
    } else if (arg == "--cert") {
      options.certFile = value;
    } else if (arg == "--key") {
      options.keyFile = value;
    } else if (arg == "--write-ca") {
      options.writeCaFile = value;
    } else {
      usage(("unknown option " + arg).c_str());
    }
  }
  if (options.certFile.empty() != options.keyFile.empty()) usage("give --cert and --key together");
  if (!options.certFile.empty() && !options.writeCaFile.empty())
    usage("--write-ca goes with the throwaway authority, not with --cert");
  return options;
}

// SecureEchoServer is samples/echo's EchoServer on a SecureServerSocket; it owns the server and
// every client, so the listeners bound to `this` never outlive it.
class SecureEchoServer {
 public:
  explicit SecureEchoServer(EventLoop& loop) : server_(loop) {
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             listener(this, &SecureEchoServer::onConnect));
  }

  // certificate() and certificateFile() throw ArgumentError #2004 saying what is wrong (no
  // certificate, a key that does not match the leaf), certificateFile() IOError #2038 for a file
  // it cannot read.
  void useFiles(const std::string& certFile, const std::string& keyFile) {
    server_.certificateFile(certFile, keyFile);
  }
  void useCertificate(const std::string& chainPem, const std::string& keyPem) {
    server_.certificate(chainPem, keyPem);
  }

  // start binds and listens; listen() throws IOError #2002 if no certificate was set.
  void start(int port, const std::string& address) {
    server_.bind(port, address);
    server_.listen();
    std::printf("secure_echo_server: listening on %s:%d\n", server_.localAddress().c_str(),
                server_.localPort());
  }

  void close() {
    server_.close();
    for (const std::shared_ptr<Socket>& client : clients_) {
      if (client->connected()) client->close();  // sends close_notify
    }
    clients_.clear();
  }

 private:
  // The handshake is already done: the event's socket is a connected SecureSocket. A client that
  // failed its handshake (it did not trust our certificate, say) never gets here.
  void onConnect(ServerSocketConnectEvent& event) {
    std::shared_ptr<Socket> client = event.socket();
    auto* secure = dynamic_cast<SecureSocket*>(client.get());
    std::printf("secure_echo_server: %s:%d connected over %s (%s)\n",
                client->remoteAddress().c_str(), client->remotePort(),
                secure ? secure->protocol().c_str() : "?", secure ? secure->cipher().c_str() : "?");
    client->addEventListener(ProgressEvent::SOCKET_DATA,
                             listener(this, &SecureEchoServer::onClientData));
    client->addEventListener(Event::CLOSE, listener(this, &SecureEchoServer::onClientClose));
    // A client that vanishes without TLS's close_notify is a truncation: an ioError, not close.
    client->addEventListener(IOErrorEvent::IO_ERROR,
                             listener(this, &SecureEchoServer::onClientError));
    clients_.push_back(std::move(client));  // keep it, or it closes when this listener returns
  }

  void onClientData(ProgressEvent& event) {
    auto* client = dynamic_cast<Socket*>(event.target());
    ByteArray bytes;
    client->readBytes(bytes);  // decrypted already: the same calls as a plain Socket
    client->writeBytes(bytes);
    client->flush();
  }

  void onClientClose(Event& event) {
    drop(dynamic_cast<Socket*>(event.target()), "closed the connection");
  }

  void onClientError(IOErrorEvent& event) {
    drop(dynamic_cast<Socket*>(event.target()), event.text());
  }

  // drop may destroy the Socket inside its own listener, which as3net allows; nothing may use
  // `socket` afterwards.
  void drop(Socket* socket, const std::string& why) {
    auto it =
        std::find_if(clients_.begin(), clients_.end(),
                     [socket](const std::shared_ptr<Socket>& c) { return c.get() == socket; });
    if (it == clients_.end()) return;
    clients_.erase(it);
    std::printf("secure_echo_server: a client %s (%zu connected)\n", why.c_str(), clients_.size());
  }

  SecureServerSocket server_;
  std::vector<std::shared_ptr<Socket>> clients_;
};

bool writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // the test script waits for the "listening" line

  EventLoop loop;  // first, so it is destroyed last
  SecureEchoServer server(loop);
  try {
    if (!options.certFile.empty()) {
      server.useFiles(options.certFile, options.keyFile);
      std::printf("secure_echo_server: serving %s\n", options.certFile.c_str());
    } else {
      // The testing kit's authority lives in memory only. A real deployment gets its chain from
      // a CA and passes it with --cert/--key; this mode exists so the sample needs no files.
      as3::testing::TestCertificateAuthority authority("as3net secure-echo throwaway CA");
      as3::testing::IssuedCertificate leaf = authority.issue();  // localhost and 127.0.0.1
      server.useCertificate(leaf.chainPem(), leaf.privateKeyPem);
      std::printf("secure_echo_server: serving %s, issued by the throwaway \"%s\"\n",
                  leaf.certificate.subject().toString().c_str(),
                  authority.certificate().subject().toString().c_str());
      // Written before "listening" is printed, so a script that saw that line finds the file.
      if (!options.writeCaFile.empty()) {
        if (!writeFile(options.writeCaFile, authority.certificatePem())) {
          std::fprintf(stderr, "secure_echo_server: cannot write %s\n",
                       options.writeCaFile.c_str());
          return 1;
        }
        std::printf("secure_echo_server: wrote the CA certificate to %s\n",
                    options.writeCaFile.c_str());
      } else {
        std::printf("secure_echo_server: no --write-ca: no client can trust this server\n");
      }
    }
    server.start(options.port, options.address);

    std::optional<Deadline> deadline;
    if (options.seconds > 0) {
      deadline.emplace(loop,
                       std::chrono::milliseconds(static_cast<long long>(options.seconds * 1000)));
    }
    loop.run();  // a listening server always has work: this returns at the deadline only
    if (deadline && deadline->expired()) {
      std::printf("secure_echo_server: %g seconds are up, stopping\n", options.seconds);
    }
    server.close();
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "secure_echo_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
