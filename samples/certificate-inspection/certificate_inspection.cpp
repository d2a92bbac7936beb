// certificate_inspection: everything a SecureSocket can tell about a server's certificates.
//
//   sample_certificate_inspection [--seconds S] [HOST PORT]
//
// It serves, in process and on 127.0.0.1 only, a certificate chain root -> intermediate -> leaf
// made by the testing kit's TestCertificateAuthority, connects a SecureSocket that trusts the
// root, and prints every field of serverCertificate (AIR's X509Certificate and
// X500DistinguishedName, plus as3net's additions), the chain the server presented
// (serverCertificateChain), the path validation built up to the root, serverCertificateStatus,
// the protocol and the cipher. Then it connects twice more to servers whose leaf has a defect,
// an expired leaf and a leaf for another host, and prints what a refusal looks like: the status,
// the certificateError and ioError texts, and the rejected leaf, which stays inspectable.
//
// With HOST PORT it finally inspects that server too, trusting the platform's roots (this needs
// the network; the test never does it).
//
// Exit status: 0 when each loopback connection got the expected verdict (and HOST PORT, when
// given, answered with a certificate), 1 otherwise, 2 on bad usage. Each connection gives up
// after S seconds (default 10).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "as3/errors/Error.h"
#include "as3/events/Event.h"
#include "as3/events/IOErrorEvent.h"
#include "as3/events/SecurityErrorEvent.h"
#include "as3/events/ServerSocketConnectEvent.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureServerSocket.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateStatus.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/X500DistinguishedName.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "common/Deadline.h"

using as3::events::Event;
using as3::events::IOErrorEvent;
using as3::events::SecurityErrorEvent;
using as3::events::ServerSocketConnectEvent;
using as3::net::EventLoop;
using as3::net::SecureServerSocket;
using as3::net::SecureSocket;
using as3::net::Socket;
using as3::security::CertificateStatus;
using as3::security::CertificateValidator;
using as3::security::X500DistinguishedName;
using as3::security::X509Certificate;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::TestCertificateAuthority;

