#include "as3/net/SecureSocket.h"

#include <mutex>
#include <optional>
#include <utility>

#include "errors/detail/Throw.h"
#include "net/detail/SocketCore.h"
#include "net/detail/Tls.h"

namespace as3::net {

namespace {

// AIR's chain-building set belongs to the process: addBinaryChainBuildingCertificate on one
// socket applies to every later validation.
struct ChainBuildingSet {
  std::mutex mutex;
  std::vector<security::X509Certificate> anchors;
  std::vector<security::X509Certificate> intermediates;
  std::uint64_t version = 0;
  // The default policy plus this set, shared by every socket that keeps the default policy:
  // its X509_STORE is built once per version of the set, not once per connect().
  std::optional<security::CertificateValidator> withDefaults;
  std::uint64_t withDefaultsVersion = 0;
};

ChainBuildingSet& chainBuildingSet() {
  static ChainBuildingSet* set = new ChainBuildingSet;  // used until the process ends
  return *set;
}

}  // namespace

SecureSocket::SecureSocket() : SecureSocket(EventLoop::getDefault()) {}

SecureSocket::SecureSocket(EventLoop& loop) : Socket(loop) {}

SecureSocket::SecureSocket(EventLoop& loop, AcceptTag) : Socket(loop) {}

SecureSocket::~SecureSocket() = default;

void SecureSocket::connect(std::string_view host, int port) {
  core().checkThread("SecureSocket::connect");
  auto config = std::make_shared<detail::TlsClientConfig>();
  std::uint64_t setVersion;
  {
    ChainBuildingSet& set = chainBuildingSet();
    std::lock_guard<std::mutex> lock(set.mutex);
    setVersion = set.version;
    if (!policyCustomized_) {
      if (!set.withDefaults || set.withDefaultsVersion != set.version) {
        security::CertificateValidator composed;
        for (const auto& anchor : set.anchors) composed.addAnchor(anchor);
        for (const auto& intermediate : set.intermediates) composed.addIntermediate(intermediate);
        set.withDefaults = std::move(composed);
        set.withDefaultsVersion = set.version;
      }
      config->validator = *set.withDefaults;  // shares the built X509_STORE
    } else {
      if (!composedValid_ || composedVersion_ != set.version ||
          !validator_.sameConfiguration(composedFrom_)) {
        composedFrom_ = validator_;  // shares the state: a change to validator_ copies it
        composed_ = validator_;
        for (const auto& anchor : set.anchors) composed_.addAnchor(anchor);
        for (const auto& intermediate : set.intermediates) composed_.addIntermediate(intermediate);
        composedVersion_ = set.version;
        composedValid_ = true;
      }
      config->validator = composed_;
    }
  }
  config->minVersion = detail::wireVersion(minimum_);
  config->maxVersion = detail::wireVersion(maximum_);
  config->alpn = alpn_;
  config->identity = identity_;
  config->serverName = serverName_;
  // A resumed session skips validation, so only a socket with the default policy may share
  // sessions: the cache key carries everything else that shapes the connection.
  if (!policyCustomized_) {
    std::string clean(host.substr(0, host.find('\0')));
    config->cacheKey = clean + "|" + std::to_string(port) + "|" + std::to_string(setVersion) + "|" +
                       std::to_string(config->minVersion) + "-" +
                       std::to_string(config->maxVersion) + "|" + config->alpn + "|" + serverName_ +
                       (identity_ ? "|client" : "");
  }
  core().secureClient(std::move(config));
  Socket::connect(host, port);
}

std::string SecureSocket::serverCertificateStatus() const {
  return core().certificateStatus();
}

std::optional<security::X509Certificate> SecureSocket::serverCertificate() const {
  const detail::TlsEngine* tls = core().tls();
  if (!tls || tls->chain().empty()) return std::nullopt;
  return tls->chain().front();
}

std::vector<security::X509Certificate> SecureSocket::serverCertificateChain() const {
  const detail::TlsEngine* tls = core().tls();
  return tls ? tls->chain() : std::vector<security::X509Certificate>{};
}

void SecureSocket::addBinaryChainBuildingCertificate(const utils::ByteArray& certificate,
                                                     bool trusted) {
  security::X509Certificate parsed = security::X509Certificate::fromDER(certificate);
  ChainBuildingSet& set = chainBuildingSet();
  std::lock_guard<std::mutex> lock(set.mutex);
  (trusted ? set.anchors : set.intermediates).push_back(std::move(parsed));
  ++set.version;
}

std::size_t SecureSocket::loadCRLFile(const std::string& path) {
  policyCustomized_ = true;
  return validator_.addCRLs(detail::readFile(path));
}

security::CertificateValidator& SecureSocket::validator() noexcept {
  policyCustomized_ = true;
  return validator_;
}

void SecureSocket::alpnProtocols(const std::vector<std::string>& protocols) {
  alpn_ = detail::alpnWire(protocols);
}

std::string SecureSocket::selectedProtocol() const {
  const detail::TlsEngine* tls = core().tls();
  return tls && tls->established() ? tls->selectedProtocol() : std::string();
}

void SecureSocket::clientCertificate(std::string_view chainPem, std::string_view keyPem,
                                     std::string_view password) {
  identity_ = detail::TlsIdentity::load(chainPem, keyPem, password);
}

std::string SecureSocket::protocol() const {
  const detail::TlsEngine* tls = core().tls();
  return tls ? tls->protocol() : std::string();
}

std::string SecureSocket::cipher() const {
  const detail::TlsEngine* tls = core().tls();
  return tls && tls->established() ? tls->cipher() : std::string();
}

bool SecureSocket::resumed() const {
  const detail::TlsEngine* tls = core().tls();
  return tls && tls->resumed();
}

}  // namespace as3::net
