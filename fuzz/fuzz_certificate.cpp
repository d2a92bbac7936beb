// libFuzzer target: the certificate parsers a peer or a file reaches, and the validator on what
// they accept.
//
// Input: byte 0 holds flags (below), byte 1 a length L, then L bytes of host name, then the
// payload: PEM text (CERTIFICATE and X509 CRL blocks, in any order) or DER (elements back to
// back). Every certificate that parses has all its accessors called and checked; every blob is
// offered to X509Certificate::fromDER, SecureSocket::addBinaryChainBuildingCertificate and
// CertificateValidator::addCRLs; then the certificates are validated at a fixed time.
//
// Flags: bits 0-1 pick how the chain is anchored:
//   0  against the testing kit's root (made once here), with its intermediate offered;
//   1  the last certificate is the anchor (the only one: it anchors itself), so a hostile
//      anchor's name constraints and a hostile leaf under a valid limbo chain are judged;
//   2  the leaf is re-signed by this target's own CA (issuer and signature algorithm replaced),
//      and so are the CRLs, so the policy's checks and the revocation check run on hostile
//      contents that verify;
//   3  as 2, with an SPKI pin (bit 2: of the CA, else of the last certificate).
// bit 3 offers the certificates after the leaf through addIntermediate instead of presenting
// them; bits 4-6 pick the host (see hostFor); bit 7 validates a second time through a copy of
// the validator and requires the same verdict.
//
// Beyond the sanitizers: parsers throw nothing but errors::ArgumentError #2004; the parsed form
// round-trips (DER, PEM); the accessors keep their documented forms (hex digits and case, dotted
// OIDs, UTF-8 names, whole-second dates, IP text); a "trusted" verdict satisfies the policy's
// rules that can be checked from outside (validity at the time, the host in the leaf's SANs, the
// leaf not a CA, the chain from the leaf to a configured anchor).
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "Checks.h"
#include "as3/errors/ArgumentError.h"
#include "as3/errors/Error.h"
#include "as3/net/EventLoop.h"
#include "as3/net/SecureSocket.h"
#include "as3/security/CertificateStatus.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/X500DistinguishedName.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"

