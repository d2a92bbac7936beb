// The test certificate authority: what it makes must pass a strict validator when no defect is
// asked for, and carry exactly the defect asked for otherwise. The openssl command is the
// independent judge (`verify -x509_strict`, `x509 -text`, `crl -text`); without it those checks
// are skipped with a WARN.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "support/Files.h"
#include "support/Process.h"
#include "support/TempDir.h"

using as3::security::X509Certificate;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::KeyType;
using as3::testing::TestCertificateAuthority;

namespace fs = std::filesystem;

namespace {

constexpr double kDayMs = 24 * 3600 * 1000.0;

bool haveOpenssl() {
  if (test::haveProgram("openssl")) return true;
  WARN("openssl is not installed: the cross-checks with the openssl command are skipped");
  return false;
}

test::ProcessResult runOpenssl(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  test::ProcessResult r = test::runProcess(argv, input, std::chrono::seconds(60));
  REQUIRE_FALSE(r.timedOut);
  return r;
}

// openssl runs the openssl command, which must succeed, and returns its output.
std::string openssl(const std::vector<std::string>& args, const std::string& input = {}) {
  test::ProcessResult r = runOpenssl(args, input);
  INFO("openssl " << args.front() << " stderr: " << r.errors);
  REQUIRE(r.exitCode == 0);
  return r.output;
}

std::string text(const X509Certificate& c) {
  return openssl({"x509", "-noout", "-text"}, c.toPEM());
}

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// verify runs `openssl verify -x509_strict` for a TLS server leaf issued under `root`, with
// the leaf's intermediates as untrusted certificates; returns its result.
test::ProcessResult verify(const TestCertificateAuthority& root, const IssuedCertificate& leaf,
                           std::vector<std::string> extra = {}) {
  test::TempDir dir("ca");
  std::vector<std::string> args{"verify",   "-x509_strict",
                                "-purpose", "sslserver",
                                "-CAfile",  dir.write("root.pem", root.certificatePem())};
  if (!leaf.intermediates.empty()) {
    std::string untrusted;
    for (const X509Certificate& c : leaf.intermediates) untrusted += c.toPEM();
    args.insert(args.end(), {"-untrusted", dir.write("inter.pem", untrusted)});
  }
  for (std::string& arg : extra)
    if (arg.rfind("crl:", 0) == 0) arg = dir.write("crl.pem", arg.substr(4));
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back(dir.write("leaf.pem", leaf.certificate.toPEM()));
  return runOpenssl(args, {});
}

void requireVerifies(const TestCertificateAuthority& root, const IssuedCertificate& leaf,
                     std::vector<std::string> extra = {}) {
  test::ProcessResult r = verify(root, leaf, std::move(extra));
  INFO("openssl verify: " << r.output << r.errors);
  REQUIRE(r.exitCode == 0);
  REQUIRE(has(r.output, ": OK"));
}

void requireRefused(const TestCertificateAuthority& root, const IssuedCertificate& leaf,
                    const std::string& reason, std::vector<std::string> extra = {}) {
  test::ProcessResult r = verify(root, leaf, std::move(extra));
  INFO("openssl verify: " << r.output << r.errors);
  CHECK(r.exitCode != 0);
  CHECK(has(r.output + r.errors, reason));
}

std::string serialHex(std::uint64_t serial) {
  char buffer[20];
  std::snprintf(buffer, sizeof buffer, "%llX", static_cast<unsigned long long>(serial));
  std::string out = buffer;
  return out.size() % 2 ? "0" + out : out;
}

// A root per key type, made once: RSA keys take a while under the sanitizers.
const TestCertificateAuthority& root(KeyType type = KeyType::kEcdsaP256) {
  static TestCertificateAuthority p256("as3net test root");
  static TestCertificateAuthority p384("as3net P-384 root", KeyType::kEcdsaP384);
  static TestCertificateAuthority rsa("as3net RSA root", KeyType::kRsa2048);
  switch (type) {
    case KeyType::kEcdsaP384:
      return p384;
    case KeyType::kRsa2048:
      return rsa;
    default:
      return p256;
  }
}

}  // namespace