namespace {

// ---- Printing --------------------------------------------------------------------------------

// oidName gives the usual name of the algorithm OIDs a TLS server's certificates carry; AIR and
// as3net report only the dotted form.
std::string_view oidName(const std::string& oid) {
  static const std::pair<std::string_view, std::string_view> kNames[] = {
      {"1.2.840.10045.2.1", "EC public key"},
      {"1.2.840.113549.1.1.1", "RSA public key"},
      {"1.3.101.112", "Ed25519"},
      {"1.2.840.10045.4.3.2", "ecdsa-with-SHA256"},
      {"1.2.840.10045.4.3.3", "ecdsa-with-SHA384"},
      {"1.2.840.10045.4.3.4", "ecdsa-with-SHA512"},
      {"1.2.840.113549.1.1.5", "sha1WithRSAEncryption"},
      {"1.2.840.113549.1.1.10", "RSASSA-PSS"},
      {"1.2.840.113549.1.1.11", "sha256WithRSAEncryption"},
      {"1.2.840.113549.1.1.12", "sha384WithRSAEncryption"},
      {"1.2.840.113549.1.1.13", "sha512WithRSAEncryption"},
  };
  for (const auto& [dotted, name] : kNames) {
    if (dotted == oid) return name;
  }
  return "?";
}

// utc formats AIR's Date.time (milliseconds since 1970 UTC), the unit of validNotBefore/After.
std::string utc(double milliseconds) {
  const std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? "(none)" : out;
}

std::string quoted(const std::string& text) {
  return "\"" + text + "\"";
}

void printName(const char* label, const X500DistinguishedName& name) {
  std::printf("  %s: %s\n", label, name.toString().c_str());  // RFC 4514, certificate order
  // AIR's six properties: the first attribute of each type, "" when there is none.
  std::printf("    commonName: %s\n", quoted(name.commonName()).c_str());
  std::printf("    organizationName: %s\n", quoted(name.organizationName()).c_str());
  std::printf("    organizationalUnitName: %s\n", quoted(name.organizationalUnitName()).c_str());
  std::printf("    localityName: %s\n", quoted(name.localityName()).c_str());
  std::printf("    stateOrProvinceName: %s\n", quoted(name.stateOrProvinceName()).c_str());
  std::printf("    countryName: %s\n", quoted(name.countryName()).c_str());
  // as3net's addition: every attribute, repeated types and OIDs without a short name included.
  std::string attributes;
  for (const auto& [type, value] : name.attributes()) {
    attributes += (attributes.empty() ? "" : " | ") + type + "=" + value;
  }
  std::printf("    attributes(): %s\n", attributes.c_str());
}

// printCertificate prints every property of AIR's X509Certificate, then as3net's additions.
void printCertificate(const X509Certificate& certificate) {
  printName("subject", certificate.subject());
  printName("issuer", certificate.issuer());
  // AIR counts versions from 0, as the DER does: 2 is X.509 v3.
  std::printf("  version: %u (X.509 v%u)\n", certificate.version(), certificate.version() + 1);
  std::printf("  serialNumber: %s\n", certificate.serialNumber().c_str());
  std::printf("  signatureAlgorithmOID: %s (%s)\n", certificate.signatureAlgorithmOID().c_str(),
              std::string(oidName(certificate.signatureAlgorithmOID())).c_str());
  // ECDSA signatures have no parameters (AIR: null); RSA ones carry a DER NULL (05 00).
  const auto params = certificate.signatureAlgorithmParams();
  std::printf("  signatureAlgorithmParams: %s\n", params ? params->toHexString().c_str() : "null");
  std::printf("  validNotBefore: %s (%.0f ms)\n", utc(certificate.validNotBefore()).c_str(),
              certificate.validNotBefore());
  std::printf("  validNotAfter: %s (%.0f ms)\n", utc(certificate.validNotAfter()).c_str(),
              certificate.validNotAfter());
  std::printf("  subjectPublicKeyAlgorithmOID: %s (%s)\n",
              certificate.subjectPublicKeyAlgorithmOID().c_str(),
              std::string(oidName(certificate.subjectPublicKeyAlgorithmOID())).c_str());
  const std::string key = certificate.subjectPublicKey();  // hex: two characters per byte
  std::printf("  subjectPublicKey: %zu bytes, %s...\n", key.size() / 2, key.substr(0, 32).c_str());
  std::printf("  issuerUniqueID: %s\n", quoted(certificate.issuerUniqueID()).c_str());
  std::printf("  subjectUniqueID: %s\n", quoted(certificate.subjectUniqueID()).c_str());
  std::printf("  encoded: %u bytes of DER\n", certificate.encoded().length());
  // Not in AIR.
  std::printf("  spkiSha256: %s\n", certificate.spkiSha256().c_str());
  std::printf("  dnsNames: %s\n", join(certificate.dnsNames()).c_str());
  std::printf("  ipAddresses: %s\n", join(certificate.ipAddresses()).c_str());
}

// printBrief is one certificate in a few lines, under `label` (its index in a chain, say).
void printBrief(const std::string& label, const X509Certificate& certificate) {
  std::printf("  %s %s\n", label.c_str(), certificate.subject().toString().c_str());
  std::printf("      issuer: %s\n", certificate.issuer().toString().c_str());
  std::printf("      serialNumber: %s, %s, valid %s to %s\n", certificate.serialNumber().c_str(),
              std::string(oidName(certificate.signatureAlgorithmOID())).c_str(),
              utc(certificate.validNotBefore()).c_str(), utc(certificate.validNotAfter()).c_str());
  std::printf("      spkiSha256: %s\n", certificate.spkiSha256().c_str());
  std::printf("      names: DNS %s; IP %s\n", join(certificate.dnsNames()).c_str(),
              join(certificate.ipAddresses()).c_str());
}

// ---- One connection ----------------------------------------------------------------------------

// Outcome is what one SecureSocket connection showed, copied out of its listeners: certificates
// are values, so they outlive the socket.
struct Outcome {
  bool connected = false;
  bool timedOut = false;
  std::string status;  // serverCertificateStatus
  std::string protocol;
  std::string cipher;
  std::optional<X509Certificate> leaf;  // serverCertificate
  std::vector<X509Certificate> chain;   // serverCertificateChain
  std::string certificateError;         // the certificateError event's text, if one came
  std::string ioError;                  // the ioError event's text, if one came
};

// connectOnce connects a SecureSocket, set up by `configure`, and runs the loop until the
// connection is made or has failed, then closes it.
Outcome connectOnce(EventLoop& loop, const std::string& host, int port,
                    const std::function<void(SecureSocket&)>& configure,
                    std::chrono::milliseconds limit) {
  Outcome outcome;
  SecureSocket socket(loop);
  configure(socket);
  // Lambdas this time: the Outcome is local, and each listener only copies what it sees.
  socket.addEventListener(Event::CONNECT, [&](Event&) {
    outcome.connected = true;
    outcome.status = socket.serverCertificateStatus();  // always "trusted" here
    outcome.protocol = socket.protocol();
    outcome.cipher = socket.cipher();
    outcome.leaf = socket.serverCertificate();
    outcome.chain = socket.serverCertificateChain();
    socket.close();  // sends close_notify
    loop.stop();
  });
  // A refusal dispatches certificateError, then ioError. The status and the chain are set
  // before the first, so the rejected certificate can be shown.
  socket.addEventListener(SecurityErrorEvent::CERTIFICATE_ERROR, [&](SecurityErrorEvent& event) {
    outcome.certificateError = event.text();
  });
  socket.addEventListener(IOErrorEvent::IO_ERROR, [&](IOErrorEvent& event) {
    outcome.ioError = event.text();
    outcome.status = socket.serverCertificateStatus();
    outcome.leaf = socket.serverCertificate();
    outcome.chain = socket.serverCertificateChain();
    loop.stop();
  });
  socket.timeout(static_cast<std::uint32_t>(limit.count()));  // DNS, TCP and TLS together
  socket.connect(host, port);
  Deadline deadline(loop, limit + std::chrono::seconds(1));  // in case no event ever comes
  loop.run();
  outcome.timedOut = deadline.expired();
  return outcome;
}

// report prints an Outcome; `anchors` rebuilds the verified path, which the socket does not
// expose, with the same policy offline (CertificateValidator, as3net's).
void report(const Outcome& outcome, const std::string& host, const CertificateValidator& anchors) {
  std::printf("serverCertificateStatus: %s\n", outcome.status.c_str());
  if (outcome.timedOut) std::printf("no answer in time\n");
  if (!outcome.certificateError.empty()) {
    std::printf("certificateError: %s\n", outcome.certificateError.c_str());
  }
  if (!outcome.ioError.empty()) std::printf("ioError: %s\n", outcome.ioError.c_str());
  if (outcome.connected) {
    std::printf("protocol: %s\ncipher: %s\n", outcome.protocol.c_str(), outcome.cipher.c_str());
  }
  // Every field for a trusted leaf; for a rejected one the same data is there, shown briefly.
  if (outcome.leaf && outcome.connected) {
    std::printf("serverCertificate:\n");
    printCertificate(*outcome.leaf);
  } else if (outcome.leaf) {
    std::printf("serverCertificate (rejected, still readable):\n");
    printBrief("leaf:", *outcome.leaf);
  }
  std::printf("serverCertificateChain: %zu certificate(s), as the server sent them\n",
              outcome.chain.size());
  for (std::size_t i = 0; i < outcome.chain.size(); ++i) {
    printBrief("[" + std::to_string(i) + "]", outcome.chain[i]);
  }
  if (!outcome.chain.empty()) {
    // The path is built even when a later check (validity, host) fails.
    const as3::security::ValidationResult verdict = anchors.validate(outcome.chain, host);
    std::printf("verified path: %zu certificate(s), leaf to anchor (%s%s%s)\n",
                verdict.chain.size(), verdict.status.c_str(), verdict.reason.empty() ? "" : ": ",
                verdict.reason.c_str());
    if (outcome.connected) {
      for (std::size_t i = 0; i < verdict.chain.size(); ++i) {
        printBrief("[" + std::to_string(i) + "]", verdict.chain[i]);
      }
    }
  }
}

// ---- The loopback servers --------------------------------------------------------------------

// LoopbackServer serves one certificate chain on 127.0.0.1, port chosen by the OS. It keeps the
// clients whose handshake succeeded until the client closes; clients that refuse the certificate
// never produce an event.
class LoopbackServer {
 public:
  LoopbackServer(EventLoop& loop, const IssuedCertificate& identity) : server_(loop) {
    server_.certificate(identity.chainPem(), identity.privateKeyPem);  // leaf, then intermediate
    server_.addEventListener(ServerSocketConnectEvent::CONNECT,
                             [this](ServerSocketConnectEvent& event) {
                               std::shared_ptr<Socket> client = event.socket();
                               // Heard, so a client that vanishes is no uncaught error #2044.
                               client->addEventListener(IOErrorEvent::IO_ERROR, [](Event&) {});
                               clients_.push_back(std::move(client));
                             });
    server_.bind(0, "127.0.0.1");
    server_.listen();
  }
  ~LoopbackServer() {
    for (const std::shared_ptr<Socket>& client : clients_) {
      if (client->connected()) client->close();
    }
  }
  int port() const { return server_.localPort(); }