namespace {

using as3::security::CertificateStatus;
using as3::security::CertificateValidator;
using as3::security::ValidationResult;
using as3::security::X500DistinguishedName;
using as3::security::X509Certificate;

constexpr const char* kTarget = "fuzz_certificate";
// 2024-01-01T00:00:00Z: the validation time of most x509-limbo cases.
constexpr std::int64_t kTime = 1704067200;
// The most blobs, certificates and CRLs one input may feed in: bounds the time per input.
constexpr std::size_t kMaxBlobs = 16;
constexpr std::size_t kMaxChain = 12;
// addBinaryChainBuildingCertificate adds to a set the process keeps; past this many additions
// only the parse it starts with runs (X509Certificate::fromDER on the ByteArray).
constexpr int kMaxGlobalAdds = 64;

// AlgorithmIdentifier { ecdsa-with-SHA256 }, in DER.
constexpr std::uint8_t kEcdsaWithSha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                             0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

[[noreturn]] void broken(const std::string& what) {
  fuzz::broken(kTarget, what);
}

// parses runs `fn`, which may throw only errors::ArgumentError #2004 for bad input.
template <class F>
bool parses(const char* what, F&& fn) {
  try {
    fn();
    return true;
  } catch (const as3::errors::ArgumentError& e) {
    if (e.errorID() != 2004) broken(std::string(what) + " threw " + e.toString());
  } catch (const as3::errors::Error& e) {
    broken(std::string(what) + " threw " + e.toString() + ", not ArgumentError #2004");
  }
  ERR_clear_error();
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool isDottedOid(std::string_view s) {
  if (s.empty()) return true;  // "" when it cannot be read
  for (char c : s)
    if ((c < '0' || c > '9') && c != '.') return false;
  return s.front() != '.' && s.back() != '.';
}

// --- this target's own CA ---------------------------------------------------------------------

// The testing kit keeps its authorities' keys to itself, and a CA it issues to a caller lacks
// cRLSign; re-signing hostile certificates and CRLs needs a CA whose key is at hand.
struct OwnCa {
  bssl::UniquePtr<EVP_PKEY> key;
  std::optional<X509Certificate> certificate;
  std::string nameDer;  // the subject Name, as the issuer of what it re-signs
};

X509_EXTENSION* extension(int nid, const char* value) {
  return X509V3_EXT_nconf_nid(nullptr, nullptr, nid, value);
}

OwnCa makeOwnCa() {
  OwnCa ca;
  bssl::UniquePtr<EC_KEY> ec(EC_KEY_new_by_curve_name(NID_X9_62_prime256v1));
  ca.key.reset(EVP_PKEY_new());
  bssl::UniquePtr<X509> x509(X509_new());
  bssl::UniquePtr<X509_NAME> name(X509_NAME_new());
  bool ok = ec && ca.key && x509 && name && EC_KEY_generate_key(ec.get()) &&
            EVP_PKEY_set1_EC_KEY(ca.key.get(), ec.get()) &&
            X509_set_version(x509.get(), X509_VERSION_3) &&
            ASN1_INTEGER_set(X509_get_serialNumber(x509.get()), 0x5eed) &&
            X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const std::uint8_t*>("as3net fuzz CA"), -1,
                                       -1, 0) &&
            X509_set_subject_name(x509.get(), name.get()) &&
            X509_set_issuer_name(x509.get(), name.get()) &&
            ASN1_TIME_set(X509_getm_notBefore(x509.get()), 946684800) &&  // 2000
            ASN1_TIME_set(X509_getm_notAfter(x509.get()), 4102444800) &&  // 2100
            X509_set_pubkey(x509.get(), ca.key.get());
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}}) {
    bssl::UniquePtr<X509_EXTENSION> ext(extension(nid, value));
    ok = ok && ext && X509_add_ext(x509.get(), ext.get(), -1);
  }
  ok = ok && X509_sign(x509.get(), ca.key.get(), EVP_sha256());
  std::uint8_t* der = nullptr;
  int length = ok ? i2d_X509(x509.get(), &der) : -1;
  std::uint8_t* nameDer = nullptr;
  int nameLength = ok ? i2d_X509_NAME(name.get(), &nameDer) : -1;
  if (length <= 0 || nameLength <= 0) broken("could not make the fuzz CA");
  ca.certificate = X509Certificate::fromDER(der, static_cast<std::size_t>(length));
  ca.nameDer.assign(reinterpret_cast<const char*>(nameDer), static_cast<std::size_t>(nameLength));
  OPENSSL_free(der);
  OPENSSL_free(nameDer);
  return ca;
}

bool sign(EVP_PKEY* key, const std::uint8_t* data, std::size_t length,
          std::vector<std::uint8_t>* out) {
  bssl::ScopedEVP_MD_CTX ctx;
  std::size_t size = 0;
  if (!EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) ||
      !EVP_DigestSign(ctx.get(), nullptr, &size, data, length))
    return false;
  out->resize(size);
  if (!EVP_DigestSign(ctx.get(), out->data(), &size, data, length)) return false;
  out->resize(size);
  return true;
}

