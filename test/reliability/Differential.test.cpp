// Differential checking of certificate validation: Frankencerts (Brubaker et al., 2014) judged by
// CertificateValidator and by `openssl verify -x509_strict -purpose sslserver`, side by side.
//
// Donors are every certificate of x509-limbo (../shared/testdata/x509-limbo/limbo.json) and of
// fresh TestCertificateAuthority hierarchies, taken apart here in plain C++ (DER by hand). A mutant
// leaf is a leaf donor rebuilt under this test's CA with 0 to 3 operations: another donor's
// extension, validity, subject, issuer, key, serial, version or inner signature algorithm; an
// extension dropped, duplicated or with its criticality flipped; an unknown critical extension; a
// validity window ending or starting at the validation time; another digest. It hangs below the
// root or below an intermediate rebuilt from a CA donor the same way, and the anchor is the clean
// root or a variant of it. A sweep adds every distinct CA constraint of the donors (basic
// constraints, key usage, extended key usage, name constraints, policies) once in the anchor and
// once in the intermediate, with the leaf of the limbo testcase it came from. Everything is signed
// again (`openssl dgst -sign`, two processes at a time) with keys made for the run, so signatures
// verify and the verdicts depend on the content. Both sides get the same anchor, certificates,
// time and host (one of the leaf's names, now and then spelled differently). Seeded: the same seed
// makes the same mutants on every platform.
//
// The SDK may be stricter than OpenSSL (SHA-1, key sizes, no common-name fallback, a CA as leaf);
// those disagreements are counted. A mutant that the SDK accepts and OpenSSL rejects fails the
// test unless OpenSSL accepts it once relaxed in ways that stand for documented as3net choices,
// and each of its errors is on differential-reviewed.txt beside this file paired with the
// relaxation that removes it (see that file). The table printed counts every kind of agreement
// and disagreement by operation. AS3NET_DIFFERENTIAL_SEED and AS3NET_DIFFERENTIAL_COUNT explore
// other mutants, AS3NET_DIFFERENTIAL_VERBOSE=1 prints every verdict, and the files of a run stay
// in AS3NET_TEST_TMPDIR/differential-<pid> when it fails (or with AS3NET_DIFFERENTIAL_KEEP=1),
// until a later run finds that process gone.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "Json.h"
#include "as3/errors/Error.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/TrustStore.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/Files.h"
#include "support/Process.h"

namespace fs = std::filesystem;
using as3::security::CertificateValidator;
using as3::security::TrustStore;
using as3::security::ValidationResult;
using as3::security::X509Certificate;
using as3::testing::CertificateOptions;
using as3::testing::KeyType;
using as3::testing::TestCertificateAuthority;

