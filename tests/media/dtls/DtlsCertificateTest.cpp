#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "media/dtls/DtlsCertificate.h"

using switchyard::media::dtls::DtlsCertificate;
using switchyard::media::dtls::Fingerprint;

namespace {

// A fresh fingerprint computation independent of DtlsCertificate: SHA-256 over i2d_X509.
Fingerprint independentFingerprint(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  REQUIRE(length > 0);
  std::vector<unsigned char> der(static_cast<size_t>(length));
  unsigned char* out = der.data();
  REQUIRE(i2d_X509(cert, &out) == length);
  Fingerprint f;
  unsigned int digestLength = 0;
  REQUIRE(EVP_Digest(der.data(), der.size(), f.bytes.data(), &digestLength, EVP_sha256(), nullptr) == 1);
  REQUIRE(digestLength == 32);
  return f;
}

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() / ("switchyard-dtls-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string write(const std::string& name, const std::string& contents) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << contents;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string loadError(const std::string& cert, const std::string& key) {
  try {
    (void)DtlsCertificate::load(cert, key);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("DtlsCertificate::generate: ECDSA P-256, self-signed X509 v3 with SHA-256") {
  const DtlsCertificate c = DtlsCertificate::generate("unit-test");
  X509* cert = c.certificate();
  REQUIRE(cert != nullptr);
  REQUIRE(c.privateKey() != nullptr);

  CHECK(EVP_PKEY_get_base_id(c.privateKey()) == EVP_PKEY_EC);
  char group[64] = "";
  size_t groupLength = 0;
  REQUIRE(EVP_PKEY_get_utf8_string_param(c.privateKey(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &groupLength) == 1);
  CHECK(std::string(group) == "prime256v1");
  CHECK(EVP_PKEY_get_bits(c.privateKey()) == 256);

  CHECK(X509_get_version(cert) == 2);  // v3
  CHECK(X509_get_signature_nid(cert) == NID_ecdsa_with_SHA256);
  CHECK(X509_check_issued(cert, cert) == X509_V_OK);
  EVP_PKEY* publicKey = X509_get0_pubkey(cert);
  REQUIRE(publicKey != nullptr);
  CHECK(X509_verify(cert, publicKey) == 1);
  CHECK(X509_check_private_key(cert, c.privateKey()) == 1);

  char name[128] = "";
  REQUIRE(X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof(name)) > 0);
  CHECK(std::string(name) == "unit-test");

  // Serial: positive and non-zero.
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  uint64_t serialValue = 0;
  REQUIRE(ASN1_INTEGER_get_uint64(&serialValue, serial) == 1);
  CHECK(serialValue != 0);

  // Validity: from about a day ago to about 30 days from now.
  int days = 0;
  int seconds = 0;
  REQUIRE(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)) == 1);
  CHECK(days == 31);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(cert)) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(cert)) > 0);
  std::time_t in29Days = std::time(nullptr) + 29 * 86400;
  CHECK(X509_cmp_time(X509_get0_notAfter(cert), &in29Days) > 0);
  std::time_t in31Days = std::time(nullptr) + 31 * 86400;
  CHECK(X509_cmp_time(X509_get0_notAfter(cert), &in31Days) < 0);
}

TEST_CASE("DtlsCertificate fingerprint equals a fresh SHA-256 of the DER certificate") {
  const DtlsCertificate c = DtlsCertificate::generate();
  const Fingerprint expected = independentFingerprint(c.certificate());
  CHECK(c.fingerprint() == expected);
  CHECK(c.fingerprint().algorithm == "sha-256");
  CHECK(DtlsCertificate::fingerprintOf(*c.certificate()) == expected);
  CHECK(c.fingerprintText() == expected.toText());
  CHECK(c.fingerprintText().size() == 95);
  const auto parsed = Fingerprint::fromText("sha-256", c.fingerprintText());
  REQUIRE(parsed);
  CHECK(parsed->matches(c.fingerprint()));
}

TEST_CASE("DtlsCertificate::generate gives a new key, serial and fingerprint each time") {
  const DtlsCertificate a = DtlsCertificate::generate();
  const DtlsCertificate b = DtlsCertificate::generate();
  CHECK_FALSE(a.fingerprint() == b.fingerprint());
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(a.certificate()), X509_get0_serialNumber(b.certificate())) !=
        0);
  CHECK(EVP_PKEY_eq(a.privateKey(), b.privateKey()) != 1);
}

