#ifndef AS3_NET_SECURESOCKET_H_
#define AS3_NET_SECURESOCKET_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/net/Socket.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/X509Certificate.h"
#include "as3/utils/ByteArray.h"

namespace as3::net {

namespace detail {
struct TlsIdentity;
}

/// TlsVersion names a TLS protocol version for SecureSocket's bounds (Xojo's connection type).
enum class TlsVersion { TLSv1_2, TLSv1_3 };

/// SecureSocket is AIR's flash.net.SecureSocket: a Socket over TLS that connects only to servers
/// whose certificate as3net's validation policy trusts (docs/security.md). `Event::CONNECT`
/// comes after the handshake and a "trusted" verdict; any failure is an
/// `IOErrorEvent::IO_ERROR` whose text names the phase (DNS, TCP, TLS handshake, certificate)
/// and the reason, with serverCertificateStatus() already set. A rejected certificate first
/// dispatches `SecurityErrorEvent::CERTIFICATE_ERROR` (text: the status and the reason).
/// A connection that ends without the peer's close_notify is a truncation: the bytes before the
/// cut are delivered, then an `ioError`, never `Event::CLOSE`. close() sends close_notify after
/// the flushed bytes. TLS 1.2 at least, TLS 1.3 preferred; renegotiation is refused.
/// Differs from AIR: `preventDefault()` on certificateError does not let the connection through;
/// as3net stays strict and offers narrow ways to trust more instead (extra anchors and
/// intermediates, CRLs, SPKI pins, all documented in the porting guide).
class AS3NET_EXPORT SecureSocket : public Socket {
 public:
  /// Creates an unconnected secure socket on the default loop.
  SecureSocket();
  /// Creates an unconnected secure socket on `loop`. Not in AIR.
  explicit SecureSocket(EventLoop& loop);
  ~SecureSocket() override;

  /// isSupported is true: as3net always has TLS.
  static bool isSupported() noexcept { return true; }

  /// connect resolves and connects as Socket::connect does, then handshakes with SNI for a
  /// host name (never for an IP literal) and validates the server's chain for `host`.
  /// timeout() covers the handshake too.
  void connect(std::string_view host, int port) override;

  /// serverCertificateStatus is a CertificateStatus value: "unknown" until the first attempt,
  /// the verdict once validation has run ("trusted" whenever `Event::CONNECT` has fired), kept
  /// through close() until the next connect().
  std::string serverCertificateStatus() const;
  /// serverCertificate is the server's leaf certificate once a handshake has shown it, else
  /// std::nullopt (AIR's null).
  std::optional<security::X509Certificate> serverCertificate() const;
  /// serverCertificateChain is every certificate the server presented, leaf first. Not in AIR.
  std::vector<security::X509Certificate> serverCertificateChain() const;

  /// addBinaryChainBuildingCertificate adds one DER certificate to the chain-building set of
  /// this process, as AIR does: a trust anchor when `trusted`, an intermediate otherwise. It
  /// applies to every SecureSocket's later validations. Throws errors::ArgumentError #2004 when
  /// `certificate` is not exactly one DER certificate.
  void addBinaryChainBuildingCertificate(const utils::ByteArray& certificate, bool trusted);

  // --- as3net's additions (docs/porting-guide.md) ------------------------------------------
  /// validator is this socket's own policy configuration: extra anchors and intermediates, CRLs
  /// (Xojo's CertificateRejectionFile), SPKI pins, a fixed validation time. Its anchors start
  /// as the platform's; none of its settings relaxes the policy. Applies from the next connect().
  security::CertificateValidator& validator();
  /// loadCRLFile adds every CRL of a PEM (or DER) file; returns how many. Throws
  /// errors::IOError #2038 when it cannot be read, errors::ArgumentError #2004 when it holds none.
  std::size_t loadCRLFile(const std::string& path);
  /// minimumVersion and maximumVersion bound the protocol (TLS 1.2 to 1.3 by default).
  ///@{
  TlsVersion minimumVersion() const noexcept { return minimum_; }
  void minimumVersion(TlsVersion version) noexcept { minimum_ = version; }
  TlsVersion maximumVersion() const noexcept { return maximum_; }
  void maximumVersion(TlsVersion version) noexcept { maximum_ = version; }
  ///@}
  /// alpnProtocols are offered in order (empty: no ALPN); selectedProtocol() is the server's
  /// choice once connected ("" when none).
  /// Throws errors::ArgumentError #2004 for a name that is empty or longer than 255 bytes.
  void alpnProtocols(const std::vector<std::string>& protocols);
  /// selectedProtocol is the ALPN protocol the server chose, once the handshake is done; ""
  /// when it chose none.
  std::string selectedProtocol() const;
  /// clientCertificate presents a certificate chain and key (PEM; the key may be encrypted with
  /// `password`) to servers that ask for one. Throws errors::ArgumentError #2004 when they cannot
  /// be loaded or do not match.
  void clientCertificate(std::string_view chainPem, std::string_view keyPem,
                         std::string_view password = {});
  /// serverName, when not empty, is the name the next connections send as SNI and validate the
  /// certificate against, instead of the host given to connect() (which is still the address
  /// resolved and dialled): for a server reached by address or through a tunnel.
  ///@{
  const std::string& serverName() const noexcept;
  void serverName(std::string name);
  ///@}
  /// protocol and cipher describe the connection: "TLSv1.3", "TLS_AES_128_GCM_SHA256"; ""
  /// before one exists. resumed() tells whether the last handshake resumed a cached session.
  ///@{
  std::string protocol() const;
  std::string cipher() const;
  bool resumed() const;
  ///@}

 private:
  friend class SecureServerSocket;
  struct AcceptTag {
    explicit AcceptTag() = default;
  };

 public:
  /// For SecureServerSocket alone, which can name AcceptTag: a socket for an accepted
  /// connection. Public only so that std::make_shared can build it in one allocation.
  SecureSocket(EventLoop& loop, AcceptTag);

 private:
  // What only outgoing connections use, made on first use: a socket a SecureServerSocket
  // accepted never pays for it (docs/reliability.md counts the bytes of an idle connection).
  struct ClientSettings;
  ClientSettings& settings();

  std::unique_ptr<ClientSettings> settings_;
  TlsVersion minimum_ = TlsVersion::TLSv1_2;
  TlsVersion maximum_ = TlsVersion::TLSv1_3;
};

}  // namespace as3::net

#endif  // AS3_NET_SECURESOCKET_H_