 private:
  SecureServerSocket server_;
  std::vector<std::shared_ptr<Socket>> clients_;
};

struct Check {
  const char* title;
  IssuedCertificate identity;
  std::string_view expectedStatus;
};

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      char* end = nullptr;
      seconds = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(seconds > 0 && seconds < 3600)) positional.assign(3, "");
    } else {
      positional.push_back(arg);
    }
  }
  long remotePort = 0;
  if (positional.size() == 2) {
    char* end = nullptr;
    remotePort = std::strtol(positional[1].c_str(), &end, 10);
    if (*end != '\0' || remotePort < 1 || remotePort > 65535) positional.assign(3, "");
  }
  if (positional.size() != 0 && positional.size() != 2) {
    std::fprintf(stderr, "usage: certificate_inspection [--seconds S] [HOST PORT]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const auto limit = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));

  EventLoop loop;  // first, so it is destroyed last
  bool asExpected = true;
  try {
    // The hierarchy a public CA uses: the root signs an intermediate, which signs the leaves.
    // Servers send the leaf and the intermediate; clients hold only the root.
    TestCertificateAuthority root("as3net sample root");
    TestCertificateAuthority intermediate = root.intermediate("as3net sample intermediate");

    CertificateOptions expired;  // valid for one day, sixty days ago
    expired.notBeforeOffset = -std::chrono::hours(24 * 60);
    expired.lifetime = std::chrono::hours(24);
    CertificateOptions elsewhere;  // a good certificate, for another host
    elsewhere.commonName = "elsewhere.example";
    elsewhere.dnsNames = {"elsewhere.example"};
    elsewhere.ipAddresses = {"192.0.2.7"};

    const std::vector<Check> checks = {
        {"a trusted chain: root -> intermediate -> leaf", intermediate.issue(),
         CertificateStatus::TRUSTED},
        {"an expired leaf", intermediate.issue(expired), CertificateStatus::EXPIRED},
        {"a leaf for another host", intermediate.issue(elsewhere),
         CertificateStatus::PRINCIPAL_MISMATCH},
    };
    // The same anchors as the client's, for rebuilding the path offline: the root only.
    CertificateValidator rootOnly(nullptr);
    rootOnly.addAnchor(root.certificate());

    int number = 0;
    for (const Check& check : checks) {
      LoopbackServer server(loop, check.identity);
      std::printf("\n== %d. %s: connecting to 127.0.0.1:%d\n", ++number, check.title,
                  server.port());
      // Trust the root for this socket only (as3net's addition); the AIR way is the
      // process-wide addBinaryChainBuildingCertificate(root.certificateDer(), true).
      const Outcome outcome = connectOnce(
          loop, "127.0.0.1", server.port(),
          [&](SecureSocket& socket) { socket.validator().addAnchor(root.certificate()); }, limit);
      report(outcome, "127.0.0.1", rootOnly);
      const bool ok = outcome.status == check.expectedStatus &&
                      outcome.connected == (check.expectedStatus == CertificateStatus::TRUSTED);
      std::printf("-> %s (expected %s)\n", ok ? "as expected" : "UNEXPECTED",
                  std::string(check.expectedStatus).c_str());
      asExpected = asExpected && ok;
    }

    if (!positional.empty()) {
      const std::string& host = positional[0];
      std::printf("\n== %d. %s:%ld, trusting the platform's roots\n", ++number, host.c_str(),
                  remotePort);
      const Outcome outcome = connectOnce(
          loop, host, static_cast<int>(remotePort), [](SecureSocket&) {}, limit);
      report(outcome, host, CertificateValidator());  // the platform's anchors
      // Any verdict is a result here; only a connection that never reached TLS is not.
      std::printf("-> %s\n", outcome.leaf ? "a certificate to inspect"
                                          : "NO CERTIFICATE: the connection failed before TLS");
      asExpected = asExpected && outcome.leaf.has_value();
    }
  } catch (const as3::errors::Error& e) {
    std::fprintf(stderr, "certificate_inspection: %s\n", e.what());
    return 1;
  }
  std::printf("\ncertificate_inspection: %s\n",
              asExpected ? "every connection gave the expected verdict"
                         : "FAILED: see the connection marked UNEXPECTED or NO CERTIFICATE");
  return asExpected ? 0 : 1;
}