TEST_CASE("TestCertificateAuthority makes a self-signed root", "[testing]") {
  const TestCertificateAuthority& ca = root();
  const X509Certificate& c = ca.certificate();
  CHECK(c.version() == 2);
  CHECK(c.subject().toString() == "CN=as3net test root");
  CHECK(c.issuer().toString() == "CN=as3net test root");
  CHECK(ca.certificatePem() == c.toPEM());
  CHECK(ca.certificateDer() == c.encoded());
  CHECK(c.dnsNames().empty());
  double now = static_cast<double>(std::time(nullptr)) * 1000.0;
  CHECK(c.validNotBefore() < now - 365 * kDayMs);
  CHECK(c.validNotAfter() > now + 10 * 365 * kDayMs);
  if (!haveOpenssl()) return;
  std::string t = text(c);
  INFO(t);
  CHECK(has(t, "X509v3 Basic Constraints: critical\n                CA:TRUE"));
  CHECK(has(t, "X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign\n"));
  CHECK(has(t, "X509v3 Subject Key Identifier"));
  CHECK_FALSE(has(t, "X509v3 Authority Key Identifier"));
  CHECK_FALSE(has(t, "Extended Key Usage"));
  CHECK(has(t, "ASN1 OID: prime256v1"));
  CHECK(has(t, "Signature Algorithm: ecdsa-with-SHA256"));
  // Self-signed, and its signature checks out.
  test::TempDir dir("ca");
  std::string path = dir.write("root.pem", ca.certificatePem());
  CHECK(has(openssl({"verify", "-x509_strict", "-CAfile", path, path}), ": OK"));
}

TEST_CASE("TestCertificateAuthority leaves pass openssl verify -x509_strict", "[testing]") {
  for (KeyType rootType : {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa2048}) {
    for (KeyType leafType : {KeyType::kEcdsaP256, KeyType::kEcdsaP384, KeyType::kRsa2048}) {
      CAPTURE(static_cast<int>(rootType), static_cast<int>(leafType));
      CertificateOptions options;
      options.keyType = leafType;
      IssuedCertificate leaf = root(rootType).issue(options);
      CHECK(leaf.intermediates.empty());
      CHECK(leaf.chainPem() == leaf.certificate.toPEM());
      CHECK(leaf.certificate.issuer().toString() ==
            root(rootType).certificate().subject().toString());
      CHECK(leaf.certificate.serialNumber() == serialHex(leaf.serial));
      CHECK(has(leaf.privateKeyPem, "-----BEGIN PRIVATE KEY-----\n"));
      if (!haveOpenssl()) continue;
      requireVerifies(root(rootType), leaf, {"-verify_hostname", "localhost"});
      requireVerifies(root(rootType), leaf, {"-verify_ip", "127.0.0.1"});
      requireRefused(root(rootType), leaf, "hostname mismatch",
                     {"-verify_hostname", "example.com"});
      // The key is PKCS#8 and belongs to the certificate.
      std::string keyPublic = openssl({"pkey", "-pubout"}, leaf.privateKeyPem);
      CHECK(keyPublic == openssl({"x509", "-noout", "-pubkey"}, leaf.certificate.toPEM()));
    }
  }
}

