#include "as3/security/X509Certificate.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/base64.h>
#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/obj.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include <utility>

#include "errors/detail/Throw.h"
#include "security/detail/Certificate.h"

namespace as3::security {
namespace {

using errors::detail::kInvalidParameter;
using errors::detail::throwErrorWithDetail;

constexpr char kLowerDigits[] = "0123456789abcdef";
constexpr char kUpperDigits[] = "0123456789ABCDEF";

std::string hex(const std::uint8_t* data, std::size_t length, const char* digits) {
  std::string out;
  out.reserve(length * 2);
  for (std::size_t i = 0; i < length; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string hex(const CBS& cbs, const char* digits = kLowerDigits) {
  return hex(CBS_data(&cbs), CBS_len(&cbs), digits);
}

// Fields are views of a certificate's DER, one per part AIR exposes.
struct Fields {
  CBS serial, tbsSignature, issuer, validity, subject, spki;  // spki: the whole element
  CBS issuerUID, subjectUID;                                  // BIT STRING contents
  int hasIssuerUID = 0, hasSubjectUID = 0;
  CBS signatureAlgorithm;  // the outer AlgorithmIdentifier's contents
};

// walk splits `der` into its parts. It checks the shape RFC 5280 gives a Certificate in DER
// (definite, minimal lengths; nothing after it); BoringSSL's own parse checks the contents.
bool walk(const std::uint8_t* der, std::size_t length, Fields* f) {
  CBS all, cert, tbs, signature, version, extensions;
  int hasVersion = 0, hasExtensions = 0;
  CBS_init(&all, der, length);
  return CBS_get_asn1(&all, &cert, CBS_ASN1_SEQUENCE) && CBS_len(&all) == 0 &&
         CBS_get_asn1(&cert, &tbs, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1(&cert, &f->signatureAlgorithm, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1(&cert, &signature, CBS_ASN1_BITSTRING) && CBS_len(&cert) == 0 &&
         CBS_get_optional_asn1(&tbs, &version, &hasVersion,
                               CBS_ASN1_CONSTRUCTED | CBS_ASN1_CONTEXT_SPECIFIC | 0) &&
         CBS_get_asn1(&tbs, &f->serial, CBS_ASN1_INTEGER) &&
         CBS_get_asn1(&tbs, &f->tbsSignature, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1(&tbs, &f->issuer, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1(&tbs, &f->validity, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1(&tbs, &f->subject, CBS_ASN1_SEQUENCE) &&
         CBS_get_asn1_element(&tbs, &f->spki, CBS_ASN1_SEQUENCE) &&
         CBS_get_optional_asn1(&tbs, &f->issuerUID, &f->hasIssuerUID,
                               CBS_ASN1_CONTEXT_SPECIFIC | 1) &&
         CBS_get_optional_asn1(&tbs, &f->subjectUID, &f->hasSubjectUID,
                               CBS_ASN1_CONTEXT_SPECIFIC | 2) &&
         CBS_get_optional_asn1(&tbs, &extensions, &hasExtensions,
                               CBS_ASN1_CONSTRUCTED | CBS_ASN1_CONTEXT_SPECIFIC | 3) &&
         CBS_len(&tbs) == 0;
}

Fields fieldsOf(const X509Certificate::Parsed& parsed) {
  Fields f{};
  walk(CRYPTO_BUFFER_data(parsed.buffer.get()), CRYPTO_BUFFER_len(parsed.buffer.get()), &f);
  return f;  // parse() made sure the walk succeeds
}

// oidText is the dotted form of the OBJECT IDENTIFIER that starts `cbs`, consuming it.
std::string oidText(CBS* cbs) {
  CBS oid;
  if (!CBS_get_asn1(cbs, &oid, CBS_ASN1_OBJECT)) return {};
  char* text = CBS_asn1_oid_to_text(&oid);
  if (text == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(text);
  OPENSSL_free(text);
  return out;
}

// bitStringBytes is a BIT STRING's contents without the count of unused bits.
CBS bitStringBytes(CBS contents) {
  CBS_skip(&contents, 1);
  return contents;
}

// millisSinceEpoch converts an X.509 Time; false if BoringSSL cannot.
bool millisSinceEpoch(const ASN1_TIME* time, double* out) {
  static const ASN1_TIME* const kEpoch = ASN1_TIME_set(nullptr, 0);
  int days = 0, seconds = 0;
  if (kEpoch == nullptr || time == nullptr || !ASN1_TIME_diff(&days, &seconds, kEpoch, time))
    return false;
  *out = (static_cast<double>(days) * 86400.0 + seconds) * 1000.0;
  return true;
}

// RFC 4514's short names for the attribute types it names; others are written as OIDs.
struct ShortName {
  int nid;
  const char* name;
};
constexpr ShortName kShortNames[] = {
    {NID_commonName, "CN"},
    {NID_localityName, "L"},
    {NID_stateOrProvinceName, "ST"},
    {NID_organizationName, "O"},
    {NID_organizationalUnitName, "OU"},
    {NID_countryName, "C"},
    {NID_streetAddress, "STREET"},
    {NID_domainComponent, "DC"},
    {NID_userId, "UID"},
};

std::string attributeType(const ASN1_OBJECT* object) {
  int nid = OBJ_obj2nid(object);
  for (const ShortName& s : kShortNames)
    if (s.nid == nid) return s.name;
  char buffer[128];
  int length = OBJ_obj2txt(buffer, sizeof buffer, object, 1);
  if (length < 0) {
    ERR_clear_error();
    return "?";
  }
  if (static_cast<std::size_t>(length) < sizeof buffer) return std::string(buffer, length);
  std::string big(static_cast<std::size_t>(length) + 1, '\0');
  OBJ_obj2txt(big.data(), static_cast<int>(big.size()), object, 1);
  big.resize(static_cast<std::size_t>(length));
  return big;
}

std::string attributeValue(const ASN1_STRING* value) {
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, value);
  if (length < 0) {
    // Not a string type (or not valid in its type): its bytes, as RFC 4514 writes non-strings.
    ERR_clear_error();
    return "#" + hex(ASN1_STRING_get0_data(value),
                     static_cast<std::size_t>(ASN1_STRING_length(value)), kLowerDigits);
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

X500DistinguishedName nameOf(const X509_NAME* name) {
  std::vector<std::pair<std::string, std::string>> attributes;
  int count = name ? X509_NAME_entry_count(name) : 0;
  attributes.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    attributes.emplace_back(attributeType(X509_NAME_ENTRY_get_object(entry)),
                            attributeValue(X509_NAME_ENTRY_get_data(entry)));
  }
  return X500DistinguishedName(std::move(attributes));
}

X509Certificate parseOrThrow(const std::uint8_t* der, std::size_t length, const char* what) {
  if (length == 0)
    throwErrorWithDetail(kInvalidParameter, {}, std::string("(") + what + " is empty)");
  bssl::UniquePtr<CRYPTO_BUFFER> buffer(CRYPTO_BUFFER_new(der, length, nullptr));
  if (!buffer) throwErrorWithDetail(errors::detail::kOutOfMemory, {}, "(copying a certificate)");
  std::shared_ptr<const X509Certificate::Parsed> parsed =
      X509Certificate::Parsed::parse(buffer.get());
  if (!parsed)
    throwErrorWithDetail(
        kInvalidParameter, {},
        std::string("(") + what + " is not exactly one well-formed DER X.509 certificate)");
  return X509Certificate::Parsed::wrap(std::move(parsed));
}

bool isPemSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";

}  // namespace

// --- the shared parsed form --------------------------------------------------------------------

std::shared_ptr<const X509Certificate::Parsed> X509Certificate::Parsed::parse(
    CRYPTO_BUFFER* buffer) {
  Fields fields{};
  if (buffer == nullptr || !walk(CRYPTO_BUFFER_data(buffer), CRYPTO_BUFFER_len(buffer), &fields))
    return nullptr;
  auto parsed = std::make_shared<Parsed>();
  CRYPTO_BUFFER_up_ref(buffer);
  parsed->buffer.reset(buffer);
  parsed->x509.reset(X509_parse_from_buffer(buffer));
  if (!parsed->x509 ||
      !millisSinceEpoch(X509_get0_notBefore(parsed->x509.get()), &parsed->notBefore) ||
      !millisSinceEpoch(X509_get0_notAfter(parsed->x509.get()), &parsed->notAfter)) {
    ERR_clear_error();
    return nullptr;
  }
  return parsed;
}

namespace detail {

X509Certificate certificateFromBuffer(CRYPTO_BUFFER* buffer) {
  std::shared_ptr<const X509Certificate::Parsed> parsed = X509Certificate::Parsed::parse(buffer);
  if (!parsed)
    throwErrorWithDetail(kInvalidParameter, {},
                         "(the buffer is not exactly one well-formed DER X.509 certificate)");
  return X509Certificate::Parsed::wrap(std::move(parsed));
}

std::optional<X509Certificate> tryCertificateFromBuffer(CRYPTO_BUFFER* buffer) {
  std::shared_ptr<const X509Certificate::Parsed> parsed = X509Certificate::Parsed::parse(buffer);
  if (!parsed) return std::nullopt;
  return X509Certificate::Parsed::wrap(std::move(parsed));
}

}  // namespace detail

// --- making one --------------------------------------------------------------------------------

X509Certificate X509Certificate::fromDER(const std::uint8_t* der, std::size_t length) {
  if (der == nullptr && length != 0)
    throwErrorWithDetail(kInvalidParameter, {}, "(the DER pointer is null)");
  return parseOrThrow(der, length, "the DER input");
}

X509Certificate X509Certificate::fromDER(const utils::ByteArray& der) {
  return parseOrThrow(der.data(), der.length(), "the DER input");
}

std::vector<X509Certificate> X509Certificate::fromPEM(std::string_view pem) {
  std::vector<X509Certificate> out;
  std::size_t begin = pem.find(kBegin);
  if (begin == std::string_view::npos) {
    // No armour: the input is one DER certificate.
    out.push_back(parseOrThrow(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size(),
                               "the input (DER, as it holds no PEM block)"));
    return out;
  }
  while (begin != std::string_view::npos) {
    std::size_t labelStart = begin + kBegin.size();
    std::size_t labelEnd = pem.find(kDashes, labelStart);
    if (labelEnd == std::string_view::npos) break;  // not a BEGIN line after all
    std::string_view label = pem.substr(labelStart, labelEnd - labelStart);
    std::size_t bodyStart = labelEnd + kDashes.size();
    std::string endLine = "-----END " + std::string(label) + "-----";
    std::size_t end = pem.find(endLine, bodyStart);
    if (label != "CERTIFICATE" && label != "X509 CERTIFICATE") {
      // Keys, CRLs and the like sit in the same files: skip them.
      begin = pem.find(kBegin, end == std::string_view::npos ? bodyStart : end + endLine.size());
      continue;
    }
    std::string number = std::to_string(out.size() + 1);
    if (end == std::string_view::npos)
      throwErrorWithDetail(kInvalidParameter, {},
                           "(PEM certificate " + number + " has no " + endLine + " line)");
    std::string base64;
    base64.reserve(end - bodyStart);
    for (char c : pem.substr(bodyStart, end - bodyStart))
      if (!isPemSpace(c)) base64 += c;
    std::size_t maxLength = 0;
    std::vector<std::uint8_t> der;
    std::size_t length = 0;
    bool decoded = EVP_DecodedLength(&maxLength, base64.size());
    if (decoded) {
      der.resize(maxLength);
      decoded =
          EVP_DecodeBase64(der.data(), &length, der.size(),
                           reinterpret_cast<const std::uint8_t*>(base64.data()), base64.size());
    }
    if (!decoded) {
      ERR_clear_error();
      throwErrorWithDetail(kInvalidParameter, {},
                           "(PEM certificate " + number + " is not valid base64)");
    }
    std::string what = "PEM certificate " + number;
    out.push_back(parseOrThrow(der.data(), length, what.c_str()));
    begin = pem.find(kBegin, end + endLine.size());
  }
  if (out.empty())
    throwErrorWithDetail(kInvalidParameter, {}, "(the PEM text holds no CERTIFICATE block)");
  return out;
}

// --- AIR's properties --------------------------------------------------------------------------

std::uint32_t X509Certificate::version() const {
  long version = X509_get_version(parsed_->x509.get());
  return version < 0 ? 0 : static_cast<std::uint32_t>(version);
}

std::string X509Certificate::serialNumber() const {
  CBS serial = fieldsOf(*parsed_).serial;
  // DER INTEGER contents are two's complement: a leading 00 only keeps a positive number
  // positive. Negative serials (RFC 5280 forbids them; some exist) keep their sign bytes.
  while (CBS_len(&serial) > 1 && CBS_data(&serial)[0] == 0) CBS_skip(&serial, 1);
  return hex(serial, kUpperDigits);
}

std::string X509Certificate::signatureAlgorithmOID() const {
  CBS algorithm = fieldsOf(*parsed_).signatureAlgorithm;
  return oidText(&algorithm);
}

std::optional<utils::ByteArray> X509Certificate::signatureAlgorithmParams() const {
  CBS algorithm = fieldsOf(*parsed_).signatureAlgorithm;
  oidText(&algorithm);
  if (CBS_len(&algorithm) == 0) return std::nullopt;
  return utils::ByteArray(CBS_data(&algorithm), CBS_len(&algorithm));
}

X500DistinguishedName X509Certificate::issuer() const {
  return nameOf(X509_get_issuer_name(parsed_->x509.get()));
}

std::string X509Certificate::issuerUniqueID() const {
  Fields f = fieldsOf(*parsed_);
  return f.hasIssuerUID ? hex(bitStringBytes(f.issuerUID)) : std::string();
}

X500DistinguishedName X509Certificate::subject() const {
  return nameOf(X509_get_subject_name(parsed_->x509.get()));
}

std::string X509Certificate::subjectUniqueID() const {
  Fields f = fieldsOf(*parsed_);
  return f.hasSubjectUID ? hex(bitStringBytes(f.subjectUID)) : std::string();
}

std::string X509Certificate::subjectPublicKeyAlgorithmOID() const {
  CBS spki = fieldsOf(*parsed_).spki, contents, algorithm;
  if (!CBS_get_asn1(&spki, &contents, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&contents, &algorithm, CBS_ASN1_SEQUENCE))
    return {};
  return oidText(&algorithm);
}

std::string X509Certificate::subjectPublicKey() const {
  CBS spki = fieldsOf(*parsed_).spki, contents, key;
  if (!CBS_get_asn1(&spki, &contents, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&contents, nullptr, CBS_ASN1_SEQUENCE) ||
      !CBS_get_asn1(&contents, &key, CBS_ASN1_BITSTRING))
    return {};
  return hex(bitStringBytes(key));
}

double X509Certificate::validNotBefore() const {
  return parsed_->notBefore;
}

double X509Certificate::validNotAfter() const {
  return parsed_->notAfter;
}

utils::ByteArray X509Certificate::encoded() const {
  return utils::ByteArray(CRYPTO_BUFFER_data(parsed_->buffer.get()),
                          CRYPTO_BUFFER_len(parsed_->buffer.get()));
}

// --- not in AIR --------------------------------------------------------------------------------

std::basic_string_view<std::uint8_t> X509Certificate::der() const noexcept {
  return {CRYPTO_BUFFER_data(parsed_->buffer.get()), CRYPTO_BUFFER_len(parsed_->buffer.get())};
}

std::string X509Certificate::spkiSha256() const {
  CBS spki = fieldsOf(*parsed_).spki;
  std::uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(CBS_data(&spki), CBS_len(&spki), digest);
  char base64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  std::size_t length =
      EVP_EncodeBlock(reinterpret_cast<std::uint8_t*>(base64), digest, sizeof digest);
  return std::string(base64, length);
}

namespace {

// forEachAltName calls `fn` with each subjectAltName entry; none when the extension is absent,
// repeated or malformed.
template <typename Fn>
void forEachAltName(const X509* x509, Fn fn) {
  int critical = 0;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, &critical, nullptr));
  if (names == nullptr) {
    ERR_clear_error();
    return;
  }
  for (std::size_t i = 0; i < sk_GENERAL_NAME_num(names); ++i) fn(*sk_GENERAL_NAME_value(names, i));
  GENERAL_NAMES_free(names);
}

}  // namespace

std::vector<std::string> X509Certificate::dnsNames() const {
  std::vector<std::string> out;
  forEachAltName(parsed_->x509.get(), [&](const GENERAL_NAME& name) {
    if (name.type != GEN_DNS) return;
    const ASN1_STRING* s = name.d.dNSName;
    out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
  });
  return out;
}

std::vector<std::string> X509Certificate::ipAddresses() const {
  std::vector<std::string> out;
  forEachAltName(parsed_->x509.get(), [&](const GENERAL_NAME& name) {
    if (name.type != GEN_IPADD) return;
    const ASN1_STRING* s = name.d.iPAddress;
    char text[INET6_ADDRSTRLEN];
    int length = ASN1_STRING_length(s);
    int family = length == 4 ? AF_INET : length == 16 ? AF_INET6 : AF_UNSPEC;
    if (family != AF_UNSPEC && inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text))
      out.emplace_back(text);
  });
  return out;
}

std::string X509Certificate::toPEM() const {
  std::basic_string_view<std::uint8_t> bytes = der();
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  char line[65];
  for (std::size_t i = 0; i < bytes.size(); i += 48) {
    std::size_t chunk = bytes.size() - i < 48 ? bytes.size() - i : 48;
    std::size_t length =
        EVP_EncodeBlock(reinterpret_cast<std::uint8_t*>(line), bytes.data() + i, chunk);
    out.append(line, length);
    out += '\n';
  }
  out += "-----END CERTIFICATE-----\n";
  return out;
}

}  // namespace as3::security