// resigned rebuilds a certificate (or, with `crl`, a CRL) with `ca` as its issuer and signer:
// the TBS keeps every field but the signature algorithm and the issuer name. "" when the input
// has not the outline of one.
std::string resigned(const OwnCa& ca, std::string_view der, bool crl) {
  CBS in, outer, tbs, element, skipped;
  CBS_init(&in, reinterpret_cast<const std::uint8_t*>(der.data()), der.size());
  if (!CBS_get_asn1(&in, &outer, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&outer, &tbs, CBS_ASN1_SEQUENCE))
    return {};
  bssl::ScopedCBB body;
  CBB fields;
  if (!CBB_init(body.get(), der.size() + 64) ||
      !CBB_add_asn1(body.get(), &fields, CBS_ASN1_SEQUENCE))
    return {};
  auto copy = [&](const CBS& c) { return CBB_add_bytes(&fields, CBS_data(&c), CBS_len(&c)) == 1; };
  if (!crl) {
    constexpr unsigned kVersion = CBS_ASN1_CONSTRUCTED | CBS_ASN1_CONTEXT_SPECIFIC | 0;
    if ((CBS_peek_asn1_tag(&tbs, kVersion) &&
         (!CBS_get_asn1_element(&tbs, &element, kVersion) || !copy(element))) ||
        !CBS_get_asn1_element(&tbs, &element, CBS_ASN1_INTEGER) || !copy(element))
      return {};
  } else if (CBS_peek_asn1_tag(&tbs, CBS_ASN1_INTEGER)) {
    if (!CBS_get_asn1_element(&tbs, &element, CBS_ASN1_INTEGER) || !copy(element)) return {};
  }
  if (!CBS_get_any_asn1_element(&tbs, &skipped, nullptr, nullptr) ||  // the signature algorithm
      !CBS_get_any_asn1_element(&tbs, &skipped, nullptr, nullptr) ||  // the issuer
      !CBB_add_bytes(&fields, kEcdsaWithSha256, sizeof kEcdsaWithSha256) ||
      !CBB_add_bytes(&fields, reinterpret_cast<const std::uint8_t*>(ca.nameDer.data()),
                     ca.nameDer.size()) ||
      !copy(tbs) || !CBB_flush(body.get()))
    return {};
  std::vector<std::uint8_t> signature;
  if (!sign(ca.key.get(), CBB_data(body.get()), CBB_len(body.get()), &signature)) return {};

  bssl::ScopedCBB whole;
  CBB sequence, bits;
  if (!CBB_init(whole.get(), CBB_len(body.get()) + signature.size() + 32) ||
      !CBB_add_asn1(whole.get(), &sequence, CBS_ASN1_SEQUENCE) ||
      !CBB_add_bytes(&sequence, CBB_data(body.get()), CBB_len(body.get())) ||
      !CBB_add_bytes(&sequence, kEcdsaWithSha256, sizeof kEcdsaWithSha256) ||
      !CBB_add_asn1(&sequence, &bits, CBS_ASN1_BITSTRING) || !CBB_add_u8(&bits, 0) ||
      !CBB_add_bytes(&bits, signature.data(), signature.size()) || !CBB_flush(whole.get()))
    return {};
  return std::string(reinterpret_cast<const char*>(CBB_data(whole.get())), CBB_len(whole.get()));
}

// --- what the target keeps between inputs -------------------------------------------------------

struct Fixture {
  as3::testing::TestCertificateAuthority root{"as3net fuzz root"};
  as3::testing::TestCertificateAuthority intermediate = root.intermediate("as3net fuzz issuer");
  OwnCa ownCa = makeOwnCa();
  CertificateValidator kit{nullptr};
  as3::net::EventLoop loop;
  as3::net::SecureSocket socket{loop};
  int globalAdds = 0;
  // AS3NET_FUZZ_VERBOSE=1 prints each verdict, to see what a corpus reaches.
  bool verbose = std::getenv("AS3NET_FUZZ_VERBOSE") != nullptr;

  Fixture() {
    kit.addAnchor(root.certificate());
    kit.addIntermediate(intermediate.certificate());
    kit.time(kTime);
  }
};

Fixture* fixture = nullptr;

// --- the accessors ------------------------------------------------------------------------------

