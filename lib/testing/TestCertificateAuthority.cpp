#include "as3/testing/TestCertificateAuthority.h"

#include "as3/net/SecureSocket.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/base64.h>
#include <openssl/bytestring.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <ctime>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "security/detail/Certificate.h"

namespace as3::testing {
namespace {

using security::X509Certificate;

constexpr std::int64_t kDay = 24 * 60 * 60;
constexpr std::int64_t kYear = 365 * kDay;

// BoringSSL failing here means memory ran out or the kit has a bug; neither is the caller's.
[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("TestCertificateAuthority: ") + what + " failed");
}

void check(int ok, const char* what) {
  if (ok <= 0) fail(what);
}

[[noreturn]] void badOption(const std::string& detail) {
  throw errors::ArgumentError("Error #2004: One of the parameters is invalid. (" + detail + ")",
                              2004);
}

std::string pemBlock(const char* label, const std::uint8_t* der, std::size_t length) {
  std::string out = std::string("-----BEGIN ") + label + "-----\n";
  char line[65];
  for (std::size_t i = 0; i < length; i += 48) {
    std::size_t chunk = length - i < 48 ? length - i : 48;
    out.append(line, EVP_EncodeBlock(reinterpret_cast<std::uint8_t*>(line), der + i, chunk));
    out += '\n';
  }
  out += std::string("-----END ") + label + "-----\n";
  return out;
}

bssl::UniquePtr<EVP_PKEY> generateKey(KeyType type) {
  int id = EVP_PKEY_EC, bits = 0, curve = NID_X9_62_prime256v1;
  switch (type) {
    case KeyType::kEcdsaP256:
      curve = NID_X9_62_prime256v1;
      break;
    case KeyType::kEcdsaP384:
      curve = NID_secp384r1;
      break;
    case KeyType::kEcdsaP224:
      curve = NID_secp224r1;
      break;
    case KeyType::kRsa2048:
      id = EVP_PKEY_RSA, bits = 2048;
      break;
    case KeyType::kRsa1024:
      id = EVP_PKEY_RSA, bits = 1024;
      break;
  }
  bssl::UniquePtr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_id(id, nullptr));
  if (!ctx) fail("EVP_PKEY_CTX_new_id");
  check(EVP_PKEY_keygen_init(ctx.get()), "EVP_PKEY_keygen_init");
  if (id == EVP_PKEY_RSA)
    check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits), "EVP_PKEY_CTX_set_rsa_keygen_bits");
  else
    check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx.get(), curve),
          "EVP_PKEY_CTX_set_ec_paramgen_curve_nid");
  EVP_PKEY* key = nullptr;
  check(EVP_PKEY_keygen(ctx.get(), &key), "EVP_PKEY_keygen");
  return bssl::UniquePtr<EVP_PKEY>(key);
}

// digestFor is the hash a key of `type` signs with: SHA-384 for P-384, SHA-256 otherwise.
const EVP_MD* digestFor(KeyType type, bool sha1) {
  if (sha1) return EVP_sha1();
  return type == KeyType::kEcdsaP384 ? EVP_sha384() : EVP_sha256();
}

std::string privateKeyPem(EVP_PKEY* key) {
  bssl::ScopedCBB cbb;
  std::uint8_t* der = nullptr;
  std::size_t length = 0;
  if (!CBB_init(cbb.get(), 256) || !EVP_marshal_private_key(cbb.get(), key) ||
      !CBB_finish(cbb.get(), &der, &length))
    fail("EVP_marshal_private_key");
  std::string pem = pemBlock("PRIVATE KEY", der, length);
  OPENSSL_cleanse(der, length);
  OPENSSL_free(der);
  return pem;
}

// newSerial is a random positive 63-bit number, never handed out before in this process, so
// serials are unique across every authority (revocation checks go by issuer and serial).
std::uint64_t newSerial() {
  static std::mutex mutex;
  static std::set<std::uint64_t> used;
  std::lock_guard<std::mutex> lock(mutex);
  for (;;) {
    std::uint64_t serial = 0;
    RAND_bytes(reinterpret_cast<std::uint8_t*>(&serial), sizeof serial);
    serial &= 0x7fffffffffffffffu;
    if (serial >= 0x10000 && used.insert(serial).second) return serial;
  }
}

