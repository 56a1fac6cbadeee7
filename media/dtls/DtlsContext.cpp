#include "media/dtls/DtlsContext.h"

#include <openssl/err.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "media/dtls/DtlsSendBio.h"

namespace switchyard::media::dtls {

namespace {

[[noreturn]] void fail(const std::string& what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  char buffer[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, buffer, sizeof(buffer));
  throw std::runtime_error("DTLS context: " + what + ": " + buffer);
}

// Certificates are self-signed and carry no name to check: accept whatever chain the peer sent and
// leave authentication to the SDP fingerprint, checked by DtlsTransport (its own per-SSL callback
// also compares the fingerprint while verifying, so a wrong certificate stops the handshake early).
int acceptAnyCertificate(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

std::string DtlsContext::srtpProfileList(const std::vector<srtp::SrtpProfile>& profiles) {
  std::string list;
  for (const auto profile : profiles) {
    if (!list.empty()) list.push_back(':');
    list += srtp::srtpProfileOpenSslName(profile);
  }
  return list;
}

DtlsContext::DtlsContext(const DtlsCertificate& certificate, DtlsContextOptions options)
    : localFingerprint_(certificate.fingerprint()), srtpProfiles_(std::move(options.srtpProfiles)) {
  ERR_clear_error();
  ctx_.reset(SSL_CTX_new(DTLS_method()));
  if (!ctx_) fail("SSL_CTX_new failed");
  SSL_CTX* ctx = ctx_.get();

  if (SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1) {
    fail("cannot restrict the protocol to DTLS 1.2");
  }
  if (SSL_CTX_use_certificate(ctx, certificate.certificate()) != 1) fail("cannot use the certificate");
  for (const auto& extra : certificate.chain()) {
    if (SSL_CTX_add1_chain_cert(ctx, extra.get()) != 1) fail("cannot add a chain certificate");
  }
  if (SSL_CTX_use_PrivateKey(ctx, certificate.privateKey()) != 1) fail("cannot use the private key");
  if (SSL_CTX_check_private_key(ctx) != 1) fail("the private key does not match the certificate");

  if (!srtpProfiles_.empty()) {
    // Note the inverted convention: SSL_CTX_set_tlsext_use_srtp returns 0 on success.
    if (SSL_CTX_set_tlsext_use_srtp(ctx, srtpProfileList(srtpProfiles_).c_str()) != 0) {
      fail("cannot set the SRTP profiles");
    }
  }
  if (SSL_CTX_set_cipher_list(ctx, kCipherList) != 1) fail("cannot set the cipher list");
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) fail("cannot set the key exchange groups");

  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &acceptAnyCertificate);
  // No path MTU queries on our BIO (the MTU is configured), no renegotiation (a ClientHello after the
  // handshake is refused), no session resumption (each association is authenticated by fingerprint).
  SSL_CTX_set_options(ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_read_ahead(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

  sendBioMethod_ = DtlsSendBio::createMethod();
}

}  // namespace switchyard::media::dtls
