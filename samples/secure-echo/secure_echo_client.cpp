// secure_echo_client: an AIR flash.net.SecureSocket client for secure_echo_server. It connects
// with as3net's strict certificate validation, prints what the handshake established, sends
// lines, checks that they come back, then closes.
//
//   sample_secure_echo_client HOST PORT [--ca FILE]... [--seconds S] [MESSAGE...]
//
// --ca FILE trusts the certificate(s) of a PEM file as roots, as AIR's
// addBinaryChainBuildingCertificate(der, true) does. Without it only the platform's roots are
// trusted, so a server with a private CA is refused: the client then prints the certificateError
// and ioError it received and serverCertificateStatus, and exits 1.
//
// Exit status: 0 when the echo came back unchanged, 1 on a refused certificate, a network error,
// a mismatch or no answer within S seconds (default 10), 2 on bad usage.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/Listener.h"
#include "as3/events/ProgressEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/X509Certificate.h"
#include "as3/utils/ByteArray.h"
#include "common/Deadline.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::listener;
using as3::events::ProgressEvent;
using as3::events::SecurityErrorEvent;
using as3::net::EventLoop;
using as3::net::SecureSocket;
using as3::security::X509Certificate;

namespace {

struct Options {
  std::string host;
  int port = 0;
  std::vector<std::string> caFiles;
  double seconds = 10;
  std::vector<std::string> messages;
};

[[noreturn]] void usage(const char* problem) {
  if (problem) std::fprintf(stderr, "secure_echo_client: %s\n", problem);
  std::fprintf(stderr,
               "usage: secure_echo_client HOST PORT [--ca FILE]... [--seconds S] [MESSAGE...]\n");
  std::exit(problem ? 2 : 0);
}

Options parseOptions(int argc, char** argv) {
  Options options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help") usage(nullptr);
    if (arg == "--ca" || arg == "--seconds") {
      if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
      const char* value = argv[++i];
      if (arg == "--ca") {
        options.caFiles.push_back(value);
      } else {
        char* end = nullptr;
        options.seconds = std::strtod(value, &end);
        if (end == value || *end != '\0' || !(options.seconds > 0)) usage("bad --seconds");
      }
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() < 2) usage("HOST and PORT are required");
  options.host = positional[0];
  char* end = nullptr;
  long port = std::strtol(positional[1].c_str(), &end, 10);
  if (end == positional[1].c_str() || *end != '\0' || port < 0 || port > 65535) usage("bad PORT");
  options.port = static_cast<int>(port);
  options.messages.assign(positional.begin() + 2, positional.end());
  if (options.messages.empty()) options.messages = {"hello over TLS", "strictly validated: ✓"};
  return options;
}

// trustFile makes every certificate of a PEM file a trust anchor, the AIR way. AIR code would
// have embedded the DER bytes:
//
//   [Embed(source="ca.der", mimeType="application/octet-stream")] var CaDer:Class;
//   socket.addBinaryChainBuildingCertificate(new CaDer() as ByteArray, true);
//
// as AIR documents it, the certificate joins a chain-building set shared by the whole process,
// for every SecureSocket from now on. To trust it for one socket only, as3net's addition is
// `socket.validator().addAnchor(certificate)`. Throws ArgumentError #2004 for a file that holds
// no certificate.
void trustFile(SecureSocket& socket, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw as3::errors::Error("cannot read " + path);
  const std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (const X509Certificate& certificate : X509Certificate::fromPEM(pem)) {
    socket.addBinaryChainBuildingCertificate(certificate.encoded(), true);
    std::printf("secure_echo_client: trusting %s\n", certificate.subject().toString().c_str());
  }
}

// SecureEchoClient follows samples/echo's EchoClient: listeners are member functions, the
// SecureSocket is a member, and only the events differ (certificateError, and what CONNECT means).
class SecureEchoClient {
 public:
  SecureEchoClient(EventLoop& loop, std::vector<std::string> messages)
      : loop_(loop), socket_(loop), messages_(std::move(messages)) {
    socket_.addEventListener(Event::CONNECT, listener(this, &SecureEchoClient::onConnect));
    socket_.addEventListener(ProgressEvent::SOCKET_DATA,
                             listener(this, &SecureEchoClient::onSocketData));
    socket_.addEventListener(Event::CLOSE, listener(this, &SecureEchoClient::onClose));
    socket_.addEventListener(SecurityErrorEvent::CERTIFICATE_ERROR,
                             listener(this, &SecureEchoClient::onCertificateError));
    socket_.addEventListener(IOErrorEvent::IO_ERROR, listener(this, &SecureEchoClient::onIOError));
  }

  SecureSocket& socket() { return socket_; }
  bool succeeded() const { return succeeded_; }