TEST_CASE("TestCertificateAuthority leaves carry the extensions of a TLS server", "[testing]") {
  IssuedCertificate leaf = root().issue();
  const X509Certificate& c = leaf.certificate;
  CHECK(c.subject().toString() == "CN=localhost");
  CHECK(c.dnsNames() == std::vector<std::string>{"localhost"});
  CHECK(c.ipAddresses() == std::vector<std::string>{"127.0.0.1"});
  if (!haveOpenssl()) return;
  std::string t = text(c);
  INFO(t);
  CHECK(has(t, "Version: 3 (0x2)"));
  CHECK(has(t, "X509v3 Basic Constraints: critical\n                CA:FALSE"));
  CHECK(has(t, "X509v3 Key Usage: critical\n                Digital Signature\n"));
  CHECK(has(t, "X509v3 Extended Key Usage: \n                TLS Web Server Authentication\n"));
  CHECK(has(t,
            "X509v3 Subject Alternative Name: \n                DNS:localhost, IP "
            "Address:127.0.0.1\n"));
  CHECK(has(t, "X509v3 Subject Key Identifier"));
  CHECK(has(t, "X509v3 Authority Key Identifier"));
  // The leaf's authority key identifier is the root's subject key identifier.
  std::string rootKeyId =
      openssl({"x509", "-noout", "-ext", "subjectKeyIdentifier"}, root().certificatePem());
  std::string leafAuthority =
      openssl({"x509", "-noout", "-ext", "authorityKeyIdentifier"}, c.toPEM());
  std::string id = rootKeyId.substr(rootKeyId.find('\n') + 1);
  while (!id.empty() && (id.front() == ' ')) id.erase(0, 1);
  id = id.substr(0, id.find('\n'));
  CHECK(id.size() == 59);  // 20 bytes as XX:XX:...
  CHECK(has(leafAuthority, id));
}

TEST_CASE("TestCertificateAuthority builds chains through intermediates", "[testing]") {
  TestCertificateAuthority first = root().intermediate("as3net intermediate 1");
  TestCertificateAuthority second = first.intermediate("as3net intermediate 2", KeyType::kRsa2048);
  IssuedCertificate leaf = second.issue();
  REQUIRE(leaf.intermediates.size() == 2);
  CHECK(leaf.intermediates[0] == second.certificate());
  CHECK(leaf.intermediates[1] == first.certificate());
  CHECK(leaf.chainPem() ==
        leaf.certificate.toPEM() + second.certificatePem() + first.certificatePem());
  CHECK(first.certificate().issuer().commonName() == "as3net test root");
  CHECK(second.certificate().issuer().commonName() == "as3net intermediate 1");
  CHECK(leaf.certificate.issuer().commonName() == "as3net intermediate 2");
  CHECK(leaf.certificate.signatureAlgorithmOID() == "1.2.840.113549.1.1.11");
  if (!haveOpenssl()) return;
  std::string t = text(first.certificate());
  CHECK(has(t, "X509v3 Basic Constraints: critical\n                CA:TRUE"));
  CHECK(has(t, "X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign\n"));
  CHECK(has(t, "X509v3 Authority Key Identifier"));
  requireVerifies(root(), leaf, {"-verify_hostname", "localhost"});
  // Without the intermediates there is no chain.
  IssuedCertificate alone = leaf;
  alone.intermediates.clear();
  requireRefused(root(), alone, "unable to get local issuer certificate");
  // Served as a server would (leaf then intermediates), openssl finds the same chain.
  test::TempDir dir("ca");
  test::ProcessResult r = runOpenssl(
      {"verify", "-x509_strict", "-CAfile", dir.write("root.pem", root().certificatePem()),
       "-untrusted", dir.write("chain.pem", leaf.chainPem()),
       dir.write("leaf.pem", leaf.certificate.toPEM())},
      {});
  CHECK(r.exitCode == 0);
}

