// as3net's one certificate validation policy (docs/security.md). BoringSSL builds the path and
// checks signatures, CA constraints, path lengths, name constraints, critical extensions and
// the purpose; this file adds what that 2022 BoringSSL does not enforce (validity with
// inclusive ends, key sizes and curves, SHA-1 and MD5, a CA as the leaf, strict RFC 6125 name
// matching, name constraints against the host itself, CRLs, pins, profile checks), then maps
// every finding to exactly one CertificateStatus.
#include "as3/security/CertificateValidator.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/base64.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "as3/security/CertificateStatus.h"
#include "errors/detail/Throw.h"
#include "security/detail/Certificate.h"
#include "security/detail/Validation.h"
#include "utils/detail/Text.h"

namespace as3::security {

namespace {

using errors::detail::kInvalidParameter;
using errors::detail::throwErrorWithDetail;

// The longest path accepted: a leaf, at most this many intermediates, and the anchor. Web PKI
// paths have one or two intermediates; mozilla::pkix allows six.
constexpr std::size_t kMaxIntermediates = 8;

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using GeneralNames = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using NameConstraints =
    std::unique_ptr<NAME_CONSTRAINTS, Deleter<NAME_CONSTRAINTS, NAME_CONSTRAINTS_free>>;
using AuthorityInfoAccess =
    std::unique_ptr<AUTHORITY_INFO_ACCESS,
                    Deleter<AUTHORITY_INFO_ACCESS, AUTHORITY_INFO_ACCESS_free>>;
using ExtendedKeyUsage =
    std::unique_ptr<EXTENDED_KEY_USAGE, Deleter<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>>;
using Pin = std::array<std::uint8_t, SHA256_DIGEST_LENGTH>;

// --- verdicts ------------------------------------------------------------------------------------

// The statuses in order of precedence: when several checks fail, the verdict is the first of
// these that any of them gave (docs/security.md).
constexpr std::string_view kPrecedence[] = {
    CertificateStatus::UNTRUSTED_SIGNERS,
    CertificateStatus::INVALID_CHAIN,
    CertificateStatus::REVOKED,
    CertificateStatus::INVALID,
    CertificateStatus::EXPIRED,
    CertificateStatus::NOT_YET_VALID,
    CertificateStatus::PRINCIPAL_MISMATCH,
};

int rankOf(std::string_view status) {
  for (std::size_t i = 0; i < std::size(kPrecedence); ++i)
    if (kPrecedence[i] == status) return static_cast<int>(i);
  return static_cast<int>(std::size(kPrecedence));
}

// Findings keeps the most important failure found so far (the first of its rank).
class Findings {
 public:
  void add(std::string_view status, std::string reason) {
    int rank = rankOf(status);
    if (found_ && rank >= rank_) return;
    found_ = true;
    rank_ = rank;
    status_ = status;
    reason_ = std::move(reason);
  }
  bool any() const noexcept { return found_; }
  bool has(std::string_view status) const noexcept { return found_ && status_ == status; }
  std::string_view status() const noexcept { return status_; }
  std::string& reason() noexcept { return reason_; }

 private:
  bool found_ = false;
  int rank_ = 0;
  std::string_view status_;
  std::string reason_;
};

// --- small readers -------------------------------------------------------------------------------

std::string nameText(const X509_NAME* name) {
  if (name == nullptr || X509_NAME_entry_count(name) == 0) return "(empty name)";
  bssl::UniquePtr<BIO> bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    ERR_clear_error();
    return "(unprintable name)";
  }
  const std::uint8_t* data = nullptr;
  std::size_t length = 0;
  BIO_mem_contents(bio.get(), &data, &length);
  std::string out(reinterpret_cast<const char*>(data), length);
  if (out.size() > 160) {
    std::size_t cut = 157;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // whole chars
    out = out.substr(0, cut) + "...";
  }
  return out;
}

// printableText keeps a reason readable and valid UTF-8 whatever a certificate holds: well-formed
// UTF-8 stays, control characters and bytes that are not UTF-8 become \xNN.
std::string printableText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto escape = [&out](unsigned char c) {
    static const char kHex[] = "0123456789ABCDEF";
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F)
        escape(c);
      else
        out += static_cast<char>(c);
      ++i;
      continue;
    }
    // The SDK's one UTF-8 decoder; it keeps encoded surrogates, which are not UTF-8 proper.
    std::uint32_t point = 0;
    const std::size_t length = utils::detail::decodeUtf8Char(
        reinterpret_cast<const std::uint8_t*>(text.data()) + i, text.size() - i, &point);
    if (length == 0 || (point >= 0xD800 && point <= 0xDFFF)) {
      escape(c);
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view stringOf(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                          static_cast<std::size_t>(ASN1_STRING_length(s)));
}

// isHostname says whether `name` is in the preferred name syntax (RFC 1034 3.5, RFC 1123 2.1):
// dot-separated labels of letters, digits and inner hyphens, 1 to 63 bytes each, 253 in all.
// No trailing dot, no underscore, no wildcard, ASCII only.
bool isHostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t labelStart = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      std::size_t length = i - labelStart;
      if (length == 0 || length > 63) return false;
      if (name[labelStart] == '-' || name[i - 1] == '-') return false;
      labelStart = i + 1;
      continue;
    }
    char c = name[i];
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::size_t labelCount(std::string_view name) {
  return static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1;
}

// isWildcardPattern says whether `name` is `*.` followed by a hostname of two labels or more:
// the only wildcard as3net matches (RFC 6125 6.4.3, CA/B Forum "Wildcard Domain Name").
bool isWildcardPattern(std::string_view name) {
  if (name.size() < 3 || name[0] != '*' || name[1] != '.') return false;
  std::string_view rest = name.substr(2);
  return isHostname(rest) && labelCount(rest) >= 2;
}

// dnsMatches says whether a presented DNS identifier (a SAN entry) matches the reference host
// (a valid hostname in lower case).
bool dnsMatches(std::string_view presented, std::string_view host) {
  if (isHostname(presented)) return equalsIgnoringCase(presented, host);
  if (!isWildcardPattern(presented)) return false;
  std::size_t dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  return equalsIgnoringCase(presented.substr(2), host.substr(dot + 1));
}

// dnsWithinConstraint says whether `name` lies in the subtree of a dNSName constraint: the
// constraint itself or any name made by adding labels on its left (RFC 5280 4.2.1.10). The empty
// constraint holds every name.
bool dnsWithinConstraint(std::string_view name, std::string_view constraint) {
  if (constraint.empty()) return true;
  if (name.size() < constraint.size()) return false;
  if (!equalsIgnoringCase(name.substr(name.size() - constraint.size()), constraint)) return false;
  return name.size() == constraint.size() || name[name.size() - constraint.size() - 1] == '.';
}

bool ipWithinConstraint(const detail::IpAddress& ip, const ASN1_OCTET_STRING* constraint) {
  std::string_view c = stringOf(constraint);
  if (c.size() != ip.length * 2) return false;
  for (std::size_t i = 0; i < ip.length; ++i) {
    auto mask = static_cast<std::uint8_t>(c[ip.length + i]);
    if ((ip.bytes[i] & mask) != (static_cast<std::uint8_t>(c[i]) & mask)) return false;
  }
  return true;
}