bssl::UniquePtr<ASN1_INTEGER> integer(std::uint64_t value) {
  bssl::UniquePtr<ASN1_INTEGER> out(ASN1_INTEGER_new());
  if (!out || !ASN1_INTEGER_set_uint64(out.get(), value)) fail("ASN1_INTEGER_set_uint64");
  return out;
}

bssl::UniquePtr<ASN1_TIME> timeAt(std::int64_t secondsSinceEpoch) {
  // ASN1_TIME_set picks UTCTime for 1950-2049 and GeneralizedTime otherwise, as RFC 5280 wants.
  bssl::UniquePtr<ASN1_TIME> out(ASN1_TIME_set(nullptr, static_cast<time_t>(secondsSinceEpoch)));
  if (!out) fail("ASN1_TIME_set");
  return out;
}

std::vector<std::uint8_t> keyIdentifier(X509* x509) {
  // RFC 5280 4.2.1.2, method 1: SHA-1 of the subjectPublicKey BIT STRING's value.
  const ASN1_BIT_STRING* key = X509_get0_pubkey_bitstr(x509);
  if (key == nullptr) fail("X509_get0_pubkey_bitstr");
  std::vector<std::uint8_t> id(SHA_DIGEST_LENGTH);
  SHA1(ASN1_STRING_get0_data(key), static_cast<std::size_t>(ASN1_STRING_length(key)), id.data());
  return id;
}

bssl::UniquePtr<ASN1_OCTET_STRING> octets(const std::vector<std::uint8_t>& bytes) {
  bssl::UniquePtr<ASN1_OCTET_STRING> out(ASN1_OCTET_STRING_new());
  if (!out || !ASN1_OCTET_STRING_set(out.get(), bytes.data(), static_cast<int>(bytes.size())))
    fail("ASN1_OCTET_STRING_set");
  return out;
}

void addAuthorityKeyId(X509* x509, const std::vector<std::uint8_t>& id) {
  bssl::UniquePtr<AUTHORITY_KEYID> aki(AUTHORITY_KEYID_new());
  if (!aki) fail("AUTHORITY_KEYID_new");
  aki->keyid = octets(id).release();
  check(X509_add1_ext_i2d(x509, NID_authority_key_identifier, aki.get(), 0, X509V3_ADD_DEFAULT),
        "adding authorityKeyIdentifier");
}

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

// What one certificate says, apart from its keys.
struct Spec {
  std::string commonName;
  std::vector<std::string> dnsNames, ipAddresses;  // subjectAltName entries
  bool isCA = false;
  bool leaf = true;  // keyUsage digitalSignature (plus keyCertSign with isCA) and an EKU
  bool serverAuth = true, clientAuth = false;
  std::int64_t notBefore = 0, notAfter = 0;
  bool sha1 = false;
};

// Identity is an authority's key and certificate: fixed once made, shared by copies.
struct Identity {
  bssl::UniquePtr<EVP_PKEY> key;
  KeyType keyType;
  X509Certificate certificate;
  std::vector<X509Certificate> chain;  // what its leaves carry: itself (unless the root), up
  std::vector<std::uint8_t> keyId;
  mutable std::atomic<std::uint64_t> crlNumber{0};  // the last CRL's number
};

struct Made {
  X509Certificate certificate;
  std::vector<std::uint8_t> keyId;
  std::uint64_t serial;
};

