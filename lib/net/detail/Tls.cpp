#include "net/detail/Tls.h"

#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pool.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "as3/security/CertificateStatus.h"
#include "errors/detail/Throw.h"
#include "security/detail/Certificate.h"

namespace as3::net::detail {

namespace {

// The largest plaintext a record carries, and so the room each SSL_read gets.
constexpr std::uint32_t kRecordPlaintext = 16384;

int engineIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

TlsEngine* engineOf(const SSL* ssl) {
  return static_cast<TlsEngine*>(SSL_get_ex_data(ssl, engineIndex()));
}

std::string errorText(unsigned long code) {
  if (code == 0) return "no further detail";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof buffer);
  const char* reason = ERR_reason_error_string(code);
  return reason ? std::string(reason) + " (" + buffer + ")" : std::string(buffer);
}

std::uint8_t alertFor(std::string_view status) {
  using security::CertificateStatus;
  if (status == CertificateStatus::EXPIRED || status == CertificateStatus::NOT_YET_VALID)
    return SSL_AD_CERTIFICATE_EXPIRED;
  if (status == CertificateStatus::REVOKED) return SSL_AD_CERTIFICATE_REVOKED;
  if (status == CertificateStatus::UNTRUSTED_SIGNERS) return SSL_AD_UNKNOWN_CA;
  return SSL_AD_BAD_CERTIFICATE;
}

// knownStatus is the CertificateStatus constant spelled `status`, which an engine can keep as
// a view; the validator gives no other value, and "invalid" stands for any that were.
std::string_view knownStatus(std::string_view status) {
  using security::CertificateStatus;
  for (std::string_view known :
       {CertificateStatus::TRUSTED, CertificateStatus::UNKNOWN, CertificateStatus::EXPIRED,
        CertificateStatus::NOT_YET_VALID, CertificateStatus::INVALID,
        CertificateStatus::INVALID_CHAIN, CertificateStatus::PRINCIPAL_MISMATCH,
        CertificateStatus::REVOKED, CertificateStatus::UNTRUSTED_SIGNERS})
    if (status == known) return known;
  return CertificateStatus::INVALID;
}

}  // namespace

// --- the wire BIO ------------------------------------------------------------------------------

struct WireBio {
  static const BIO_METHOD* method() {
    static BIO_METHOD* const kMethod = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_TYPE_SOURCE_SINK, "as3net wire");
      BIO_meth_set_read(m, &WireBio::read);
      BIO_meth_set_write(m, &WireBio::write);
      BIO_meth_set_ctrl(m, &WireBio::ctrl);
      BIO_meth_set_create(m, [](BIO* bio) {
        BIO_set_init(bio, 1);
        return 1;
      });
      return m;
    }();
    return kMethod;
  }

  static int read(BIO* bio, char* out, int length) {
    auto* engine = static_cast<TlsEngine*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (engine->inLength_ == 0) {
      BIO_set_retry_read(bio);
      return -1;
    }
    std::size_t n = std::min(engine->inLength_, static_cast<std::size_t>(length));
    std::memcpy(out, engine->in_, n);
    engine->in_ += n;
    engine->inLength_ -= n;
    return static_cast<int>(n);
  }

  static int write(BIO* bio, const char* data, int length) {
    auto* engine = static_cast<TlsEngine*>(BIO_get_data(bio));
    BIO_clear_retry_flags(bio);
    if (!engine->out_ || length < 0) return -1;
    engine->out_->write(data, static_cast<std::uint32_t>(length));
    return length;
  }

  static long ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }
};

// --- identities --------------------------------------------------------------------------------