// isCidr says whether an iPAddress constraint is an address and a contiguous mask (RFC 5280
// 4.2.1.10: 8 bytes for IPv4, 32 for IPv6).
bool isCidr(std::string_view c) {
  if (c.size() != 8 && c.size() != 32) return false;
  std::size_t half = c.size() / 2;
  bool zeros = false;
  for (std::size_t i = 0; i < half; ++i) {
    auto m = static_cast<std::uint8_t>(c[half + i]);
    for (int bit = 7; bit >= 0; --bit) {
      bool set = (m >> bit) & 1;
      if (set && zeros) return false;
      if (!set) zeros = true;
    }
  }
  return true;
}

Pin spkiSha256(X509* x509) {
  Pin out{};
  std::uint8_t* der = nullptr;
  int length = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), &der);
  if (length > 0) SHA256(der, static_cast<std::size_t>(length), out.data());
  OPENSSL_free(der);
  ERR_clear_error();
  return out;
}

bool decodeBase64(std::string_view text, std::vector<std::uint8_t>* out) {
  std::size_t maxLength = 0;
  if (!EVP_DecodedLength(&maxLength, text.size())) return false;
  out->resize(maxLength);
  std::size_t length = 0;
  if (!EVP_DecodeBase64(out->data(), &length, maxLength,
                        reinterpret_cast<const std::uint8_t*>(text.data()), text.size())) {
    ERR_clear_error();
    return false;
  }
  out->resize(length);
  return true;
}

// extensionCriticality is -1 when `x509` lacks the extension, else whether it is critical.
int extensionCriticality(const X509* x509, int nid) {
  int index = X509_get_ext_by_NID(x509, nid, -1);
  if (index < 0) return -1;
  return X509_EXTENSION_get_critical(X509_get_ext(x509, index)) ? 1 : 0;
}

// --- the certificates of one validation ----------------------------------------------------------

// Path names the certificates of the chain being judged, for reasons in words.
struct Path {
  std::vector<X509*> certs;  // leaf first
  bool anchored = false;     // the last one is a trust anchor

  std::size_t size() const noexcept { return certs.size(); }
  bool isAnchor(std::size_t i) const noexcept { return anchored && i + 1 == certs.size(); }

  std::string describe(std::size_t i) const {
    std::string subject = i < certs.size() ? nameText(X509_get_subject_name(certs[i])) : "?";
    if (i == 0) return "the leaf certificate \"" + subject + "\"";
    if (isAnchor(i)) return "the trust anchor \"" + subject + "\"";
    return "intermediate certificate #" + std::to_string(i) + " \"" + subject + "\"";
  }
  // Defects of the leaf itself make the verdict "invalid"; of a CA in its chain "invalidChain".
  std::string_view statusFor(std::size_t i) const noexcept {
    return i == 0 ? CertificateStatus::INVALID : CertificateStatus::INVALID_CHAIN;
  }
};

// --- BoringSSL's verdicts --------------------------------------------------------------------

struct VerifyError {
  int code;
  int depth;
  X509* cert;  // borrowed from the chain
};

struct Collector {
  std::vector<VerifyError> errors;
};

int collectorIndex() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// softError says whether verification should go on after `code`: validity is judged again
// here with RFC 5280's inclusive bounds, and a name mismatch must not hide a broken chain.
bool softError(int code) {
  switch (code) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
    // This BoringSSL has no iPAddress name constraints; checkNameConstraints() judges them,
    // and any other name type it cannot check.
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
      return true;
    default:
      return false;
  }
}

int verifyCallback(int ok, X509_STORE_CTX* ctx) {
  if (ok) return 1;
  auto* collector = static_cast<Collector*>(X509_STORE_CTX_get_ex_data(ctx, collectorIndex()));
  int code = X509_STORE_CTX_get_error(ctx);
  if (collector)
    collector->errors.push_back(
        {code, X509_STORE_CTX_get_error_depth(ctx), X509_STORE_CTX_get_current_cert(ctx)});
  return softError(code) ? 1 : 0;
}

std::size_t positionOf(const Path& path, const VerifyError& e) {
  for (std::size_t i = 0; i < path.size(); ++i)
    if (path.certs[i] == e.cert) return i;
  return e.depth >= 0 ? static_cast<std::size_t>(e.depth) : 0;
}

// refusedIssuer explains a missing issuer: BoringSSL reports "no issuer" also when the issuer is
// there but may not issue (not a CA, no keyCertSign, a malformed extension). Then the chain is
// broken, not untrusted. Empty when no candidate with the right name and key exists.
std::string refusedIssuer(X509* subject, const std::vector<X509*>& candidates,
                          const std::vector<X509*>& path) {
  for (X509* candidate : candidates) {
    if (std::find(path.begin(), path.end(), candidate) != path.end() ||
        X509_NAME_cmp(X509_get_subject_name(candidate), X509_get_issuer_name(subject)) != 0)
      continue;
    bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(candidate));
    bool signs = key && X509_verify(subject, key.get()) == 1;
    ERR_clear_error();
    if (!signs) continue;
    std::string name = "\"" + nameText(X509_get_subject_name(candidate)) + "\"";
    uint32_t flags = X509_get_extension_flags(candidate);
    if (flags & EXFLAG_INVALID) return name + " has a malformed extension";
    if (!(flags & EXFLAG_CA)) return name + " is not a CA (basicConstraints cA is not set)";
    switch (X509_check_issued(candidate, subject)) {
      case X509_V_OK:
        continue;  // usable: not the reason (a cycle, say)
      case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
        return "the key usage of " + name + " does not allow signing certificates";
      case X509_V_ERR_AKID_SKID_MISMATCH:
      case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
        return "the authority key identifier does not match " + name;
      default:
        return name + " may not issue certificates";
    }
  }
  return {};
}

