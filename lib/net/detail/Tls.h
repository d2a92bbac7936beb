// The TLS engine that sits between a SocketCore's wire and its buffers: BoringSSL on BIOs that
// read straight from the buffer libuv filled and write records straight into the buffer that
// goes to libuv, driven by the loop, never by a blocking socket.
#ifndef AS3NET_LIB_NET_DETAIL_TLS_H_
#define AS3NET_LIB_NET_DETAIL_TLS_H_

#include <openssl/ssl.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateStatus.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/X509Certificate.h"
#include "as3/utils/detail/ByteStream.h"

namespace as3::net::detail {

/// TlsIdentity is a certificate chain and its private key, for a server or a client.
struct TlsIdentity {
  std::vector<bssl::UniquePtr<CRYPTO_BUFFER>> chain;
  bssl::UniquePtr<EVP_PKEY> key;

  /// load reads PEM text; throws errors::ArgumentError #2004 saying what is wrong.
  static std::shared_ptr<const TlsIdentity> load(std::string_view chainPem, std::string_view keyPem,
                                                 std::string_view password);
  bool applyTo(SSL* ssl) const;
  bool applyTo(SSL_CTX* ctx) const;
};

/// TlsClientConfig is what a SecureSocket's connect() hands to its engine.
struct TlsClientConfig {
  security::CertificateValidator validator;
  std::uint16_t minVersion = TLS1_2_VERSION;
  std::uint16_t maxVersion = TLS1_3_VERSION;
  std::string alpn;  // wire form: length-prefixed names
  std::shared_ptr<const TlsIdentity> identity;
  /// serverName replaces the connected host for SNI and validation when not empty.
  std::string serverName;
  /// cacheKey names the session cache entry ("" disables resumption): the host, port and
  /// anything in the policy a resumed session would otherwise skip.
  std::string cacheKey;
};

/// TlsServerConfig is a SecureServerSocket's: its identity and how clients are checked.
struct TlsServerConfig {
  bssl::UniquePtr<SSL_CTX> ctx;
  std::shared_ptr<const std::string> alpn;  // the selection callback reads it
  /// Clients must present a certificate chaining to these (mutual TLS) when not empty.
  std::vector<security::X509Certificate> clientAnchors;
};

/// TlsClientContext is the loop's client SSL_CTX and its session cache, keyed by host and port.
class TlsClientContext {
 public:
  TlsClientContext();
  SSL_CTX* ctx() const noexcept { return ctx_.get(); }
  bssl::UniquePtr<SSL_SESSION> takeSession(const std::string& key);
  void storeSession(const std::string& key, SSL_SESSION* session);

 private:
  bssl::UniquePtr<SSL_CTX> ctx_;
  std::map<std::string, bssl::UniquePtr<SSL_SESSION>> sessions_;
};

/// TlsEngine is one connection's TLS state.
class TlsEngine {
 public:
  /// What receive() found, besides the bytes it appended.
  struct Outcome {
    std::uint32_t plainBytes = 0;  // appended to the input buffer
    bool established = false;      // the handshake finished during this call
    bool peerClosed = false;       // close_notify received
    bool failed = false;           // see failure()
  };

  static std::unique_ptr<TlsEngine> client(std::shared_ptr<TlsClientContext> context,
                                           std::string host,
                                           std::shared_ptr<const TlsClientConfig> config);
  static std::unique_ptr<TlsEngine> server(std::shared_ptr<const TlsServerConfig> config);
  ~TlsEngine();

  /// start begins the handshake (a client's ClientHello goes to `wire`).
  Outcome start(utils::detail::ByteStream& wire);
  /// receive feeds `n` bytes from the network; plaintext is appended to `plain` (which may
  /// be grown), records to send to `wire`.
  Outcome receive(const std::uint8_t* data, std::size_t n, utils::detail::ByteStream& plain,
                  utils::detail::ByteStream& wire);
  /// send seals `n` bytes into records appended to `wire`; false (see failure()) on error.
  bool send(const std::uint8_t* data, std::size_t n, utils::detail::ByteStream& wire);
  /// shutdown appends close_notify to `wire`.
  void shutdown(utils::detail::ByteStream& wire);

  bool established() const noexcept { return established_; }
  bool closeNotifyReceived() const noexcept { return closeNotify_; }
  /// failure says what went wrong, naming the phase: "TLS handshake failed: ...",
  /// "Certificate rejected (expired): ...", "TLS connection failed: ...".
  const std::string& failure() const noexcept { return failure_; }
  bool certificateRejected() const noexcept { return certificateRejected_; }
  /// status is the certificate verdict ("unknown" until validation ran), one of the
  /// security::CertificateStatus constants.
  std::string_view status() const noexcept { return status_; }
  const std::vector<security::X509Certificate>& chain() const noexcept {
    if (!chainCollected_) collectChain();
    return chain_;
  }
  std::string protocol() const;
  std::string cipher() const;
  std::string selectedProtocol() const;
  bool resumed() const;

 private:
  TlsEngine() = default;
  bool drive(Outcome& outcome, utils::detail::ByteStream* plain);
  void failWith(const char* phase, int result);
  bool collectChain() const;  // false when a certificate was malformed
  static enum ssl_verify_result_t verifyServer(SSL* ssl, std::uint8_t* alert);
  static enum ssl_verify_result_t verifyClient(SSL* ssl, std::uint8_t* alert);
  static int onNewSession(SSL* ssl, SSL_SESSION* session);

  // A client's side only: a server's idle connection does not carry it.
  struct ClientSide {
    std::shared_ptr<TlsClientContext> context;
    std::shared_ptr<const TlsClientConfig> config;
    std::string host;
  };

  bssl::UniquePtr<SSL> ssl_;
  std::unique_ptr<ClientSide> client_;
  std::shared_ptr<const TlsServerConfig> serverConfig_;
  // The BIOs' view of the bytes: what the network brought, and where records go.
  const std::uint8_t* in_ = nullptr;
  std::size_t inLength_ = 0;
  utils::detail::ByteStream* out_ = nullptr;
  bool established_ = false;
  bool closeNotify_ = false;
  bool certificateRejected_ = false;
  std::string failure_;
  std::string_view status_ = security::CertificateStatus::UNKNOWN;
  std::string rejection_;  // the validator's reason, kept for the failure text
  // Filled by verification, or on first use after a resumption (chain() is const).
  mutable std::vector<security::X509Certificate> chain_;
  mutable bool chainCollected_ = false;

  friend struct WireBio;
  friend class TlsClientContext;
};

/// wireVersion is BoringSSL's number for `version`.
std::uint16_t wireVersion(TlsVersion version) noexcept;

/// alpnWire is ALPN's wire form of `protocols` (each name after its length byte); throws
/// errors::ArgumentError #2004 for a name that is empty or longer than 255 bytes.
std::string alpnWire(const std::vector<std::string>& protocols);

/// readFile returns a certificate, key or CRL file's bytes; throws errors::IOError #2038
/// naming the file when it cannot be read.
std::string readFile(const std::string& path);

/// openKeyLog starts writing TLS secrets to $SSLKEYLOGFILE (for Wireshark) when it is set;
/// process-wide, once.
void installKeyLog(SSL_CTX* ctx);

}  // namespace as3::net::detail

#endif  // AS3NET_LIB_NET_DETAIL_TLS_H_
