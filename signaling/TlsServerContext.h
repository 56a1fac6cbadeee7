#pragma once
// The server side of HTTPS/WSS: an OpenSSL context (TLS 1.2 and later) holding the certificate
// chain and private key read from PEM files.
#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace switchyard::signaling {

// Reads the PEM certificate chain (leaf first, then intermediates) and its unencrypted PEM private
// key. Throws std::runtime_error naming the file when one cannot be read or parsed, or when the key
// does not belong to the certificate.
std::unique_ptr<boost::asio::ssl::context> loadTlsServerContext(const std::string& certificateFile,
                                                                const std::string& privateKeyFile);

}  // namespace switchyard::signaling