void mapVerifyError(const VerifyError& e, const Path& path, std::string_view host,
                    const std::vector<X509*>& candidates, Findings* findings) {
  std::size_t i = positionOf(path, e);
  auto who = [&] { return path.describe(i); };
  std::string issuer = e.cert ? nameText(X509_get_issuer_name(e.cert)) : "?";
  switch (e.code) {
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return;  // judged by checkValidity()
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE:
      return;  // judged by checkNameConstraints()
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      if (!path.anchored && path.size() >= kMaxIntermediates + 2) {
        // Building stopped at the depth limit before any anchor was in reach.
        findings->add(CertificateStatus::INVALID_CHAIN, "the chain has more than " +
                                                            std::to_string(kMaxIntermediates) +
                                                            " intermediate certificates");
        return;
      }
      if (std::string why = e.cert ? refusedIssuer(e.cert, candidates, path.certs) : std::string();
          !why.empty()) {
        findings->add(CertificateStatus::INVALID_CHAIN,
                      "the issuer of " + who() + " cannot be used: " + why);
        return;
      }
      findings->add(CertificateStatus::UNTRUSTED_SIGNERS,
                    "no path to a trust anchor: " + who() + " is issued by \"" + issuer +
                        "\", which is not a trust anchor, and no intermediate supplied leads "
                        "from it to one");
      return;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      findings->add(CertificateStatus::UNTRUSTED_SIGNERS,
                    who() + " is self-signed and is not a trust anchor");
      return;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      findings->add(CertificateStatus::UNTRUSTED_SIGNERS,
                    "no path to a trust anchor: the chain ends at the self-signed " + who() +
                        ", which is not a trust anchor");
      return;
    case X509_V_ERR_CERT_REJECTED:
      findings->add(CertificateStatus::UNTRUSTED_SIGNERS, who() + " is marked as distrusted");
      return;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
    case X509_V_ERR_EMAIL_MISMATCH:
      findings->add(CertificateStatus::PRINCIPAL_MISMATCH,
                    "\"" + std::string(host) +
                        "\" matches none of the subject alternative names of the leaf certificate");
      return;
    case X509_V_ERR_CERT_REVOKED:
      findings->add(CertificateStatus::REVOKED, who() + " is revoked");
      return;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "the signature of " + who() + " does not verify with the key of its issuer \"" +
                        issuer + "\"");
      return;
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "the public key of \"" + issuer +
                        "\" is of an unsupported type or malformed, so the signature of " + who() +
                        " cannot be checked");
      return;
    case X509_V_ERR_UNSPECIFIED:
      // What this BoringSSL reports when name constraints and names are too many to compare.
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "BoringSSL could not complete the checks of " + who() +
                        " (it says so when there are too many names and name constraints to "
                        "compare)");
      return;
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
      findings->add(CertificateStatus::INVALID_CHAIN, "the chain has more than " +
                                                          std::to_string(kMaxIntermediates) +
                                                          " intermediate certificates");
      return;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_INVALID_NON_CA:
      findings->add(
          CertificateStatus::INVALID_CHAIN,
          who() + " issues certificates but is not a CA (basicConstraints cA is not set)");
      return;
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      findings->add(
          CertificateStatus::INVALID_CHAIN,
          "the path length constraint (pathLenConstraint) of a CA above " + who() + " is exceeded");
      return;
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "the key usage of " + who() + " does not allow signing certificates");
      return;
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    who() + " has a critical extension that is not understood");
      return;
    case X509_V_ERR_INVALID_PURPOSE:
      if (i == 0)
        findings->add(CertificateStatus::INVALID,
                      "the key usage or extended key usage of the leaf certificate does not "
                      "allow TLS server authentication");
      else
        findings->add(
            CertificateStatus::INVALID_CHAIN,
            "the extended key usage of " + who() + " does not allow TLS server authentication");
      return;
    case X509_V_ERR_PERMITTED_VIOLATION:
      findings->add(
          CertificateStatus::INVALID_CHAIN,
          who() + " has a name outside the permitted subtrees of a name constraint above it");
      return;
    case X509_V_ERR_EXCLUDED_VIOLATION:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    who() + " has a name in the excluded subtrees of a name constraint above it");
      return;
    case X509_V_ERR_SUBTREE_MINMAX:
    case X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX:
    case X509_V_ERR_UNSUPPORTED_NAME_SYNTAX:
    case X509_V_ERR_NAME_CONSTRAINTS_WITHOUT_SANS:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "the names of " + who() + " cannot be checked against the name constraints " +
                        "above it (" + X509_verify_cert_error_string(e.code) + ")");
      return;
    case X509_V_ERR_INVALID_EXTENSION:
    case X509_V_ERR_INVALID_POLICY_EXTENSION:
    case X509_V_ERR_NO_EXPLICIT_POLICY:
    case X509_V_ERR_SUBJECT_ISSUER_MISMATCH:
    case X509_V_ERR_AKID_SKID_MISMATCH:
    case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
      findings->add(CertificateStatus::INVALID_CHAIN,
                    who() + ": " + X509_verify_cert_error_string(e.code));
      return;
    default:
      findings->add(path.statusFor(i), who() + ": " + X509_verify_cert_error_string(e.code) +
                                           " (X509_V_ERR " + std::to_string(e.code) + ")");
      return;
  }
}

// --- as3net's own checks on the built path -------------------------------------------------------

void checkValidity(const Path& path, std::int64_t now, Findings* findings) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    X509* x = path.certs[i];
    std::int64_t notBefore = 0, notAfter = 0;
    if (!detail::x509TimeToSeconds(X509_get0_notBefore(x), &notBefore) ||
        !detail::x509TimeToSeconds(X509_get0_notAfter(x), &notAfter)) {
      findings->add(path.statusFor(i),
                    "the validity dates of " + path.describe(i) + " are not in DER form");
      continue;
    }
    if (now > notAfter)
      findings->add(CertificateStatus::EXPIRED, path.describe(i) + " expired " +
                                                    std::to_string(now - notAfter) +
                                                    " seconds before the validation time");
    else if (now < notBefore)
      findings->add(CertificateStatus::NOT_YET_VALID, path.describe(i) + " becomes valid " +
                                                          std::to_string(notBefore - now) +
                                                          " seconds after the validation time");
  }
}

// checkKey: RSA of at least 2048 bits in whole bytes, or EC on P-256, P-384 or P-521 with a
// named curve. Every certificate of the path, the anchor too: its key signs the first link.
void checkKey(const Path& path, std::size_t i, Findings* findings) {
  X509* x = path.certs[i];
  auto who = [&] { return path.describe(i); };
  std::string_view status = path.statusFor(i);
  bssl::UniquePtr<EVP_PKEY> key(X509_get_pubkey(x));
  if (!key) {
    ERR_clear_error();
    findings->add(status, "the public key of " + who() + " is of an unsupported type or malformed");
    return;
  }
  switch (EVP_PKEY_id(key.get())) {
    case EVP_PKEY_RSA: {
      unsigned bits = RSA_bits(EVP_PKEY_get0_RSA(key.get()));
      if (bits < 2048)
        findings->add(status, "the RSA key of " + who() + " has " + std::to_string(bits) +
                                  " bits; at least 2048 are required");
      else if (bits % 8 != 0)
        findings->add(status, "the RSA key of " + who() + " has " + std::to_string(bits) +
                                  " bits, not a whole number of bytes");
      return;
    }
    case EVP_PKEY_EC: {
      const EC_GROUP* group = EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key.get()));
      int curve = group ? EC_GROUP_get_curve_name(group) : NID_undef;
      if (curve != NID_X9_62_prime256v1 && curve != NID_secp384r1 && curve != NID_secp521r1) {
        findings->add(status, "the EC key of " + who() + " is not on P-256, P-384 or P-521");
        return;
      }
      // The curve must be named, not spelled out (RFC 5480 2.1.1; CA/B Forum 7.1.3.1.2).
      const ASN1_OBJECT* algorithm = nullptr;
      X509_ALGOR* parameters = nullptr;
      X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &parameters, X509_get_X509_PUBKEY(x));
      int type = V_ASN1_UNDEF;
      const void* value = nullptr;
      if (parameters) X509_ALGOR_get0(&algorithm, &type, &value, parameters);
      if (type != V_ASN1_OBJECT)
        findings->add(status, "the EC key of " + who() +
                                  " spells out its curve's parameters instead of naming the curve");
      return;
    }
    default:
      findings->add(status, "the public key of " + who() +
                                " is neither RSA nor ECDSA (only RSA >= 2048 bits and P-256, "
                                "P-384, P-521 are accepted)");
      return;
  }
}