// make issues a certificate for `subjectKey`, signed by `issuer` or self-signed without one.
Made make(const Spec& spec, EVP_PKEY* subjectKey, KeyType subjectKeyType, const Identity* issuer) {
  bssl::UniquePtr<X509> x509(X509_new());
  if (!x509) fail("X509_new");
  std::uint64_t serial = newSerial();
  check(X509_set_version(x509.get(), X509_VERSION_3), "X509_set_version");
  check(X509_set_serialNumber(x509.get(), integer(serial).get()), "X509_set_serialNumber");

  bssl::UniquePtr<X509_NAME> subject(X509_NAME_new());
  if (!subject) fail("X509_NAME_new");
  if (!spec.commonName.empty())
    check(X509_NAME_add_entry_by_NID(subject.get(), NID_commonName, MBSTRING_UTF8,
                                     reinterpret_cast<const std::uint8_t*>(spec.commonName.data()),
                                     static_cast<int>(spec.commonName.size()), -1, 0),
          "X509_NAME_add_entry_by_NID");
  check(X509_set_subject_name(x509.get(), subject.get()), "X509_set_subject_name");
  check(X509_set_issuer_name(x509.get(), issuer ? X509_get_subject_name(
                                                      security::detail::x509Of(issuer->certificate))
                                                : subject.get()),
        "X509_set_issuer_name");
  check(X509_set1_notBefore(x509.get(), timeAt(spec.notBefore).get()), "X509_set1_notBefore");
  check(X509_set1_notAfter(x509.get(), timeAt(spec.notAfter).get()), "X509_set1_notAfter");
  check(X509_set_pubkey(x509.get(), subjectKey), "X509_set_pubkey");

  bssl::UniquePtr<BASIC_CONSTRAINTS> constraints(BASIC_CONSTRAINTS_new());
  if (!constraints) fail("BASIC_CONSTRAINTS_new");
  constraints->ca = spec.isCA ? 0xff : 0;
  check(X509_add1_ext_i2d(x509.get(), NID_basic_constraints, constraints.get(), 1,
                          X509V3_ADD_DEFAULT),
        "adding basicConstraints");

  bssl::UniquePtr<ASN1_BIT_STRING> usage(ASN1_BIT_STRING_new());
  if (!usage) fail("ASN1_BIT_STRING_new");
  if (spec.leaf) check(ASN1_BIT_STRING_set_bit(usage.get(), 0, 1), "digitalSignature");
  if (spec.isCA) {
    check(ASN1_BIT_STRING_set_bit(usage.get(), 5, 1), "keyCertSign");
    if (!spec.leaf) check(ASN1_BIT_STRING_set_bit(usage.get(), 6, 1), "cRLSign");
  }
  check(X509_add1_ext_i2d(x509.get(), NID_key_usage, usage.get(), 1, X509V3_ADD_DEFAULT),
        "adding keyUsage");

  if (spec.leaf) {
    bssl::UniquePtr<STACK_OF(ASN1_OBJECT)> purposes(sk_ASN1_OBJECT_new_null());
    if (!purposes) fail("sk_ASN1_OBJECT_new_null");
    if (spec.serverAuth)
      check(sk_ASN1_OBJECT_push(purposes.get(), OBJ_nid2obj(NID_server_auth)) != 0, "serverAuth");
    if (spec.clientAuth || !spec.serverAuth)
      check(sk_ASN1_OBJECT_push(purposes.get(), OBJ_nid2obj(NID_client_auth)) != 0, "clientAuth");
    check(X509_add1_ext_i2d(x509.get(), NID_ext_key_usage, purposes.get(), 0, X509V3_ADD_DEFAULT),
          "adding extendedKeyUsage");
  }

  if (!spec.dnsNames.empty() || !spec.ipAddresses.empty()) {
    std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(sk_GENERAL_NAME_new_null());
    if (!names) fail("sk_GENERAL_NAME_new_null");
    auto add = [&](int type, const void* bytes, std::size_t length) {
      bssl::UniquePtr<GENERAL_NAME> name(GENERAL_NAME_new());
      bssl::UniquePtr<ASN1_STRING> value(
          ASN1_STRING_type_new(type == GEN_DNS ? V_ASN1_IA5STRING : V_ASN1_OCTET_STRING));
      if (!name || !value || !ASN1_STRING_set(value.get(), bytes, static_cast<int>(length)))
        fail("making a GENERAL_NAME");
      GENERAL_NAME_set0_value(name.get(), type, value.release());
      check(sk_GENERAL_NAME_push(names.get(), name.get()) != 0, "sk_GENERAL_NAME_push");
      name.release();
    };
    for (const std::string& dns : spec.dnsNames) {
      if (dns.empty()) badOption("an empty DNS name");
      add(GEN_DNS, dns.data(), dns.size());
    }
    for (const std::string& ip : spec.ipAddresses) {
      std::uint8_t bytes[16];
      if (inet_pton(AF_INET, ip.c_str(), bytes) == 1)
        add(GEN_IPADD, bytes, 4);
      else if (inet_pton(AF_INET6, ip.c_str(), bytes) == 1)
        add(GEN_IPADD, bytes, 16);
      else
        badOption("\"" + ip + "\" is not an IPv4 or IPv6 address");
    }
    // RFC 5280 4.2.1.6: critical when the subject is empty.
    check(X509_add1_ext_i2d(x509.get(), NID_subject_alt_name, names.get(),
                            spec.commonName.empty() ? 1 : 0, X509V3_ADD_DEFAULT),
          "adding subjectAltName");
  }

  std::vector<std::uint8_t> keyId = keyIdentifier(x509.get());
  check(X509_add1_ext_i2d(x509.get(), NID_subject_key_identifier, octets(keyId).get(), 0,
                          X509V3_ADD_DEFAULT),
        "adding subjectKeyIdentifier");
  if (issuer) addAuthorityKeyId(x509.get(), issuer->keyId);

  EVP_PKEY* signer = issuer ? issuer->key.get() : subjectKey;
  KeyType signerType = issuer ? issuer->keyType : subjectKeyType;
  check(X509_sign(x509.get(), signer, digestFor(signerType, spec.sha1)), "X509_sign");

  std::uint8_t* der = nullptr;
  int length = i2d_X509(x509.get(), &der);
  if (length <= 0) fail("i2d_X509");
  std::unique_ptr<std::uint8_t, void (*)(void*)> owned(der, OPENSSL_free);
  return Made{X509Certificate::fromDER(der, static_cast<std::size_t>(length)), std::move(keyId),
              serial};
}