TEST_CASE("DtlsCertificate::load reads PEM files written by certificatePem/privateKeyPem") {
  TempDir dir;
  const DtlsCertificate original = DtlsCertificate::generate("persisted");
  const std::string certPath = dir.write("cert.pem", original.certificatePem());
  const std::string keyPath = dir.write("key.pem", original.privateKeyPem());
  CHECK(original.certificatePem().rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(original.privateKeyPem().rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);

  const DtlsCertificate loaded = DtlsCertificate::load(certPath, keyPath);
  CHECK(loaded.fingerprint() == original.fingerprint());
  CHECK(loaded.chain().empty());
  CHECK(EVP_PKEY_eq(loaded.privateKey(), original.privateKey()) == 1);

  SECTION("a certificate file with a chain keeps the first as ours and the rest as its chain") {
    const DtlsCertificate other1 = DtlsCertificate::generate("other1");
    const DtlsCertificate other2 = DtlsCertificate::generate("other2");
    const std::string chainPath =
        dir.write("chain.pem", original.certificatePem() + other1.certificatePem() + other2.certificatePem());
    const DtlsCertificate withChain = DtlsCertificate::load(chainPath, keyPath);
    CHECK(withChain.fingerprint() == original.fingerprint());
    REQUIRE(withChain.chain().size() == 2);
    CHECK(DtlsCertificate::fingerprintOf(*withChain.chain()[0]) == other1.fingerprint());
    CHECK(DtlsCertificate::fingerprintOf(*withChain.chain()[1]) == other2.fingerprint());
    // certificatePem writes the chain back.
    const std::string again = dir.write("again.pem", withChain.certificatePem());
    CHECK(DtlsCertificate::load(again, keyPath).chain().size() == 2);
  }
}

TEST_CASE("DtlsCertificate::load: bad files give an error naming the file") {
  TempDir dir;
  const DtlsCertificate original = DtlsCertificate::generate();
  const DtlsCertificate other = DtlsCertificate::generate();
  const std::string certPath = dir.write("cert.pem", original.certificatePem());
  const std::string keyPath = dir.write("key.pem", original.privateKeyPem());
  const std::string otherKeyPath = dir.write("other-key.pem", other.privateKeyPem());
  const std::string garbagePath = dir.write("garbage.pem", "this is not PEM\n");
  const std::string emptyPath = dir.write("empty.pem", "");
  const std::string missingPath = dir.path("missing.pem");
  std::string truncated = original.certificatePem();
  truncated.resize(truncated.size() / 2);
  const std::string truncatedPath = dir.write("truncated.pem", truncated);

  std::string error = loadError(missingPath, keyPath);
  CHECK(error.find(missingPath) != std::string::npos);
  CHECK(error.find("cannot open certificate file") != std::string::npos);

  error = loadError(certPath, missingPath);
  CHECK(error.find(missingPath) != std::string::npos);
  CHECK(error.find("private key") != std::string::npos);

  error = loadError(garbagePath, keyPath);
  CHECK(error.find(garbagePath) != std::string::npos);
  CHECK(error.find("no PEM certificate") != std::string::npos);

  CHECK(loadError(emptyPath, keyPath).find(emptyPath) != std::string::npos);
  CHECK(loadError(truncatedPath, keyPath).find(truncatedPath) != std::string::npos);
  CHECK(loadError(certPath, garbagePath).find(garbagePath) != std::string::npos);
  CHECK(loadError(certPath, emptyPath).find(emptyPath) != std::string::npos);
  // Swapped files: a key file holds no certificate and vice versa.
  CHECK(loadError(keyPath, certPath).find(keyPath) != std::string::npos);

  error = loadError(certPath, otherKeyPath);
  CHECK(error.find("does not match") != std::string::npos);
  CHECK(error.find(otherKeyPath) != std::string::npos);
  CHECK(error.find(certPath) != std::string::npos);
}

TEST_CASE("DtlsCertificate::fromPem reads PEM text; bad text gives a clear error") {
  const DtlsCertificate original = DtlsCertificate::generate();
  const DtlsCertificate copy = DtlsCertificate::fromPem(original.certificatePem(), original.privateKeyPem());
  CHECK(copy.fingerprint() == original.fingerprint());
  const DtlsCertificate other = DtlsCertificate::generate();
  const auto error = [](std::string_view cert, std::string_view key) -> std::string {
    try {
      (void)DtlsCertificate::fromPem(cert, key);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK(error("", original.privateKeyPem()).find("no PEM certificate in certificate PEM") !=
        std::string::npos);
  CHECK(error(original.certificatePem(), "").find("private key PEM") != std::string::npos);
  CHECK(error(original.certificatePem(), other.privateKeyPem()).find("does not match") != std::string::npos);
  const std::string pem = original.certificatePem();
  for (size_t n = 0; n + 1 < pem.size(); n += 37)
    CHECK_FALSE(error(pem.substr(0, n), original.privateKeyPem()).empty());
}