void inspect(const X500DistinguishedName& name, const char* which) {
  auto first = [&](const char* type) {
    for (const auto& [t, v] : name.attributes())
      if (t == type) return v;
    return std::string();
  };
  if (name.commonName() != first("CN") || name.countryName() != first("C") ||
      name.localityName() != first("L") || name.organizationName() != first("O") ||
      name.organizationalUnitName() != first("OU") || name.stateOrProvinceName() != first("ST"))
    broken(std::string("a property of the ") + which + " is not its first attribute of the type");
  for (const auto& [type, value] : name.attributes()) {
    if (type.empty()) broken(std::string("an attribute of the ") + which + " has no type");
    if (!fuzz::isUtf8(value))
      broken(std::string("an attribute value of the ") + which + " is not UTF-8: " + type);
  }
  std::string text = name.toString();
  if (!fuzz::isUtf8(text)) broken(std::string("the ") + which + "'s toString() is not UTF-8");
  if (name.attributes().empty() != text.empty())
    broken(std::string("the ") + which + "'s toString() and attributes disagree on emptiness");
  X500DistinguishedName copy(name.attributes());
  if (copy.toString() != text)
    broken(std::string("the ") + which + " rebuilt from its attributes prints differently");
}

void inspect(const X509Certificate& c) {
  if (c.version() > 2) broken("version() " + std::to_string(c.version()) + " is not 0, 1 or 2");

  std::string serial = c.serialNumber();
  if (!fuzz::isHex(serial, true) || serial.size() % 2 != 0 ||
      (serial.size() > 2 && serial.compare(0, 2, "00") == 0))
    broken("serialNumber() \"" + serial + "\" is not upper-case hex without leading zero bytes");

  if (!isDottedOid(c.signatureAlgorithmOID()))
    broken("signatureAlgorithmOID() \"" + c.signatureAlgorithmOID() + "\" is not dotted text");
  if (std::optional<as3::utils::ByteArray> params = c.signatureAlgorithmParams();
      params && params->length() == 0)
    broken("signatureAlgorithmParams() is present but empty");
  if (!isDottedOid(c.subjectPublicKeyAlgorithmOID()))
    broken("subjectPublicKeyAlgorithmOID() is not dotted text");
  for (const std::string& hex : {c.issuerUniqueID(), c.subjectUniqueID(), c.subjectPublicKey()})
    if (!fuzz::isHex(hex, false) || hex.size() % 2 != 0)
      broken("a unique ID or the public key is not lower-case hex: \"" + hex.substr(0, 40) + "\"");

  for (double date : {c.validNotBefore(), c.validNotAfter()})
    if (!std::isfinite(date) || std::fmod(date, 1000.0) != 0)
      broken("a validity date is not a whole number of seconds in ms: " + std::to_string(date));

  std::basic_string_view<std::uint8_t> der = c.der();
  as3::utils::ByteArray encoded = c.encoded();
  if (encoded.length() != der.size() ||
      std::basic_string_view<std::uint8_t>(encoded.data(), encoded.length()) != der)
    broken("encoded() differs from der()");

  std::string pin = c.spkiSha256();
  if (pin.size() != 44 || pin.back() != '=') broken("spkiSha256() \"" + pin + "\" is not base64");
  (void)c.dnsNames();
  for (const std::string& ip : c.ipAddresses()) {
    std::uint8_t bytes[16];
    if (inet_pton(AF_INET, ip.c_str(), bytes) != 1 && inet_pton(AF_INET6, ip.c_str(), bytes) != 1)
      broken("ipAddresses() holds \"" + ip + "\", not an address");
  }
  inspect(c.issuer(), "issuer");
  inspect(c.subject(), "subject");

  // The parsed form round-trips.
  std::optional<X509Certificate> again;
  if (!parses("X509Certificate::fromDER", [&] { again = X509Certificate::fromDER(encoded); }) ||
      *again != c)
    broken("fromDER(encoded()) is not the certificate");
  std::vector<X509Certificate> fromPem;
  if (!parses("X509Certificate::fromPEM", [&] { fromPem = X509Certificate::fromPEM(c.toPEM()); }) ||
      fromPem.size() != 1 || fromPem[0] != c)
    broken("fromPEM(toPEM()) is not the certificate");
}

// --- the payload
// ----------------------------------------------------------------------------------

struct Blob {
  std::string der;
  bool crl = false;  // from an X509 CRL block (PEM); DER blobs are tried as both
};

