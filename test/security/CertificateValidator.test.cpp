// The validation policy, one rule at a time, with certificates made by the testing kit: each
// defect gives exactly the CertificateStatus docs/security.md maps it to, and a reason that says
// what was wrong. Also TrustStore: files, directories, the system store and its errors.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/errors/IOError.h"
#include "as3/security/CertificateStatus.h"
#include "as3/security/CertificateValidator.h"
#include "as3/security/TrustStore.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/Process.h"
#include "support/TempDir.h"

using as3::security::CertificateStatus;
using as3::security::CertificateValidator;
using as3::security::TrustStore;
using as3::security::ValidationResult;
using as3::security::X509Certificate;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::KeyType;
using as3::testing::TestCertificateAuthority;

namespace fs = std::filesystem;

namespace {

std::shared_ptr<TrustStore> storeOf(const TestCertificateAuthority& root) {
  auto store = std::make_shared<TrustStore>();
  store->add(root.certificate());
  return store;
}

// presented is what a server sends: its certificate, then its intermediates.
std::vector<X509Certificate> presented(const IssuedCertificate& issued) {
  std::vector<X509Certificate> out{issued.certificate};
  out.insert(out.end(), issued.intermediates.begin(), issued.intermediates.end());
  return out;
}

ValidationResult check(const CertificateValidator& validator, const IssuedCertificate& issued,
                       const std::string& host) {
  ValidationResult result = validator.validate(presented(issued), host);
  UNSCOPED_INFO("status " << result.status << ", reason: " << result.reason);
  return result;
}

std::string statusOf(const TestCertificateAuthority& root, const IssuedCertificate& issued,
                     const std::string& host = "localhost") {
  return check(CertificateValidator(storeOf(root)), issued, host).status;
}

std::string statusOf(const TestCertificateAuthority& root, const CertificateOptions& options,
                     const std::string& host = "localhost") {
  return statusOf(root, root.issue(options), host);
}

CertificateOptions withNames(std::vector<std::string> dns, std::vector<std::string> ip = {}) {
  CertificateOptions options;
  options.commonName = dns.empty() ? "server" : dns.front();
  options.dnsNames = std::move(dns);
  options.ipAddresses = std::move(ip);
  return options;
}

template <typename E, typename F>
void requireThrowsId(F&& f, int id) {
  try {
    f();
    FAIL("nothing was thrown");
  } catch (const E& e) {
    CHECK(e.errorID() == id);
  }
}

// isStrictUtf8: shortest forms, no surrogates, nothing past U+10FFFF.
bool isStrictUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t length = c < 0x80                 ? 1
                         : c >= 0xC2 && c <= 0xDF ? 2
                         : c >= 0xE0 && c <= 0xEF ? 3
                         : c >= 0xF0 && c <= 0xF4 ? 4
                                                  : 0;
    if (length == 0 || i + length > s.size()) return false;
    std::uint32_t point = length == 1 ? c : c & (0x7Fu >> length);
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = point << 6 | (next & 0x3Fu);
    }
    static constexpr std::uint32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < kShortest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

}  // namespace

// --- what is trusted
// -------------------------------------------------------------------------------

TEST_CASE("A leaf of a trusted root is trusted for its DNS name and its IP address",
          "[security][validator]") {
  TestCertificateAuthority root;
  IssuedCertificate leaf = root.issue();
  CertificateValidator validator(storeOf(root));
  ValidationResult byName = check(validator, leaf, "localhost");
  CHECK(byName.status == CertificateStatus::TRUSTED);
  CHECK(byName.trusted());
  CHECK(byName.reason.empty());
  REQUIRE(byName.chain.size() == 2);
  CHECK(byName.chain[0] == leaf.certificate);
  CHECK(byName.chain[1] == root.certificate());
  CHECK(check(validator, leaf, "127.0.0.1").status == CertificateStatus::TRUSTED);
  // DNS names compare without case, and a trailing dot names the same host.
  CHECK(check(validator, leaf, "LocalHost").status == CertificateStatus::TRUSTED);
  CHECK(check(validator, leaf, "localhost.").status == CertificateStatus::TRUSTED);
  // An empty host skips the name check (offline use).
  CHECK(check(validator, root.issue(withNames({"elsewhere.test"})), "").status ==
        CertificateStatus::TRUSTED);
}