// checkSignatureAlgorithm: below the anchor, SHA-256 or stronger with RSA (PKCS #1 v1.5 or
// PSS), ECDSA or Ed25519. Never SHA-1 or MD5.
void checkSignatureAlgorithm(const Path& path, std::size_t i, Findings* findings) {
  X509* x = path.certs[i];
  switch (X509_get_signature_nid(x)) {
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption:
    case NID_rsassaPss:
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
    case NID_ED25519:
      return;
    case NID_sha1WithRSAEncryption:
    case NID_ecdsa_with_SHA1:
    case NID_dsaWithSHA1:
    case NID_sha1WithRSA:
      findings->add(path.statusFor(i),
                    path.describe(i) + " is signed with SHA-1, which is no longer accepted");
      return;
    case NID_md5WithRSAEncryption:
    case NID_md4WithRSAEncryption:
    case NID_md2WithRSAEncryption:
      findings->add(path.statusFor(i), path.describe(i) + " is signed with MD5 (or older)");
      return;
    default:
      findings->add(path.statusFor(i),
                    path.describe(i) + " is signed with an algorithm that is not accepted");
      return;
  }
}

// checkProfile: the RFC 5280 and CA/B Forum rules that keep a certificate well-formed.
void checkProfile(const Path& path, std::size_t i, Findings* findings) {
  X509* x = path.certs[i];
  auto who = [&] { return path.describe(i); };
  std::string_view status = path.statusFor(i);
  bool anchor = path.isAnchor(i);
  uint32_t flags = X509_get_extension_flags(x);  // also fills BoringSSL's caches

  if (X509_ALGOR_cmp(X509_get0_tbs_sigalg(x), [&] {
        const X509_ALGOR* outer = nullptr;
        X509_get0_signature(nullptr, &outer, x);
        return outer;
      }()) != 0)
    findings->add(status, who() + " names two different signature algorithms");

  if (flags & EXFLAG_INVALID) findings->add(status, who() + " has a malformed extension");
  if (const STACK_OF(X509_EXTENSION)* extensions = X509_get0_extensions(x)) {
    std::size_t count = sk_X509_EXTENSION_num(extensions);
    for (std::size_t a = 0; a < count; ++a)
      for (std::size_t b = a + 1; b < count; ++b)
        if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(extensions, a)),
                    X509_EXTENSION_get_object(sk_X509_EXTENSION_value(extensions, b))) == 0) {
          findings->add(status, who() + " has the same extension twice (RFC 5280 4.2)");
          a = count;
          break;
        }
  }
  // BoringSSL does not look at the anchor's extensions; an anchor is a certificate like the rest.
  if (anchor && (flags & EXFLAG_CRITICAL))
    findings->add(CertificateStatus::INVALID_CHAIN,
                  who() + " has a critical extension that is not understood");
  if (anchor && i > 0 && !(flags & EXFLAG_CA))
    findings->add(CertificateStatus::INVALID_CHAIN,
                  who() + " issues certificates but is not a CA (basicConstraints cA is not set)");
  // Nor the anchor's path length: RFC 5280 counts the CAs below it that are not self-issued.
  if (long pathLength = X509_get_pathlen(x); anchor && i > 0 && pathLength >= 0) {
    long below = 0;
    for (std::size_t j = 1; j < i; ++j)
      if (X509_NAME_cmp(X509_get_subject_name(path.certs[j]),
                        X509_get_issuer_name(path.certs[j])) != 0)
        ++below;
    if (below > pathLength)
      findings->add(CertificateStatus::INVALID_CHAIN,
                    who() + " allows " + std::to_string(pathLength) +
                        " intermediate certificates below it (pathLenConstraint) and the path "
                        "has " +
                        std::to_string(below));
  }

  if (!anchor) {
    if (X509_get_version(x) != X509_VERSION_3)
      findings->add(status, who() + " is not an X.509 version 3 certificate");
    const ASN1_INTEGER* serial = X509_get0_serialNumber(x);
    if (serial == nullptr || serial->type == V_ASN1_NEG_INTEGER)
      findings->add(status, who() + " has a negative serial number");
    else if (serial->length > 20)
      findings->add(status, who() + " has a serial number longer than 20 bytes");
    else if (std::all_of(serial->data, serial->data + serial->length,
                         [](unsigned char b) { return b == 0; }))
      findings->add(status, who() + " has the serial number zero");
    if (X509_NAME_entry_count(X509_get_issuer_name(x)) == 0)
      findings->add(status, who() + " has an empty issuer name");
  }

  // Extensions that conforming CAs must never mark critical (RFC 5280 4.2.1.1, 4.2.1.2, 4.2.2.1).
  if (extensionCriticality(x, NID_authority_key_identifier) == 1)
    findings->add(status, who() + " marks its authority key identifier critical");
  if (extensionCriticality(x, NID_subject_key_identifier) == 1)
    findings->add(status, who() + " marks its subject key identifier critical");
  if (extensionCriticality(x, NID_info_access) == 1)
    findings->add(status, who() + " marks its authority information access critical");
  if (extensionCriticality(x, NID_policy_constraints) == 0)
    findings->add(status, who() + " does not mark its policy constraints critical");

  int critical = -1;
  if (extensionCriticality(x, NID_info_access) >= 0) {
    AuthorityInfoAccess aia(static_cast<AUTHORITY_INFO_ACCESS*>(
        X509_get_ext_d2i(x, NID_info_access, &critical, nullptr)));
    ERR_clear_error();
    if (!aia || sk_ACCESS_DESCRIPTION_num(aia.get()) == 0)
      findings->add(status, who() + " has a malformed authority information access extension");
  }

  if (i != 0 && X509_NAME_entry_count(X509_get_subject_name(x)) == 0)
    findings->add(status, who() + " is a CA with an empty subject name");
}

// checkLeaf: what only the leaf must satisfy.
void checkLeaf(const Path& path, Findings* findings) {
  X509* leaf = path.certs[0];
  auto who = [&] { return path.describe(0); };
  if (X509_get_extension_flags(leaf) & EXFLAG_CA)
    findings->add(CertificateStatus::INVALID,
                  who() +
                      " is a CA certificate (basicConstraints cA is set); a CA is never "
                      "accepted as a server's certificate");
  if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
      (X509_get_key_usage(leaf) & KU_KEY_CERT_SIGN))
    findings->add(CertificateStatus::INVALID,
                  who() + " has the keyCertSign key usage, which only CA certificates may have");
  if (extensionCriticality(leaf, NID_name_constraints) >= 0)
    findings->add(CertificateStatus::INVALID,
                  who() + " has a name constraints extension, which only CA certificates may have");
  int critical = -1;
  if (extensionCriticality(leaf, NID_ext_key_usage) >= 0) {
    ExtendedKeyUsage eku(static_cast<EXTENDED_KEY_USAGE*>(
        X509_get_ext_d2i(leaf, NID_ext_key_usage, &critical, nullptr)));
    ERR_clear_error();
    bool serverAuth = false;
    if (eku)
      for (std::size_t k = 0; k < sk_ASN1_OBJECT_num(eku.get()); ++k)
        if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku.get(), k)) == NID_server_auth) serverAuth = true;
    if (!serverAuth)
      findings->add(CertificateStatus::INVALID,
                    "the extended key usage of " + who() +
                        " does not list TLS server authentication (serverAuth)");
  }
  // The subject alternative name: critical exactly when the subject is empty (RFC 5280
  // 4.2.1.6, CA/B Forum 7.1.2.7.12).
  int sanCritical = extensionCriticality(leaf, NID_subject_alt_name);
  bool emptySubject = X509_NAME_entry_count(X509_get_subject_name(leaf)) == 0;
  if (sanCritical == 0 && emptySubject)
    findings->add(CertificateStatus::INVALID,
                  who() +
                      " has an empty subject but does not mark its subject alternative names "
                      "critical");
  if (sanCritical >= 0) {
    GeneralNames names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(leaf, NID_subject_alt_name, &critical, nullptr)));
    ERR_clear_error();
    if (critical == -2)
      findings->add(CertificateStatus::INVALID,
                    who() + " has the subject alternative name extension twice (RFC 5280 4.2)");
    else if (!names || sk_GENERAL_NAME_num(names.get()) == 0)
      findings->add(CertificateStatus::INVALID,
                    who() + " has a malformed subject alternative name extension");
  }
}