// pemBlocks lists the CERTIFICATE and X509 CRL blocks, as BoringSSL's PEM reader finds them.
std::vector<Blob> pemBlocks(std::string_view text) {
  std::vector<Blob> out;
  bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(text.data(), static_cast<long>(text.size())));
  while (bio && out.size() < kMaxBlobs) {
    char* name = nullptr;
    char* header = nullptr;
    std::uint8_t* data = nullptr;
    long length = 0;
    if (!PEM_read_bio(bio.get(), &name, &header, &data, &length)) break;
    std::string_view label(name);
    if (label == "CERTIFICATE" || label == "X509 CRL")
      out.push_back(
          {std::string(reinterpret_cast<const char*>(data), length), label != "CERTIFICATE"});
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
  ERR_clear_error();
  return out;
}

// derElements splits DER elements that follow each other.
std::vector<Blob> derElements(std::string_view bytes) {
  std::vector<Blob> out;
  CBS all, element;
  CBS_init(&all, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  while (CBS_len(&all) > 0 && out.size() < kMaxBlobs &&
         CBS_get_any_asn1_element(&all, &element, nullptr, nullptr))
    out.push_back(
        {std::string(reinterpret_cast<const char*>(CBS_data(&element)), CBS_len(&element))});
  return out;
}

// offer hands one DER blob to each parser that takes DER; returns the certificate it is.
std::optional<X509Certificate> offer(const std::string& der, bool trusted) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(der.data());
  std::optional<X509Certificate> parsed;
  parses("X509Certificate::fromDER", [&] { parsed = X509Certificate::fromDER(bytes, der.size()); });
  if (parsed && std::basic_string_view<std::uint8_t>(bytes, der.size()) != parsed->der())
    broken("fromDER accepted bytes that are not exactly the certificate's DER");

  as3::utils::ByteArray array(bytes, der.size());
  bool added;
  if (fixture->globalAdds < kMaxGlobalAdds) {
    added = parses("SecureSocket::addBinaryChainBuildingCertificate",
                   [&] { fixture->socket.addBinaryChainBuildingCertificate(array, trusted); });
    if (added) ++fixture->globalAdds;
  } else {
    added = parses("X509Certificate::fromDER(ByteArray)",
                   [&] { (void)X509Certificate::fromDER(array); });
  }
  if (added != parsed.has_value())
    broken("fromDER and addBinaryChainBuildingCertificate disagree on one blob");
  return parsed;
}

// --- the verdict ------------------------------------------------------------------------------

constexpr std::string_view kStatuses[] = {
    CertificateStatus::TRUSTED,       CertificateStatus::EXPIRED,
    CertificateStatus::NOT_YET_VALID, CertificateStatus::INVALID,
    CertificateStatus::INVALID_CHAIN, CertificateStatus::PRINCIPAL_MISMATCH,
    CertificateStatus::REVOKED,       CertificateStatus::UNTRUSTED_SIGNERS,
};

bool hostMatches(const X509Certificate& leaf, std::string_view host) {
  std::uint8_t want[16], have[16];
  std::string inner(host);
  if (inner.size() > 2 && inner.front() == '[' && inner.back() == ']')
    inner = inner.substr(1, inner.size() - 2);
  int family = inet_pton(AF_INET, inner.c_str(), want) == 1    ? AF_INET
               : inet_pton(AF_INET6, inner.c_str(), want) == 1 ? AF_INET6
                                                               : 0;
  if (inner.find('\0') != std::string::npos) family = 0;
  if (family != 0) {
    std::size_t size = family == AF_INET ? 4 : 16;
    for (const std::string& ip : leaf.ipAddresses())
      if (inet_pton(family, ip.c_str(), have) == 1 && std::memcmp(want, have, size) == 0)
        return true;
    return false;
  }
  std::string name = lower(host);
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  for (const std::string& dns : leaf.dnsNames()) {
    std::string presented = lower(dns);
    if (presented == name) return true;
    std::size_t dot = name.find('.');
    if (presented.size() > 2 && presented.compare(0, 2, "*.") == 0 && dot != std::string::npos &&
        dot > 0 && presented.substr(2) == name.substr(dot + 1))
      return true;
  }
  return false;
}