TEST_CASE("TestCertificateAuthority validity follows its clock", "[testing]") {
  TestCertificateAuthority ca = root();
  const std::int64_t t = 1600000000;  // 2020-09-13 12:26:40 UTC
  ca.clock(t);
  IssuedCertificate leaf = ca.issue();
  CHECK(leaf.certificate.validNotBefore() == (t - 3600) * 1000.0);
  CHECK(leaf.certificate.validNotAfter() == (t - 3600) * 1000.0 + 30 * kDayMs);
  CertificateOptions options;
  options.notBeforeOffset = std::chrono::hours(2);
  options.lifetime = std::chrono::seconds(90);
  IssuedCertificate shifted = ca.issue(options);
  CHECK(shifted.certificate.validNotBefore() == (t + 7200) * 1000.0);
  CHECK(shifted.certificate.validNotAfter() == (t + 7290) * 1000.0);
  // An intermediate made now keeps the clock, and its window holds it.
  TestCertificateAuthority inter = ca.intermediate("as3net clocked intermediate");
  CHECK(inter.certificate().validNotBefore() < t * 1000.0);
  CHECK(inter.certificate().validNotAfter() > t * 1000.0);
  CHECK(inter.issue().certificate.validNotBefore() == (t - 3600) * 1000.0);
  // The clock is the copy's own.
  TestCertificateAuthority copy = ca;
  copy.clock(0);
  double now = static_cast<double>(std::time(nullptr)) * 1000.0;
  CHECK(copy.issue().certificate.validNotBefore() >= now - 3600 * 1000.0 - 5000);
  CHECK(ca.issue().certificate.validNotBefore() == (t - 3600) * 1000.0);
  CHECK(root().issue().certificate.validNotBefore() >= now - 3600 * 1000.0 - 5000);
  if (!haveOpenssl()) return;
  requireRefused(root(), leaf, "certificate has expired");
  requireVerifies(root(), leaf, {"-attime", std::to_string(t)});
}