// checkNameConstraints: every name constraints extension of a CA in the path is well-formed
// (RFC 5280 4.2.1.10), and the host itself, not only the names in the leaf, lies inside all of
// them: a wildcard in the leaf must not reach a name a constraint excludes (CVE-2025-61727).
void checkNameConstraints(const Path& path, std::size_t i, std::string_view dnsHost,
                          const detail::IpAddress* ipHost, Findings* findings) {
  X509* x = path.certs[i];
  if (extensionCriticality(x, NID_name_constraints) < 0) return;
  auto who = [&] { return path.describe(i); };
  int critical = -1;
  NameConstraints nc(static_cast<NAME_CONSTRAINTS*>(
      X509_get_ext_d2i(x, NID_name_constraints, &critical, nullptr)));
  ERR_clear_error();
  std::size_t permitted =
      nc && nc->permittedSubtrees ? sk_GENERAL_SUBTREE_num(nc->permittedSubtrees) : 0;
  std::size_t excluded =
      nc && nc->excludedSubtrees ? sk_GENERAL_SUBTREE_num(nc->excludedSubtrees) : 0;
  if (!nc || permitted + excluded == 0) {
    findings->add(CertificateStatus::INVALID_CHAIN,
                  who() + " has a malformed or empty name constraints extension");
    return;
  }
  auto wellFormed = [&](const STACK_OF(GENERAL_SUBTREE) * subtrees) {
    for (std::size_t k = 0; subtrees && k < sk_GENERAL_SUBTREE_num(subtrees); ++k) {
      const GENERAL_SUBTREE* s = sk_GENERAL_SUBTREE_value(subtrees, k);
      if (s->base->type == GEN_DNS) {
        std::string_view base = stringOf(s->base->d.dNSName);
        if (!base.empty() && !isHostname(base)) return false;
      } else if (s->base->type == GEN_IPADD) {
        if (!isCidr(stringOf(s->base->d.iPAddress))) return false;
      }
    }
    return true;
  };
  if (!wellFormed(nc->permittedSubtrees) || !wellFormed(nc->excludedSubtrees)) {
    findings->add(CertificateStatus::INVALID_CHAIN,
                  who() + " has a name constraint that is not a valid DNS name or IP range");
    return;
  }
  // The names of every certificate below, for the types this BoringSSL does not check (IP
  // addresses, and names of types nobody can check), and DNS names again with RFC 5280's syntax.
  auto hasType = [](const STACK_OF(GENERAL_SUBTREE) * subtrees, int type) {
    for (std::size_t k = 0; subtrees && k < sk_GENERAL_SUBTREE_num(subtrees); ++k)
      if (sk_GENERAL_SUBTREE_value(subtrees, k)->base->type == type) return true;
    return false;
  };
  auto within = [](const GENERAL_NAME* name, const GENERAL_NAME* base) {
    if (name->type == GEN_DNS)
      return dnsWithinConstraint(stringOf(name->d.dNSName), stringOf(base->d.dNSName));
    std::string_view ip = stringOf(name->d.iPAddress);
    detail::IpAddress address;
    address.length = ip.size();
    std::memcpy(address.bytes, ip.data(), ip.size());
    return ipWithinConstraint(address, base->d.iPAddress);
  };
  for (std::size_t j = 0; j < i; ++j) {
    X509* below = path.certs[j];
    // Self-issued intermediates are exempt (RFC 5280 4.2.1.10); the leaf never is.
    if (j > 0 && X509_NAME_cmp(X509_get_subject_name(below), X509_get_issuer_name(below)) == 0)
      continue;
    GeneralNames names(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(below, NID_subject_alt_name, &critical, nullptr)));
    ERR_clear_error();
    for (std::size_t k = 0; names && k < sk_GENERAL_NAME_num(names.get()); ++k) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), k);
      int type = name->type;
      // Directory names, e-mail addresses and URIs: BoringSSL checks them.
      if (type == GEN_DIRNAME || type == GEN_EMAIL || type == GEN_URI) continue;
      bool constrained =
          hasType(nc->permittedSubtrees, type) || hasType(nc->excludedSubtrees, type);
      if (!constrained) continue;
      std::string what;
      if (type == GEN_DNS) {
        std::string_view dns = stringOf(name->d.dNSName);
        if (!isHostname(dns) && !isWildcardPattern(dns))
          what = "the DNS name \"" + std::string(dns) + "\"";
      } else if (type == GEN_IPADD) {
        std::size_t length = stringOf(name->d.iPAddress).size();
        if (length != 4 && length != 16)
          what = "an IP address of " + std::to_string(length) + " bytes";
      } else {
        what = "a name of a type that cannot be checked";
      }
      if (!what.empty()) {
        findings->add(CertificateStatus::INVALID_CHAIN,
                      path.describe(j) + " has " + what +
                          ", which cannot be checked against the name constraints of " + who());
        return;
      }
      std::string text =
          type == GEN_DNS ? "\"" + std::string(stringOf(name->d.dNSName)) + "\"" : "an IP address";
      for (std::size_t e = 0; e < excluded; ++e) {
        const GENERAL_SUBTREE* s = sk_GENERAL_SUBTREE_value(nc->excludedSubtrees, e);
        if (s->base->type == type && within(name, s->base)) {
          findings->add(CertificateStatus::INVALID_CHAIN, path.describe(j) + " names " + text +
                                                              ", which the name constraints of " +
                                                              who() + " exclude");
          return;
        }
      }
      if (!hasType(nc->permittedSubtrees, type)) continue;
      bool inside = false;
      for (std::size_t p = 0; p < permitted && !inside; ++p) {
        const GENERAL_SUBTREE* s = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, p);
        inside = s->base->type == type && within(name, s->base);
      }
      if (!inside) {
        findings->add(CertificateStatus::INVALID_CHAIN,
                      path.describe(j) + " names " + text +
                          ", which is outside the names the name constraints of " + who() +
                          " permit");
        return;
      }
    }
  }

  if (dnsHost.empty() && ipHost == nullptr) return;
  auto matches = [&](const GENERAL_SUBTREE* s) {
    if (ipHost)
      return s->base->type == GEN_IPADD && ipWithinConstraint(*ipHost, s->base->d.iPAddress);
    return s->base->type == GEN_DNS && dnsWithinConstraint(dnsHost, stringOf(s->base->d.dNSName));
  };
  int wantedType = ipHost ? GEN_IPADD : GEN_DNS;
  std::string host = ipHost ? detail::ipText(*ipHost) : std::string(dnsHost);
  for (std::size_t k = 0; k < excluded; ++k)
    if (matches(sk_GENERAL_SUBTREE_value(nc->excludedSubtrees, k))) {
      findings->add(CertificateStatus::INVALID_CHAIN,
                    "the name constraints of " + who() + " exclude \"" + host + "\"");
      return;
    }
  bool anyOfType = false, inside = false;
  for (std::size_t k = 0; k < permitted; ++k) {
    const GENERAL_SUBTREE* s = sk_GENERAL_SUBTREE_value(nc->permittedSubtrees, k);
    if (s->base->type != wantedType) continue;
    anyOfType = true;
    if (matches(s)) inside = true;
  }
  if (anyOfType && !inside)
    findings->add(
        CertificateStatus::INVALID_CHAIN,
        "\"" + host + "\" is outside the names permitted by the name constraints of " + who());
}