namespace {

using Bytes = std::string;  // DER, byte for byte

constexpr std::int64_t kValidationTime = 1717200000;  // 2024-06-01T00:00:00Z
constexpr std::uint64_t kDefaultSeed = 20240601;
constexpr int kDefaultMutants = 600;
constexpr int kIntermediates = 48;  // mutated intermediates, besides a clean one

// ---------------------------------------------------------------------------------------------
// DER, read and written by hand.

Bytes fromHex(std::string_view hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

std::string toHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

struct Tlv {
  std::uint8_t tag = 0;
  std::string_view whole, content;
};

// DerReader walks the elements of `data` in order. next() is false at the end and at malformed
// input, which failed() then tells apart. Only what certificates use: low tag numbers, definite
// lengths of up to 4 bytes.
class DerReader {
 public:
  explicit DerReader(std::string_view data) : rest_(data) {}

  bool next(Tlv* out) {
    if (rest_.empty()) return false;
    if (rest_.size() < 2 || (static_cast<std::uint8_t>(rest_[0]) & 0x1f) == 0x1f) return fail();
    std::size_t header = 2, length = static_cast<std::uint8_t>(rest_[1]);
    if (length & 0x80) {
      const std::size_t n = length & 0x7f;
      if (n == 0 || n > 4 || rest_.size() - 2 < n) return fail();
      length = 0;
      for (std::size_t i = 0; i < n; ++i)
        length = length << 8 | static_cast<std::uint8_t>(rest_[2 + i]);
      header += n;
    }
    if (length > rest_.size() - header) return fail();
    out->tag = static_cast<std::uint8_t>(rest_[0]);
    out->whole = rest_.substr(0, header + length);
    out->content = rest_.substr(header, length);
    rest_.remove_prefix(header + length);
    return true;
  }
  bool failed() const noexcept { return failed_; }

 private:
  bool fail() {
    failed_ = true;
    rest_ = {};
    return false;
  }
  std::string_view rest_;
  bool failed_ = false;
};

Bytes tlv(std::uint8_t tag, std::string_view content) {
  Bytes out(1, static_cast<char>(tag));
  std::size_t n = content.size();
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
  } else {
    Bytes length;
    for (; n != 0; n >>= 8) length.insert(length.begin(), static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(0x80 | length.size()));
    out += length;
  }
  out.append(content);
  return out;
}

Bytes sequence(std::string_view content) {
  return tlv(0x30, content);
}

// utcTime encodes a time of 1950-2049 as RFC 5280 wants it.
Bytes utcTime(std::int64_t secondsSinceEpoch) {
  const std::time_t t = static_cast<std::time_t>(secondsSinceEpoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return tlv(0x17, text);
}

Bytes validity(std::int64_t notBefore, std::int64_t notAfter) {
  return sequence(utcTime(notBefore) + utcTime(notAfter));
}

std::string base64(std::string_view bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16 |
                            static_cast<std::uint8_t>(bytes[i + 1]) << 8 |
                            static_cast<std::uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[v >> shift & 63]);
  }
  if (i < bytes.size()) {
    std::uint32_t v = static_cast<std::uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[v >> 18 & 63]);
    out.push_back(kAlphabet[v >> 12 & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[v >> 6 & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string pem(std::string_view der) {
  const std::string text = base64(der);
  std::string out = "-----BEGIN CERTIFICATE-----\n";
  for (std::size_t i = 0; i < text.size(); i += 64) out += text.substr(i, 64) + "\n";
  return out + "-----END CERTIFICATE-----\n";
}

// pemBlocks decodes every CERTIFICATE block of `text` itself, so that donors BoringSSL would
// refuse to parse are still available for their parts.
std::vector<Bytes> pemBlocks(std::string_view text) {
  static const std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static const std::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<Bytes> out;
  for (std::size_t at = text.find(kBegin); at != std::string_view::npos;
       at = text.find(kBegin, at)) {
    at += kBegin.size();
    const std::size_t end = text.find(kEnd, at);
    if (end == std::string_view::npos) break;
    Bytes der;
    std::uint32_t bits = 0;
    int count = 0;
    for (char c : text.substr(at, end - at)) {
      int v = -1;
      if (c >= 'A' && c <= 'Z') v = c - 'A';
      if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
      if (c >= '0' && c <= '9') v = c - '0' + 52;
      if (c == '+') v = 62;
      if (c == '/') v = 63;
      if (v < 0) continue;
      bits = bits << 6 | static_cast<std::uint32_t>(v);
      if ((count += 6) >= 8) {
        count -= 8;
        der.push_back(static_cast<char>(bits >> count & 0xff));
      }
    }
    out.push_back(std::move(der));
    at = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// A certificate taken apart into the pieces that get swapped.

const Bytes kOidBasicConstraints = fromHex("551d13");
const Bytes kOidSubjectAltName = fromHex("551d11");
const Bytes kOidAuthorityKeyId = fromHex("551d23");
const Bytes kOidSubjectKeyId = fromHex("551d0e");
const Bytes kOidCommonName = fromHex("550403");

std::string extensionName(const Bytes& oid) {
  static const std::map<std::string, std::string> kNames = {
      {"551d13", "basicConstraints"},
      {"551d0f", "keyUsage"},
      {"551d25", "extendedKeyUsage"},
      {"551d11", "subjectAltName"},
      {"551d12", "issuerAltName"},
      {"551d1e", "nameConstraints"},
      {"551d23", "authorityKeyIdentifier"},
      {"551d0e", "subjectKeyIdentifier"},
      {"551d20", "certificatePolicies"},
      {"551d21", "policyMappings"},
      {"551d24", "policyConstraints"},
      {"551d36", "inhibitAnyPolicy"},
      {"551d1f", "cRLDistributionPoints"},
      {"551d09", "subjectDirectoryAttributes"},
      {"2b06010505070101", "authorityInfoAccess"},
      {"2b06010401d679020402", "signedCertificateTimestamps"},
      {"2b06010505070118", "tlsFeature"},
      {"6086480186f8420101", "netscapeCertType"},
  };
  if (oid.empty()) return "malformed";
  auto it = kNames.find(toHex(oid));
  return it == kNames.end() ? "other(" + toHex(oid) + ")" : it->second;
}

struct Extension {
  Bytes oid;  // the OBJECT IDENTIFIER's contents; empty when the extension does not parse
  bool critical = false;
  Bytes value;  // extnValue's contents
  Bytes der;    // the whole Extension, exactly as found or made
};

Extension makeExtension(const Bytes& oid, bool critical, const Bytes& value) {
  Bytes content = tlv(0x06, oid);
  if (critical) content += fromHex("0101ff");
  content += tlv(0x04, value);
  return Extension{oid, critical, value, sequence(content)};
}

// Parts is a TBSCertificate's fields as DER elements. version is empty for v1 (absent).
struct Parts {
  Bytes version, serial, innerAlgorithm, issuer, validity, subject, spki, uniqueIds;
  std::vector<Extension> extensions;

  Extension* find(const Bytes& oid) {
    for (Extension& e : extensions)
      if (e.oid == oid) return &e;
    return nullptr;
  }
  // put replaces the first extension with the same OID, or appends.
  void put(const Extension& extension) {
    if (Extension* e = find(extension.oid))
      *e = extension;
    else
      extensions.push_back(extension);
  }
  void remove(const Bytes& oid) {
    extensions.erase(std::remove_if(extensions.begin(), extensions.end(),
                                    [&](const Extension& e) { return e.oid == oid; }),
                     extensions.end());
  }

  Bytes tbs() const {
    Bytes content =
        version + serial + innerAlgorithm + issuer + validity + subject + spki + uniqueIds;
    if (!extensions.empty()) {
      Bytes list;
      for (const Extension& e : extensions) list += e.der;
      content += tlv(0xa3, sequence(list));
    }
    return sequence(content);
  }
};

std::optional<Extension> parseExtension(const Tlv& element) {
  Extension e;
  e.der = Bytes(element.whole);
  if (element.tag != 0x30) return e;
  DerReader r(element.content);
  Tlv t;
  if (!r.next(&t) || t.tag != 0x06) return e;
  Bytes oid(t.content);
  if (!r.next(&t)) return e;
  bool critical = false;
  if (t.tag == 0x01) {
    critical = t.content.size() == 1 && t.content[0] != 0;
    if (!r.next(&t)) return e;
  }
  if (t.tag != 0x04 || r.next(&t) || r.failed()) return e;
  e.oid = std::move(oid);
  e.critical = critical;
  e.value = Bytes(t.content);
  return e;
}

std::optional<Parts> decompose(std::string_view der) {
  DerReader top(der);
  Tlv certificate, tbs, t;
  if (!top.next(&certificate) || certificate.tag != 0x30) return std::nullopt;
  DerReader outer(certificate.content);
  if (!outer.next(&tbs) || tbs.tag != 0x30) return std::nullopt;
  DerReader r(tbs.content);
  Parts p;
  if (!r.next(&t)) return std::nullopt;
  if (t.tag == 0xa0) {
    p.version = Bytes(t.whole);
    if (!r.next(&t)) return std::nullopt;
  }
  if (t.tag != 0x02) return std::nullopt;
  p.serial = Bytes(t.whole);
  for (Bytes* field : {&p.innerAlgorithm, &p.issuer, &p.validity, &p.subject, &p.spki}) {
    if (!r.next(&t) || t.tag != 0x30) return std::nullopt;
    *field = Bytes(t.whole);
  }
  while (r.next(&t)) {
    if (t.tag == 0x81 || t.tag == 0x82 || t.tag == 0xa1 || t.tag == 0xa2) {
      p.uniqueIds += Bytes(t.whole);
    } else if (t.tag == 0xa3) {
      DerReader wrapper(t.content);
      Tlv list, element;
      if (!wrapper.next(&list) || list.tag != 0x30) return std::nullopt;
      DerReader items(list.content);
      while (items.next(&element)) p.extensions.push_back(*parseExtension(element));
      if (items.failed()) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  if (r.failed()) return std::nullopt;
  return p;
}

bool isCA(const Parts& parts) {
  for (const Extension& e : parts.extensions) {
    if (e.oid != kOidBasicConstraints) continue;
    DerReader outer(e.value);
    Tlv seq, first;
    if (!outer.next(&seq) || seq.tag != 0x30) return false;
    DerReader inner(seq.content);
    return inner.next(&first) && first.tag == 0x01 && first.content.size() == 1 &&
           first.content[0] != 0;
  }
  return false;
}

// printable is `bytes` when they are printable ASCII without quotes or spaces, the only names
// this test hands to a command line.
std::optional<std::string> printable(std::string_view bytes) {
  if (bytes.empty()) return std::nullopt;
  for (char c : bytes)
    if (c <= ' ' || c > '~' || c == '\'' || c == '"' || c == '\\') return std::nullopt;
  return std::string(bytes);
}

// subjectAltNames lists the DNS names and IP addresses (as text) of the leaf's first SAN.
std::vector<std::string> subjectAltNames(const Parts& parts) {
  std::vector<std::string> out;
  for (const Extension& e : parts.extensions) {
    if (e.oid != kOidSubjectAltName) continue;
    DerReader outer(e.value);
    Tlv seq, name;
    if (!outer.next(&seq) || seq.tag != 0x30) return out;
    DerReader names(seq.content);
    while (names.next(&name)) {
      if (name.tag == 0x82) {
        if (auto text = printable(name.content)) out.push_back(*text);
      } else if (name.tag == 0x87 && (name.content.size() == 4 || name.content.size() == 16)) {
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(name.content.size() == 4 ? AF_INET : AF_INET6, name.content.data(), text,
                      sizeof text))
          out.push_back(text);
      }
    }
    return out;
  }
  return out;
}

// commonName is the subject's first CN when it is printable.
std::optional<std::string> commonName(const Parts& parts) {
  DerReader outer(parts.subject);
  Tlv name, set, attribute, t;
  if (!outer.next(&name) || name.tag != 0x30) return std::nullopt;
  DerReader sets(name.content);
  while (sets.next(&set)) {
    DerReader attributes(set.content);
    while (attributes.next(&attribute)) {
      DerReader fields(attribute.content);
      if (!fields.next(&t) || t.tag != 0x06 || Bytes(t.content) != kOidCommonName) continue;
      if (fields.next(&t)) return printable(t.content);
    }
  }
  return std::nullopt;
}

// notAfter reads the end of the validity window (UTCTime or GeneralizedTime, whole seconds, Z)
// as seconds since 1970.
std::optional<std::int64_t> notAfter(const Parts& parts) {
  DerReader outer(parts.validity);
  Tlv window, time;
  if (!outer.next(&window) || window.tag != 0x30) return std::nullopt;
  DerReader times(window.content);
  if (!times.next(&time) || !times.next(&time)) return std::nullopt;
  const std::string text(time.content);
  std::tm tm{};
  std::size_t at = 0;
  if (time.tag == 0x17 && text.size() == 13) {
    tm.tm_year = std::stoi(text.substr(0, 2));
    if (tm.tm_year < 50) tm.tm_year += 100;
    at = 2;
  } else if (time.tag == 0x18 && text.size() == 15) {
    tm.tm_year = std::stoi(text.substr(0, 4)) - 1900;
    at = 4;
  } else {
    return std::nullopt;
  }
  if (text.back() != 'Z' ||
      !std::all_of(text.begin(), text.end() - 1, [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  tm.tm_mon = std::stoi(text.substr(at, 2)) - 1;
  tm.tm_mday = std::stoi(text.substr(at + 2, 2));
  tm.tm_hour = std::stoi(text.substr(at + 4, 2));
  tm.tm_min = std::stoi(text.substr(at + 6, 2));
  tm.tm_sec = std::stoi(text.substr(at + 8, 2));
  return static_cast<std::int64_t>(timegm(&tm));
}

bool isIpLiteral(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// ---------------------------------------------------------------------------------------------
// Donors, the signing keys, and the mutants made of them.

// Rng is std::mt19937_64 (fully specified by the standard) with a portable way to pick, so a
// seed names the same mutants on every standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(engine_() % n); }
  bool percent(int p) { return below(100) < static_cast<std::size_t>(p); }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

struct Donor {
  std::string id;  // "limbo:<testcase>/peer", "limbo:<testcase>/trusted0", "kit:rsa1024"
  Parts parts;
  bool ca = false;
  int limboCase = -1;  // index of its x509-limbo testcase
};

struct DonorExtension {
  std::size_t donor, extension;
};

struct Pool {
  std::vector<Donor> donors;
  std::vector<std::size_t> leaves, cas;  // donor indexes
  // Extensions by name, so each kind is as likely to be drawn as any other.
  std::map<std::string, std::vector<DonorExtension>> extensions, caExtensions;
  std::map<int, std::size_t> limboPeers;  // testcase -> its peer certificate's donor
  std::vector<std::string> limboCaseIds;
  std::set<Bytes> seen;  // every donor's TBS

  void add(Donor donor) {
    const std::size_t index = donors.size();
    if (!seen.insert(donor.parts.tbs()).second) return;  // the same certificate again
    donor.ca = isCA(donor.parts);
    (donor.ca ? cas : leaves).push_back(index);
    for (std::size_t i = 0; i < donor.parts.extensions.size(); ++i) {
      const std::string name = extensionName(donor.parts.extensions[i].oid);
      extensions[name].push_back({index, i});
      if (donor.ca) caExtensions[name].push_back({index, i});
    }
    donors.push_back(std::move(donor));
  }
  const Extension& extension(const DonorExtension& at) const {
    return donors[at.donor].parts.extensions[at.extension];
  }
};

using Json = as3net_tool::json::Value;

void writeFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void addLimboDonors(const fs::path& limboJson, Pool* pool) {
  const Json document = as3net_tool::json::parse(test::readFile(limboJson));
  int index = 0;
  for (const Json& testcase : document.find("testcases")->asArray()) {
    const Json* idMember = testcase.find("id");
    const std::string id = idMember && idMember->isString() ? idMember->asString() : "?";
    pool->limboCaseIds.push_back(id);
    auto addAll = [&](const std::string& text, const std::string& role) {
      int n = 0;
      for (const Bytes& der : pemBlocks(text)) {
        std::optional<Parts> parts = decompose(der);
        if (!parts) continue;
        const std::size_t before = pool->donors.size();
        pool->add({"limbo:" + id + "/" + role + (n ? "#" + std::to_string(n) : ""), *parts, false,
                   index});
        if (role == "peer" && pool->donors.size() > before) pool->limboPeers[index] = before;
        ++n;
      }
    };
    if (const Json* peer = testcase.find("peer_certificate"); peer && peer->isString())
      addAll(peer->asString(), "peer");
    int n = 0;
    for (const std::string& text : test::jsonStrings(testcase, "untrusted_intermediates"))
      addAll(text, "intermediate" + std::to_string(n++));
    n = 0;
    for (const std::string& text : test::jsonStrings(testcase, "trusted_certs"))
      addAll(text, "trusted" + std::to_string(n++));
    ++index;
  }
}

void addKitDonors(Pool* pool) {
  auto add = [&](const std::string& id, const X509Certificate& certificate) {
    const auto der = certificate.der();
    std::optional<Parts> parts =
        decompose(std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
    if (parts) pool->add({"kit:" + id, *parts, false, -1});
  };
  TestCertificateAuthority root("as3net differential kit root");
  root.clock(kValidationTime);
  TestCertificateAuthority rsaRoot("as3net differential kit RSA root", KeyType::kRsa2048);
  rsaRoot.clock(kValidationTime);
  const TestCertificateAuthority intermediate = root.intermediate("kit intermediate");
  const TestCertificateAuthority second =
      intermediate.intermediate("kit second intermediate", KeyType::kEcdsaP384);
  add("root", root.certificate());
  add("rsa-root", rsaRoot.certificate());
  add("intermediate", intermediate.certificate());
  add("second-intermediate", second.certificate());

  struct Variant {
    std::string id;
    const TestCertificateAuthority* issuer;
    CertificateOptions options;
  };
  std::vector<Variant> variants;
  auto variant = [&](std::string id, const TestCertificateAuthority& issuer, auto change) {
    CertificateOptions options;
    options.dnsNames = {"www.example.com", "example.com"};
    options.ipAddresses = {"192.0.2.1"};
    options.commonName = "www.example.com";
    change(options);
    variants.push_back({std::move(id), &issuer, options});
  };
  variant("leaf", root, [](CertificateOptions&) {});
  variant("leaf-of-intermediate", intermediate, [](CertificateOptions&) {});
  variant("leaf-of-second", second, [](CertificateOptions&) {});
  variant("ca-leaf", root, [](CertificateOptions& o) { o.isCA = true; });
  variant("client-only", root, [](CertificateOptions& o) { o.serverAuth = false; });
  variant("client-and-server", root, [](CertificateOptions& o) { o.clientAuth = true; });
  variant("sha1", root, [](CertificateOptions& o) { o.sha1Signature = true; });
  variant("no-san", root, [](CertificateOptions& o) { o.includeSubjectAltName = false; });
  variant("empty-subject", root, [](CertificateOptions& o) { o.commonName = ""; });
  variant("self-signed", root, [](CertificateOptions& o) { o.selfSigned = true; });
  variant("rsa2048", rsaRoot, [](CertificateOptions& o) { o.keyType = KeyType::kRsa2048; });
  variant("rsa1024", root, [](CertificateOptions& o) { o.keyType = KeyType::kRsa1024; });
  variant("p384", root, [](CertificateOptions& o) { o.keyType = KeyType::kEcdsaP384; });
  variant("p224", root, [](CertificateOptions& o) { o.keyType = KeyType::kEcdsaP224; });
  variant("wildcard", intermediate, [](CertificateOptions& o) {
    o.dnsNames = {"*.example.com"};
    o.commonName = "*.example.com";
  });
  variant("ipv6", root, [](CertificateOptions& o) {
    o.dnsNames = {};
    o.ipAddresses = {"2001:db8::1"};
  });
  variant("expired", root, [](CertificateOptions& o) {
    o.notBeforeOffset = std::chrono::hours(-24 * 40);
    o.lifetime = std::chrono::hours(24 * 10);
  });
  variant("not-yet-valid", root,
          [](CertificateOptions& o) { o.notBeforeOffset = std::chrono::hours(24); });
  for (const Variant& v : variants) add(v.id, v.issuer->issue(v.options).certificate);
}

// A signing key: the root's, or the one all intermediates share. Made with openssl for the run;
// the key identifiers are chosen rather than hashed, which RFC 5280 allows.
struct Signer {
  fs::path key;  // PKCS #8 PEM, relative to the work directory
  Bytes spki;
  Bytes keyId;
  Bytes subject;
};

const Bytes kEcdsaSha256 = sequence(tlv(0x06, fromHex("2a8648ce3d040302")));

Bytes ecdsaAlgorithm(const std::string& digest) {
  if (digest == "sha1") return sequence(tlv(0x06, fromHex("2a8648ce3d0401")));
  if (digest == "sha384") return sequence(tlv(0x06, fromHex("2a8648ce3d040303")));
  if (digest == "sha512") return sequence(tlv(0x06, fromHex("2a8648ce3d040304")));
  return kEcdsaSha256;
}

Bytes authorityKeyId(const Bytes& keyId) {
  return sequence(tlv(0x80, keyId));
}

Bytes nameWithCommonName(const std::string& cn) {
  return sequence(tlv(0x31, sequence(tlv(0x06, kOidCommonName) + tlv(0x0c, cn))));
}

// withoutCommonName is `name` without its CN attributes (and without RDNs left empty).
std::optional<Bytes> withoutCommonName(const Bytes& name) {
  DerReader outer(name);
  Tlv sequenceOfSets, set, attribute, t;
  if (!outer.next(&sequenceOfSets) || sequenceOfSets.tag != 0x30) return std::nullopt;
  Bytes sets;
  DerReader rdns(sequenceOfSets.content);
  while (rdns.next(&set)) {
    Bytes kept;
    DerReader attributes(set.content);
    while (attributes.next(&attribute)) {
      DerReader fields(attribute.content);
      if (fields.next(&t) && t.tag == 0x06 && Bytes(t.content) == kOidCommonName) continue;
      kept += Bytes(attribute.whole);
    }
    if (!kept.empty()) sets += tlv(set.tag, kept);
  }
  if (rdns.failed()) return std::nullopt;
  return sequence(sets);
}

// hasDirectoryNameConstraint tells whether `parts` constrains directory names (a subtree whose
// base is a directoryName, [4]).
bool hasDirectoryNameConstraint(const Parts& parts) {
  for (const Extension& e : parts.extensions) {
    if (extensionName(e.oid) != "nameConstraints") continue;
    DerReader outer(e.value);
    Tlv constraints, subtrees, subtree, base;
    if (!outer.next(&constraints)) continue;
    DerReader lists(constraints.content);
    while (lists.next(&subtrees)) {
      DerReader items(subtrees.content);
      while (items.next(&subtree)) {
        DerReader fields(subtree.content);
        if (fields.next(&base) && base.tag == 0xa4) return true;
      }
    }
  }
  return false;
}

// A certificate to be signed: its TBS, who signs it with which digest, and the outer algorithm.
struct ToSign {
  Bytes tbs;
  const Signer* signer = nullptr;
  std::string digest = "sha256";
  Bytes outerAlgorithm = kEcdsaSha256;
  Bytes der;  // the signed certificate, once signed
};

// Authority is a root variant or an intermediate: a CA certificate this test holds the key of.
struct Authority {
  std::string description;
  std::vector<std::string> kinds;  // the operations that made it, for the table
  Parts parts;
  int namesCase = -1;  // a limbo testcase whose leaf names suit its name constraints
  ToSign cert;
};

// Verdict is what one `openssl verify` run said.
struct Verdict {
  bool ran = false;
  bool accepts = false;
  std::vector<std::string> errors;  // its "error N at D depth lookup: ..." lines, in order
};

// Relaxations of the OpenSSL run, as bits of a variant's number. Each stands for a documented
// as3net choice that OpenSSL does not share; a disagreement they explain can be reviewed.
constexpr unsigned kNotStrict = 1;            // no -x509_strict: the CA/B and RFC profile checks
constexpr unsigned kNotAfterSecond = 2;       // OpenSSL takes the notAfter second as expired
constexpr unsigned kWithoutCommonName = 4;    // OpenSSL checks the CN against name constraints
constexpr unsigned kPartialChain = 8;         // OpenSSL wants an anchor that signed itself
constexpr unsigned kWithoutTrailingDot = 16;  // OpenSSL does not match "example.com."
constexpr unsigned kVariants = 32;

const char* relaxationName(unsigned bit) {
  switch (bit) {
    case kNotStrict:
      return "not strict";
    case kNotAfterSecond:
      return "the notAfter second";
    case kWithoutCommonName:
      return "without the common name";
    case kPartialChain:
      return "partial chain";
    default:
      return "without the trailing dot";
  }
}

int bitCount(unsigned bits) {
  int n = 0;
  for (; bits != 0; bits &= bits - 1) ++n;
  return n;
}

struct Mutant {
  int index = 0;
  std::string description;
  std::vector<std::string> kinds;  // one per operation, for the table
  int root = 0;                    // which root variant is the anchor; 0 is the clean one
  int intermediate = -1;           // -1: issued by the root itself
  Parts parts;
  ToSign cert;
  ToSign twin;  // the leaf without its common name, made for disagreements only
  std::string host;
  unsigned notAfterAtTime = 0;  // bit d: the certificate at depth d expires at the time exactly
  bool sdkAccepts = false;
  std::string sdkStatus, sdkReason;
  Verdict openssl[kVariants];  // by relaxation bits: [0] is the strict run at the time
  bool reviewed = false;
  std::vector<std::string> explanation;  // "<error> [<relaxation>]" for each strict-run error
};

// Mutator applies the operations, drawn with fixed weights among those the role allows.
class Mutator {
 public:
  enum class Role { kLeaf, kIntermediate, kRoot };

  Mutator(const Pool& pool, Rng& rng) : pool_(pool), rng_(rng) {}

  // apply makes one operation on `parts` and returns its kind (the table's row); `detail` gets
  // the kind with its donor, for the description. A digest operation sets `digest` and
  // `outerAlgorithm` for the signature to come.
  std::string apply(Parts& parts, Role role, std::string* digest, Bytes* outerAlgorithm,
                    std::string* detail) {
    enum Op {
      kExtension,
      kDrop,
      kFlip,
      kTwice,
      kUnknown,
      kValidity,
      kEdge,
      kSubject,
      kIssuer,
      kKey,
      kSerial,
      kVersion,
      kDigest,
      kInnerAlgorithm
    };
    static const int kWeights[] = {34, 8, 8, 3, 4, 8, 5, 8, 2, 7, 4, 2, 4, 3};
    auto allowed = [&](int op) {
      if (op == kIssuer || op == kKey) return role == Role::kLeaf;  // we hold no other key
      if (op == kSubject) return role != Role::kRoot;               // what the chain is built by
      return true;
    };
    int total = 0;
    for (int op = kExtension; op <= kInnerAlgorithm; ++op)
      if (allowed(op)) total += kWeights[op];
    int roll = static_cast<int>(rng_.below(static_cast<std::size_t>(total)));
    int op = kExtension;
    for (; op < kInnerAlgorithm; ++op) {
      if (!allowed(op)) continue;
      if (roll < kWeights[op]) break;
      roll -= kWeights[op];
    }

    const std::string who = role == Role::kLeaf           ? "leaf"
                            : role == Role::kIntermediate ? "ca"
                                                          : "root";
    std::string kind, from;
    switch (op) {
      case kExtension: {
        // Each kind of extension RFC 5280 and the CA/B Forum name is as likely as any other,
        // and other kinds (private, malformed) together take a fifth; CAs mostly get CAs'.
        const bool ca = role != Role::kLeaf && rng_.percent(70);
        const auto& byName = ca ? pool_.caExtensions : pool_.extensions;
        const bool known = rng_.percent(80);
        std::vector<decltype(byName.begin())> names;
        for (auto at = byName.begin(); at != byName.end(); ++at)
          if (known == (at->first.rfind("other(", 0) != 0 && at->first != "malformed"))
            names.push_back(at);
        if (names.empty()) return {};
        const auto it = rng_.pick(names);
        const DonorExtension& at = rng_.pick(it->second);
        const Extension& extension = pool_.extension(at);
        if (extension.oid.empty())
          parts.extensions.push_back(extension);
        else
          parts.put(extension);
        kind = who + " extension from a donor: " + it->first;
        from = pool_.donors[at.donor].id;
        break;
      }
      case kDrop:
      case kFlip:
      case kTwice: {
        if (parts.extensions.empty()) return {};
        Extension& e = parts.extensions[rng_.below(parts.extensions.size())];
        const std::string name = extensionName(e.oid);
        if (op == kDrop) {
          kind = who + " extension dropped: " + name;
          const Bytes oid = e.oid;
          parts.remove(oid);
        } else if (op == kFlip) {
          if (e.oid.empty()) return {};
          kind = who + " criticality flipped: " + name;
          e = makeExtension(e.oid, !e.critical, e.value);
        } else {
          kind = who + " extension twice: " + name;
          const Extension copy = e;
          parts.extensions.push_back(copy);
        }
        break;
      }
      case kUnknown:
        kind = who + " unknown critical extension";
        parts.extensions.push_back(
            makeExtension(fromHex("2b0601040183b27e0101"), true, tlv(0x05, "")));
        break;
      case kEdge: {
        // The edges of the window: RFC 5280 makes both ends inclusive.
        static const char* const kEdges[] = {"notAfter = t", "notBefore = t", "notAfter = t - 1",
                                             "notBefore = t + 1"};
        const std::size_t edge = rng_.below(4);
        const std::int64_t t = kValidationTime;
        kind = who + " validity edge: " + kEdges[edge];
        parts.validity = edge == 0   ? validity(t - 86400, t)
                         : edge == 1 ? validity(t, t + 86400)
                         : edge == 2 ? validity(t - 86400, t - 1)
                                     : validity(t + 1, t + 86400);
        break;
      }
      case kDigest: {
        static const char* const kDigests[] = {"sha1", "sha384", "sha512"};
        *digest = kDigests[rng_.below(3)];
        kind = who + " signed with " + *digest;
        parts.innerAlgorithm = *outerAlgorithm = ecdsaAlgorithm(*digest);
        break;
      }
      default: {
        const Donor& d = pool_.donors[rng_.below(pool_.donors.size())];
        from = d.id;
        static const std::map<int, std::pair<const char*, Bytes Parts::*>> kFields = {
            {kValidity, {"validity", &Parts::validity}},
            {kSubject, {"subject", &Parts::subject}},
            {kIssuer, {"issuer", &Parts::issuer}},
            {kKey, {"key", &Parts::spki}},
            {kSerial, {"serial", &Parts::serial}},
            {kVersion, {"version", &Parts::version}},
            {kInnerAlgorithm, {"inner signature algorithm", &Parts::innerAlgorithm}},
        };
        const auto& [name, field] = kFields.at(op);
        kind = who + " " + name + " from a donor";
        parts.*field = d.parts.*field;
        break;
      }
    }
    *detail = kind + (from.empty() ? "" : " from " + from);
    return kind;
  }

 private:
  const Pool& pool_;
  Rng& rng_;
};

// reissue makes `donor` a certificate of `signer`: v3, our algorithm, the signer as issuer, a
// validity window around the validation time (real-world donors have long expired), the signer's
// key identifier as authority key identifier (added when missing, so that this test's CA does not
// by itself make every leaf fail OpenSSL's strict checks). Operations change these again.
Parts reissue(const Parts& donor, const Signer& signer) {
  Parts p = donor;
  p.version = fromHex("a003020102");
  p.innerAlgorithm = kEcdsaSha256;
  p.issuer = signer.subject;
  p.validity = validity(kValidationTime - 30 * 86400, kValidationTime + 365 * 86400);
  p.put(makeExtension(kOidAuthorityKeyId, false, authorityKeyId(signer.keyId)));
  return p;
}

// ---------------------------------------------------------------------------------------------
// Running openssl.

std::string shellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// runJobs runs each of `commands` with `sh -c` in `dir`, two at a time (xargs -P 2).
test::ProcessResult runJobs(const fs::path& dir, const std::string& name,
                            const std::vector<std::string>& commands) {
  std::string text;
  for (const std::string& c : commands) text += c + "\n";
  writeFile(dir / name, text);
  return test::runProcess({"sh", "-c", "cd \"$1\" && xargs -d '\\n' -n 1 -P 2 sh -c < \"$2\"",
                           "differential", dir.string(), name},
                          {}, std::chrono::seconds(100));
}

// signAll signs every certificate of `all` with openssl dgst and assembles its DER.
bool signAll(const fs::path& dir, const std::string& batch, const std::vector<ToSign*>& all,
             std::string* errors) {
  std::vector<std::string> commands;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::string n = batch + std::to_string(i);
    writeFile(dir / "t" / n, all[i]->tbs);
    fs::remove(dir / "s" / n);
    commands.push_back("openssl dgst -" + all[i]->digest + " -sign " +
                       all[i]->signer->key.string() + " -out s/" + n + " t/" + n);
  }
  test::ProcessResult run = runJobs(dir, batch + ".jobs", commands);
  *errors = run.errors;
  if (run.timedOut) return false;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Bytes signature = test::readFile(dir / "s" / (batch + std::to_string(i)));
    if (signature.empty()) return false;
    all[i]->der = sequence(all[i]->tbs + all[i]->outerAlgorithm +
                           tlv(0x03, std::string(1, '\0') + signature));
  }
  return true;
}

std::string leafFile(const Mutant& m, unsigned variant) {
  return "l/" + std::to_string(m.index) + (variant & kWithoutCommonName ? ".nocn" : "") + ".pem";
}

// verifyCommand is the openssl verify run of one variant of a mutant, its output going to
// v/<n>.<variant>.out and .err.
std::string verifyCommand(const Mutant& m, unsigned variant) {
  std::string c = "openssl verify";
  if (!(variant & kNotStrict)) c += " -x509_strict";
  if (variant & kPartialChain) c += " -partial_chain";
  // -attime would win over -no_check_time.
  c +=
      variant & kNotAfterSecond ? " -no_check_time" : " -attime " + std::to_string(kValidationTime);
  c += " -purpose sslserver -no-CApath -no-CAstore -CAfile r/" + std::to_string(m.root) + ".pem";
  if (m.intermediate >= 0) c += " -untrusted c/" + std::to_string(m.intermediate) + ".pem";
  std::string host = m.host;
  if (variant & kWithoutTrailingDot) host.pop_back();
  c += (isIpLiteral(host) ? " -verify_ip " : " -verify_hostname ") + shellQuote(host);
  const std::string out = "v/" + std::to_string(m.index) + "." + std::to_string(variant);
  return c + " " + leafFile(m, variant) + " >" + out + ".out 2>" + out + ".err";
}

// readVerdict reads one run: accepted when it printed "<file>: OK"; its "error N at D depth
// lookup: ..." lines, or its first line when it printed none of those.
Verdict readVerdict(const fs::path& dir, const Mutant& m, unsigned variant) {
  const std::string base = "v/" + std::to_string(m.index) + "." + std::to_string(variant);
  const std::string out = test::readFile(dir / (base + ".out"));
  const std::string err = test::readFile(dir / (base + ".err"));
  Verdict v;
  v.ran = true;
  std::istringstream lines(err);
  std::string line;
  while (std::getline(lines, line))
    if (line.rfind("error ", 0) == 0 && line.find(" depth lookup: ") != std::string::npos)
      v.errors.push_back(line);
  v.accepts = out.find(leafFile(m, variant) + ": OK") != std::string::npos;
  if (!v.accepts && v.errors.empty()) {
    std::istringstream first(err);
    std::getline(first, line);
    v.errors.push_back(line.empty() ? "(no output)" : line);
  }
  return v;
}

// explain looks for the smallest set of relaxations under which OpenSSL accepts the mutant, and
// names for each error of the strict run the relaxation that removes it: the one whose withdrawal
// brings the error back. The mutant is reviewed when every "<error> [<relaxation>]" is on the
// reviewed list; `keys` gets the explanation (or the closest one, for the report).
bool explain(const Mutant& m, const std::map<std::string, std::string>& reviewed,
             std::vector<std::string>* keys) {
  keys->clear();
  for (int size = 1; size <= 5; ++size) {
    for (unsigned variant = 1; variant < kVariants; ++variant) {
      if (bitCount(variant) != size || !m.openssl[variant].accepts) continue;
      std::vector<std::string> found;
      bool all = !m.openssl[0].errors.empty();
      for (const std::string& error : m.openssl[0].errors) {
        std::string key;
        for (unsigned bit = 1; bit < kVariants; bit <<= 1) {
          if (!(variant & bit)) continue;
          const Verdict& without = m.openssl[variant & ~bit];
          if (!without.ran || std::find(without.errors.begin(), without.errors.end(), error) ==
                                  without.errors.end())
            continue;
          // Ignoring time explains only an expiry at the exact notAfter second.
          if (bit == kNotAfterSecond && (error.rfind("error 10 at ", 0) != 0 ||
                                         !(m.notAfterAtTime >> std::atoi(error.c_str() + 12) & 1)))
            continue;
          const std::string candidate = error + " [" + relaxationName(bit) + "]";
          if (key.empty() || reviewed.count(candidate)) key = candidate;
        }
        if (key.empty()) key = error + " [unexplained]";
        all = all && reviewed.count(key) != 0;
        found.push_back(key);
      }
      if (all) {
        *keys = found;
        return true;
      }
      if (keys->empty()) *keys = found;
    }
  }
  return false;
}

// Reviewed disagreements: `<error line> [<relaxation>] | <why as3net is right to accept>`.
std::map<std::string, std::string> readReviewed(const fs::path& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(test::readFile(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t bar = line.find(" | ");
    if (bar != std::string::npos) out[line.substr(0, bar)] = line.substr(bar + 3);
  }
  return out;
}

std::optional<X509Certificate> parseCertificate(const Bytes& der) {
  try {
    return X509Certificate::fromDER(reinterpret_cast<const std::uint8_t*>(der.data()), der.size());
  } catch (const as3::errors::Error&) {
    return std::nullopt;
  }
}

// genericReason is a ValidationResult reason with its names and numbers left out, so that the
// same kind of failure counts once: the leaf certificate "CN=x" expired 5 seconds before ... ->
// the leaf certificate "..." expired # seconds before ...
std::string genericReason(const std::string& reason) {
  std::string out;
  bool quoted = false;
  for (std::size_t i = 0; i < reason.size(); ++i) {
    const char c = reason[i];
    if (c == '"') {
      if (!quoted) out += "\"...\"";
      quoted = !quoted;
    } else if (!quoted && c >= '0' && c <= '9') {
      if (out.empty() || out.back() != '#') out += '#';
    } else if (!quoted) {
      out += c;
    }
  }
  return out;
}

struct Row {
  int mutants = 0, bothAccept = 0, bothReject = 0, sdkStricter = 0, reviewed = 0, unreviewed = 0;
};

constexpr int kRootVariants = 12;  // mutated roots, besides the clean one

}  // namespace

// Found by this test and fixed: the trust anchor's pathLenConstraint was not applied (the sweep
// hits it with the basicConstraints of limbo:pathlen::ee-with-intermediate-pathlen-0).
TEST_CASE("Differential: Frankencerts judged by CertificateValidator and openssl verify",
          "[differential][security][reliability]") {
  if (!test::haveProgram("openssl") || !test::haveProgram("xargs")) {
    WARN("openssl or xargs is not on PATH: the differential check is skipped");
    return;
  }
  const auto started = std::chrono::steady_clock::now();
  const fs::path here = fs::path(__FILE__).parent_path();  // <repo>/test/reliability
  const fs::path limbo = here.parent_path().parent_path().parent_path() / "shared" / "testdata" /
                         "x509-limbo" / "limbo.json";
  const char* seedText = std::getenv("AS3NET_DIFFERENTIAL_SEED");
  const char* countText = std::getenv("AS3NET_DIFFERENTIAL_COUNT");
  const std::uint64_t seed = seedText ? std::strtoull(seedText, nullptr, 10) : kDefaultSeed;
  const int count = countText ? std::max(1, std::atoi(countText)) : kDefaultMutants;

  // Donors.
  Pool pool;
  if (fs::exists(limbo))
    addLimboDonors(limbo, &pool);
  else
    WARN("x509-limbo is not at " << limbo.string() << ": only the testing kit's donors are used");
  addKitDonors(&pool);
  REQUIRE(pool.leaves.size() > 10);
  REQUIRE(pool.cas.size() > 3);

  // The work directory and the signing keys.
  const fs::path dir =
      fs::path(AS3NET_TEST_TMPDIR) / ("differential-" + std::to_string(::getpid()));
  std::error_code ignored;
  for (const fs::directory_entry& entry : fs::directory_iterator(AS3NET_TEST_TMPDIR, ignored)) {
    // What failed runs left: gone once their process is.
    const std::string name = entry.path().filename().string();
    if (name.rfind("differential-", 0) != 0) continue;
    const long pid = std::atol(name.c_str() + 13);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      fs::remove_all(entry.path(), ignored);
  }
  fs::remove_all(dir);
  for (const char* sub : {"t", "s", "l", "c", "r", "v"}) fs::create_directories(dir / sub);
  {
    test::ProcessResult keys = test::runProcess(
        {"sh", "-c",
         "cd \"$1\" && for k in root inter; do "
         "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key && "
         "openssl pkey -in $k.key -pubout -outform DER -out $k.spki || exit 1; done",
         "differential", dir.string()});
    INFO(keys.errors);
    REQUIRE(keys.exitCode == 0);
  }
  const Signer root{"root.key", test::readFile(dir / "root.spki"),
                    fromHex("0a5e3d1f00000000000000000000000000000001"),
                    nameWithCommonName("as3net differential root")};
  const Signer inter{"inter.key", test::readFile(dir / "inter.spki"),
                     fromHex("0a5e3d1f00000000000000000000000000000002"),
                     nameWithCommonName("as3net differential intermediate")};
  REQUIRE(root.spki.size() > 60);
  REQUIRE(inter.spki.size() > 60);

  Rng rng(seed);
  Mutator mutator(pool, rng);
  auto mutate = [&](Authority& ca, Mutator::Role role, std::size_t operations) {
    for (std::size_t k = 0; k < operations; ++k) {
      std::string detail;
      const std::string kind =
          mutator.apply(ca.parts, role, &ca.cert.digest, &ca.cert.outerAlgorithm, &detail);
      if (kind.empty()) continue;
      ca.kinds.push_back(kind);
      ca.description += "; " + detail;
      // Leaves below it may take the names of the limbo testcase its name constraints are from.
      const std::size_t at = detail.find(" from limbo:");
      if (kind.find(": nameConstraints") != std::string::npos && at != std::string::npos) {
        const std::string id = detail.substr(at + 12, detail.find('/', at) - at - 12);
        for (std::size_t c = 0; c < pool.limboCaseIds.size(); ++c)
          if (pool.limboCaseIds[c] == id) ca.namesCase = static_cast<int>(c);
      }
    }
  };

  // Roots: a clean one (basic constraints, key usage, key identifier), then variants of it with
  // 1 or 2 operations each. All have the same name and key.
  Parts rootParts;
  rootParts.version = fromHex("a003020102");
  rootParts.serial = tlv(0x02, fromHex("01"));
  rootParts.innerAlgorithm = kEcdsaSha256;
  rootParts.issuer = rootParts.subject = root.subject;
  rootParts.validity = sequence(utcTime(946684800) + tlv(0x18, "20991231235959Z"));
  rootParts.spki = root.spki;
  rootParts.put(makeExtension(kOidBasicConstraints, true, sequence(fromHex("0101ff"))));
  rootParts.put(makeExtension(fromHex("551d0f"), true, tlv(0x03, fromHex("0106"))));
  rootParts.put(makeExtension(kOidSubjectKeyId, false, tlv(0x04, root.keyId)));
  std::vector<Authority> roots(1);
  roots[0].description = "the clean root";
  roots[0].kinds = {"root clean"};
  roots[0].parts = rootParts;
  for (int i = 0; i < kRootVariants; ++i) {
    Authority variant;
    variant.parts = rootParts;
    variant.description = "root variant";
    mutate(variant, Mutator::Role::kRoot, 1 + rng.below(2));
    if (variant.kinds.empty()) variant.kinds = {"root clean"};
    roots.push_back(std::move(variant));
  }

  // Intermediates: a clean one, then CA donors rebuilt with 0 to 3 operations each, all with the
  // intermediate key.
  std::vector<Authority> intermediates(1);
  intermediates[0].description = "the clean intermediate";
  intermediates[0].kinds = {"ca clean"};
  intermediates[0].parts = rootParts;
  intermediates[0].parts.serial = tlv(0x02, fromHex("02"));
  intermediates[0].parts.subject = inter.subject;
  intermediates[0].parts.spki = inter.spki;
  intermediates[0].parts.put(makeExtension(kOidSubjectKeyId, false, tlv(0x04, inter.keyId)));
  intermediates[0].parts.put(makeExtension(kOidAuthorityKeyId, false, authorityKeyId(root.keyId)));
  for (int i = 0; i < kIntermediates; ++i) {
    const Donor& base = pool.donors[rng.pick(pool.cas)];
    Authority ca;
    ca.parts = reissue(base.parts, root);
    ca.parts.spki = inter.spki;
    ca.parts.put(makeExtension(kOidSubjectKeyId, false, tlv(0x04, inter.keyId)));
    ca.namesCase = base.limboCase;
    ca.description = "ca rebuilt from " + base.id;
    ca.kinds.push_back(base.limboCase >= 0 ? "ca rebuilt from limbo" : "ca rebuilt from kit");
    mutate(ca, Mutator::Role::kIntermediate, rng.below(4));
    intermediates.push_back(std::move(ca));
  }
  // Leaves: a leaf donor rebuilt with 0 to 3 operations, below the root or an intermediate.
  std::vector<Mutant> mutants;
  auto startLeaf = [&](const Donor& base, int rootIndex, int intermediate) -> Mutant& {
    Mutant& m = mutants.emplace_back();
    m.index = static_cast<int>(mutants.size() - 1);
    m.root = rootIndex;
    m.intermediate = intermediate;
    m.parts = reissue(base.parts, intermediate >= 0 ? inter : root);
    if (intermediate >= 0)
      m.parts.issuer = intermediates[static_cast<std::size_t>(intermediate)].parts.subject;
    m.description = "#" + std::to_string(m.index) + " leaf rebuilt from " + base.id;
    m.kinds.push_back(base.limboCase >= 0 ? "leaf rebuilt from limbo" : "leaf rebuilt from kit");
    return m;
  };
  for (int n = 0; n < count; ++n) {
    const int rootIndex = rng.percent(75) ? 0 : 1 + static_cast<int>(rng.below(kRootVariants));
    const int intermediate =
        rng.percent(40) ? -1 : static_cast<int>(rng.below(intermediates.size()));
    Mutant& m = startLeaf(pool.donors[rng.pick(pool.leaves)], rootIndex, intermediate);
    const Authority* ca =
        intermediate >= 0 ? &intermediates[static_cast<std::size_t>(intermediate)] : nullptr;
    const std::size_t operations = rng.below(4);
    for (std::size_t k = 0; k < operations; ++k) {
      std::string detail, kind;
      if (ca && ca->namesCase >= 0 && pool.limboPeers.count(ca->namesCase) && rng.percent(25)) {
        // Names meant for the intermediate's constraints: its limbo testcase's leaf names.
        const Donor& d = pool.donors[pool.limboPeers.at(ca->namesCase)];
        m.parts.subject = d.parts.subject;
        m.parts.remove(kOidSubjectAltName);
        for (const Extension& e : d.parts.extensions)
          if (e.oid == kOidSubjectAltName) m.parts.extensions.push_back(e);
        kind = "leaf names from the ca's limbo case";
        detail = kind + " " + d.id;
      } else {
        kind = mutator.apply(m.parts, Mutator::Role::kLeaf, &m.cert.digest, &m.cert.outerAlgorithm,
                             &detail);
      }
      if (kind.empty()) continue;
      m.kinds.push_back(kind);
      m.description += "; " + detail;
    }
  }

  // The sweep: every distinct CA constraint among the donors, once in the anchor (above the
  // clean intermediate) and once in the intermediate (below the clean root). Random roots are
  // few, so this is what makes sure each constraint is tried where it binds the most. The leaf
  // is the limbo testcase's own leaf when the constraint comes from limbo (its names are the
  // ones the constraint was written for), else the kit's plain leaf.
  {
    static const std::set<std::string> kSwept = {
        "basicConstraints",  "keyUsage",         "extendedKeyUsage",   "nameConstraints",
        "policyConstraints", "inhibitAnyPolicy", "certificatePolicies"};
    std::size_t plainLeaf = pool.leaves.front();
    for (std::size_t d : pool.leaves)
      if (pool.donors[d].id == "kit:leaf") plainLeaf = d;
    std::set<Bytes> seen;
    for (std::size_t d : pool.cas) {
      const Donor& donor = pool.donors[d];
      for (const Extension& e : donor.parts.extensions) {
        const std::string name = extensionName(e.oid);
        if (!kSwept.count(name) || !seen.insert(e.der).second) continue;
        auto peer = pool.limboPeers.find(donor.limboCase);
        const Donor& leaf = pool.donors[peer != pool.limboPeers.end() ? peer->second : plainLeaf];
        Authority root2;
        root2.parts = rootParts;
        root2.parts.put(e);
        root2.description = "root sweep with the " + name + " of " + donor.id;
        root2.kinds = {"root sweep: " + name};
        roots.push_back(std::move(root2));
        Mutant& above = startLeaf(leaf, static_cast<int>(roots.size() - 1), 0);
        above.kinds.push_back("sweep");
        Authority ca = intermediates[0];
        ca.parts.put(e);
        ca.description = "ca sweep with the " + name + " of " + donor.id;
        ca.kinds = {"ca sweep: " + name};
        intermediates.push_back(std::move(ca));
        Mutant& below = startLeaf(leaf, 0, static_cast<int>(intermediates.size() - 1));
        below.kinds.push_back("sweep");
      }
    }
  }

  for (Authority& ca : roots) {
    ca.parts.issuer = ca.parts.subject;
    ca.cert.tbs = ca.parts.tbs();
    ca.cert.signer = &root;
  }
  for (Authority& ca : intermediates) {
    ca.cert.tbs = ca.parts.tbs();
    ca.cert.signer = &root;
  }
  for (Mutant& m : mutants) {
    const Authority* ca =
        m.intermediate >= 0 ? &intermediates[static_cast<std::size_t>(m.intermediate)] : nullptr;
    m.description +=
        ca ? "; below ca#" + std::to_string(m.intermediate) + " (" + ca->description + ")"
           : "; below the root";
    if (m.root != 0)
      m.description += "; root#" + std::to_string(m.root) + " (" +
                       roots[static_cast<std::size_t>(m.root)].description + ")";
    // The host: one of its names (a wildcard's label filled in), sometimes another name.
    const std::vector<std::string> names = subjectAltNames(m.parts);
    if (!names.empty() && !rng.percent(10)) {
      m.host = rng.pick(names);
      if (m.host.rfind("*.", 0) == 0) m.host = "www" + m.host.substr(1);
    } else if (auto cn = commonName(m.parts); cn && rng.percent(50)) {
      m.host = *cn;
    } else {
      m.host = rng.percent(50) ? "example.com" : "www.example.com";
    }
    // Now and then the host is spelled differently; it names the same server.
    if (rng.percent(12)) {
      unsigned char address[16];
      if (inet_pton(AF_INET6, m.host.c_str(), address) == 1) {
        char text[64];
        std::snprintf(text, sizeof text,
                      "%02X%02X:%02X%02X:%02X%02X:%02X%02X:%02X%02X:%02X%02X:%02X%02X:%02X%02X",
                      address[0], address[1], address[2], address[3], address[4], address[5],
                      address[6], address[7], address[8], address[9], address[10], address[11],
                      address[12], address[13], address[14], address[15]);
        m.host = text;
        m.kinds.push_back("host IPv6 address spelled out");
      } else if (isIpLiteral(m.host)) {
        // IPv4 has one spelling here (leading zeros mean octal to some parsers).
      } else if (rng.percent(50)) {
        std::transform(m.host.begin(), m.host.end(), m.host.begin(),
                       [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
        m.kinds.push_back("host upper-cased");
      } else {
        m.host += '.';
        m.kinds.push_back("host with a trailing dot");
      }
      m.description += "; host spelled " + m.host;
    }
    m.cert.tbs = m.parts.tbs();
    m.cert.signer = ca ? &inter : &root;
    std::vector<const Parts*> path{&m.parts};
    if (ca) path.push_back(&ca->parts);
    path.push_back(&roots[static_cast<std::size_t>(m.root)].parts);
    for (std::size_t depth = 0; depth < path.size(); ++depth)
      if (notAfter(*path[depth]) == kValidationTime) m.notAfterAtTime |= 1u << depth;
  }

  // Signing, then the files openssl reads.
  {
    std::vector<ToSign*> all;
    for (Authority& ca : roots) all.push_back(&ca.cert);
    for (Authority& ca : intermediates) all.push_back(&ca.cert);
    for (Mutant& m : mutants) all.push_back(&m.cert);
    std::string errors;
    const bool signed_ = signAll(dir, "a", all, &errors);
    INFO(errors);
    REQUIRE(signed_);
  }
  for (std::size_t i = 0; i < roots.size(); ++i)
    writeFile(dir / "r" / (std::to_string(i) + ".pem"), pem(roots[i].cert.der));
  for (std::size_t i = 0; i < intermediates.size(); ++i)
    writeFile(dir / "c" / (std::to_string(i) + ".pem"), pem(intermediates[i].cert.der));
  for (const Mutant& m : mutants) writeFile(dir / leafFile(m, 0), pem(m.cert.der));

  // OpenSSL's verdicts: strict, at the time.
  {
    std::vector<std::string> commands;
    for (const Mutant& m : mutants) commands.push_back(verifyCommand(m, 0));
    REQUIRE_FALSE(runJobs(dir, "verify.jobs", commands).timedOut);
    for (Mutant& m : mutants) m.openssl[0] = readVerdict(dir, m, 0);
  }

  // The SDK's verdicts: one validator per root, whose only anchor it is.
  std::vector<CertificateValidator> validators;
  for (const Authority& r : roots) {
    auto store = std::make_shared<TrustStore>();
    if (std::optional<X509Certificate> anchor = parseCertificate(r.cert.der)) store->add(*anchor);
    validators.emplace_back(store);
    validators.back().time(kValidationTime);
  }
  std::vector<std::optional<X509Certificate>> parsedIntermediates;
  for (const Authority& ca : intermediates)
    parsedIntermediates.push_back(parseCertificate(ca.cert.der));
  for (Mutant& m : mutants) {
    std::optional<X509Certificate> leaf = parseCertificate(m.cert.der);
    if (!leaf) {
      m.sdkStatus = "(does not parse)";
      continue;
    }
    std::vector<X509Certificate> presented{*leaf};
    if (m.intermediate >= 0 && parsedIntermediates[static_cast<std::size_t>(m.intermediate)])
      presented.push_back(*parsedIntermediates[static_cast<std::size_t>(m.intermediate)]);
    const ValidationResult result =
        validators[static_cast<std::size_t>(m.root)].validate(presented, m.host);
    m.sdkAccepts = result.trusted();
    m.sdkStatus = result.status;
    m.sdkReason = result.reason;
  }

  // What only the SDK accepts runs again under each combination of the relaxations, so that
  // documented choices explain it or it stands out (and a reviewed error cannot hide another).
  std::vector<Mutant*> disagreements;
  for (Mutant& m : mutants)
    if (m.sdkAccepts && !m.openssl[0].accepts) disagreements.push_back(&m);
  if (!disagreements.empty()) {
    std::vector<ToSign*> twins;
    for (Mutant* m : disagreements) {
      // Without a CN the subject could also escape a directory name constraint: no twin then.
      if (hasDirectoryNameConstraint(roots[static_cast<std::size_t>(m->root)].parts) ||
          (m->intermediate >= 0 &&
           hasDirectoryNameConstraint(
               intermediates[static_cast<std::size_t>(m->intermediate)].parts)))
        continue;
      std::optional<Bytes> subject = withoutCommonName(m->parts.subject);
      if (!subject || *subject == m->parts.subject) continue;
      Parts twin = m->parts;
      twin.subject = *subject;
      m->twin = m->cert;
      m->twin.tbs = twin.tbs();
      twins.push_back(&m->twin);
    }
    std::string errors;
    const bool signed_ = signAll(dir, "b", twins, &errors);
    INFO(errors);
    REQUIRE(signed_);
    // First each relaxation alone (and all of them together, for the report); every other
    // combination only for mutants that no single relaxation explains.
    auto applicable = [](const Mutant& m, unsigned variant) {
      return (!(variant & kWithoutCommonName) || !m.twin.der.empty()) &&
             (!(variant & kNotAfterSecond) || m.notAfterAtTime != 0) &&
             (!(variant & kWithoutTrailingDot) || (m.host.size() > 1 && m.host.back() == '.'));
    };
    auto runVariants = [&](const std::string& name, auto wanted) {
      std::vector<std::pair<Mutant*, unsigned>> runs;
      std::vector<std::string> commands;
      for (Mutant* m : disagreements)
        for (unsigned variant = 1; variant < kVariants; ++variant)
          if (applicable(*m, variant) && !m->openssl[variant].ran && wanted(*m, variant)) {
            runs.emplace_back(m, variant);
            commands.push_back(verifyCommand(*m, variant));
          }
      if (commands.empty()) return true;
      if (runJobs(dir, name, commands).timedOut) return false;
      for (const auto& [m, variant] : runs) m->openssl[variant] = readVerdict(dir, *m, variant);
      return true;
    };
    for (Mutant* m : disagreements)
      if (!m->twin.der.empty()) writeFile(dir / leafFile(*m, kWithoutCommonName), pem(m->twin.der));
    REQUIRE(runVariants("variants1.jobs", [&](const Mutant& m, unsigned variant) {
      unsigned all = 0;
      for (unsigned bit = 1; bit < kVariants; bit <<= 1)
        if (applicable(m, bit)) all |= bit;
      return bitCount(variant) == 1 || variant == all;
    }));
    REQUIRE(runVariants("variants2.jobs", [&](const Mutant& m, unsigned) {
      for (unsigned bit = 1; bit < kVariants; bit <<= 1)
        if (m.openssl[bit].accepts) return false;
      return true;
    }));
  }

  // Compare.
  const std::map<std::string, std::string> reviewedList =
      readReviewed(here / "differential-reviewed.txt");
  std::map<std::string, Row> byKind;
  std::map<std::string, int> stricterWhy, reviewedWhy;
  Row total;
  std::vector<const Mutant*> unreviewed;
  for (Mutant& m : mutants) {
    enum { kBothAccept, kBothReject, kSdkStricter, kOnlySdkAccepts } direction;
    if (m.sdkAccepts == m.openssl[0].accepts) {
      direction = m.sdkAccepts ? kBothAccept : kBothReject;
    } else if (!m.sdkAccepts) {
      direction = kSdkStricter;
      ++stricterWhy[m.sdkStatus + ": " + genericReason(m.sdkReason)];
    } else {
      direction = kOnlySdkAccepts;
      m.reviewed = explain(m, reviewedList, &m.explanation);
      if (m.reviewed)
        for (const std::string& key : m.explanation) ++reviewedWhy[key];
      else
        unreviewed.push_back(&m);
    }
    auto tally = [&](Row& row) {
      ++row.mutants;
      switch (direction) {
        case kBothAccept:
          ++row.bothAccept;
          break;
        case kBothReject:
          ++row.bothReject;
          break;
        case kSdkStricter:
          ++row.sdkStricter;
          break;
        case kOnlySdkAccepts:
          ++(m.reviewed ? row.reviewed : row.unreviewed);
          break;
      }
    };
    std::set<std::string> kinds(m.kinds.begin(), m.kinds.end());
    if (m.intermediate >= 0)
      for (const std::string& k : intermediates[static_cast<std::size_t>(m.intermediate)].kinds)
        kinds.insert(k);
    else
      kinds.insert("leaf directly below the root");
    for (const std::string& k : roots[static_cast<std::size_t>(m.root)].kinds) kinds.insert(k);
    for (const std::string& k : kinds) tally(byKind[k]);
    tally(total);
  }

  // AS3NET_DIFFERENTIAL_VERBOSE=1 prints every mutant with both verdicts.
  if (std::getenv("AS3NET_DIFFERENTIAL_VERBOSE"))
    for (const Mutant& m : mutants)
      std::printf("%s\n  host %s\n  sdk %s: %s\n  openssl %s\n", m.description.c_str(),
                  m.host.c_str(), m.sdkStatus.c_str(), m.sdkReason.c_str(),
                  m.openssl[0].accepts ? "OK" : m.openssl[0].errors.front().c_str());

  // The table.
  std::printf(
      "\nDifferential check (seed %llu): %zu mutant leaves (%d random, the rest the sweep), %zu "
      "intermediates, %zu roots, %zu donors\nA mutant counts on the row of each operation that "
      "made it, its intermediate or "
      "its root.\nboth+ both accept, both- both reject, sdk- only OpenSSL accepts, sdk+ only the "
      "SDK accepts (reviewed or not)\n%-64s %5s %5s %5s %5s %7s %7s\n",
      static_cast<unsigned long long>(seed), mutants.size(), count, intermediates.size(),
      roots.size(), pool.donors.size(), "operation", "cases", "both+", "both-", "sdk-", "sdk+rev",
      "sdk+NEW");
  auto printRow = [](const std::string& name, const Row& r) {
    std::printf("%-64s %5d %5d %5d %5d %7d %7d\n", name.c_str(), r.mutants, r.bothAccept,
                r.bothReject, r.sdkStricter, r.reviewed, r.unreviewed);
  };
  for (const auto& [kind, row] : byKind) printRow(kind, row);
  printRow("total", total);
  std::printf("\nOnly OpenSSL accepts (the SDK is stricter), by the SDK's verdict:\n");
  for (const auto& [status, n] : stricterWhy) std::printf("  %5d  %s\n", n, status.c_str());
  std::printf("\nOnly the SDK accepts, reviewed, by OpenSSL's error and what removes it:\n");
  for (const auto& [key, n] : reviewedWhy) std::printf("  %5d  %s\n", n, key.c_str());
  for (const auto& [key, reason] : reviewedList)
    if (!reviewedWhy.count(key)) std::printf("      0  %s\n", key.c_str());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n%.1f s\n", seconds);
  std::fflush(stdout);

  WARN("differential: " << mutants.size() << " mutants, " << total.bothAccept
                        << " accepted by both, " << total.bothReject << " rejected by both, "
                        << total.sdkStricter << " rejected only by the SDK, " << total.reviewed
                        << " accepted only by the SDK (reviewed), " << total.unreviewed
                        << " accepted only by the SDK and not reviewed; " << seconds << " s");

  // Every mutant only the SDK accepts that no review covers, with what reproduces it.
  for (const Mutant* m : unreviewed) {
    std::ostringstream report;
    report << "SDK accepts, OpenSSL rejects: " << m->description << "\n  host " << m->host
           << ", time " << kValidationTime << "\n  SDK: " << m->sdkStatus << "\n  OpenSSL:";
    for (unsigned variant = 0; variant < kVariants; ++variant) {
      const Verdict& v = m->openssl[variant];
      if (!v.ran) continue;
      std::string name;
      for (unsigned bit = 1; bit < kVariants; bit <<= 1)
        if (variant & bit) name += std::string(name.empty() ? "" : ", ") + relaxationName(bit);
      if (name.empty()) name = "as is";
      report << "\n    " << name << ": " << (v.accepts ? "OK" : "");
      for (const std::string& e : v.errors) report << "\n      " << e;
    }
    report << "\n  closest explanation:";
    for (const std::string& key : m->explanation) report << "\n    " << key;
    report << "\n  files in " << dir.string() << ": " << leafFile(*m, 0) << ", r/" << m->root
           << ".pem";
    if (m->intermediate >= 0) report << ", c/" << m->intermediate << ".pem";
    report << "\n  " << verifyCommand(*m, 0) << "\n" << pem(m->cert.der);
    if (m->intermediate >= 0)
      report << pem(intermediates[static_cast<std::size_t>(m->intermediate)].cert.der);
    report << pem(roots[static_cast<std::size_t>(m->root)].cert.der);
    UNSCOPED_INFO(report.str());
  }
  CHECK(unreviewed.empty());
  CHECK(seconds < 90);
  if (unreviewed.empty() && !std::getenv("AS3NET_DIFFERENTIAL_KEEP")) fs::remove_all(dir);
}
