#include "media/dtls/DtlsCertificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>
#include <utility>

namespace switchyard::media::dtls {

namespace {

constexpr long kOneDaySeconds = 24L * 60 * 60;
constexpr long kValidityDays = 30;

// The most recent OpenSSL error as text (and the queue cleared), for exception messages.
std::string openSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buffer[256];
  ERR_error_string_n(code, buffer, sizeof(buffer));
  return buffer;
}

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("DTLS certificate: " + what + ": " + openSslError());
}

std::string bioContents(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  if (size <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<size_t>(size));
}

}  // namespace

DtlsCertificate::DtlsCertificate(X509Ptr certificate, EvpPkeyPtr privateKey, std::vector<X509Ptr> chain)
    : certificate_(std::move(certificate)),
      privateKey_(std::move(privateKey)),
      chain_(std::move(chain)),
      fingerprint_(fingerprintOf(*certificate_)) {}

DtlsCertificate DtlsCertificate::generate(std::string_view commonName) {
  ERR_clear_error();
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot generate an ECDSA P-256 key");

  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new failed");
  if (X509_set_version(cert.get(), 2) != 1) fail("cannot set version 3");  // 2 means v3

  // A random positive serial (RFC 5280 §4.1.2.2: positive, at most 20 octets).
  uint64_t serial = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof(serial)) != 1) fail("RAND_bytes failed");
  serial &= 0x7fffffffffffffffULL;
  if (serial == 0) serial = 1;
  if (ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1) fail("cannot set the serial");

  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kOneDaySeconds) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidityDays * kOneDaySeconds) == nullptr) {
    fail("cannot set the validity period");
  }

  X509_NAME* name = X509_get_subject_name(cert.get());
  if (commonName.empty()) commonName = "switchyard";
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(commonName.data()),
                                 static_cast<int>(commonName.size()), -1, 0) != 1) {
    fail("cannot set the common name");
  }
  if (X509_set_issuer_name(cert.get(), name) != 1) fail("cannot set the issuer");
  if (X509_set_pubkey(cert.get(), key.get()) != 1) fail("cannot set the public key");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign the certificate");

  return DtlsCertificate(std::move(cert), std::move(key), {});
}

DtlsCertificate DtlsCertificate::load(const std::string& certPemPath, const std::string& keyPemPath) {
  ERR_clear_error();
  BioPtr certFile(BIO_new_file(certPemPath.c_str(), "r"));
  if (!certFile) fail("cannot open certificate file '" + certPemPath + "'");
  BioPtr keyFile(BIO_new_file(keyPemPath.c_str(), "r"));
  if (!keyFile) fail("cannot open private key file '" + keyPemPath + "'");
  return read(certFile.get(), "'" + certPemPath + "'", keyFile.get(), "'" + keyPemPath + "'");
}

DtlsCertificate DtlsCertificate::fromPem(std::string_view certificatePem, std::string_view privateKeyPem) {
  ERR_clear_error();
  BioPtr certBio(BIO_new_mem_buf(certificatePem.data(), static_cast<int>(certificatePem.size())));
  BioPtr keyBio(BIO_new_mem_buf(privateKeyPem.data(), static_cast<int>(privateKeyPem.size())));
  if (!certBio || !keyBio) fail("BIO_new_mem_buf failed");
  return read(certBio.get(), "certificate PEM", keyBio.get(), "private key PEM");
}

DtlsCertificate DtlsCertificate::read(BIO* certificateBio, const std::string& certificateName, BIO* keyBio,
                                      const std::string& keyName) {
  X509Ptr cert(PEM_read_bio_X509(certificateBio, nullptr, nullptr, nullptr));
  if (!cert) fail("no PEM certificate in " + certificateName);
  std::vector<X509Ptr> chain;
  for (;;) {
    X509Ptr next(PEM_read_bio_X509(certificateBio, nullptr, nullptr, nullptr));
    if (!next) break;
    chain.push_back(std::move(next));
  }
  ERR_clear_error();  // the end of the input after the last certificate is reported as an error

  // No password callback: an encrypted key fails instead of prompting on the terminal.
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(
      keyBio, nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (!key) fail("no unencrypted PEM private key in " + keyName);
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    fail("the private key in " + keyName + " does not match the certificate in " + certificateName);
  }
  return DtlsCertificate(std::move(cert), std::move(key), std::move(chain));
}

Fingerprint DtlsCertificate::fingerprintOf(const X509& certificate) {
  Fingerprint out;
  unsigned int length = 0;
  if (X509_digest(&certificate, EVP_sha256(), out.bytes.data(), &length) != 1 ||
      length != Fingerprint::kSize) {
    fail("cannot compute the certificate fingerprint");
  }
  return out;
}

std::string DtlsCertificate::certificatePem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate_.get()) != 1) fail("cannot write the certificate");
  for (const auto& extra : chain_) {
    if (PEM_write_bio_X509(bio.get(), extra.get()) != 1) fail("cannot write the certificate chain");
  }
  return bioContents(bio.get());
}

std::string DtlsCertificate::privateKeyPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), privateKey_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("cannot write the private key");
  }
  return bioContents(bio.get());
}

}  // namespace switchyard::media::dtls