// checkHost: RFC 6125 against the leaf's subject alternative names only, never the common name.
void checkHost(const Path& path, std::string_view dnsHost, const detail::IpAddress* ipHost,
               Findings* findings) {
  X509* leaf = path.certs[0];
  int critical = -1;
  GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(leaf, NID_subject_alt_name, &critical, nullptr)));
  ERR_clear_error();
  std::string host = ipHost ? detail::ipText(*ipHost) : std::string(dnsHost);
  if (!names) {
    findings->add(CertificateStatus::PRINCIPAL_MISMATCH,
                  "the leaf certificate has no subject alternative names, so it names no host "
                  "(the common name is never used); \"" +
                      host + "\" was expected");
    return;
  }
  for (std::size_t k = 0; k < sk_GENERAL_NAME_num(names.get()); ++k) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), k);
    if (ipHost) {
      if (name->type != GEN_IPADD) continue;
      std::string_view bytes = stringOf(name->d.iPAddress);
      if (bytes.size() == ipHost->length &&
          std::memcmp(bytes.data(), ipHost->bytes, ipHost->length) == 0)
        return;
    } else if (name->type == GEN_DNS && dnsMatches(stringOf(name->d.dNSName), dnsHost)) {
      return;
    }
  }
  findings->add(CertificateStatus::PRINCIPAL_MISMATCH,
                std::string("\"") + host + "\" matches none of the " +
                    (ipHost ? "IP address" : "DNS name") +
                    " subject alternative names of the leaf certificate");
}

// checkRevocation: each certificate below the anchor against the CRLs its issuer signed. A CRL
// whose issuer name is not the certificate's, or whose signature does not verify with the
// issuer's key, is not about it. One that is but cannot be relied on fails the validation.
void checkRevocation(const Path& path, const std::vector<bssl::UniquePtr<X509_CRL>>& crls,
                     std::int64_t now, Findings* findings) {
  if (crls.empty()) return;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    X509* x = path.certs[i];
    X509* issuer = path.certs[i + 1];
    auto who = [&] { return path.describe(i); };
    auto by = [&] { return path.describe(i + 1); };
    bssl::UniquePtr<EVP_PKEY> issuerKey(X509_get_pubkey(issuer));
    ERR_clear_error();
    if (!issuerKey) continue;
    for (const auto& crl : crls) {
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_issuer_name(x)) != 0) continue;
      if (X509_CRL_verify(crl.get(), issuerKey.get()) != 1) {
        ERR_clear_error();
        continue;
      }
      if ((X509_get_extension_flags(issuer) & EXFLAG_KUSAGE) &&
          !(X509_get_key_usage(issuer) & KU_CRL_SIGN)) {
        findings->add(CertificateStatus::INVALID,
                      "a CRL for " + who() + " is signed by " + by() +
                          ", whose key usage does not allow signing CRLs (cRLSign)");
        continue;
      }
      int numberIndex = X509_CRL_get_ext_by_NID(crl.get(), NID_crl_number, -1);
      if (numberIndex < 0) {
        findings->add(CertificateStatus::INVALID,
                      "the CRL of " + by() + " has no CRL number (RFC 5280 5.2.3)");
        continue;
      }
      if (X509_EXTENSION_get_critical(X509_CRL_get_ext(crl.get(), numberIndex))) {
        findings->add(CertificateStatus::INVALID,
                      "the CRL of " + by() + " marks its CRL number critical (RFC 5280 5.2.3)");
        continue;
      }
      bool unsupported = false;
      for (int k = 0; k < X509_CRL_get_ext_count(crl.get()); ++k) {
        X509_EXTENSION* ext = X509_CRL_get_ext(crl.get(), k);
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        if (X509_EXTENSION_get_critical(ext) && nid != NID_crl_number &&
            nid != NID_authority_key_identifier)
          unsupported = true;
      }
      if (unsupported) {
        findings->add(CertificateStatus::INVALID,
                      "the CRL of " + by() +
                          " has a critical extension as3net does not support (partitioned or "
                          "delta CRLs are not)");
        continue;
      }
      std::int64_t thisUpdate = 0, nextUpdate = 0;
      const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
      if (!detail::x509TimeToSeconds(X509_CRL_get0_lastUpdate(crl.get()), &thisUpdate) ||
          (next && !detail::x509TimeToSeconds(next, &nextUpdate))) {
        findings->add(CertificateStatus::INVALID,
                      "the dates of the CRL of " + by() + " are not in DER form");
        continue;
      }
      if (thisUpdate > now) {
        findings->add(CertificateStatus::INVALID,
                      "the CRL of " + by() + " is not valid yet at the validation time");
        continue;
      }
      if (next && nextUpdate < now) {
        findings->add(CertificateStatus::INVALID,
                      "the CRL of " + by() + " is out of date: its next update was due " +
                          std::to_string(now - nextUpdate) + " seconds before the validation time");
        continue;
      }
      X509_REVOKED* entry = nullptr;
      if (X509_CRL_get0_by_serial(crl.get(), &entry,
                                  const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(x))) == 1)
        findings->add(CertificateStatus::REVOKED, who() + " is revoked by the CRL of " + by());
      ERR_clear_error();
    }
  }
}

std::int64_t currentTime() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

}  // namespace

// --- the validator's configuration --------------------------------------------------------------

struct CertificateValidator::State {
  bool systemAnchors = false;                  // TrustStore::system(), resolved on first use
  std::shared_ptr<const TrustStore> store;     // may be null
  std::vector<X509Certificate> anchors;        // addAnchor
  std::vector<X509Certificate> intermediates;  // addIntermediate
  std::vector<bssl::UniquePtr<X509_CRL>> crls;
  std::vector<Pin> pins;

  // Built on the first validate() and kept while the configuration does not change.
  mutable std::once_flag once;
  mutable bssl::UniquePtr<X509_STORE> x509Store;
  mutable std::unordered_set<const X509*> anchorSet;
  mutable std::unordered_map<const X509*, X509Certificate> byPointer;

  State() = default;
  State(const State& other)
      : systemAnchors(other.systemAnchors),
        store(other.store),
        anchors(other.anchors),
        intermediates(other.intermediates),
        pins(other.pins) {
    crls.reserve(other.crls.size());
    for (const auto& crl : other.crls) {
      X509_CRL_up_ref(crl.get());
      crls.emplace_back(crl.get());
    }
  }
  State& operator=(const State&) = delete;