TEST_CASE("TestCertificateAuthority makes each defect asked for", "[testing]") {
  bool tools = haveOpenssl();

  SECTION("expired and not yet valid") {
    CertificateOptions expired;
    expired.notBeforeOffset = std::chrono::hours(-24 * 60);
    IssuedCertificate e = root().issue(expired);
    CertificateOptions future;
    future.notBeforeOffset = std::chrono::hours(24);
    IssuedCertificate f = root().issue(future);
    double now = static_cast<double>(std::time(nullptr)) * 1000.0;
    CHECK(e.certificate.validNotAfter() < now);
    CHECK(f.certificate.validNotBefore() > now);
    if (!tools) return;
    requireRefused(root(), e, "certificate has expired");
    requireRefused(root(), f, "certificate is not yet valid");
  }
  SECTION("SHA-1 signatures") {
    CertificateOptions options;
    options.sha1Signature = true;
    IssuedCertificate rsa = root(KeyType::kRsa2048).issue(options);
    IssuedCertificate ec = root().issue(options);
    CHECK(rsa.certificate.signatureAlgorithmOID() == "1.2.840.113549.1.1.5");
    CHECK(ec.certificate.signatureAlgorithmOID() == "1.2.840.10045.4.1");
    if (!tools) return;
    CHECK(has(text(rsa.certificate), "Signature Algorithm: sha1WithRSAEncryption"));
    CHECK(has(text(ec.certificate), "Signature Algorithm: ecdsa-with-SHA1"));
  }
  SECTION("weak keys") {
    CertificateOptions options;
    options.keyType = KeyType::kRsa1024;
    IssuedCertificate rsa = root().issue(options);
    options.keyType = KeyType::kEcdsaP224;
    IssuedCertificate p224 = root().issue(options);
    CHECK(rsa.certificate.subjectPublicKeyAlgorithmOID() == "1.2.840.113549.1.1.1");
    CHECK(p224.certificate.subjectPublicKeyAlgorithmOID() == "1.2.840.10045.2.1");
    if (!tools) return;
    CHECK(has(text(rsa.certificate), "Public-Key: (1024 bit)"));
    std::string t = text(p224.certificate);
    CHECK(has(t, "Public-Key: (224 bit)"));
    CHECK(has(t, "ASN1 OID: secp224r1"));
    // Weak keys are refused at a security level that asks for 112-bit strength.
    requireVerifies(root(), rsa);
    requireRefused(root(), rsa, "too weak", {"-auth_level", "2"});
    // A weak authority signs with its weak key.
    TestCertificateAuthority weak =
        root().intermediate("as3net weak intermediate", KeyType::kRsa1024);
    CHECK(has(text(weak.certificate()), "Public-Key: (1024 bit)"));
    requireVerifies(root(), weak.issue());
  }
  SECTION("a CA certificate used as a leaf") {
    CertificateOptions options;
    options.isCA = true;
    IssuedCertificate leaf = root().issue(options);
    if (!tools) return;
    std::string t = text(leaf.certificate);
    CHECK(has(t, "X509v3 Basic Constraints: critical\n                CA:TRUE"));
    CHECK(has(t, "DNS:localhost"));
    CHECK(has(t, "TLS Web Server Authentication"));
  }
  SECTION("a self-signed leaf") {
    CertificateOptions options;
    options.selfSigned = true;
    options.commonName = "lonely";
    IssuedCertificate leaf = root().issue(options);
    CHECK(leaf.intermediates.empty());
    CHECK(leaf.certificate.issuer().toString() == leaf.certificate.subject().toString());
    CHECK(leaf.certificate.issuer().toString() != root().certificate().subject().toString());
    if (!tools) return;
    std::string t = text(leaf.certificate);
    CHECK(has(t, "Issuer: CN = lonely"));
    CHECK(has(t, "CA:FALSE"));
  }
  SECTION("client authentication only, and both") {
    CertificateOptions options;
    options.serverAuth = false;
    IssuedCertificate client = root().issue(options);
    options.serverAuth = true;
    options.clientAuth = true;
    IssuedCertificate both = root().issue(options);
    if (!tools) return;
    std::string t = text(client.certificate);
    CHECK(has(t, "TLS Web Client Authentication"));
    CHECK_FALSE(has(t, "TLS Web Server Authentication"));
    requireRefused(root(), client, "unsuitable certificate purpose");
    t = text(both.certificate);
    CHECK(has(t, "TLS Web Server Authentication, TLS Web Client Authentication"));
    requireVerifies(root(), both);
    test::TempDir dir("ca");
    CHECK(has(openssl({"verify", "-x509_strict", "-purpose", "sslclient", "-CAfile",
                       dir.write("root.pem", root().certificatePem()),
                       dir.write("client.pem", client.certificate.toPEM())}),
              ": OK"));
  }
  SECTION("the name only in the common name") {
    CertificateOptions options;
    options.commonName = "cn-only.example";
    options.includeSubjectAltName = false;
    IssuedCertificate leaf = root().issue(options);
    CHECK(leaf.certificate.dnsNames().empty());
    CHECK(leaf.certificate.ipAddresses().empty());
    CHECK(leaf.certificate.subject().commonName() == "cn-only.example");
    if (!tools) return;
    CHECK_FALSE(has(text(leaf.certificate), "Subject Alternative Name"));
  }
  SECTION("no subject, names in a critical subjectAltName") {
    CertificateOptions options;
    options.commonName = "";
    IssuedCertificate leaf = root().issue(options);
    CHECK(leaf.certificate.subject().toString().empty());
    CHECK(leaf.certificate.dnsNames() == std::vector<std::string>{"localhost"});
    if (!tools) return;
    CHECK(has(text(leaf.certificate), "X509v3 Subject Alternative Name: critical"));
    requireVerifies(root(), leaf, {"-verify_hostname", "localhost"});
  }
}

TEST_CASE("TestCertificateAuthority serials are unique and match the certificates", "[testing]") {
  std::set<std::uint64_t> serials;
  TestCertificateAuthority inter = root().intermediate("as3net serial intermediate");
  for (int i = 0; i < 20; ++i) {
    IssuedCertificate leaf = (i % 2 ? inter : root()).issue();
    CHECK(leaf.serial > 0);
    CHECK(leaf.serial < (std::uint64_t{1} << 63));
    CHECK(leaf.certificate.serialNumber() == serialHex(leaf.serial));
    serials.insert(leaf.serial);
  }
  CHECK(serials.size() == 20);
  CHECK(root().certificate().serialNumber() != inter.certificate().serialNumber());
}