bool isCa(const X509Certificate& c) {
  const std::uint8_t* p = c.der().data();
  bssl::UniquePtr<X509> x509(d2i_X509(nullptr, &p, static_cast<long>(c.der().size())));
  bool ca = x509 && (X509_get_extension_flags(x509.get()) & EXFLAG_CA);
  ERR_clear_error();
  return ca;
}

void judge(const ValidationResult& result, const std::vector<X509Certificate>& presented,
           const std::vector<X509Certificate>& anchors, std::string_view host) {
  bool known = false;
  for (std::string_view status : kStatuses) known = known || result.status == status;
  if (!known) broken("validate() gave the status \"" + result.status + "\"");
  if (result.trusted() != result.reason.empty())
    broken("the reason is empty exactly when trusted, not so: " + result.status);
  // The reason quotes the host as given: only a UTF-8 host promises a UTF-8 reason.
  if (fuzz::isUtf8(host) && !fuzz::isUtf8(result.reason) && !fuzz::known("reason-utf8"))
    broken("the reason is not UTF-8: " + result.reason);
  if (result.chain.empty()) broken("validate() gave no chain");
  if (!result.trusted()) return;

  const X509Certificate& leaf = presented.front();
  if (result.chain.front() != leaf) broken("a trusted chain does not start at the leaf");
  bool anchored = false;
  for (const X509Certificate& anchor : anchors)
    anchored = anchored || result.chain.back() == anchor;
  if (!anchored) broken("a trusted chain does not end at an anchor that was given");
  for (const X509Certificate& c : result.chain)
    if (c.validNotBefore() > kTime * 1000.0 || c.validNotAfter() < kTime * 1000.0)
      broken("a trusted chain holds a certificate not valid at the validation time");
  if (!host.empty() && !hostMatches(leaf, host))
    broken("trusted for \"" + std::string(host) + "\", which no subject alternative name matches");
  if (isCa(leaf)) broken("a CA certificate was trusted as the leaf");
}