TEST_CASE("A chain through an intermediate is built from what the server sends",
          "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("as3net test intermediate");
  IssuedCertificate leaf = ica.issue();
  REQUIRE(leaf.intermediates.size() == 1);
  ValidationResult result = check(CertificateValidator(storeOf(root)), leaf, "localhost");
  CHECK(result.status == CertificateStatus::TRUSTED);
  REQUIRE(result.chain.size() == 3);
  CHECK(result.chain[1] == ica.certificate());
  CHECK(result.chain[2] == root.certificate());

  SECTION("the presented order does not matter beyond the leaf") {
    TestCertificateAuthority ica2 = ica.intermediate("second intermediate");
    IssuedCertificate deep = ica2.issue();
    REQUIRE(deep.intermediates.size() == 2);
    std::vector<X509Certificate> shuffled{deep.certificate, deep.intermediates[1],
                                          deep.intermediates[0]};
    CHECK(CertificateValidator(storeOf(root)).validate(shuffled, "localhost").status ==
          CertificateStatus::TRUSTED);
  }
}

TEST_CASE("A missing intermediate can be supplied with addIntermediate", "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("ica");
  IssuedCertificate leaf = ica.issue();
  CertificateValidator validator(storeOf(root));
  ValidationResult alone = validator.validate({leaf.certificate}, "localhost");
  CHECK(alone.status == CertificateStatus::UNTRUSTED_SIGNERS);
  CHECK(alone.reason.find("no path to a trust anchor") != std::string::npos);
  REQUIRE(alone.chain.size() == 1);  // as presented
  validator.addIntermediate(ica.certificate());
  CHECK(validator.validate({leaf.certificate}, "localhost").status == CertificateStatus::TRUSTED);
}

TEST_CASE("A chain to another root is untrustedSigners", "[security][validator]") {
  TestCertificateAuthority root, stranger("another root");
  CHECK(statusOf(stranger, root.issue()) == CertificateStatus::UNTRUSTED_SIGNERS);
  // A validator with no anchors at all trusts nothing.
  CertificateValidator none(nullptr);
  CHECK(none.validate({root.issue().certificate}, "localhost").status ==
        CertificateStatus::UNTRUSTED_SIGNERS);
  // A root sent by the server does not make itself trusted.
  IssuedCertificate leaf = root.issue();
  CHECK(CertificateValidator(storeOf(stranger))
            .validate({leaf.certificate, root.certificate()}, "localhost")
            .status == CertificateStatus::UNTRUSTED_SIGNERS);
}

TEST_CASE("addAnchor adds trust anchors, intermediates included", "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("ica");
  IssuedCertificate leaf = ica.issue();

  CertificateValidator byRoot(nullptr);
  byRoot.addAnchor(root.certificate());
  CHECK(check(byRoot, leaf, "localhost").status == CertificateStatus::TRUSTED);

  // An intermediate given as an anchor is one: the root is not needed then.
  CertificateValidator byIntermediate(nullptr);
  byIntermediate.addAnchor(ica.certificate());
  ValidationResult result = byIntermediate.validate({leaf.certificate}, "localhost");
  CHECK(result.status == CertificateStatus::TRUSTED);
  REQUIRE(result.chain.size() == 2);
  CHECK(result.chain[1] == ica.certificate());

  // Anchors add to the store's.
  TestCertificateAuthority other("other root");
  CertificateValidator both(storeOf(other));
  CHECK(check(both, leaf, "localhost").status == CertificateStatus::UNTRUSTED_SIGNERS);
  both.addAnchor(root.certificate());
  CHECK(check(both, leaf, "localhost").status == CertificateStatus::TRUSTED);
  CHECK(check(both, other.issue(), "localhost").status == CertificateStatus::TRUSTED);
}

TEST_CASE("A certificate given as an anchor is trusted as it is", "[security][validator]") {
  TestCertificateAuthority root;
  IssuedCertificate leaf = root.issue();
  CertificateValidator validator(nullptr);
  // Another copy of the same certificate, as an application would load it from a file.
  validator.addAnchor(X509Certificate::fromPEM(leaf.certificate.toPEM()).at(0));
  ValidationResult result = validator.validate({leaf.certificate}, "localhost");
  CHECK(result.status == CertificateStatus::TRUSTED);
  REQUIRE(result.chain.size() == 1);
  CHECK(result.chain[0] == leaf.certificate);
  // Its name is still checked.
  CHECK(validator.validate({leaf.certificate}, "example.com").status ==
        CertificateStatus::PRINCIPAL_MISMATCH);
}

