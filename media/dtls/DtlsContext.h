#pragma once
// The OpenSSL SSL_CTX shared by the DTLS transports of one worker: DTLS 1.2 only (OpenSSL 3.0 has no
// DTLS 1.3; Chromium falls back to 1.2), our certificate, the DTLS-SRTP profiles (RFC 5764 §4.1.2) and
// the ECDHE AEAD cipher suites browsers offer. Peer certificates are requested and accepted whatever
// their issuer: they are authenticated by the SDP fingerprint (RFC 8827 §6.5), which every
// DtlsTransport checks. Not thread-safe: one context per worker, used only from that worker's thread,
// and it must outlive every transport created from it. Control plane: construction may throw.
#include <openssl/ssl.h>

#include <vector>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/Fingerprint.h"
#include "media/dtls/OpenSslPtr.h"
#include "media/srtp/SrtpProfile.h"

namespace switchyard::media::dtls {

struct DtlsContextOptions {
  // Offered (client) / accepted (server) SRTP profiles, most preferred first. Empty: no use_srtp
  // extension (the handshake then ends with kNoSrtpProfile); meant for tests.
  std::vector<srtp::SrtpProfile> srtpProfiles{srtp::kSrtpProfilePreference.begin(),
                                              srtp::kSrtpProfilePreference.end()};
};

class DtlsContext {
 public:
  static constexpr const char* kCipherList =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
      "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384";
  static constexpr const char* kGroups = "X25519:P-256";

  // Throws std::runtime_error if OpenSSL refuses a setting.
  explicit DtlsContext(const DtlsCertificate& certificate, DtlsContextOptions options = {});

  DtlsContext(const DtlsContext&) = delete;
  DtlsContext& operator=(const DtlsContext&) = delete;
  ~DtlsContext() = default;

  [[nodiscard]] SSL_CTX* native() const noexcept { return ctx_.get(); }
  [[nodiscard]] const Fingerprint& localFingerprint() const noexcept { return localFingerprint_; }
  [[nodiscard]] const std::vector<srtp::SrtpProfile>& srtpProfiles() const noexcept { return srtpProfiles_; }
  // The write-side BIO method of the transports (one datagram per write, see DtlsTransport).
  [[nodiscard]] const BIO_METHOD* sendBioMethod() const noexcept { return sendBioMethod_.get(); }

  // The "a:b:c" profile list for SSL_CTX_set_tlsext_use_srtp.
  [[nodiscard]] static std::string srtpProfileList(const std::vector<srtp::SrtpProfile>& profiles);

 private:
  SslCtxPtr ctx_;
  BioMethodPtr sendBioMethod_;
  Fingerprint localFingerprint_;
  std::vector<srtp::SrtpProfile> srtpProfiles_;
};

}  // namespace switchyard::media::dtls