namespace {

// A PKCS#8 key encrypted with more PBKDF2 rounds than this is refused before any is run: the
// count is the key file's to choose (up to 2^32 - 1, half an hour of the loop's thread), and
// real tools use a few thousand to a few hundred thousand.
constexpr std::uint64_t kMaxKeyIterations = 2000000;

// keyIterations reads the iteration count of the first "ENCRYPTED PRIVATE KEY" block of `pem`
// (PBES2 with PBKDF2, or a PKCS#12 PBE scheme); 0 when there is none or it cannot be read, which
// leaves the verdict to BoringSSL.
std::uint64_t keyIterations(std::string_view pem) {
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<long>(pem.size())));
  char* name = nullptr;
  char* header = nullptr;
  std::uint8_t* data = nullptr;
  long length = 0;
  std::uint64_t iterations = 0;
  while (PEM_read_bio(bio.get(), &name, &header, &data, &length) == 1) {
    bool encrypted = std::strcmp(name, "ENCRYPTED PRIVATE KEY") == 0;
    if (encrypted) {
      static const std::uint8_t kPbes2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
      CBS der, info, algorithm, oid, params;
      CBS_init(&der, data, static_cast<std::size_t>(length));
      if (CBS_get_asn1(&der, &info, CBS_ASN1_SEQUENCE) &&
          CBS_get_asn1(&info, &algorithm, CBS_ASN1_SEQUENCE) &&
          CBS_get_asn1(&algorithm, &oid, CBS_ASN1_OBJECT) &&
          CBS_get_asn1(&algorithm, &params, CBS_ASN1_SEQUENCE)) {
        CBS salted = params;
        if (CBS_len(&oid) == sizeof kPbes2 &&
            std::memcmp(CBS_data(&oid), kPbes2, sizeof kPbes2) == 0) {
          CBS kdf, kdfOid;  // PBES2: the key derivation function's parameters come first
          if (!CBS_get_asn1(&params, &kdf, CBS_ASN1_SEQUENCE) ||
              !CBS_get_asn1(&kdf, &kdfOid, CBS_ASN1_OBJECT) ||
              !CBS_get_asn1(&kdf, &salted, CBS_ASN1_SEQUENCE))
            CBS_init(&salted, nullptr, 0);
        }
        std::uint64_t count = 0;
        if (CBS_get_asn1(&salted, nullptr, CBS_ASN1_OCTETSTRING) &&
            CBS_get_asn1_uint64(&salted, &count))
          iterations = count;
      }
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (encrypted) break;
  }
  ERR_clear_error();
  return iterations;
}

}  // namespace

std::shared_ptr<const TlsIdentity> TlsIdentity::load(std::string_view chainPem,
                                                     std::string_view keyPem,
                                                     std::string_view password) {
  auto identity = std::make_shared<TlsIdentity>();
  for (const security::X509Certificate& certificate :
       security::X509Certificate::fromPEM(chainPem)) {
    CRYPTO_BUFFER* buffer = security::detail::bufferOf(certificate);
    CRYPTO_BUFFER_up_ref(buffer);
    identity->chain.emplace_back(buffer);
  }
  if (std::uint64_t iterations = keyIterations(keyPem); iterations > kMaxKeyIterations)
    errors::detail::throwErrorWithDetail(
        errors::detail::kInvalidParameter, {},
        "(the private key's encryption asks for " + std::to_string(iterations) +
            " PBKDF2 iterations; at most " + std::to_string(kMaxKeyIterations) + " are accepted)");
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(keyPem.data(), static_cast<long>(keyPem.size())));
  std::string pass(password);
  identity->key.reset(PEM_read_bio_PrivateKey(
      bio.get(), nullptr,
      [](char* buffer, int size, int, void* user) -> int {
        const auto* text = static_cast<const std::string*>(user);
        int n =
            static_cast<int>(std::min<std::size_t>(text->size(), static_cast<std::size_t>(size)));
        std::memcpy(buffer, text->data(), static_cast<std::size_t>(n));
        return n;
      },
      &pass));
  if (!identity->key) {
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    errors::detail::throwErrorWithDetail(
        errors::detail::kInvalidParameter, {},
        "(the private key could not be read: " + errorText(code) +
            (password.empty() ? "; an encrypted key needs its password)" : ")"));
  }
  // The key must belong to the leaf.
  bssl::UniquePtr<SSL_CTX> probe(SSL_CTX_new(TLS_with_buffers_method()));
  if (!identity->applyTo(probe.get())) {
    ERR_clear_error();
    errors::detail::throwErrorWithDetail(errors::detail::kInvalidParameter, {},
                                         "(the private key does not match the certificate)");
  }
  return identity;
}

