#include "as3/net/SecureServerSocket.h"

#include <openssl/ssl.h>

#include <cstring>
#include <utility>

#include "errors/detail/Throw.h"
#include "net/detail/SocketCore.h"
#include "net/detail/Tls.h"

namespace as3::net {

// The sockets whose handshakes are under way, owned here until they succeed or fail. The
// server's destructor clears `server`; callbacks that come later only drop their socket.
struct SecureServerSocket::Pending {
  SecureServerSocket* server = nullptr;
  std::vector<std::shared_ptr<SecureSocket>> sockets;

  std::shared_ptr<SecureSocket> take(const SecureSocket* socket) {
    for (auto it = sockets.begin(); it != sockets.end(); ++it) {
      if (it->get() == socket) {
        std::shared_ptr<SecureSocket> found = std::move(*it);
        sockets.erase(it);
        return found;
      }
    }
    return nullptr;
  }
};

namespace {

int selectAlpn(SSL*, const std::uint8_t** out, std::uint8_t* outLength, const std::uint8_t* in,
               unsigned inLength, void* arg) {
  const auto* preferred = static_cast<const std::string*>(arg);
  std::uint8_t* selected = nullptr;
  if (SSL_select_next_proto(
          &selected, outLength, reinterpret_cast<const std::uint8_t*>(preferred->data()),
          static_cast<unsigned>(preferred->size()), in, inLength) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace

SecureServerSocket::SecureServerSocket() : SecureServerSocket(EventLoop::getDefault()) {}

SecureServerSocket::SecureServerSocket(EventLoop& loop)
    : ServerSocket(loop), pending_(std::make_shared<Pending>()) {
  pending_->server = this;
}

SecureServerSocket::~SecureServerSocket() {
  pending_->server = nullptr;
  // Handshakes under way end with the server.
  std::vector<std::shared_ptr<SecureSocket>> sockets = std::move(pending_->sockets);
  pending_->sockets.clear();
}

void SecureServerSocket::certificate(std::string_view chainPem, std::string_view keyPem,
                                     std::string_view password) {
  identity_ = detail::TlsIdentity::load(chainPem, keyPem, password);
}

void SecureServerSocket::certificateFile(const std::string& path, const std::string& keyPath,
                                         std::string_view password) {
  std::string chain = detail::readFile(path);
  std::string key = keyPath.empty() ? chain : detail::readFile(keyPath);
  certificate(chain, key, password);
}

void SecureServerSocket::requireClientCertificates(std::string_view caPem) {
  clientAnchors_ = security::X509Certificate::fromPEM(caPem);
}

std::shared_ptr<const detail::TlsServerConfig> SecureServerSocket::makeConfig() {
  auto config = std::make_shared<detail::TlsServerConfig>();
  config->ctx.reset(SSL_CTX_new(TLS_with_buffers_method()));
  SSL_CTX* ctx = config->ctx.get();
  SSL_CTX_set_min_proto_version(ctx, detail::wireVersion(minimum_));
  SSL_CTX_set_max_proto_version(ctx, detail::wireVersion(maximum_));
  // load() already checked the pair on a context of its own; only allocation can fail here.
  if (!identity_->applyTo(ctx))
    errors::detail::throwErrorWithDetail(errors::detail::kInvalidSocket, {},
                                         "(the certificate and key could not be installed)");
  detail::installKeyLog(ctx);
  // Resumption is by tickets, which the client keeps; a server-side cache would hold a session
  // for every handshake, connected or long gone.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  config->clientAnchors = clientAnchors_;
  if (!alpn_.empty()) {
    auto wire = std::make_shared<std::string>(alpn_);
    config->alpn = wire;
    SSL_CTX_set_alpn_select_cb(ctx, &selectAlpn, wire.get());
  }
  return config;
}

void SecureServerSocket::alpnProtocols(const std::vector<std::string>& protocols) {
  alpn_ = detail::alpnWire(protocols);
}

void SecureServerSocket::listen(int backlog) {
  if (!identity_)
    errors::detail::throwErrorWithDetail(errors::detail::kInvalidSocket, {},
                                         "(no certificate: call certificate() or "
                                         "certificateFile() before listen())");
  config_ = makeConfig();
  ServerSocket::listen(backlog);
}

void SecureServerSocket::acceptConnection(std::shared_ptr<detail::Tcp> tcp) {
  auto socket = std::make_shared<SecureSocket>(loop(), SecureSocket::AcceptTag());
  pending_->sockets.push_back(socket);
  const SecureSocket* raw = socket.get();
  std::shared_ptr<Pending> pending = pending_;
  socket->core().adoptSecure(std::move(tcp), config_, handshakeTimeout_,
                             [pending, raw](bool established) {
                               std::shared_ptr<SecureSocket> ready = pending->take(raw);
                               if (established && ready && pending->server)
                                 pending->server->announce(std::move(ready));
                             });
}

}  // namespace as3::net
