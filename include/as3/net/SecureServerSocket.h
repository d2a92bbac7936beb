#ifndef AS3_NET_SECURESERVERSOCKET_H_
#define AS3_NET_SECURESERVERSOCKET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "as3/Export.h"
#include "as3/net/SecureSocket.h"
#include "as3/net/ServerSocket.h"

namespace as3::net {

namespace detail {
struct TlsServerConfig;
}

/// SecureServerSocket is a ServerSocket whose connections are TLS, configured like Xojo's secure
/// listener: a PEM certificate chain and private key, optionally a CA that clients must present
/// certificates from (mutual TLS), and a handshake timeout. Its `ServerSocketConnectEvent`
/// carries a SecureSocket, dispatched only once the handshake has succeeded: a client that fails
/// it, or takes longer than handshakeTimeout(), is dropped without any event. Not in AIR, whose
/// ServerSocket had no TLS.
class AS3NET_EXPORT SecureServerSocket : public ServerSocket {
 public:
  /// The default handshake timeout, 10 seconds.
  static constexpr std::uint32_t kDefaultHandshakeTimeout = 10000;

  /// Creates a secure server socket on the default loop.
  SecureServerSocket();
  /// Creates a secure server socket on `loop`.
  explicit SecureServerSocket(EventLoop& loop);
  ~SecureServerSocket() override;

  /// certificate sets the server's chain (leaf first) and private key, as PEM; the key may be
  /// encrypted with `password`. Throws errors::ArgumentError #2004 saying what is wrong (no
  /// certificate, unreadable key, key not matching the leaf).
  void certificate(std::string_view chainPem, std::string_view keyPem,
                   std::string_view password = {});
  /// certificateFile reads the chain and key from files: one PEM file holding both (Xojo's
  /// CertificateFile), or the key in `keyPath`. Throws errors::IOError #2038 when a file cannot
  /// be read, then as certificate().
  void certificateFile(const std::string& path, const std::string& keyPath = {},
                       std::string_view password = {});
  /// requireClientCertificates makes clients present a certificate chaining to one of the
  /// certificates in `caPem` and allowing client authentication (mutual TLS).
  void requireClientCertificates(std::string_view caPem);
  /// handshakeTimeout bounds each client's handshake, in milliseconds (0: no limit).
  ///@{
  std::uint32_t handshakeTimeout() const noexcept { return handshakeTimeout_; }
  void handshakeTimeout(std::uint32_t milliseconds) noexcept { handshakeTimeout_ = milliseconds; }
  ///@}
  /// minimumVersion and maximumVersion bound the protocol (TLS 1.2 to 1.3 by default).
  ///@{
  void minimumVersion(TlsVersion version) noexcept { minimum_ = version; }
  void maximumVersion(TlsVersion version) noexcept { maximum_ = version; }
  ///@}
  /// alpnProtocols are the protocols the server accepts, in its order of preference.
  /// Throws errors::ArgumentError #2004 for a name that is empty or longer than 255 bytes.
  void alpnProtocols(const std::vector<std::string>& protocols);

  /// listen throws errors::IOError #2002 when no certificate was set, else as ServerSocket's.
  void listen(int backlog = 0) override;

 protected:
  void acceptConnection(std::shared_ptr<detail::Tcp> tcp) override;

 private:
  struct Pending;
  std::shared_ptr<const detail::TlsServerConfig> makeConfig();

  std::shared_ptr<const detail::TlsIdentity> identity_;
  std::vector<security::X509Certificate> clientAnchors_;
  std::uint32_t handshakeTimeout_ = kDefaultHandshakeTimeout;
  TlsVersion minimum_ = TlsVersion::TLSv1_2;
  TlsVersion maximum_ = TlsVersion::TLSv1_3;
  std::string alpn_;  // the wire form: each name after its length byte
  std::shared_ptr<const detail::TlsServerConfig> config_;  // made by listen()
  std::shared_ptr<Pending> pending_;  // handshakes under way; outlives this object if need be
};

}  // namespace as3::net

#endif  // AS3_NET_SECURESERVERSOCKET_H_
