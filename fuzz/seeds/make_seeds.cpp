// Writes the testing kit's seeds for fuzz_certificate and fuzz_identity into a corpus folder:
// chains, defects, CRLs, and identities with plain, encrypted and mismatched keys. Certificates
// are issued for 2024-01-01, the time fuzz_certificate validates at.
//
//     cmake --build <build> --target fuzz_make_seeds && <build>/fuzz/fuzz_make_seeds fuzz/corpus
//
// Keys are fresh on every run, so the files differ from run to run; rerun it only to add seeds.
#include <openssl/bio.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "as3/testing/TestCertificateAuthority.h"

namespace {

namespace fs = std::filesystem;
using as3::testing::CertificateOptions;
using as3::testing::IssuedCertificate;
using as3::testing::KeyType;
using as3::testing::TestCertificateAuthority;

constexpr std::int64_t kTime = 1704067200;  // 2024-01-01T00:00:00Z

fs::path corpus;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(corpus / target);
  std::ofstream(corpus / target / name, std::ios::binary) << bytes;
}

// certificateSeed frames a payload as fuzz_certificate reads it.
std::string certificateSeed(std::uint8_t flags, const std::string& host,
                            const std::string& payload) {
  return std::string(1, static_cast<char>(flags)) + static_cast<char>(host.size()) + host + payload;
}

std::string der(const as3::security::X509Certificate& c) {
  return std::string(reinterpret_cast<const char*>(c.der().data()), c.der().size());
}

