#include "signaling/TlsServerContext.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace switchyard::signaling {

namespace ssl = boost::asio::ssl;

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};

// The most recent OpenSSL error as text; empties the thread's error queue, which later TLS
// operations on this thread must find clean.
std::string takeOpenSslError() {
  const unsigned long code = ERR_peek_last_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
  }
  ERR_clear_error();
  return text;
}

// An unreadable file gets the system's reason ("No such file or directory"), not OpenSSL's.
std::unique_ptr<std::FILE, FileCloser> openFile(const std::string& what, const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) {
    throw std::runtime_error("http: cannot read the TLS " + what + " file '" + path +
                             "': " + std::strerror(errno));
  }
  return file;
}

// Never prompts on the terminal for the passphrase of an encrypted key.
int noPassword(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return -1;
}

}  // namespace

std::unique_ptr<ssl::context> loadTlsServerContext(const std::string& certificateFile,
                                                   const std::string& privateKeyFile) {
  ERR_clear_error();
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    throw std::runtime_error("http: cannot restrict TLS to version 1.2 and later: " + takeOpenSslError());
  }
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX_set_default_passwd_cb(ctx, noPassword);

  openFile("certificate", certificateFile);  // a clear message for a missing or unreadable file
  if (SSL_CTX_use_certificate_chain_file(ctx, certificateFile.c_str()) != 1) {
    throw std::runtime_error("http: the TLS certificate file '" + certificateFile +
                             "' holds no usable PEM certificate: " + takeOpenSslError());
  }

  const auto keyFile = openFile("private key", privateKeyFile);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(PEM_read_PrivateKey(keyFile.get(), nullptr, noPassword, nullptr));
  if (!key) {
    throw std::runtime_error("http: the TLS private key file '" + privateKeyFile +
                             "' holds no usable unencrypted PEM private key: " + takeOpenSslError());
  }
  X509* certificate = SSL_CTX_get0_certificate(ctx);
  if (certificate == nullptr || X509_check_private_key(certificate, key.get()) != 1) {
    ERR_clear_error();
    throw std::runtime_error("http: the TLS private key in '" + privateKeyFile +
                             "' does not belong to the certificate in '" + certificateFile + "'");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    throw std::runtime_error("http: cannot use the TLS private key in '" + privateKeyFile +
                             "': " + takeOpenSslError());
  }
  return context;
}

}  // namespace switchyard::signaling