TEST_CASE("TestCertificateAuthority CRLs list the serials and are signed", "[testing]") {
  TestCertificateAuthority ca = root();
  IssuedCertificate revoked = ca.issue();
  IssuedCertificate other = ca.issue();
  IssuedCertificate good = ca.issue();
  std::string crl = ca.crlPem({revoked.serial, other.serial});
  CHECK(crl.rfind("-----BEGIN X509 CRL-----\n", 0) == 0);
  std::string empty = ca.crlPem({});
  if (!haveOpenssl()) return;
  std::string t = openssl({"crl", "-noout", "-text"}, crl);
  INFO(t);
  CHECK(has(t, "Version 2 (0x1)"));
  CHECK(has(t, "Issuer: CN = as3net test root"));
  CHECK(has(t, "Next Update:"));
  CHECK(has(t, "X509v3 CRL Number"));
  CHECK(has(t, "X509v3 Authority Key Identifier"));
  CHECK(has(t, "Serial Number: " + serialHex(revoked.serial)));
  CHECK(has(t, "Serial Number: " + serialHex(other.serial)));
  CHECK_FALSE(has(t, "Serial Number: " + serialHex(good.serial)));
  CHECK(has(t, "Signature Algorithm: ecdsa-with-SHA256"));
  CHECK(has(openssl({"crl", "-noout", "-text"}, empty), "No Revoked Certificates."));

  // Signed by the authority, with numbers that grow.
  test::TempDir dir("ca");
  test::ProcessResult r =
      runOpenssl({"crl", "-noout", "-CAfile", dir.write("root.pem", ca.certificatePem())}, crl);
  CHECK(has(r.output + r.errors, "verify OK"));
  auto number = [](const std::string& pem) {
    std::string out = openssl({"crl", "-noout", "-crlnumber"}, pem);
    return std::stoull(out.substr(out.find('=') + 1), nullptr, 16);
  };
  CHECK(number(empty) > number(crl));

  // openssl's revocation check finds the revoked leaf, and passes the others.
  requireRefused(ca, revoked, "certificate revoked", {"-crl_check", "-CRLfile", "crl:" + crl});
  requireVerifies(ca, good, {"-crl_check", "-CRLfile", "crl:" + crl});

  // An intermediate's CRL is signed by the intermediate.
  TestCertificateAuthority inter = ca.intermediate("as3net CRL intermediate");
  IssuedCertificate leaf = inter.issue();
  std::string interCrl = inter.crlPem({leaf.serial});
  CHECK(has(openssl({"crl", "-noout", "-text"}, interCrl), "Issuer: CN = as3net CRL intermediate"));
  requireRefused(ca, leaf, "certificate revoked", {"-crl_check", "-CRLfile", "crl:" + interCrl});
}

TEST_CASE("TestCertificateAuthority writes a server's files", "[testing]") {
  TestCertificateAuthority inter = root().intermediate("as3net files intermediate");
  IssuedCertificate leaf = inter.issue();
  test::TempDir dir("ca");
  leaf.writeFiles(dir.path("cert.pem"), dir.path("key.pem"));
  CHECK(test::readFile(dir.path("cert.pem")) == leaf.chainPem());
  CHECK(test::readFile(dir.path("key.pem")) == leaf.privateKeyPem);
  std::vector<X509Certificate> chain =
      X509Certificate::fromPEM(test::readFile(dir.path("cert.pem")));
  REQUIRE(chain.size() == 2);
  CHECK(chain[1] == inter.certificate());
  CHECK_THROWS(leaf.writeFiles(dir.path("missing/cert.pem"), dir.path("missing/key.pem")));
}

TEST_CASE("TestCertificateAuthority refuses options it cannot encode", "[testing]") {
  CertificateOptions options;
  options.ipAddresses = {"localhost"};
  try {
    root().issue(options);
    FAIL("no ArgumentError was thrown");
  } catch (const as3::errors::ArgumentError& e) {
    CHECK(e.errorID() == 2004);
  }
  options.ipAddresses = {};
  options.lifetime = std::chrono::seconds(0);
  CHECK_THROWS_AS(root().issue(options), as3::errors::ArgumentError);
}