std::int64_t realNow() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// caSpec is what an authority's own certificate says: a wide window around `now`, so that a
// clock moved for a leaf's sake still finds its chain valid.
Spec caSpec(std::string name, std::int64_t now) {
  Spec spec;
  spec.commonName = std::move(name);
  spec.isCA = true;
  spec.leaf = false;
  spec.notBefore = now - 10 * kYear;
  spec.notAfter = now + 20 * kYear;
  return spec;
}

}  // namespace

struct TestCertificateAuthority::State {
  std::shared_ptr<const Identity> identity;
  std::shared_ptr<const Identity> root;  // the top of the hierarchy; identity for a root
  std::int64_t clock = 0;                // 0: the real clock, unless a TestClock is followed
  std::optional<TestClock> testClock;

  std::int64_t now() const {
    if (clock != 0) return clock;
    return testClock ? testClock->now() : realNow();
  }
};

// --- IssuedCertificate -------------------------------------------------------------------------

std::string IssuedCertificate::chainPem() const {
  std::string out = certificate.toPEM();
  for (const X509Certificate& intermediate : intermediates) out += intermediate.toPEM();
  return out;
}

void IssuedCertificate::writeFiles(const std::string& certPath, const std::string& keyPath) const {
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file << text;
    file.close();
    if (!file)
      throw errors::IOError("Error #2038: File I/O Error. (cannot write " + path + ")", 2038);
  };
  write(certPath, chainPem());
  write(keyPath, privateKeyPem);
}

// --- TestCertificateAuthority ------------------------------------------------------------------

TestCertificateAuthority::TestCertificateAuthority(std::string name, KeyType keyType)
    : state_(std::make_shared<State>()) {
  bssl::UniquePtr<EVP_PKEY> key = generateKey(keyType);
  Made made = make(caSpec(std::move(name), realNow()), key.get(), keyType, nullptr);
  state_->identity = std::shared_ptr<const Identity>(
      new Identity{std::move(key), keyType, made.certificate, {}, std::move(made.keyId)});
  state_->root = state_->identity;
}

TestCertificateAuthority::~TestCertificateAuthority() = default;

TestCertificateAuthority::TestCertificateAuthority(const TestCertificateAuthority& other)
    : state_(std::make_shared<State>(*other.state_)) {}

TestCertificateAuthority& TestCertificateAuthority::operator=(
    const TestCertificateAuthority& other) {
  if (this != &other) state_ = std::make_shared<State>(*other.state_);
  return *this;
}

TestCertificateAuthority TestCertificateAuthority::intermediate(std::string name,
                                                                KeyType keyType) const {
  const Identity& parent = *state_->identity;
  bssl::UniquePtr<EVP_PKEY> key = generateKey(keyType);
  Made made = make(caSpec(std::move(name), state_->now()), key.get(), keyType, &parent);
  std::vector<X509Certificate> chain{made.certificate};
  chain.insert(chain.end(), parent.chain.begin(), parent.chain.end());
  TestCertificateAuthority out(*this);  // keeps this one's clock
  out.state_->identity = std::shared_ptr<const Identity>(new Identity{
      std::move(key), keyType, made.certificate, std::move(chain), std::move(made.keyId)});
  return out;
}