  void build() const {
    x509Store.reset(X509_STORE_new());
    if (!x509Store) throwErrorWithDetail(errors::detail::kOutOfMemory, {}, "(X509_STORE_new)");
    auto add = [&](const X509Certificate& c) {
      X509* x = detail::x509Of(c);
      if (!anchorSet.insert(x).second) return;
      byPointer.emplace(x, c);
      X509_STORE_add_cert(x509Store.get(), x);  // takes its own reference
    };
    std::shared_ptr<const TrustStore> base = systemAnchors ? TrustStore::system() : store;
    if (base)
      for (const X509Certificate& c : base->anchors()) add(c);
    for (const X509Certificate& c : anchors) add(c);
    ERR_clear_error();
  }
  X509_STORE* x509() const {
    std::call_once(once, [this] { build(); });
    return x509Store.get();
  }
};

CertificateValidator::CertificateValidator() {
  // Every default validator shares one state (copied on write), and so one X509_STORE.
  static const std::shared_ptr<State> kDefault = [] {
    auto state = std::make_shared<State>();
    state->systemAnchors = true;
    return state;
  }();
  state_ = kDefault;
}

CertificateValidator::CertificateValidator(std::shared_ptr<const TrustStore> anchors)
    : state_(std::make_shared<State>()) {
  state_->store = std::move(anchors);
}

CertificateValidator::~CertificateValidator() = default;
CertificateValidator::CertificateValidator(const CertificateValidator&) = default;
CertificateValidator& CertificateValidator::operator=(const CertificateValidator&) = default;

namespace {
// mutableState makes `state` this validator's own before a change (copy on write): copies
// share one configuration, and with it the X509_STORE built from it.
CertificateValidator::State& mutableState(std::shared_ptr<CertificateValidator::State>& state) {
  if (state.use_count() > 1 || state->x509Store)
    state = std::make_shared<CertificateValidator::State>(*state);
  return *state;
}
}  // namespace

void CertificateValidator::addAnchor(const X509Certificate& certificate) {
  mutableState(state_).anchors.push_back(certificate);
}

void CertificateValidator::addIntermediate(const X509Certificate& certificate) {
  mutableState(state_).intermediates.push_back(certificate);
}

std::size_t CertificateValidator::addCRLs(std::string_view data) {
  std::vector<bssl::UniquePtr<X509_CRL>> parsed = detail::parseCRLs(data);
  State& state = mutableState(state_);
  std::size_t count = parsed.size();
  for (auto& crl : parsed) state.crls.push_back(std::move(crl));
  return count;
}

void CertificateValidator::addPin(std::string_view spkiSha256Base64) {
  std::vector<std::uint8_t> bytes;
  if (!decodeBase64(spkiSha256Base64, &bytes) || bytes.size() != SHA256_DIGEST_LENGTH)
    throwErrorWithDetail(kInvalidParameter, {},
                         "(a pin is the base64 of a 32-byte SHA-256 digest of a "
                         "SubjectPublicKeyInfo)");
  Pin pin{};
  std::copy(bytes.begin(), bytes.end(), pin.begin());
  mutableState(state_).pins.push_back(pin);
}

void CertificateValidator::clock(std::function<std::int64_t()> now) {
  if (now)
    clock_ = std::make_shared<const std::function<std::int64_t()>>(std::move(now));
  else
    clock_.reset();
}

// --- validate
// -------------------------------------------------------------------------------------

ValidationResult CertificateValidator::validate(const std::vector<X509Certificate>& presented,
                                                std::string_view host) const {
  ValidationResult result;
  if (presented.empty()) {
    result.status = std::string(CertificateStatus::INVALID);
    result.reason = "no certificate was presented";
    return result;
  }
  const State& state = *state_;
  X509_STORE* store = state.x509();
  const std::int64_t now = time_ != 0 ? time_ : clock_ ? (*clock_)() : currentTime();

  // The host: an IP literal is matched against IP addresses only, anything else is a DNS name.
  detail::IpAddress ip;
  bool isIp = !host.empty() && detail::parseIpLiteral(host, &ip);
  std::string dnsHost;
  if (!host.empty() && !isIp) {
    dnsHost = lower(host);
    if (dnsHost.size() > 1 && dnsHost.back() == '.') dnsHost.pop_back();
  }

  bssl::UniquePtr<STACK_OF(X509)> untrusted(sk_X509_new_null());
  bssl::UniquePtr<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  if (!untrusted || !ctx) throwErrorWithDetail(errors::detail::kOutOfMemory, {}, "(validate)");
  // The stack borrows: X509_STORE_CTX takes its own references to what it uses.
  for (std::size_t i = 1; i < presented.size(); ++i) {
    X509_up_ref(detail::x509Of(presented[i]));
    sk_X509_push(untrusted.get(), detail::x509Of(presented[i]));
  }
  for (const X509Certificate& c : state.intermediates) {
    X509_up_ref(detail::x509Of(c));
    sk_X509_push(untrusted.get(), detail::x509Of(c));
  }
  X509* leaf = detail::x509Of(presented[0]);
  Collector collector;
  Findings findings;
  if (!X509_STORE_CTX_init(ctx.get(), store, leaf, untrusted.get()))
    throwErrorWithDetail(errors::detail::kOutOfMemory, {}, "(X509_STORE_CTX_init)");
  X509_STORE_CTX_set_ex_data(ctx.get(), collectorIndex(), &collector);
  X509_STORE_CTX_set_verify_cb(ctx.get(), verifyCallback);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // X509_STRICT is 0 in this BoringSSL (always strict); PARTIAL_CHAIN makes every anchor given
  // a trust anchor, self-signed or not, as addBinaryChainBuildingCertificate(der, true) asks.
  X509_VERIFY_PARAM_set_flags(
      param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_PARTIAL_CHAIN | X509_V_FLAG_TRUSTED_FIRST);
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(now));
  // BoringSSL's depth counts the certificates above the leaf, the anchor included.
  X509_VERIFY_PARAM_set_depth(param, static_cast<int>(kMaxIntermediates) + 1);
  X509_VERIFY_PARAM_set_hostflags(
      param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (isIp) {
    X509_VERIFY_PARAM_set1_ip(param, ip.bytes, ip.length);
  } else if (!dnsHost.empty()) {
    // The length must be the name's: 0 would make BoringSSL take strlen, and fail on a NUL.
    X509_VERIFY_PARAM_set1_host(param, dnsHost.data(), dnsHost.size());
  }
  int verified = X509_verify_cert(ctx.get());
  ERR_clear_error();

  Path path;
  if (STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get()))
    for (std::size_t i = 0; i < sk_X509_num(chain); ++i)
      path.certs.push_back(sk_X509_value(chain, i));
  if (path.certs.empty()) path.certs.push_back(leaf);
  path.anchored = state.anchorSet.count(path.certs.back()) != 0;

  const std::string hostText = isIp ? detail::ipText(ip) : dnsHost;
  checkLeaf(path, &findings);  // first: "a CA as the leaf" says more than the purpose check
  std::vector<X509*> candidates;
  if (!collector.errors.empty()) {
    for (const X509Certificate& c : presented) candidates.push_back(detail::x509Of(c));
    for (const X509Certificate& c : state.intermediates) candidates.push_back(detail::x509Of(c));
    for (const X509* x : state.anchorSet) candidates.push_back(const_cast<X509*>(x));
  }
  for (const VerifyError& e : collector.errors)
    mapVerifyError(e, path, hostText, candidates, &findings);
  if (verified != 1 && !findings.any())
    findings.add(CertificateStatus::INVALID, "the chain could not be verified");
  if (verified == 1 && !path.anchored)
    findings.add(CertificateStatus::UNTRUSTED_SIGNERS, "the chain does not end at a trust anchor");

  // Everything else is judged on a path that reached an anchor; a missing one says it all.
  if (!findings.has(CertificateStatus::UNTRUSTED_SIGNERS)) {
    checkValidity(path, now, &findings);
    for (std::size_t i = 0; i < path.size(); ++i) {
      checkKey(path, i, &findings);
      if (!path.isAnchor(i)) checkSignatureAlgorithm(path, i, &findings);
      checkProfile(path, i, &findings);
      if (i > 0) checkNameConstraints(path, i, dnsHost, isIp ? &ip : nullptr, &findings);
    }
    checkRevocation(path, state.crls, now, &findings);
    if (!state.pins.empty()) {
      bool pinned = false;
      for (X509* x : path.certs) {
        Pin digest = spkiSha256(x);
        for (const Pin& pin : state.pins) pinned = pinned || pin == digest;
      }
      if (!pinned)
        findings.add(CertificateStatus::INVALID_CHAIN,
                     "no certificate of the verified chain has a public key matching a pin");
    }
    if (isIp || !dnsHost.empty()) {
      if (!isIp && !isHostname(dnsHost))
        findings.add(CertificateStatus::PRINCIPAL_MISMATCH,
                     "\"" + std::string(host) + "\" is not a valid host name or IP address");
      else
        checkHost(path, dnsHost, isIp ? &ip : nullptr, &findings);
    }
  }

  // The chain as certificates: the built path, else what was presented.
  if (!path.anchored || findings.has(CertificateStatus::UNTRUSTED_SIGNERS)) {
    result.chain = presented;
  } else {
    std::unordered_map<const X509*, const X509Certificate*> mine;
    for (const X509Certificate& c : presented) mine.emplace(detail::x509Of(c), &c);
    for (const X509Certificate& c : state.intermediates) mine.emplace(detail::x509Of(c), &c);
    for (X509* x : path.certs) {
      if (auto it = mine.find(x); it != mine.end()) {
        result.chain.push_back(*it->second);
      } else if (auto at = state.byPointer.find(x); at != state.byPointer.end()) {
        result.chain.push_back(at->second);
      } else {
        std::uint8_t* der = nullptr;
        int length = i2d_X509(x, &der);
        bssl::UniquePtr<std::uint8_t> owned(der);
        if (length > 0)
          result.chain.push_back(X509Certificate::fromDER(der, static_cast<std::size_t>(length)));
      }
    }
  }
  if (findings.any()) {
    result.status = std::string(findings.status());
    result.reason = printableText(findings.reason());
  } else {
    result.status = std::string(CertificateStatus::TRUSTED);
  }
  ERR_clear_error();
  return result;
}