TEST_CASE("A server that also sends the root is trusted through the anchor",
          "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("ica");
  IssuedCertificate leaf = ica.issue();
  X509Certificate rootCopy = X509Certificate::fromPEM(root.certificatePem()).at(0);
  ValidationResult result =
      CertificateValidator(storeOf(root))
          .validate({leaf.certificate, ica.certificate(), rootCopy}, "localhost");
  CHECK(result.status == CertificateStatus::TRUSTED);
  CHECK(result.chain.size() == 3);
}

TEST_CASE("Copies of a validator are independent", "[security][validator]") {
  TestCertificateAuthority root, other("other root");
  CertificateValidator original(storeOf(root));
  IssuedCertificate leaf = other.issue();
  CHECK(check(original, leaf, "localhost").status == CertificateStatus::UNTRUSTED_SIGNERS);
  CertificateValidator copy = original;
  copy.addAnchor(other.certificate());
  CHECK(check(copy, leaf, "localhost").status == CertificateStatus::TRUSTED);
  CHECK(check(original, leaf, "localhost").status == CertificateStatus::UNTRUSTED_SIGNERS);
  original = copy;
  CHECK(check(original, leaf, "localhost").status == CertificateStatus::TRUSTED);
  copy.addPin("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  CHECK(check(copy, leaf, "localhost").status == CertificateStatus::INVALID_CHAIN);
  CHECK(check(original, leaf, "localhost").status == CertificateStatus::TRUSTED);
}

TEST_CASE("Nothing presented is invalid", "[security][validator]") {
  ValidationResult result = CertificateValidator(nullptr).validate({}, "localhost");
  CHECK(result.status == CertificateStatus::INVALID);
  CHECK_FALSE(result.reason.empty());
}

// --- time ----------------------------------------------------------------------------------------

TEST_CASE("Validity is checked at the validation time", "[security][validator]") {
  TestCertificateAuthority root;
  SECTION("expired") {
    CertificateOptions options;
    options.notBeforeOffset = std::chrono::hours(-48);
    options.lifetime = std::chrono::hours(24);
    ValidationResult result =
        check(CertificateValidator(storeOf(root)), root.issue(options), "localhost");
    CHECK(result.status == CertificateStatus::EXPIRED);
    CHECK(result.reason.find("the leaf certificate") != std::string::npos);
  }
  SECTION("not yet valid") {
    CertificateOptions options;
    options.notBeforeOffset = std::chrono::hours(1);
    CHECK(statusOf(root, options) == CertificateStatus::NOT_YET_VALID);
  }
  SECTION("time() moves the validation time") {
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t later = now + 400 * 86400;
    root.clock(later);
    IssuedCertificate future = root.issue();
    CertificateValidator validator(storeOf(root));
    CHECK(check(validator, future, "localhost").status == CertificateStatus::NOT_YET_VALID);
    validator.time(later);
    CHECK(validator.time() == later);
    CHECK(check(validator, future, "localhost").status == CertificateStatus::TRUSTED);
    validator.time(later + 31 * 86400);  // the default lifetime is 30 days
    CHECK(check(validator, future, "localhost").status == CertificateStatus::EXPIRED);
    validator.time(0);  // now again
    CHECK(check(validator, future, "localhost").status == CertificateStatus::NOT_YET_VALID);
  }
  SECTION("an intermediate's validity counts too") {
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::int64_t later = now + 21 * 365 * 86400;  // past the authorities' 20 years
    TestCertificateAuthority ica = root.intermediate("ica");
    ica.clock(later);
    IssuedCertificate leaf = ica.issue();
    CertificateValidator validator(storeOf(root));
    validator.time(later);
    ValidationResult result = check(validator, leaf, "localhost");
    CHECK(result.status == CertificateStatus::EXPIRED);
    CHECK(result.reason.find("intermediate") != std::string::npos);
  }
}

// --- names ---------------------------------------------------------------------------------------

TEST_CASE("The host is matched against the subject alternative names only",
          "[security][validator]") {
  TestCertificateAuthority root;
  SECTION("another DNS name is principalMismatch") {
    ValidationResult result =
        check(CertificateValidator(storeOf(root)), root.issue(), "example.com");
    CHECK(result.status == CertificateStatus::PRINCIPAL_MISMATCH);
    CHECK(result.reason.find("example.com") != std::string::npos);
  }
  SECTION("the common name is never used") {
    CertificateOptions options;
    options.includeSubjectAltName = false;
    CHECK(statusOf(root, options, "localhost") == CertificateStatus::PRINCIPAL_MISMATCH);
  }
  SECTION("a name that is no host name never matches") {
    CHECK(statusOf(root, withNames({"under_score.test"}), "under_score.test") ==
          CertificateStatus::PRINCIPAL_MISMATCH);
  }
}

TEST_CASE("A reason is UTF-8 whatever bytes it quotes", "[security][validator]") {
  TestCertificateAuthority root;
  CertificateValidator validator(storeOf(root));
  IssuedCertificate issued = root.issue();
  // Each host is quoted by the principalMismatch reason: what is UTF-8 stays, the rest is escaped.
  struct Case {
    std::string host;
    std::string quoted;
  };
  const Case cases[] = {
      {"caf\xC3\xA9.test", "caf\xC3\xA9.test"},            // U+00E9 stays
      {"\xF0\x9F\x98\x80.test", "\xF0\x9F\x98\x80.test"},  // U+1F600 stays
      {"a\xF8\x80\x80.test", "a\\xF8\\x80\\x80.test"},     // no lead byte past F4
      {"a\xF5\x80\x80\x80.test", "a\\xF5\\x80\\x80\\x80.test"},
      {"a\xFF\xBF\xBF.test", "a\\xFF\\xBF\\xBF.test"},
      {"a\xC0\x80.test", "a\\xC0\\x80.test"},                    // overlong
      {"a\xED\xA0\x80.test", "a\\xED\\xA0\\x80.test"},           // a surrogate
      {"a\xF4\x90\x80\x80.test", "a\\xF4\\x90\\x80\\x80.test"},  // past U+10FFFF
  };
  for (const Case& c : cases) {
    ValidationResult result = check(validator, issued, c.host);
    CHECK(result.status == CertificateStatus::PRINCIPAL_MISMATCH);
    CHECK(isStrictUtf8(result.reason));
    CHECK(result.reason.find("\"" + c.quoted + "\"") != std::string::npos);
  }
}

TEST_CASE("IP literals match IP address names, never DNS names", "[security][validator]") {
  TestCertificateAuthority root;
  CHECK(statusOf(root, withNames({"server.test"}, {"192.0.2.7"}), "192.0.2.7") ==
        CertificateStatus::TRUSTED);
  CHECK(statusOf(root, withNames({"server.test"}, {"192.0.2.7"}), "192.0.2.8") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
  // The address written as a DNS name does not count.
  CHECK(statusOf(root, withNames({"192.0.2.7"}), "192.0.2.7") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
  // IPv6 in any spelling, with or without brackets.
  IssuedCertificate six = root.issue(withNames({"server.test"}, {"2001:db8::1"}));
  for (const char* spelling : {"2001:db8::1", "[2001:db8::1]", "2001:DB8:0:0:0:0:0:1"})
    CHECK(statusOf(root, six, spelling) == CertificateStatus::TRUSTED);
  CHECK(statusOf(root, six, "2001:db8::2") == CertificateStatus::PRINCIPAL_MISMATCH);
  // An IPv4 address does not match its IPv4-mapped IPv6 form.
  CHECK(statusOf(root, withNames({"server.test"}, {"192.0.2.7"}), "::ffff:192.0.2.7") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
}

TEST_CASE("A wildcard is only the whole left-most label and matches one label",
          "[security][validator]") {
  TestCertificateAuthority root;
  IssuedCertificate wildcard = root.issue(withNames({"*.example.test"}));
  CHECK(statusOf(root, wildcard, "www.example.test") == CertificateStatus::TRUSTED);
  CHECK(statusOf(root, wildcard, "WWW.Example.Test") == CertificateStatus::TRUSTED);
  CHECK(statusOf(root, wildcard, "example.test") == CertificateStatus::PRINCIPAL_MISMATCH);
  CHECK(statusOf(root, wildcard, "a.b.example.test") == CertificateStatus::PRINCIPAL_MISMATCH);
  CHECK(statusOf(root, root.issue(withNames({"w*.example.test"})), "www.example.test") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
  CHECK(statusOf(root, root.issue(withNames({"www.*.test"})), "www.example.test") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
  CHECK(statusOf(root, root.issue(withNames({"*.test"})), "example.test") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
  CHECK(statusOf(root, root.issue(withNames({"*"})), "localhost") ==
        CertificateStatus::PRINCIPAL_MISMATCH);
}

// --- the leaf ------------------------------------------------------------------------------------

TEST_CASE("A leaf without serverAuth is invalid", "[security][validator]") {
  TestCertificateAuthority root;
  CertificateOptions options;
  options.serverAuth = false;
  options.clientAuth = true;
  ValidationResult result =
      check(CertificateValidator(storeOf(root)), root.issue(options), "localhost");
  CHECK(result.status == CertificateStatus::INVALID);
  CHECK(result.reason.find("server") != std::string::npos);
  // Both usages are fine.
  options.serverAuth = true;
  CHECK(statusOf(root, options) == CertificateStatus::TRUSTED);
}

TEST_CASE("A CA certificate is never accepted as the leaf", "[security][validator]") {
  TestCertificateAuthority root;
  CertificateOptions options;
  options.isCA = true;
  ValidationResult result =
      check(CertificateValidator(storeOf(root)), root.issue(options), "localhost");
  CHECK(result.status == CertificateStatus::INVALID);
  CHECK(result.reason.find("CA") != std::string::npos);
}

// --- keys and signatures -------------------------------------------------------------------------

TEST_CASE("Weak keys are refused wherever they are", "[security][validator]") {
  TestCertificateAuthority root;
  SECTION("accepted keys") {
    for (KeyType type : {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa2048}) {
      CertificateOptions options;
      options.keyType = type;
      CHECK(statusOf(root, options) == CertificateStatus::TRUSTED);
    }
  }
  SECTION("an RSA-1024 leaf is invalid") {
    CertificateOptions options;
    options.keyType = KeyType::kRsa1024;
    ValidationResult result =
        check(CertificateValidator(storeOf(root)), root.issue(options), "localhost");
    CHECK(result.status == CertificateStatus::INVALID);
    CHECK(result.reason.find("1024 bits") != std::string::npos);
    CHECK(result.reason.find("leaf") != std::string::npos);
  }
  SECTION("a P-224 leaf is invalid") {
    CertificateOptions options;
    options.keyType = KeyType::kEcdsaP224;
    CHECK(statusOf(root, options) == CertificateStatus::INVALID);
  }
  SECTION("an RSA-1024 intermediate is invalidChain") {
    TestCertificateAuthority weak = root.intermediate("weak intermediate", KeyType::kRsa1024);
    ValidationResult result = check(CertificateValidator(storeOf(root)), weak.issue(), "localhost");
    CHECK(result.status == CertificateStatus::INVALID_CHAIN);
    CHECK(result.reason.find("intermediate") != std::string::npos);
  }
  SECTION("an RSA-1024 root is invalidChain: its key signs the first link") {
    TestCertificateAuthority weakRoot("weak root", KeyType::kRsa1024);
    CHECK(statusOf(weakRoot, weakRoot.issue()) == CertificateStatus::INVALID_CHAIN);
  }
}

TEST_CASE("SHA-1 signatures are refused", "[security][validator]") {
  TestCertificateAuthority root;
  CertificateOptions options;
  options.sha1Signature = true;
  ValidationResult result =
      check(CertificateValidator(storeOf(root)), root.issue(options), "localhost");
  CHECK(result.status == CertificateStatus::INVALID);
  CHECK(result.reason.find("SHA-1") != std::string::npos);
}

// --- revocation ----------------------------------------------------------------------------------

TEST_CASE("A certificate on a CRL of its issuer is revoked", "[security][validator]") {
  TestCertificateAuthority root;
  IssuedCertificate leaf = root.issue();
  IssuedCertificate other = root.issue();
  CertificateValidator validator(storeOf(root));
  CHECK(validator.addCRLs(root.crlPem({other.serial})) == 1);
  CHECK(check(validator, leaf, "localhost").status == CertificateStatus::TRUSTED);
  CHECK(validator.addCRLs(root.crlPem({leaf.serial})) == 1);
  ValidationResult result = check(validator, leaf, "localhost");
  CHECK(result.status == CertificateStatus::REVOKED);
  CHECK(result.reason.find("revoked") != std::string::npos);
  CHECK(check(validator, other, "localhost").status == CertificateStatus::REVOKED);

  SECTION("an intermediate's CRL covers its leaves, and a revoked intermediate its subtree") {
    TestCertificateAuthority ica = root.intermediate("ica");
    IssuedCertificate below = ica.issue();
    CertificateValidator byIca(storeOf(root));
    byIca.addCRLs(ica.crlPem({below.serial}));
    CHECK(check(byIca, below, "localhost").status == CertificateStatus::REVOKED);
    CertificateValidator byRoot(storeOf(root));
    byRoot.addCRLs(root.crlPem({}));
    CHECK(check(byRoot, below, "localhost").status == CertificateStatus::TRUSTED);
  }
  SECTION("a CRL of another authority does not touch the certificate") {
    TestCertificateAuthority stranger("stranger");
    CertificateValidator byStranger(storeOf(root));
    byStranger.addCRLs(stranger.crlPem({leaf.serial}));
    CHECK(check(byStranger, leaf, "localhost").status == CertificateStatus::TRUSTED);
  }
}

TEST_CASE("addCRLs takes PEM with several CRLs and refuses what is not one",
          "[security][validator]") {
  TestCertificateAuthority root, other("other");
  CertificateValidator validator(storeOf(root));
  CHECK(validator.addCRLs(root.crlPem({1}) + other.crlPem({2})) == 2);
  requireThrowsId<as3::errors::ArgumentError>([&] { validator.addCRLs(""); }, 2004);
  requireThrowsId<as3::errors::ArgumentError>([&] { validator.addCRLs("not a CRL"); }, 2004);
  requireThrowsId<as3::errors::ArgumentError>([&] { validator.addCRLs(root.certificatePem()); },
                                              2004);  // PEM, but no CRL
  requireThrowsId<as3::errors::ArgumentError>(
      [&] { validator.addCRLs("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"); }, 2004);
}

// --- pins ----------------------------------------------------------------------------------------

TEST_CASE("Pins require a key of the verified chain", "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("ica");
  IssuedCertificate leaf = ica.issue();
  IssuedCertificate unrelated = root.issue();
  SECTION("the leaf's, an intermediate's or the root's key satisfies a pin") {
    for (const X509Certificate& pinned :
         {leaf.certificate, ica.certificate(), root.certificate()}) {
      CertificateValidator validator(storeOf(root));
      validator.addPin(pinned.spkiSha256());
      CHECK(check(validator, leaf, "localhost").status == CertificateStatus::TRUSTED);
    }
  }
  SECTION("a mismatch is invalidChain; a backup pin is an alternative") {
    CertificateValidator validator(storeOf(root));
    validator.addPin(unrelated.certificate.spkiSha256());
    ValidationResult result = check(validator, leaf, "localhost");
    CHECK(result.status == CertificateStatus::INVALID_CHAIN);
    CHECK(result.reason.find("pin") != std::string::npos);
    validator.addPin(ica.certificate().spkiSha256());
    CHECK(check(validator, leaf, "localhost").status == CertificateStatus::TRUSTED);
  }
  SECTION("a pin never relaxes the rest of the policy") {
    CertificateValidator validator(storeOf(root));
    validator.addPin(leaf.certificate.spkiSha256());
    CHECK(check(validator, leaf, "example.com").status == CertificateStatus::PRINCIPAL_MISMATCH);
    CertificateValidator untrusted(nullptr);
    untrusted.addPin(leaf.certificate.spkiSha256());
    CHECK(check(untrusted, leaf, "localhost").status == CertificateStatus::UNTRUSTED_SIGNERS);
  }
  SECTION("a pin must be base64 of 32 bytes") {
    CertificateValidator validator(storeOf(root));
    requireThrowsId<as3::errors::ArgumentError>([&] { validator.addPin("not base64!"); }, 2004);
    requireThrowsId<as3::errors::ArgumentError>([&] { validator.addPin("AAAA"); }, 2004);
    requireThrowsId<as3::errors::ArgumentError>([&] { validator.addPin(""); }, 2004);
  }
}

// --- precedence ----------------------------------------------------------------------------------

TEST_CASE("Several defects give the status that comes first in the documented order",
          "[security][validator]") {
  TestCertificateAuthority root, stranger("stranger");
  CertificateOptions expiredWeak;
  expiredWeak.keyType = KeyType::kRsa1024;
  expiredWeak.notBeforeOffset = std::chrono::hours(-48);
  expiredWeak.lifetime = std::chrono::hours(24);
  // untrustedSigners before everything
  CHECK(statusOf(stranger, root.issue(expiredWeak), "example.com") ==
        CertificateStatus::UNTRUSTED_SIGNERS);
  // then invalid (the weak key) before expired and principalMismatch
  CHECK(statusOf(root, root.issue(expiredWeak), "example.com") == CertificateStatus::INVALID);
  // then expired before principalMismatch
  CertificateOptions expired;
  expired.notBeforeOffset = std::chrono::hours(-48);
  expired.lifetime = std::chrono::hours(24);
  CHECK(statusOf(root, root.issue(expired), "example.com") == CertificateStatus::EXPIRED);
  // revoked before expired
  IssuedCertificate gone = root.issue(expired);
  CertificateValidator validator(storeOf(root));
  validator.addCRLs(root.crlPem({gone.serial}));
  CHECK(check(validator, gone, "localhost").status == CertificateStatus::REVOKED);
}

// --- TrustStore
// ------------------------------------------------------------------------------------

TEST_CASE("TrustStore loads PEM and DER files and hashed directories", "[security][truststore]") {
  TestCertificateAuthority a("root a"), b("root b");
  test::TempDir dir("validator");
  TrustStore store;
  CHECK(store.size() == 0);
  CHECK(store.loadFile(dir.write("two.pem", a.certificatePem() + b.certificatePem())) == 2);
  CHECK(store.size() == 2);
  const as3::utils::ByteArray der = a.certificateDer();
  CHECK(store.loadFile(dir.write(
            "a.der", std::string(reinterpret_cast<const char*>(der.data()), der.length()))) == 1);
  CHECK(store.size() == 2);  // the same anchor once
  CHECK(store.source().find("two.pem") != std::string::npos);
  store.add(b.certificate());
  CHECK(store.size() == 2);

  test::TempDir hashed("validator");
  hashed.write("0a1b2c3d.0", a.certificatePem());
  hashed.write("b.crt", b.certificatePem());
  hashed.write("README", "not a certificate");
  hashed.write("broken.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  TrustStore fromDirectory;
  CHECK(fromDirectory.loadDirectory(hashed.path()) == 2);
  CHECK(fromDirectory.source() == hashed.path());
  CHECK(TrustStore().loadDirectory(hashed.path() + "/missing") == 0);

  CHECK(CertificateValidator(storeOf(a)).validate({a.issue().certificate}, "localhost").trusted());
}

TEST_CASE("TrustStore::loadFile names the file it cannot use", "[security][truststore]") {
  test::TempDir dir("validator");
  TrustStore store;
  const std::string missing = dir.path() + "/missing.pem";
  try {
    store.loadFile(missing);
    FAIL("nothing was thrown");
  } catch (const as3::errors::IOError& e) {
    CHECK(e.errorID() == 2038);
    CHECK(e.message().find("File I/O Error.") != std::string::npos);
    CHECK(e.message().find(missing) != std::string::npos);
  }
  requireThrowsId<as3::errors::IOError>([&] { store.loadFile(dir.path()); }, 2038);
  const std::string garbage = dir.write("garbage.pem", "hello");
  try {
    store.loadFile(garbage);
    FAIL("nothing was thrown");
  } catch (const as3::errors::ArgumentError& e) {
    CHECK(e.errorID() == 2004);
    CHECK(e.message().find(garbage) != std::string::npos);
  }
  requireThrowsId<as3::errors::ArgumentError>(
      [&] {
        store.loadFile(
            dir.write("bad.pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"));
      },
      2004);
  CHECK(store.size() == 0);
}

TEST_CASE("TrustStore::system is the platform's bundle, loaded once", "[security][truststore]") {
  std::shared_ptr<const TrustStore> system = TrustStore::system();
  REQUIRE(system != nullptr);
  CHECK(TrustStore::system() == system);
  if (system->size() == 0) {
    WARN("no system trust anchors here (source: '" << system->source() << "')");
    return;
  }
  CHECK_FALSE(system->source().empty());
  // A default validator uses it: a test root is not in it.
  TestCertificateAuthority root;
  CHECK(CertificateValidator().validate({root.issue().certificate}, "localhost").status ==
        CertificateStatus::UNTRUSTED_SIGNERS);
}

TEST_CASE("A path of more than 8 intermediates is invalidChain", "[security][validator]") {
  TestCertificateAuthority root;
  std::vector<TestCertificateAuthority> cas{root};
  for (int i = 1; i <= 9; ++i) cas.push_back(cas.back().intermediate("ica " + std::to_string(i)));
  IssuedCertificate eight = cas[8].issue();
  REQUIRE(eight.intermediates.size() == 8);
  CHECK(statusOf(root, eight) == CertificateStatus::TRUSTED);
  IssuedCertificate nine = cas[9].issue();
  REQUIRE(nine.intermediates.size() == 9);
  ValidationResult result = check(CertificateValidator(storeOf(root)), nine, "localhost");
  CHECK(result.status == CertificateStatus::INVALID_CHAIN);
  CHECK(result.reason.find("8 intermediate") != std::string::npos);
}

// Run by the test below in a child process, whose environment it sets.
TEST_CASE("(child) prints the system trust store", "[.][truststore-child]") {
  std::shared_ptr<const TrustStore> system = TrustStore::system();
  std::printf("SYSTEM %zu %s\n", system->size(), system->source().c_str());
}

TEST_CASE("TrustStore::system honours SSL_CERT_FILE and SSL_CERT_DIR", "[security][truststore]") {
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  TestCertificateAuthority a("root a"), b("root b"), c("root c");
  test::TempDir dir("validator"), hashed("validator");
  const std::string file = dir.write("bundle.pem", a.certificatePem() + b.certificatePem());
  hashed.write("01234567.0", c.certificatePem());
  auto child = [&](std::vector<std::string> environment) {
    std::vector<std::string> argv{"env", "-u", "SSL_CERT_FILE", "-u", "SSL_CERT_DIR"};
    argv.insert(argv.end(), environment.begin(), environment.end());
    argv.push_back(self);
    argv.push_back("[truststore-child]");
    test::ProcessResult result = test::runProcess(argv);
    INFO(result.errors);
    CHECK(result.exitCode == 0);
    std::size_t at = result.output.find("SYSTEM ");
    return at == std::string::npos ? std::string()
                                   : result.output.substr(at, result.output.find('\n', at) - at);
  };
  CHECK(child({"SSL_CERT_FILE=" + file}) == "SYSTEM 2 " + file);
  CHECK(child({"SSL_CERT_DIR=" + hashed.path()}) == "SYSTEM 1 " + hashed.path());
  CHECK(child({"SSL_CERT_FILE=" + file, "SSL_CERT_DIR=" + hashed.path()}) ==
        "SYSTEM 3 " + file + ":" + hashed.path());
  // A certificate of a bundle that does not parse costs only itself.
  const std::string mixed =
      dir.write("mixed.pem", a.certificatePem() +
                                 "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" +
                                 c.certificatePem());
  CHECK(child({"SSL_CERT_FILE=" + mixed}) == "SYSTEM 2 " + mixed);
  // An unusable file leaves the store empty: nothing else is trusted in its place.
  CHECK(child({"SSL_CERT_FILE=" + dir.path() + "/missing.pem"}).rfind("SYSTEM 0 ", 0) == 0);
}

TEST_CASE("One validator serves validations on several threads", "[security][validator]") {
  TestCertificateAuthority root;
  TestCertificateAuthority ica = root.intermediate("ica");
  std::vector<IssuedCertificate> leaves;
  for (int i = 0; i < 4; ++i) leaves.push_back(ica.issue());
  CertificateValidator validator(storeOf(root));  // its store is built by the first validate
  std::vector<std::string> statuses(leaves.size() * 25);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < leaves.size(); ++t)
    threads.emplace_back([&, t] {
      for (std::size_t k = 0; k < 25; ++k)
        statuses[t * 25 + k] = validator.validate(presented(leaves[t]), "localhost").status;
    });
  for (std::thread& thread : threads) thread.join();
  for (const std::string& status : statuses) CHECK(status == CertificateStatus::TRUSTED);
}
