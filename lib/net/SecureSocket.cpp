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

struct SecureSocket::ClientSettings {
  security::CertificateValidator validator;
  bool policyCustomized = false;  // such a socket does not share resumable sessions
  // validator plus the chain-building set, made once and reused while neither changes.
  security::CertificateValidator composedFrom;
  security::CertificateValidator composed;
  std::uint64_t composedVersion = 0;
  bool composedValid = false;
  std::shared_ptr<const detail::TlsIdentity> identity;
  std::string alpn;  // the wire form: each name after its length byte
  std::string serverName;
};

SecureSocket::ClientSettings& SecureSocket::settings() {
  if (!settings_) settings_ = std::make_unique<ClientSettings>();
  return *settings_;
}

SecureSocket::SecureSocket() : SecureSocket(EventLoop::getDefault()) {}

SecureSocket::SecureSocket(EventLoop& loop) : Socket(loop) {}

SecureSocket::SecureSocket(EventLoop& loop, AcceptTag) : Socket(loop) {}

SecureSocket::~SecureSocket() = default;

void SecureSocket::connect(std::string_view host, int port) {
  core().checkThread("SecureSocket::connect");
  ClientSettings& my = settings();
  auto config = std::make_shared<detail::TlsClientConfig>();
  std::uint64_t setVersion;
  {
    ChainBuildingSet& set = chainBuildingSet();
    std::lock_guard<std::mutex> lock(set.mutex);
    setVersion = set.version;
    if (!my.policyCustomized) {
      if (!set.withDefaults || set.withDefaultsVersion != set.version) {
        security::CertificateValidator composed;
        for (const auto& anchor : set.anchors) composed.addAnchor(anchor);
        for (const auto& intermediate : set.intermediates) composed.addIntermediate(intermediate);
        set.withDefaults = std::move(composed);
        set.withDefaultsVersion = set.version;
      }
      config->validator = *set.withDefaults;  // shares the built X509_STORE
    } else {
      if (!my.composedValid || my.composedVersion != set.version ||
          !my.validator.sameConfiguration(my.composedFrom)) {
        my.composedFrom = my.validator;  // shares the state: a change to validator copies it
        my.composed = my.validator;
        for (const auto& anchor : set.anchors) my.composed.addAnchor(anchor);
        for (const auto& intermediate : set.intermediates)
          my.composed.addIntermediate(intermediate);
        my.composedVersion = set.version;
        my.composedValid = true;
      }
      config->validator = my.composed;
    }
  }
  config->minVersion = detail::wireVersion(minimum_);
  config->maxVersion = detail::wireVersion(maximum_);
  config->alpn = my.alpn;
  config->identity = my.identity;
  config->serverName = my.serverName;
  // A resumed session skips validation, so only a socket with the default policy may share
  // sessions: the cache key carries everything else that shapes the connection.
  if (!my.policyCustomized) {
    std::string clean(host.substr(0, host.find('\0')));
    config->cacheKey = clean + "|" + std::to_string(port) + "|" + std::to_string(setVersion) + "|" +
                       std::to_string(config->minVersion) + "-" +
                       std::to_string(config->maxVersion) + "|" + config->alpn + "|" +
                       my.serverName + (my.identity ? "|client" : "");
  }
  core().secureClient(std::move(config));
  Socket::connect(host, port);
}

std::string SecureSocket::serverCertificateStatus() const {
  return std::string(core().certificateStatus());
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
  return validator().addCRLs(detail::readFile(path));
}

security::CertificateValidator& SecureSocket::validator() {
  ClientSettings& my = settings();
  my.policyCustomized = true;
  return my.validator;
}

void SecureSocket::alpnProtocols(const std::vector<std::string>& protocols) {
  settings().alpn = detail::alpnWire(protocols);
}

std::string SecureSocket::selectedProtocol() const {
  const detail::TlsEngine* tls = core().tls();
  return tls && tls->established() ? tls->selectedProtocol() : std::string();
}

void SecureSocket::clientCertificate(std::string_view chainPem, std::string_view keyPem,
                                     std::string_view password) {
  settings().identity = detail::TlsIdentity::load(chainPem, keyPem, password);
}

const std::string& SecureSocket::serverName() const noexcept {
  static const std::string kNone;
  return settings_ ? settings_->serverName : kNone;
}

void SecureSocket::serverName(std::string name) {
  settings().serverName = std::move(name);
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
