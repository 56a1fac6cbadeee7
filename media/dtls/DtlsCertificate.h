#pragma once
// The certificate and private key a DTLS endpoint presents (RFC 8827 §6.5): generated per process
// (ECDSA P-256, self-signed, as browsers do) or loaded from PEM files. Peers authenticate it only
// through its fingerprint in SDP, never through a CA. Control plane: construction may throw.
#include <openssl/x509.h>

#include <string>
#include <string_view>
#include <vector>

#include "media/dtls/Fingerprint.h"
#include "media/dtls/OpenSslPtr.h"

namespace switchyard::media::dtls {

class DtlsCertificate {
 public:
  // An ECDSA P-256 key and a self-signed X.509 v3 certificate for it: random positive 64-bit serial,
  // subject = issuer = CN=commonName, valid from now - 1 day (clock skew) to now + 30 days, signed
  // with ECDSA-SHA256. Throws std::runtime_error if OpenSSL fails.
  [[nodiscard]] static DtlsCertificate generate(std::string_view commonName = "switchyard");

  // Reads the PEM certificate file (the first certificate is ours; any following ones are sent as its
  // chain) and the PEM private key file, and checks that the key belongs to the certificate. Throws
  // std::runtime_error naming the file and the reason.
  [[nodiscard]] static DtlsCertificate load(const std::string& certPemPath, const std::string& keyPemPath);

  // The same from PEM text in memory (errors name the inputs "certificate PEM" / "private key PEM").
  [[nodiscard]] static DtlsCertificate fromPem(std::string_view certificatePem,
                                               std::string_view privateKeyPem);

  // The sha-256 fingerprint of any certificate (of its DER encoding, RFC 8122 §5).
  [[nodiscard]] static Fingerprint fingerprintOf(const X509& certificate);

  DtlsCertificate(DtlsCertificate&&) noexcept = default;
  DtlsCertificate& operator=(DtlsCertificate&&) noexcept = default;
  DtlsCertificate(const DtlsCertificate&) = delete;
  DtlsCertificate& operator=(const DtlsCertificate&) = delete;
  ~DtlsCertificate() = default;

  [[nodiscard]] const Fingerprint& fingerprint() const noexcept { return fingerprint_; }
  // "AB:CD:..." as written after "a=fingerprint:sha-256 ".
  [[nodiscard]] std::string fingerprintText() const { return fingerprint_.toText(); }

  [[nodiscard]] X509* certificate() const noexcept { return certificate_.get(); }
  [[nodiscard]] EVP_PKEY* privateKey() const noexcept { return privateKey_.get(); }
  [[nodiscard]] const std::vector<X509Ptr>& chain() const noexcept { return chain_; }

  // PEM encodings (the certificate followed by its chain; the key unencrypted, PKCS#8), e.g. to keep
  // a generated certificate across restarts.
  [[nodiscard]] std::string certificatePem() const;
  [[nodiscard]] std::string privateKeyPem() const;

 private:
  DtlsCertificate(X509Ptr certificate, EvpPkeyPtr privateKey, std::vector<X509Ptr> chain);
  static DtlsCertificate read(BIO* certificateBio, const std::string& certificateName, BIO* keyBio,
                              const std::string& keyName);

  X509Ptr certificate_;
  EvpPkeyPtr privateKey_;
  std::vector<X509Ptr> chain_;
  Fingerprint fingerprint_;
};

}  // namespace switchyard::media::dtls