// --- shared internals ----------------------------------------------------------------------------

namespace detail {

bool parseIpLiteral(std::string_view text, IpAddress* out) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 45) return false;
  char buffer[64];
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buffer, out->bytes) != 1) return false;
    out->length = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buffer, out->bytes) != 1) return false;
  out->length = 16;
  return true;
}

std::string ipText(const IpAddress& address) {
  char buffer[64] = {};
  inet_ntop(address.length == 4 ? AF_INET : AF_INET6, address.bytes, buffer, sizeof buffer);
  return buffer;
}

bool x509TimeToSeconds(const ASN1_TIME* time, std::int64_t* out) {
  if (time == nullptr) return false;
  std::string_view s = stringOf(time);
  int yearDigits = 0;
  if (time->type == V_ASN1_UTCTIME && s.size() == 13) {
    yearDigits = 2;
  } else if (time->type == V_ASN1_GENERALIZEDTIME && s.size() == 15) {
    yearDigits = 4;
  } else {
    return false;
  }
  if (s.back() != 'Z') return false;
  for (std::size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + (s[at + i] - '0');
    return v;
  };
  std::size_t p = static_cast<std::size_t>(yearDigits);
  int year = number(0, p);
  if (yearDigits == 2) year += year >= 50 ? 1900 : 2000;
  int month = number(p, 2), day = number(p + 2, 2);
  int hour = number(p + 4, 2), minute = number(p + 6, 2), second = number(p + 8, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] ||
      (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
    return false;
  // Days from the civil date (Howard Hinnant's algorithm).
  std::int64_t y = year - (month <= 2 ? 1 : 0);
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = era * 146097 + doe - 719468;
  *out = days * 86400 + hour * 3600 + minute * 60 + second;
  return true;
}

std::vector<bssl::UniquePtr<X509_CRL>> parseCRLs(std::string_view data) {
  std::vector<bssl::UniquePtr<X509_CRL>> out;
  auto parseDer = [&](const std::uint8_t* der, std::size_t length, const char* what) {
    const std::uint8_t* p = der;
    bssl::UniquePtr<X509_CRL> crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(length)));
    if (!crl || p != der + length) {
      ERR_clear_error();
      throwErrorWithDetail(kInvalidParameter, {},
                           std::string("(") + what + " is not a well-formed DER X.509 CRL)");
    }
    out.push_back(std::move(crl));
  };
  constexpr std::string_view kBegin = "-----BEGIN X509 CRL-----";
  constexpr std::string_view kEnd = "-----END X509 CRL-----";
  if (data.find("-----BEGIN ") == std::string_view::npos) {
    if (data.empty()) throwErrorWithDetail(kInvalidParameter, {}, "(the CRL data is empty)");
    parseDer(reinterpret_cast<const std::uint8_t*>(data.data()), data.size(), "the CRL data");
    return out;
  }
  std::size_t at = 0;
  while ((at = data.find(kBegin, at)) != std::string_view::npos) {
    std::size_t bodyStart = at + kBegin.size();
    std::size_t end = data.find(kEnd, bodyStart);
    if (end == std::string_view::npos)
      throwErrorWithDetail(kInvalidParameter, {}, "(a PEM CRL block has no END line)");
    std::string body;
    for (char c : data.substr(bodyStart, end - bodyStart))
      if (c != '\r' && c != '\n' && c != ' ' && c != '\t') body += c;
    std::vector<std::uint8_t> der;
    if (!decodeBase64(body, &der))
      throwErrorWithDetail(kInvalidParameter, {}, "(a PEM CRL block is not valid base64)");
    std::string what = "PEM CRL block #" + std::to_string(out.size() + 1);
    parseDer(der.data(), der.size(), what.c_str());
    at = end + kEnd.size();
  }
  if (out.empty())
    throwErrorWithDetail(kInvalidParameter, {}, "(the PEM data holds no X509 CRL block)");
  return out;
}

ValidationResult validatePeerChain(const CertificateValidator& validator,
                                   const STACK_OF(CRYPTO_BUFFER) * presented,
                                   std::string_view host) {
  std::vector<X509Certificate> chain;
  for (std::size_t i = 0; presented && i < sk_CRYPTO_BUFFER_num(presented); ++i) {
    std::optional<X509Certificate> c =
        tryCertificateFromBuffer(sk_CRYPTO_BUFFER_value(presented, i));
    if (!c) {
      ValidationResult result;
      result.status = std::string(CertificateStatus::INVALID);
      result.reason = "certificate #" + std::to_string(i) + " sent by the peer is malformed";
      return result;
    }
    chain.push_back(std::move(*c));
  }
  return validator.validate(chain, host);
}

}  // namespace detail
}  // namespace as3::security