bool TlsIdentity::applyTo(SSL* ssl) const {
  std::vector<CRYPTO_BUFFER*> raw;
  for (const auto& buffer : chain) raw.push_back(buffer.get());
  return SSL_set_chain_and_key(ssl, raw.data(), raw.size(), key.get(), nullptr) == 1;
}

bool TlsIdentity::applyTo(SSL_CTX* ctx) const {
  std::vector<CRYPTO_BUFFER*> raw;
  for (const auto& buffer : chain) raw.push_back(buffer.get());
  return SSL_CTX_set_chain_and_key(ctx, raw.data(), raw.size(), key.get(), nullptr) == 1;
}

// --- small helpers -----------------------------------------------------------------------------

std::uint16_t wireVersion(TlsVersion version) noexcept {
  return version == TlsVersion::TLSv1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
}

std::string alpnWire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& name : protocols) {
    if (name.empty() || name.size() > 255)
      errors::detail::throwErrorWithDetail(errors::detail::kInvalidParameter, {},
                                           "(an ALPN protocol name has 1 to 255 bytes; \"" +
                                               name.substr(0, 40) + "\" has " +
                                               std::to_string(name.size()) + ")");
    wire += static_cast<char>(name.size());
    wire += name;
  }
  return wire;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    errors::detail::throwErrorWithDetail(errors::detail::kFileIO, {},
                                         "(" + path + " could not be opened)");
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// --- the key log -------------------------------------------------------------------------------

void installKeyLog(SSL_CTX* ctx) {
  static std::FILE* const file = [] {
    const char* path = std::getenv("SSLKEYLOGFILE");
    if (!path || !*path) return static_cast<std::FILE*>(nullptr);
    std::FILE* opened = std::fopen(path, "a");
    if (!opened)
      std::fprintf(stderr, "as3net: SSLKEYLOGFILE=%s cannot be opened; no key log is written\n",
                   path);
    return opened;
  }();
  if (!file) return;
  SSL_CTX_set_keylog_callback(ctx, [](const SSL*, const char* line) {
    static std::mutex mutex;
    std::lock_guard<std::mutex> lock(mutex);
    std::fprintf(file, "%s\n", line);
    std::fflush(file);
  });
}

// --- the client context ------------------------------------------------------------------------

TlsClientContext::TlsClientContext() : ctx_(SSL_CTX_new(TLS_with_buffers_method())) {
  SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx_.get(), TLS1_3_VERSION);
  // Sessions are kept by as3net's own cache, keyed by host and port, not BoringSSL's.
  SSL_CTX_set_session_cache_mode(ctx_.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
  SSL_CTX_sess_set_new_cb(ctx_.get(), &TlsEngine::onNewSession);
  SSL_CTX_set_custom_verify(ctx_.get(), SSL_VERIFY_PEER, &TlsEngine::verifyServer);
  installKeyLog(ctx_.get());
}