  void connect(const std::string& host, int port) {
    std::printf("secure_echo_client: connecting to %s:%d\n", host.c_str(), port);
    // TCP, the TLS handshake (SNI for a host name, none for an IP literal), then validation of
    // the chain for `host`. timeout() (20 s by default) covers all three.
    socket_.connect(host, port);
  }

  // timedOut reports what was missing once the deadline has stopped the loop.
  // It must not call stop() again: a stop() made outside run() would end the next run at once.
  void timedOut() {
    loopStopped_ = true;
    finish(false, "no complete echo in time");
  }

 private:
  // CONNECT on a SecureSocket means the handshake is done and the status is "trusted": as3net
  // never connects otherwise, whatever the listeners do.
  void onConnect(Event&) {
    std::printf("serverCertificateStatus: %s\n", socket_.serverCertificateStatus().c_str());
    std::printf("protocol: %s\n", socket_.protocol().c_str());
    std::printf("cipher: %s\n", socket_.cipher().c_str());
    if (auto certificate = socket_.serverCertificate()) {
      std::printf("server certificate: %s, issued by %s\n",
                  certificate->subject().toString().c_str(),
                  certificate->issuer().toString().c_str());
    }
    for (const std::string& message : messages_) {
      std::printf("> %s\n", message.c_str());
      socket_.writeUTFBytes(message + "\n");
      sent_ += message + "\n";
    }
    socket_.flush();  // encrypted and sent now; nothing leaves before flush()
  }

  // TLS records may arrive in any slices; keep bytes until a whole line is there, so no UTF-8
  // character is cut (see samples/echo for the same loop explained).
  void onSocketData(ProgressEvent&) {
    pending_ += socket_.readAll();  // as3net's addition: every buffered byte, as a std::string
    for (std::size_t end; (end = pending_.find('\n')) != std::string::npos;) {
      std::printf("< %s\n", pending_.substr(0, end).c_str());
      received_ += pending_.substr(0, end + 1);
      pending_.erase(0, end + 1);
    }
    if (received_.size() >= sent_.size()) finish(received_ == sent_, "");
  }

  void onClose(Event&) { finish(false, "the server closed the connection before echoing all"); }

  // certificateError comes first when validation refuses the chain. serverCertificateStatus()
  // and serverCertificate() are already set, so the rejected certificate can be shown. Unlike
  // AIR, preventDefault() here would not let the connection through: as3net stays strict.
  void onCertificateError(SecurityErrorEvent& event) {
    std::printf("certificateError: %s\n", event.text().c_str());
    std::printf("serverCertificateStatus: %s\n", socket_.serverCertificateStatus().c_str());
    if (auto certificate = socket_.serverCertificate()) {
      std::printf("rejected certificate: %s, issued by %s\n",
                  certificate->subject().toString().c_str(),
                  certificate->issuer().toString().c_str());
    }
  }

  // The ioError follows (for a refused certificate too); nothing comes after it.
  void onIOError(IOErrorEvent& event) { finish(false, event.text()); }

  void finish(bool ok, const std::string& why) {
    if (finished_) return;
    finished_ = true;
    succeeded_ = ok;
    if (socket_.connected()) socket_.close();  // sends close_notify: the server sees a clean close
    if (ok) {
      std::printf("secure_echo_client: %zu bytes echoed back unchanged\n", received_.size());
    } else {
      std::fprintf(stderr, "secure_echo_client: failed: %s\n",
                   why.empty() ? "the echo differs from what was sent" : why.c_str());
    }
    if (!loopStopped_) loop_.stop();  // run() returns after this listener
    loopStopped_ = true;
  }

  EventLoop& loop_;
  SecureSocket socket_;
  std::vector<std::string> messages_;
  std::string pending_;   // received bytes not yet printed: at most part of one line
  std::string sent_;      // every line sent, with its '\n'
  std::string received_;  // every complete line received, with its '\n'
  bool finished_ = false;
  bool succeeded_ = false;
  bool loopStopped_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // keep stdout in step with stderr in a log

  EventLoop loop;  // first, so it is destroyed last
  SecureEchoClient client(loop, options.messages);
  try {
    for (const std::string& path : options.caFiles) trustFile(client.socket(), path);
    if (options.caFiles.empty()) {
      std::printf("secure_echo_client: no --ca: trusting the platform's roots only\n");
    }
    client.connect(options.host, options.port);
    Deadline deadline(loop,
                      std::chrono::milliseconds(static_cast<long long>(options.seconds * 1000)));
    loop.run();  // returns when finish() calls stop(), or at the deadline
    if (deadline.expired()) client.timedOut();
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "secure_echo_client: %s\n", e.what());
    return 1;
  }
  return client.succeeded() ? 0 : 1;
}