// reencrypted writes `pem`'s key encrypted with `password`: PKCS#8 (PBES2) or, with `legacy`,
// the traditional EC format with a DEK-Info header (EC keys only).
std::string reencrypted(const std::string& pem, const std::string& password, bool legacy) {
  bssl::UniquePtr<BIO> in(BIO_new_mem_buf(pem.data(), static_cast<long>(pem.size())));
  bssl::UniquePtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
  bssl::UniquePtr<BIO> out(BIO_new(BIO_s_mem()));
  std::string pass = password;  // the writers take a mutable buffer
  int length = static_cast<int>(pass.size());
  bool ok = key && out &&
            (legacy ? PEM_write_bio_ECPrivateKey(
                          out.get(), EVP_PKEY_get0_EC_KEY(key.get()), EVP_aes_128_cbc(),
                          reinterpret_cast<unsigned char*>(pass.data()), length, nullptr, nullptr)
                    : PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_128_cbc(),
                                                    pass.data(), length, nullptr, nullptr));
  if (!ok) return {};
  const std::uint8_t* data = nullptr;
  std::size_t size = 0;
  BIO_mem_contents(out.get(), &data, &size);
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::string identitySeed(std::uint8_t flags, const std::string& chain, const std::string& key,
                         const std::string& password = {}) {
  std::string seed(1, static_cast<char>(flags));
  seed += chain;
  seed += '\0';
  seed += key;
  if (!password.empty()) seed += '\0' + password;
  return seed;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus folder>\n", argv[0]);
    return 2;
  }
  corpus = argv[1];
  TestCertificateAuthority root("as3net seed root");
  root.clock(kTime);
  TestCertificateAuthority issuer = root.intermediate("as3net seed issuer");
  issuer.clock(kTime);

  // Chains for fuzz_certificate, anchored by their last certificate (flags bit 0).
  IssuedCertificate leaf = issuer.issue();
  std::string chain = leaf.chainPem() + root.certificatePem();
  write("certificate", "kit-chain.pem", certificateSeed(0x01, "localhost", chain));
  write("certificate", "kit-chain-ip.pem", certificateSeed(0x31, "", chain));
  write("certificate", "kit-chain-intermediates.pem", certificateSeed(0x89, "localhost", chain));
  write(
      "certificate", "kit-chain.der",
      certificateSeed(0x01, "localhost",
                      der(leaf.certificate) + der(issuer.certificate()) + der(root.certificate())));
  write("certificate", "kit-chain-revoked.pem",
        certificateSeed(0x01, "localhost", chain + issuer.crlPem({leaf.serial, 7})));
  write("certificate", "kit-chain-crl-other.pem",
        certificateSeed(0x01, "localhost", chain + issuer.crlPem({7}) + root.crlPem({})));
  write("certificate", "kit-leaf-resigned.pem", certificateSeed(0x02, "localhost", chain));
  write(
      "certificate", "kit-leaf-resigned-crl.pem",
      certificateSeed(0x06, "localhost", leaf.certificate.toPEM() + issuer.crlPem({leaf.serial})));
  write("certificate", "kit-leaf-pinned.pem", certificateSeed(0x07, "localhost", chain));
  write("certificate", "kit-leaf-own-anchor.pem",
        certificateSeed(0x21, "", leaf.certificate.toPEM()));
  write("certificate", "kit-root.der", certificateSeed(0x10, "", der(root.certificate())));
  write("certificate", "kit-crl.der", certificateSeed(0x00, "", [&] {
          // The DER of a CRL, from its PEM.
          std::string pem = issuer.crlPem({1, 2, 3});
          bssl::UniquePtr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<long>(pem.size())));
          char* name = nullptr;
          char* header = nullptr;
          std::uint8_t* data = nullptr;
          long length = 0;
          PEM_read_bio(bio.get(), &name, &header, &data, &length);
          std::string out(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
          OPENSSL_free(name);
          OPENSSL_free(header);
          OPENSSL_free(data);
          return out;
        }()));

  // The defects the policy refuses, each in a chain of its own.
  struct Defect {
    const char* name;
    CertificateOptions options;
    const char* host;
  };
  std::vector<Defect> defects;
  auto add = [&](const char* name, auto change, const char* host = "localhost") {
    CertificateOptions options;
    change(options);
    defects.push_back({name, options, host});
  };
  add("sha1", [](CertificateOptions& o) { o.sha1Signature = true; });
  add("ca-leaf", [](CertificateOptions& o) { o.isCA = true; });
  add("rsa1024", [](CertificateOptions& o) { o.keyType = KeyType::kRsa1024; });
  add("p224", [](CertificateOptions& o) { o.keyType = KeyType::kEcdsaP224; });
  add("rsa2048", [](CertificateOptions& o) { o.keyType = KeyType::kRsa2048; });
  add("p384", [](CertificateOptions& o) { o.keyType = KeyType::kEcdsaP384; });
  add("no-san", [](CertificateOptions& o) { o.includeSubjectAltName = false; });
  add("client-only", [](CertificateOptions& o) { o.serverAuth = false; });
  add("self-signed", [](CertificateOptions& o) { o.selfSigned = true; });
  add("expired", [](CertificateOptions& o) {
    o.notBeforeOffset = std::chrono::hours(-48);
    o.lifetime = std::chrono::hours(24);
  });
  add("not-yet-valid", [](CertificateOptions& o) { o.notBeforeOffset = std::chrono::hours(1); });
  add(
      "wildcard",
      [](CertificateOptions& o) {
        o.dnsNames = {"*.example.com", "example.com"};
      },
      "www.example.com");
  add(
      "ipv6",
      [](CertificateOptions& o) {
        o.ipAddresses = {"::1", "fe80::1"};
      },
      "::1");
  add("empty-subject", [](CertificateOptions& o) { o.commonName.clear(); });
  for (const Defect& d : defects) {
    IssuedCertificate issued = issuer.issue(d.options);
    write("certificate", std::string("kit-") + d.name + ".pem",
          certificateSeed(0x01, d.host, issued.chainPem() + root.certificatePem()));
  }

  // Identities for fuzz_identity.
  IssuedCertificate rsa = issuer.issue([] {
    CertificateOptions o;
    o.keyType = KeyType::kRsa2048;
    return o;
  }());
  write("identity", "kit-p256.pem", identitySeed(0, leaf.chainPem(), leaf.privateKeyPem));
  // One text, no NUL: chain and key both come from it (certificateFile: from one file).
  write("identity", "kit-one-text.pem",
        std::string(1, '\x00') + leaf.chainPem() + leaf.privateKeyPem);
  write("identity", "kit-one-file-listen.pem",
        std::string(1, '\x05') + leaf.privateKeyPem + leaf.chainPem());
  write("identity", "kit-rsa.pem", identitySeed(0x08, rsa.chainPem(), rsa.privateKeyPem));
  write("identity", "kit-pkcs8-encrypted.pem",
        identitySeed(0x01, leaf.chainPem(), reencrypted(leaf.privateKeyPem, "secret", false),
                     "secret"));
  write("identity", "kit-legacy-encrypted.pem",
        identitySeed(0x02, leaf.chainPem(), reencrypted(leaf.privateKeyPem, "secret", true),
                     "secret"));
  write("identity", "kit-wrong-password.pem",
        identitySeed(0, leaf.chainPem(), reencrypted(rsa.privateKeyPem, "secret", false), "wrong"));
  write("identity", "kit-mismatched-key.pem",
        identitySeed(0x10, leaf.chainPem(), rsa.privateKeyPem));
  write("identity", "kit-no-certificate.pem", identitySeed(0, "", leaf.privateKeyPem));
  return 0;
}