std::string hostFor(int selector, std::string_view given, const X509Certificate* leaf) {
  switch (selector) {
    case 1:
      return "";
    case 2:
      return "localhost";
    case 3:
      return "127.0.0.1";
    case 4:
      return "::1";
    case 5:
      if (leaf && !leaf->dnsNames().empty()) return leaf->dnsNames().front();
      break;
    case 6:
      if (leaf && !leaf->ipAddresses().empty()) return leaf->ipAddresses().front();
      break;
    case 7:
      return "example.com";
    default:
      break;
  }
  return std::string(given);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture = new Fixture;  // used until the process ends
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader input(data, size);
  const std::uint8_t flags = input.byte();
  const std::string_view givenHost = input.bytes(input.byte());
  const std::string_view payload = input.rest();
  const bool pem = payload.find("-----BEGIN ") != std::string_view::npos;

  // Certificates, as the public parsers see the whole payload.
  std::vector<X509Certificate> certificates;
  bool wholeParsed =
      parses("X509Certificate::fromPEM", [&] { certificates = X509Certificate::fromPEM(payload); });
  if (!pem) {
    // Without armour fromPEM is fromDER of the whole payload: they must agree.
    std::optional<X509Certificate> single;
    parses("X509Certificate::fromDER", [&] {
      single = X509Certificate::fromDER(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                        payload.size());
    });
    if (single.has_value() != wholeParsed || (single && certificates.at(0) != *single))
      broken("fromPEM without armour and fromDER disagree");
  }

  // Every blob, through each parser that takes one.
  std::vector<Blob> blobs = pem ? pemBlocks(payload) : derElements(payload);
  std::vector<X509Certificate> fromBlobs;
  for (const Blob& blob : blobs)
    if (!blob.crl)
      if (std::optional<X509Certificate> c = offer(blob.der, flags & 4)) fromBlobs.push_back(*c);
  if (!pem && wholeParsed && fromBlobs.empty()) broken("the payload parses, its one element not");
  if (certificates.empty()) certificates = fromBlobs;
  for (const X509Certificate& c : certificates) inspect(c);
  if (certificates.size() > kMaxChain)
    certificates.erase(certificates.begin() + kMaxChain, certificates.end());

  // CRLs: the whole payload, then each DER element.
  CertificateValidator scratch(nullptr);
  std::vector<std::string> crlTexts;
  std::size_t count = 0;
  if (parses("CertificateValidator::addCRLs", [&] { count = scratch.addCRLs(payload); })) {
    if (count == 0) broken("addCRLs accepted the payload but added none");
    crlTexts.emplace_back(payload);
  }
  if (!pem && blobs.size() > 1)
    for (const Blob& blob : blobs)
      if (parses("CertificateValidator::addCRLs", [&] { count = scratch.addCRLs(blob.der); })) {
        if (count != 1) broken("addCRLs counted " + std::to_string(count) + " in one DER CRL");
        crlTexts.push_back(blob.der);
      }
  if (certificates.empty()) return 0;

  // The chain, anchored as the flags say.
  const int mode = flags & 3;
  std::vector<X509Certificate> presented = certificates;
  std::vector<X509Certificate> anchors;
  CertificateValidator validator(nullptr);
  validator.time(kTime);
  if (mode == 0) {
    validator = fixture->kit;
    anchors.push_back(fixture->root.certificate());
  } else if (mode == 1) {
    anchors.push_back(presented.back());
    if (presented.size() > 1) presented.pop_back();
    validator.addAnchor(anchors.back());
  } else {
    std::string leaf =
        resigned(fixture->ownCa,
                 std::string_view(reinterpret_cast<const char*>(presented[0].der().data()),
                                  presented[0].der().size()),
                 false);
    std::optional<X509Certificate> signedLeaf;
    if (!leaf.empty())
      parses("X509Certificate::fromDER", [&] {
        signedLeaf = X509Certificate::fromDER(reinterpret_cast<const std::uint8_t*>(leaf.data()),
                                              leaf.size());
      });
    if (signedLeaf) {
      inspect(*signedLeaf);
      presented[0] = *signedLeaf;
    }
    anchors.push_back(*fixture->ownCa.certificate);
    validator.addAnchor(anchors.back());
    // The CRLs re-signed by the CA, so that their contents are judged.
    std::vector<Blob> crlBlobs = pem ? pemBlocks(payload) : blobs;
    crlTexts.clear();
    for (const Blob& blob : crlBlobs) {
      if (pem && !blob.crl) continue;
      std::string crl = resigned(fixture->ownCa, blob.der, true);
      if (!crl.empty() &&
          parses("CertificateValidator::addCRLs", [&] { count = scratch.addCRLs(crl); }))
        crlTexts.push_back(crl);
    }
    if (mode == 3)
      validator.addPin(flags & 4 ? fixture->ownCa.certificate->spkiSha256()
                                 : presented.back().spkiSha256());
  }
  for (const std::string& crl : crlTexts) validator.addCRLs(crl);
  if (flags & 8) {
    for (std::size_t i = 1; i < presented.size(); ++i) validator.addIntermediate(presented[i]);
    presented.erase(presented.begin() + 1, presented.end());
  }

  std::string host = hostFor((flags >> 4) & 7, givenHost, &presented.front());
  ValidationResult result = validator.validate(presented, host);
  if (fixture->verbose)
    std::fprintf(stderr, "mode %d, %zu presented, host \"%s\": %s %s\n", mode, presented.size(),
                 host.c_str(), result.status.c_str(), result.reason.c_str());
  judge(result, presented, anchors, host);
  if (flags & 0x80) {
    CertificateValidator copy = validator;
    if (!copy.sameConfiguration(validator)) broken("a copy of a validator is configured otherwise");
    ValidationResult again = copy.validate(presented, host);
    if (again.status != result.status || again.reason != result.reason ||
        again.chain != result.chain)
      broken("the same validation gave \"" + result.status + "\" then \"" + again.status + "\"");
  }
  return 0;
}