IssuedCertificate TestCertificateAuthority::issue(const CertificateOptions& options) const {
  const Identity& issuer = *state_->identity;
  Spec spec;
  spec.commonName = options.commonName;
  if (options.includeSubjectAltName) {
    spec.dnsNames = options.dnsNames;
    spec.ipAddresses = options.ipAddresses;
  }
  spec.isCA = options.isCA;
  spec.serverAuth = options.serverAuth;
  spec.clientAuth = options.clientAuth;
  spec.sha1 = options.sha1Signature;
  if (options.lifetime.count() <= 0) badOption("the lifetime must be positive");
  spec.notBefore = state_->now() + options.notBeforeOffset.count();
  spec.notAfter = spec.notBefore + options.lifetime.count();
  bssl::UniquePtr<EVP_PKEY> key = generateKey(options.keyType);
  if (options.selfSigned) {
    Made made = make(spec, key.get(), options.keyType, nullptr);
    return IssuedCertificate{
        std::move(made.certificate), privateKeyPem(key.get()), {}, made.serial};
  }
  Made made = make(spec, key.get(), options.keyType, &issuer);
  return IssuedCertificate{std::move(made.certificate), privateKeyPem(key.get()), issuer.chain,
                           made.serial};
}

std::string TestCertificateAuthority::crlPem(const std::vector<std::uint64_t>& serials) const {
  const Identity& identity = *state_->identity;
  std::int64_t now = state_->now();
  bssl::UniquePtr<ASN1_TIME> thisUpdate = timeAt(now - 60 * 60);
  bssl::UniquePtr<X509_CRL> crl(X509_CRL_new());
  if (!crl) fail("X509_CRL_new");
  check(X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2), "X509_CRL_set_version");
  check(X509_CRL_set_issuer_name(
            crl.get(), X509_get_subject_name(security::detail::x509Of(identity.certificate))),
        "X509_CRL_set_issuer_name");
  check(X509_CRL_set1_lastUpdate(crl.get(), thisUpdate.get()), "X509_CRL_set1_lastUpdate");
  check(X509_CRL_set1_nextUpdate(crl.get(), timeAt(now + 7 * kDay).get()),
        "X509_CRL_set1_nextUpdate");
  for (std::uint64_t serial : serials) {
    bssl::UniquePtr<X509_REVOKED> revoked(X509_REVOKED_new());
    if (!revoked) fail("X509_REVOKED_new");
    check(X509_REVOKED_set_serialNumber(revoked.get(), integer(serial).get()),
          "X509_REVOKED_set_serialNumber");
    check(X509_REVOKED_set_revocationDate(revoked.get(), thisUpdate.get()),
          "X509_REVOKED_set_revocationDate");
    check(X509_CRL_add0_revoked(crl.get(), revoked.get()), "X509_CRL_add0_revoked");
    revoked.release();
  }
  check(X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, integer(++identity.crlNumber).get(), 0,
                              X509V3_ADD_DEFAULT),
        "adding cRLNumber");
  bssl::UniquePtr<AUTHORITY_KEYID> aki(AUTHORITY_KEYID_new());
  if (!aki) fail("AUTHORITY_KEYID_new");
  aki->keyid = octets(identity.keyId).release();
  check(X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki.get(), 0,
                              X509V3_ADD_DEFAULT),
        "adding authorityKeyIdentifier");
  check(X509_CRL_sort(crl.get()), "X509_CRL_sort");
  check(X509_CRL_sign(crl.get(), identity.key.get(), digestFor(identity.keyType, false)),
        "X509_CRL_sign");
  std::uint8_t* der = nullptr;
  int length = i2d_X509_CRL(crl.get(), &der);
  if (length <= 0) fail("i2d_X509_CRL");
  std::string pem = pemBlock("X509 CRL", der, static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return pem;
}

const X509Certificate& TestCertificateAuthority::certificate() const {
  return state_->identity->certificate;
}

std::string TestCertificateAuthority::certificatePem() const {
  return certificate().toPEM();
}

utils::ByteArray TestCertificateAuthority::certificateDer() const {
  return certificate().encoded();
}

void TestCertificateAuthority::trustIn(net::SecureSocket& socket) const {
  socket.validator().addAnchor(state_->root->certificate);
}

void TestCertificateAuthority::clock(std::int64_t secondsSinceEpoch) noexcept {
  state_->clock = secondsSinceEpoch;
}

void TestCertificateAuthority::clock(const TestClock& clock) {
  state_->clock = 0;
  state_->testClock = clock;  // a copy shares the clock's time
}

}  // namespace as3::testing
