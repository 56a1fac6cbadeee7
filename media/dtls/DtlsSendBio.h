#pragma once
// The write side of a DtlsTransport: a custom BIO whose write callback hands each write to the
// listener as one datagram. OpenSSL 3.0 treats its write BIO as a datagram socket: one BIO_write is
// one datagram of at most the MTU given to SSL_set_mtu, holding one or more records (it packs the
// records of a flight, e.g. ChangeCipherSpec + Finished, into one write while they fit, and fragments
// handshake messages that do not). The control requests DTLS asks of a datagram BIO are answered here:
// flush succeeds, nothing is ever pending, no path MTU query (SSL_OP_NO_QUERY_MTU, the configured MTU
// is used) and no per-datagram overhead (the MTU is the DTLS datagram size, UDP/IP headers excluded).
#include <openssl/bio.h>

#include "media/dtls/DtlsTransportListener.h"
#include "media/dtls/OpenSslPtr.h"

namespace switchyard::media::dtls {

class DtlsSendBio {
 public:
  // One method per DtlsContext. (A fixed BIO type is used: BIO_get_new_index() hands out only ~127
  // indices per process, too few for one per context in long-running tests.)
  [[nodiscard]] static BioMethodPtr createMethod();
  // A BIO of that method writing to the listener; nullptr if OpenSSL is out of memory.
  [[nodiscard]] static BioPtr create(const BIO_METHOD* method, DtlsTransportListener& listener) noexcept;

 private:
  static int create(BIO* bio);
  static int destroy(BIO* bio);
  static int write(BIO* bio, const char* data, int size);
  static long control(BIO* bio, int command, long number, void* pointer);
};

}  // namespace switchyard::media::dtls