bssl::UniquePtr<SSL_SESSION> TlsClientContext::takeSession(const std::string& key) {
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return nullptr;
  // TLS 1.3 tickets are for one use: the next handshake brings a fresh one.
  bssl::UniquePtr<SSL_SESSION> session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

void TlsClientContext::storeSession(const std::string& key, SSL_SESSION* session) {
  // A bound on what a client that visits many hosts keeps.
  if (sessions_.size() >= 1024 && sessions_.find(key) == sessions_.end())
    sessions_.erase(sessions_.begin());
  sessions_[key].reset(session);
}

// --- the engine --------------------------------------------------------------------------------

std::unique_ptr<TlsEngine> TlsEngine::client(std::shared_ptr<TlsClientContext> context,
                                             std::string host,
                                             std::shared_ptr<const TlsClientConfig> config) {
  std::unique_ptr<TlsEngine> engine(new TlsEngine);
  engine->ssl_.reset(SSL_new(context->ctx()));
  SSL* ssl = engine->ssl_.get();
  SSL_set_ex_data(ssl, engineIndex(), engine.get());
  SSL_set_connect_state(ssl);
  // What configured the handshake is not needed after it (renegotiation is refused).
  SSL_set_shed_handshake_config(ssl, 1);
  SSL_set_min_proto_version(ssl, config->minVersion);
  SSL_set_max_proto_version(ssl, config->maxVersion);
  SSL_set_renegotiate_mode(ssl, ssl_renegotiate_never);
  // SNI names hosts, never addresses (RFC 6066).
  in6_addr probe;
  if (inet_pton(AF_INET, host.c_str(), &probe) != 1 &&
      inet_pton(AF_INET6, host.c_str(), &probe) != 1)
    SSL_set_tlsext_host_name(ssl, host.c_str());
  if (!config->alpn.empty())
    SSL_set_alpn_protos(ssl, reinterpret_cast<const std::uint8_t*>(config->alpn.data()),
                        config->alpn.size());
  if (config->identity) config->identity->applyTo(ssl);
  if (!config->cacheKey.empty()) {
    if (bssl::UniquePtr<SSL_SESSION> session = context->takeSession(config->cacheKey))
      SSL_set_session(ssl, session.get());
  }
  BIO* bio = BIO_new(WireBio::method());
  BIO_set_data(bio, engine.get());
  SSL_set_bio(ssl, bio, bio);
  engine->client_ = std::make_unique<ClientSide>(
      ClientSide{std::move(context), std::move(config), std::move(host)});
  return engine;
}

std::unique_ptr<TlsEngine> TlsEngine::server(std::shared_ptr<const TlsServerConfig> config) {
  std::unique_ptr<TlsEngine> engine(new TlsEngine);
  engine->ssl_.reset(SSL_new(config->ctx.get()));
  SSL* ssl = engine->ssl_.get();
  SSL_set_ex_data(ssl, engineIndex(), engine.get());
  SSL_set_accept_state(ssl);
  SSL_set_shed_handshake_config(ssl, 1);
  SSL_set_renegotiate_mode(ssl, ssl_renegotiate_never);
  if (!config->clientAnchors.empty())
    SSL_set_custom_verify(ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                          &TlsEngine::verifyClient);
  BIO* bio = BIO_new(WireBio::method());
  BIO_set_data(bio, engine.get());
  SSL_set_bio(ssl, bio, bio);
  engine->serverConfig_ = std::move(config);
  return engine;
}

TlsEngine::~TlsEngine() = default;

TlsEngine::Outcome TlsEngine::start(utils::detail::ByteStream& wire) {
  Outcome outcome;
  out_ = &wire;
  drive(outcome, nullptr);
  out_ = nullptr;
  return outcome;
}

TlsEngine::Outcome TlsEngine::receive(const std::uint8_t* data, std::size_t n,
                                      utils::detail::ByteStream& plain,
                                      utils::detail::ByteStream& wire) {
  Outcome outcome;
  in_ = data;
  inLength_ = n;
  out_ = &wire;
  drive(outcome, &plain);
  in_ = nullptr;
  inLength_ = 0;
  out_ = nullptr;
  return outcome;
}

// drive runs the handshake until it needs bytes, then reads records into `plain` until none is
// complete. Returns false once the connection has failed.
bool TlsEngine::drive(Outcome& outcome, utils::detail::ByteStream* plain) {
  SSL* ssl = ssl_.get();
  if (!failure_.empty()) {
    outcome.failed = true;
    return false;
  }
  if (!established_) {
    ERR_clear_error();
    int result = SSL_do_handshake(ssl);
    if (result != 1) {
      int error = SSL_get_error(ssl, result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return true;
      failWith("TLS handshake failed", result);
      outcome.failed = true;
      return false;
    }
    established_ = true;
    outcome.established = true;
    // The parsed chain served verification; an idle connection should not keep it. The peer's
    // certificates stay in the session as DER buffers and are parsed again when asked for.
    chain_.clear();
    chain_.shrink_to_fit();
    chainCollected_ = false;
    if (client_ && status_ == security::CertificateStatus::UNKNOWN)
      status_ = security::CertificateStatus::TRUSTED;  // resumed: verified when first made
    if (serverConfig_) {
      // BoringSSL holds TLS 1.3 session tickets back until the server's first write; a server
      // that only listens would leave its clients unable to resume and keep the tickets
      // buffered. An empty write sends them now.
      ERR_clear_error();
      SSL_write(ssl, "", 0);
      ERR_clear_error();
    }
  }
  if (!plain) return true;
  // SSL_read and SSL_write clear the error queue themselves on entry (BoringSSL's
  // ssl_reset_error_state), so the per-record calls below make no ERR_clear_error of their own.
  for (;;) {
    if (plain->capacity() - plain->length() < kRecordPlaintext)
      plain->reserve(plain->length() + kRecordPlaintext);
    int room =
        static_cast<int>(std::min<std::uint32_t>(plain->capacity() - plain->length(), 1u << 30));
    int n = SSL_read(ssl, plain->data() + plain->length(), room);
    if (n > 0) {
      plain->writableRange(plain->length(), static_cast<std::uint32_t>(n));
      outcome.plainBytes += static_cast<std::uint32_t>(n);
      // BoringSSL reads no further ahead than the record it returns (see SSL_has_pending): with
      // every byte taken and no plaintext left over, another SSL_read could only want more.
      if (inLength_ == 0 && SSL_pending(ssl) == 0) return true;
      continue;
    }
    int error = SSL_get_error(ssl, n);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return true;
    if (error == SSL_ERROR_ZERO_RETURN) {
      closeNotify_ = true;
      outcome.peerClosed = true;
      return true;
    }
    failWith("TLS connection failed", n);
    outcome.failed = true;
    return false;
  }
}

bool TlsEngine::send(const std::uint8_t* data, std::size_t n, utils::detail::ByteStream& wire) {
  if (!failure_.empty()) return false;
  out_ = &wire;
  while (n > 0) {
    int chunk = static_cast<int>(std::min<std::size_t>(n, 1u << 30));
    int written = SSL_write(ssl_.get(), data, chunk);
    if (written <= 0) {
      failWith("TLS connection failed while sending", written);
      out_ = nullptr;
      return false;
    }
    data += written;
    n -= static_cast<std::size_t>(written);
  }
  out_ = nullptr;
  return true;
}

void TlsEngine::shutdown(utils::detail::ByteStream& wire) {
  if (!established_ || !failure_.empty()) return;
  out_ = &wire;
  ERR_clear_error();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
  out_ = nullptr;
}

void TlsEngine::failWith(const char* phase, int result) {
  if (certificateRejected_) {
    failure_ = "Certificate rejected (" + std::string(status_) + "): " + rejection_;
    ERR_clear_error();
    return;
  }
  int error = SSL_get_error(ssl_.get(), result);
  unsigned long code = ERR_peek_last_error();
  std::string detail;
  if (error == SSL_ERROR_SYSCALL || (error == SSL_ERROR_SSL && code == 0))
    detail = "the peer's bytes ended or were not TLS";
  else
    detail = errorText(code);
  // A server's alert says why it refused us.
  failure_ = std::string(phase) + ": " + detail;
  ERR_clear_error();
}

bool TlsEngine::collectChain() const {
  chain_.clear();
  chainCollected_ = true;
  bool wellFormed = true;
  if (const STACK_OF(CRYPTO_BUFFER)* buffers = SSL_get0_peer_certificates(ssl_.get())) {
    for (std::size_t i = 0; i < sk_CRYPTO_BUFFER_num(buffers); ++i) {
      if (auto certificate =
              security::detail::tryCertificateFromBuffer(sk_CRYPTO_BUFFER_value(buffers, i)))
        chain_.push_back(std::move(*certificate));
      else
        wellFormed = false;
    }
  }
  return wellFormed;
}

enum ssl_verify_result_t TlsEngine::verifyServer(SSL* ssl, std::uint8_t* alert) {
  TlsEngine* engine = engineOf(ssl);
  security::ValidationResult verdict;
  if (!engine->collectChain() || engine->chain_.empty()) {
    verdict.status = security::CertificateStatus::INVALID;
    verdict.reason = "the server sent a malformed certificate, or none";
  } else {
    try {
      verdict = engine->client_->config->validator.validate(engine->chain_, engine->client_->host);
    } catch (const std::exception& e) {
      verdict.status = security::CertificateStatus::INVALID;
      verdict.reason = e.what();
    }
  }
  engine->status_ = knownStatus(verdict.status);
  if (verdict.trusted()) return ssl_verify_ok;
  engine->certificateRejected_ = true;
  engine->rejection_ = verdict.reason;
  *alert = alertFor(verdict.status);
  return ssl_verify_invalid;
}

// Mutual TLS: the client's chain must reach one of the server's client anchors and allow client
// authentication; there is no name to check.
enum ssl_verify_result_t TlsEngine::verifyClient(SSL* ssl, std::uint8_t* alert) {
  TlsEngine* engine = engineOf(ssl);
  engine->certificateRejected_ = true;
  *alert = SSL_AD_BAD_CERTIFICATE;
  if (!engine->collectChain() || engine->chain_.empty()) {
    engine->status_ = security::CertificateStatus::INVALID;
    engine->rejection_ = "the client's certificate is malformed, or missing";
    return ssl_verify_invalid;
  }
  bssl::UniquePtr<X509_STORE> store(X509_STORE_new());
  for (const auto& anchor : engine->serverConfig_->clientAnchors)
    X509_STORE_add_cert(store.get(), security::detail::x509Of(anchor));
  bssl::UniquePtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < engine->chain_.size(); ++i) {
    X509* certificate = security::detail::x509Of(engine->chain_[i]);
    X509_up_ref(certificate);
    sk_X509_push(untrusted.get(), certificate);
  }
  bssl::UniquePtr<X509_STORE_CTX> context(X509_STORE_CTX_new());
  X509_STORE_CTX_init(context.get(), store.get(), security::detail::x509Of(engine->chain_[0]),
                      untrusted.get());
  X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(context.get()) == 1) {
    engine->certificateRejected_ = false;
    engine->status_ = security::CertificateStatus::TRUSTED;
    *alert = 0;
    return ssl_verify_ok;
  }
  int error = X509_STORE_CTX_get_error(context.get());
  engine->status_ = error == X509_V_ERR_CERT_HAS_EXPIRED ? security::CertificateStatus::EXPIRED
                    : error == X509_V_ERR_CERT_NOT_YET_VALID
                        ? security::CertificateStatus::NOT_YET_VALID
                        : security::CertificateStatus::UNTRUSTED_SIGNERS;
  engine->rejection_ =
      std::string("the client's certificate: ") + X509_verify_cert_error_string(error);
  *alert = alertFor(engine->status_);
  return ssl_verify_invalid;
}

int TlsEngine::onNewSession(SSL* ssl, SSL_SESSION* session) {
  TlsEngine* engine = engineOf(ssl);
  if (!engine || !engine->client_ || engine->client_->config->cacheKey.empty()) return 0;
  engine->client_->context->storeSession(engine->client_->config->cacheKey, session);
  return 1;  // the cache owns the reference now
}

std::string TlsEngine::protocol() const {
  return established_ ? SSL_get_version(ssl_.get()) : "";
}

std::string TlsEngine::cipher() const {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_.get());
  return cipher ? SSL_CIPHER_standard_name(cipher) : "";
}

std::string TlsEngine::selectedProtocol() const {
  const std::uint8_t* data = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &data, &length);
  return std::string(reinterpret_cast<const char*>(data), length);
}

bool TlsEngine::resumed() const {
  return established_ && SSL_session_reused(ssl_.get());
}

}  // namespace as3::net::detail
