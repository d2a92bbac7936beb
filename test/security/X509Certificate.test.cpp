// X509Certificate and X500DistinguishedName (spec 3.3, 3.4) on certificates the test authority
// makes and on fixed ones made with openssl, cross-checked against the openssl command where it
// is installed (a WARN says so when it is not).
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "as3/errors/ArgumentError.h"
#include "as3/security/X500DistinguishedName.h"
#include "as3/security/X509Certificate.h"
#include "as3/testing/TestCertificateAuthority.h"
#include "as3/utils/ByteArray.h"
#include "support/Process.h"

using as3::security::X500DistinguishedName;
using as3::security::X509Certificate;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::KeyType;
using as3::testing::TestCertificateAuthority;
using as3::utils::ByteArray;

namespace {

using Attributes = std::vector<std::pair<std::string, std::string>>;

constexpr std::int64_t kClock = 1700000000;  // 2023-11-14 22:13:20 UTC
constexpr double kHourMs = 3600.0 * 1000.0;
constexpr double kDayMs = 24 * kHourMs;

// A v1 certificate made with `openssl x509 -req -signkey` (no extensions), serial 0x00a1b2c3,
// valid 2026-11-22 06:29:55 to 2126-10-29 06:29:55 UTC (the end as GeneralizedTime).
const char* const kV1Pem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB1TCCAXsCBAChssMwCgYIKoZIzj0EAwIwdDELMAkGA1UEBhMCVVMxEzARBgNV\n"
    "BAgMCkNhbGlmb3JuaWExFjAUBgNVBAcMDVNhbiBGcmFuY2lzY28xFDASBgNVBAoM\n"
    "C0V4YW1wbGUgT3JnMQ0wCwYDVQQLDARVbml0MRMwEQYDVQQDDAp2MS5leGFtcGxl\n"
    "MCAXDTI2MTEyMjA2Mjk1NVoYDzIxMjYxMDI5MDYyOTU1WjB0MQswCQYDVQQGEwJV\n"
    "UzETMBEGA1UECAwKQ2FsaWZvcm5pYTEWMBQGA1UEBwwNU2FuIEZyYW5jaXNjbzEU\n"
    "MBIGA1UECgwLRXhhbXBsZSBPcmcxDTALBgNVBAsMBFVuaXQxEzARBgNVBAMMCnYx\n"
    "LmV4YW1wbGUwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATD04FvEtR1Ey/uPrT3\n"
    "wwT2Zxe6ZNM/O4opsjjkZ2BiUQTjlPkaNrbCIr4dNL0RIdisOUuan4WTj4g4YnT9\n"
    "WD1GMAoGCCqGSM49BAMCA0gAMEUCIF+/RcVMHAUT5VoZfuvreDinjWzeVQ1awhBC\n"
    "HS7MgJiOAiEAt4qSC3kWOqkYOyFsH97ui17TlkvHmedQLCwCbG7jzcw=\n"
    "-----END CERTIFICATE-----\n";

// The same certificate made v2 by hand (its signature no longer matches) with an
// issuerUniqueID of 12:34:ab and a subjectUniqueID of ca:fe:f0 (4 unused bits).
const char* const kV2Pem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB5jCCAYygAwIBAQIEAKGywzAKBggqhkjOPQQDAjB0MQswCQYDVQQGEwJVUzET\n"
    "MBEGA1UECAwKQ2FsaWZvcm5pYTEWMBQGA1UEBwwNU2FuIEZyYW5jaXNjbzEUMBIG\n"
    "A1UECgwLRXhhbXBsZSBPcmcxDTALBgNVBAsMBFVuaXQxEzARBgNVBAMMCnYxLmV4\n"
    "YW1wbGUwIBcNMjYxMTIyMDYyOTU1WhgPMjEyNjEwMjkwNjI5NTVaMHQxCzAJBgNV\n"
    "BAYTAlVTMRMwEQYDVQQIDApDYWxpZm9ybmlhMRYwFAYDVQQHDA1TYW4gRnJhbmNp\n"
    "c2NvMRQwEgYDVQQKDAtFeGFtcGxlIE9yZzENMAsGA1UECwwEVW5pdDETMBEGA1UE\n"
    "AwwKdjEuZXhhbXBsZTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABMPTgW8S1HUT\n"
    "L+4+tPfDBPZnF7pk0z87iimyOORnYGJRBOOU+Ro2tsIivh00vREh2Kw5S5qfhZOP\n"
    "iDhidP1YPUaBBAASNKuCBATK/vAwCgYIKoZIzj0EAwIDSAAwRQIgX79FxUwcBRPl\n"
    "Whl+6+t4OKeNbN5VDVrCEEIdLsyAmI4CIQC3ipILeRY6qRg7IWwf3u6LXtOWS8eZ\n"
    "51AsLAJsbuPNzA==\n"
    "-----END CERTIFICATE-----\n";

std::string bytesOf(std::basic_string_view<std::uint8_t> der) {
  return std::string(reinterpret_cast<const char*>(der.data()), der.size());
}

std::string bytesOf(const ByteArray& a) {
  return a.length() == 0 ? std::string()
                         : std::string(reinterpret_cast<const char*>(a.data()), a.length());
}

// serialHex is how RFC 5280 writes a positive serial in DER, as upper-case hex bytes.
std::string serialHex(std::uint64_t serial) {
  char text[20];
  std::snprintf(text, sizeof text, "%llX", static_cast<unsigned long long>(serial));
  std::string out = text;
  return out.size() % 2 ? "0" + out : out;
}

// requireInvalidParameter checks that `fn` throws ArgumentError #2004.
void requireInvalidParameter(const std::function<void()>& fn) {
  try {
    fn();
    FAIL("no ArgumentError was thrown");
  } catch (const as3::errors::ArgumentError& e) {
    INFO(e.message());
    CHECK(e.errorID() == 2004);
    CHECK(e.message().rfind("Error #2004: One of the parameters is invalid.", 0) == 0);
  }
}

bool haveOpenssl() {
  if (test::haveProgram("openssl")) return true;
  WARN("openssl is not installed: the cross-checks with the openssl command are skipped");
  return false;
}

// openssl runs the openssl command, which must succeed, and returns its output.
std::string openssl(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> argv{"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  test::ProcessResult r = test::runProcess(argv, input, std::chrono::seconds(60));
  INFO("openssl " << args.front() << " stderr: " << r.errors);
  REQUIRE_FALSE(r.timedOut);
  REQUIRE(r.exitCode == 0);
  return r.output;
}

// opensslSpkiSha256 computes the pin the openssl way: public key out, DER, SHA-256, base64.
std::string opensslSpkiSha256(const X509Certificate& c) {
  std::string pem = openssl({"x509", "-noout", "-pubkey"}, c.toPEM());
  std::string der = openssl({"pkey", "-pubin", "-outform", "DER"}, pem);
  std::string digest = openssl({"dgst", "-sha256", "-binary"}, der);
  return ByteArray(digest.data(), digest.size()).toBase64();
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

TestCertificateAuthority& sharedRoot() {
  static TestCertificateAuthority root("as3net test root");
  return root;
}

}  // namespace

TEST_CASE("X509Certificate reads every AIR property of an issued leaf", "[security]") {
  TestCertificateAuthority ca = sharedRoot();
  ca.clock(kClock);
  IssuedCertificate issued = ca.issue();
  const X509Certificate& c = issued.certificate;

  CHECK(c.version() == 2);
  CHECK(c.serialNumber() == serialHex(issued.serial));
  CHECK(c.signatureAlgorithmOID() == "1.2.840.10045.4.3.2");  // ecdsa-with-SHA256
  CHECK_FALSE(c.signatureAlgorithmParams().has_value());
  CHECK(c.issuer().commonName() == "as3net test root");
  CHECK(c.issuer().toString() == "CN=as3net test root");
  CHECK(c.issuer().organizationName().empty());
  CHECK(c.subject().commonName() == "localhost");
  CHECK(c.subject().toString() == "CN=localhost");
  CHECK(c.subject().countryName().empty());
  CHECK(c.subject().localityName().empty());
  CHECK(c.subject().organizationalUnitName().empty());
  CHECK(c.subject().stateOrProvinceName().empty());
  CHECK(c.issuerUniqueID().empty());
  CHECK(c.subjectUniqueID().empty());
  CHECK(c.subjectPublicKeyAlgorithmOID() == "1.2.840.10045.2.1");  // id-ecPublicKey
  std::string key = c.subjectPublicKey();
  CHECK(key.size() == 130);  // an uncompressed P-256 point: 04, x, y
  CHECK(key.rfind("04", 0) == 0);
  CHECK(key.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(c.validNotBefore() == (kClock - 3600) * 1000.0);
  CHECK(c.validNotAfter() == c.validNotBefore() + 30 * kDayMs);
  CHECK(c.dnsNames() == std::vector<std::string>{"localhost"});
  CHECK(c.ipAddresses() == std::vector<std::string>{"127.0.0.1"});

  ByteArray encoded = c.encoded();
  CHECK(encoded.length() == c.der().size());
  CHECK(bytesOf(encoded) == bytesOf(c.der()));
  CHECK(encoded[0] == 0x30);
  X509Certificate again = X509Certificate::fromDER(encoded);
  CHECK(again == c);
  CHECK(X509Certificate::fromDER(c.der().data(), c.der().size()) == c);
  X509Certificate copy = c;
  CHECK(copy == c);
  CHECK(copy.der().data() == c.der().data());  // copies share one parsed form
  CHECK(c != ca.certificate());

  std::vector<X509Certificate> fromPem = X509Certificate::fromPEM(c.toPEM());
  REQUIRE(fromPem.size() == 1);
  CHECK(fromPem[0] == c);
}

TEST_CASE("X509Certificate agrees with the openssl command", "[security]") {
  if (!haveOpenssl()) return;
  TestCertificateAuthority ca = sharedRoot();
  ca.clock(kClock);
  IssuedCertificate issued = ca.issue();
  const X509Certificate& c = issued.certificate;
  std::string pem = c.toPEM();

  CHECK(trimmed(openssl({"x509", "-noout", "-serial"}, pem)) == "serial=" + c.serialNumber());
  CHECK(trimmed(openssl({"x509", "-noout", "-subject", "-nameopt", "RFC2253"}, pem)) ==
        "subject=" + c.subject().toString());
  CHECK(trimmed(openssl({"x509", "-noout", "-issuer", "-nameopt", "RFC2253"}, pem)) ==
        "issuer=" + c.issuer().toString());
  // 1700000000 - 3600 is 2023-11-14 21:13:20 UTC, and 30 days later is 2023-12-14.
  CHECK(trimmed(openssl({"x509", "-noout", "-startdate"}, pem)) ==
        "notBefore=Nov 14 21:13:20 2023 GMT");
  CHECK(trimmed(openssl({"x509", "-noout", "-enddate"}, pem)) ==
        "notAfter=Dec 14 21:13:20 2023 GMT");
  CHECK(c.spkiSha256() == opensslSpkiSha256(c));
  // openssl's own DER of what it read is byte for byte ours.
  CHECK(openssl({"x509", "-outform", "DER"}, pem) == bytesOf(c.der()));
  CHECK(openssl({"x509"}, pem) == pem);

  TestCertificateAuthority rsa("as3net RSA root", KeyType::kRsa2048);
  X509Certificate rsaRoot = rsa.certificate();
  CHECK(rsaRoot.spkiSha256() == opensslSpkiSha256(rsaRoot));
  std::string text = openssl({"x509", "-noout", "-text"}, rsaRoot.toPEM());
  CHECK(text.find("Public-Key: (2048 bit)") != std::string::npos);
  CHECK(text.find("sha256WithRSAEncryption") != std::string::npos);
}

TEST_CASE("X509Certificate reads RSA keys and signatures with NULL parameters", "[security]") {
  TestCertificateAuthority rsa("as3net RSA root", KeyType::kRsa2048);
  IssuedCertificate issued = rsa.issue(CertificateOptions{});
  const X509Certificate& c = issued.certificate;
  CHECK(c.signatureAlgorithmOID() == "1.2.840.113549.1.1.11");  // sha256WithRSAEncryption
  REQUIRE(c.signatureAlgorithmParams().has_value());
  CHECK(c.signatureAlgorithmParams()->toHexString() == "0500");    // NULL
  CHECK(c.subjectPublicKeyAlgorithmOID() == "1.2.840.10045.2.1");  // the leaf's own EC key

  const X509Certificate& root = rsa.certificate();
  CHECK(root.subjectPublicKeyAlgorithmOID() == "1.2.840.113549.1.1.1");  // rsaEncryption
  // An RSAPublicKey SEQUENCE: 30 82 01 0a 02 82 01 01 00 <256 bytes> 02 03 01 00 01.
  CHECK(root.subjectPublicKey().rfind("3082010a0282010100", 0) == 0);
  CHECK(root.subjectPublicKey().size() == 270 * 2);
  CHECK(root.issuer().toString() == root.subject().toString());

  CertificateOptions p384;
  p384.keyType = KeyType::kEcdsaP384;
  TestCertificateAuthority ec384("as3net P-384 root", KeyType::kEcdsaP384);
  X509Certificate leaf = ec384.issue(p384).certificate;
  CHECK(leaf.signatureAlgorithmOID() == "1.2.840.10045.4.3.3");  // ecdsa-with-SHA384
  CHECK(leaf.subjectPublicKey().size() == 2 * 97);
}

TEST_CASE("X509Certificate reads a v1 certificate and a v2 one with unique IDs", "[security]") {
  std::vector<X509Certificate> v1s = X509Certificate::fromPEM(kV1Pem);
  REQUIRE(v1s.size() == 1);
  const X509Certificate& v1 = v1s[0];
  CHECK(v1.version() == 0);
  CHECK(v1.serialNumber() == "A1B2C3");  // the DER's leading 00 is not part of it
  CHECK(v1.signatureAlgorithmOID() == "1.2.840.10045.4.3.2");
  CHECK(v1.subject().countryName() == "US");
  CHECK(v1.subject().stateOrProvinceName() == "California");
  CHECK(v1.subject().localityName() == "San Francisco");
  CHECK(v1.subject().organizationName() == "Example Org");
  CHECK(v1.subject().organizationalUnitName() == "Unit");
  CHECK(v1.subject().commonName() == "v1.example");
  CHECK(v1.subject().toString() ==
        "C=US, ST=California, L=San Francisco, O=Example Org, OU=Unit, CN=v1.example");
  CHECK(v1.issuer().attributes() == v1.subject().attributes());
  CHECK(v1.validNotBefore() == 1795328995000.0);  // UTCTime 261122062955Z
  CHECK(v1.validNotAfter() == 4948928995000.0);   // GeneralizedTime 21261029062955Z
  CHECK(v1.spkiSha256() == "j3AVbBryFH19xZnFM6vmxuuq18MNeiMtENem4kdEncE=");
  CHECK(v1.subjectPublicKey().rfind("04c3d3816f12d475132fee3eb4f7c3", 0) == 0);
  CHECK(v1.dnsNames().empty());
  CHECK(v1.ipAddresses().empty());
  CHECK(v1.issuerUniqueID().empty());
  CHECK(v1.toPEM() == kV1Pem);

  std::vector<X509Certificate> v2s = X509Certificate::fromPEM(kV2Pem);
  REQUIRE(v2s.size() == 1);
  CHECK(v2s[0].version() == 1);
  CHECK(v2s[0].issuerUniqueID() == "1234ab");
  CHECK(v2s[0].subjectUniqueID() == "cafef0");
  CHECK(v2s[0].serialNumber() == "A1B2C3");
}

TEST_CASE("X509Certificate reads dates before 1970 and after 2049", "[security]") {
  TestCertificateAuthority ca = sharedRoot();
  ca.clock(-100000000);  // 1966-10-31 14:13:20 UTC, a UTCTime "66..."
  CertificateOptions options;
  options.notBeforeOffset = std::chrono::seconds(0);
  options.lifetime = std::chrono::hours(24 * 365 * 100);  // into GeneralizedTime
  X509Certificate c = ca.issue(options).certificate;
  CHECK(c.validNotBefore() == -100000000 * 1000.0);
  CHECK(c.validNotAfter() == (-100000000 + 100 * 365 * 86400.0) * 1000.0);
  if (!haveOpenssl()) return;
  CHECK(trimmed(openssl({"x509", "-noout", "-startdate"}, c.toPEM())) ==
        "notBefore=Oct 31 14:13:20 1966 GMT");
}

TEST_CASE("X509Certificate lists DNS and IP subject alternative names", "[security]") {
  CertificateOptions options;
  options.commonName = "multi.example";
  options.dnsNames = {"multi.example", "*.multi.example", "other.test"};
  options.ipAddresses = {"127.0.0.1", "::1", "2001:db8::5", "192.0.2.250"};
  X509Certificate c = sharedRoot().issue(options).certificate;
  CHECK(c.dnsNames() == options.dnsNames);
  CHECK(c.ipAddresses() == options.ipAddresses);
  if (!haveOpenssl()) return;
  std::string text = openssl({"x509", "-noout", "-ext", "subjectAltName"}, c.toPEM());
  CHECK(text.find("DNS:multi.example, DNS:*.multi.example, DNS:other.test, IP Address:127.0.0.1, "
                  "IP Address:0:0:0:0:0:0:0:1, IP Address:2001:DB8:0:0:0:0:0:5, "
                  "IP Address:192.0.2.250") != std::string::npos);
}

TEST_CASE("X500DistinguishedName escapes as RFC 4514 says", "[security]") {
  CertificateOptions options;
  options.commonName = "Smith, John+\"J\" <x>;\\ ";
  X509Certificate c = sharedRoot().issue(options).certificate;
  CHECK(c.subject().commonName() == options.commonName);
  CHECK(c.subject().toString() == "CN=Smith\\, John\\+\\\"J\\\" \\<x\\>\\;\\\\\\ ");

  options.commonName = "#1 Zürich ☃";
  c = sharedRoot().issue(options).certificate;
  CHECK(c.subject().commonName() == "#1 Zürich ☃");
  CHECK(c.subject().toString() == "CN=\\#1 Zürich ☃");

  CHECK(X500DistinguishedName(Attributes{{"CN", " padded "}}).toString() == "CN=\\ padded\\ ");
  CHECK(X500DistinguishedName(Attributes{{"CN", std::string("a\0b", 3)}}).toString() ==
        "CN=a\\00b");
  CHECK(X500DistinguishedName(Attributes{{"CN", "a=b#c"}}).toString() == "CN=a=b#c");
}

TEST_CASE("X500DistinguishedName made from attributes", "[security]") {
  X500DistinguishedName empty;
  CHECK(empty.toString().empty());
  CHECK(empty.commonName().empty());
  CHECK(empty.attributes().empty());

  X500DistinguishedName name({{"cn", "first"},
                              {"2.5.4.10", "Org"},
                              {"CN", "second"},
                              {"1.2.840.113549.1.9.1", "a@example.com"},
                              {"c", "FR"},
                              {"l", "Paris"},
                              {"st", "IDF"},
                              {"ou", "R&D"},
                              {"dc", "example"}});
  CHECK(name.commonName() == "first");
  CHECK(name.organizationName() == "Org");
  CHECK(name.countryName() == "FR");
  CHECK(name.localityName() == "Paris");
  CHECK(name.stateOrProvinceName() == "IDF");
  CHECK(name.organizationalUnitName() == "R&D");
  CHECK(name.toString() ==
        "CN=first, O=Org, CN=second, 1.2.840.113549.1.9.1=a@example.com, C=FR, L=Paris, "
        "ST=IDF, OU=R&D, DC=example");
  CHECK(name.attributes().size() == 9);
  CHECK(name.attributes()[1].first == "O");
}

TEST_CASE("X509Certificate.fromPEM reads every certificate block in order", "[security]") {
  TestCertificateAuthority root = sharedRoot();
  TestCertificateAuthority inter = root.intermediate("as3net test intermediate");
  IssuedCertificate issued = inter.issue();

  std::vector<X509Certificate> chain = X509Certificate::fromPEM(issued.chainPem());
  REQUIRE(chain.size() == 2);
  CHECK(chain[0] == issued.certificate);
  CHECK(chain[1] == inter.certificate());
  CHECK(chain[0].issuer().toString() == chain[1].subject().toString());

  // Text around the blocks, a key and a CRL among them, CRLF line ends, an old label.
  std::string mixed = "Bag Attributes: none\n" + issued.privateKeyPem + issued.chainPem() +
                      root.crlPem({}) + "trailing words\n" + root.certificatePem();
  std::string crlf;
  for (char ch : mixed) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  for (const std::string& text : {mixed, crlf}) {
    std::vector<X509Certificate> all = X509Certificate::fromPEM(text);
    REQUIRE(all.size() == 3);
    CHECK(all[0] == issued.certificate);
    CHECK(all[1] == inter.certificate());
    CHECK(all[2] == root.certificate());
  }
  std::string old = root.certificatePem();
  old.replace(old.find("BEGIN CERTIFICATE"), 17, "BEGIN X509 CERTIFICATE");
  old.replace(old.find("END CERTIFICATE"), 15, "END X509 CERTIFICATE");
  CHECK(X509Certificate::fromPEM(old).at(0) == root.certificate());

  // Without armour the input is DER.
  std::vector<X509Certificate> der = X509Certificate::fromPEM(bytesOf(issued.certificate.der()));
  REQUIRE(der.size() == 1);
  CHECK(der[0] == issued.certificate);
}

TEST_CASE("X509Certificate.fromPEM refuses what is not certificates", "[security]") {
  X509Certificate c = sharedRoot().certificate();
  std::string pem = c.toPEM();
  requireInvalidParameter([] { X509Certificate::fromPEM(""); });
  requireInvalidParameter([] { X509Certificate::fromPEM("hello, world\n"); });
  requireInvalidParameter([] {
    X509Certificate::fromPEM("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  });
  requireInvalidParameter([&] {  // no END line
    X509Certificate::fromPEM(pem.substr(0, pem.find("-----END")));
  });
  requireInvalidParameter([&] {  // not base64
    std::string bad = pem;
    bad[40] = '*';
    X509Certificate::fromPEM(bad);
  });
  requireInvalidParameter([] {  // base64 of something else
    X509Certificate::fromPEM("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n");
  });
  requireInvalidParameter([&] {  // a good block, then a bad one: nothing is returned
    X509Certificate::fromPEM(pem + "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
  });
  requireInvalidParameter([&] {  // a truncated body
    std::string cut = pem;
    cut.erase(100, 8);
    X509Certificate::fromPEM(cut);
  });
}

TEST_CASE("X509Certificate.fromDER takes exactly one certificate", "[security]") {
  X509Certificate c = sharedRoot().certificate();
  std::string der = bytesOf(c.der());
  auto parse = [](const std::string& bytes) {
    return X509Certificate::fromDER(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                    bytes.size());
  };
  CHECK(parse(der) == c);
  requireInvalidParameter([] { X509Certificate::fromDER(nullptr, 0); });
  requireInvalidParameter([] { X509Certificate::fromDER(nullptr, 5); });
  requireInvalidParameter([] { X509Certificate::fromDER(ByteArray()); });
  requireInvalidParameter([&] { parse(der + '\0'); });                     // trailing byte
  requireInvalidParameter([&] { parse(der + der); });                      // two certificates
  requireInvalidParameter([&] { parse(der.substr(0, der.size() - 1)); });  // truncated
  requireInvalidParameter([&] { parse(der.substr(0, 1)); });
  requireInvalidParameter([&] { parse("garbage, not DER at all"); });
  requireInvalidParameter([&] { parse(std::string("\x30\x03\x02\x01\x01", 5)); });
  requireInvalidParameter([&] { parse(c.toPEM()); });  // PEM is for fromPEM
  requireInvalidParameter([&] {                        // a flipped byte in the outer length
    std::string bad = der;
    bad[3] = static_cast<char>(bad[3] + 1);
    parse(bad);
  });
  // Every truncation and every single-byte corruption is either refused or still one
  // certificate; none may crash (the sanitizer builds watch).
  for (std::size_t i = 0; i < der.size(); ++i) {
    std::string bad = der;
    bad[i] = static_cast<char>(bad[i] ^ 0x41);
    std::size_t size = 0;
    int id = 0;
    try {
      size = parse(bad).der().size();
    } catch (const as3::errors::ArgumentError& e) {
      id = e.errorID();
    }
    CHECK((id == 2004 || size == der.size()));
  }
  ByteArray bytes(der.data(), der.size());
  bytes.position(10);  // the whole array is read, wherever the position is
  CHECK(X509Certificate::fromDER(bytes) == c);
}

TEST_CASE("X509Certificate copies are shared safely across threads", "[security]") {
  X509Certificate c = sharedRoot().issue().certificate;
  std::vector<std::thread> threads;
  std::vector<int> good(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([c, t, &good] {
      for (int i = 0; i < 50; ++i) {
        X509Certificate copy = c;
        if (copy.subject().commonName() == "localhost" && copy.dnsNames().size() == 1 &&
            !copy.spkiSha256().empty())
          ++good[static_cast<std::size_t>(t)];
      }
    });
  for (std::thread& thread : threads) thread.join();
  CHECK(good == std::vector<int>(4, 50));
}
