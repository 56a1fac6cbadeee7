#include "media/dtls/DtlsSendBio.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

namespace switchyard::media::dtls {

BioMethodPtr DtlsSendBio::createMethod() {
  BioMethodPtr method(BIO_meth_new(BIO_TYPE_SOURCE_SINK, "switchyard DTLS datagram sink"));
  if (!method || BIO_meth_set_create(method.get(), &DtlsSendBio::create) != 1 ||
      BIO_meth_set_destroy(method.get(), &DtlsSendBio::destroy) != 1 ||
      BIO_meth_set_write(method.get(), &DtlsSendBio::write) != 1 ||
      BIO_meth_set_ctrl(method.get(), &DtlsSendBio::control) != 1) {
    throw std::runtime_error("DTLS: cannot create the send BIO method");
  }
  return method;
}

BioPtr DtlsSendBio::create(const BIO_METHOD* method, DtlsTransportListener& listener) noexcept {
  BioPtr bio(BIO_new(method));
  if (bio) BIO_set_data(bio.get(), &listener);
  return bio;
}

int DtlsSendBio::create(BIO* bio) {
  BIO_set_init(bio, 1);
  BIO_set_data(bio, nullptr);
  return 1;
}

int DtlsSendBio::destroy(BIO* bio) {
  if (bio == nullptr) return 0;
  BIO_set_data(bio, nullptr);
  BIO_set_init(bio, 0);
  return 1;
}

int DtlsSendBio::write(BIO* bio, const char* data, int size) {
  if (size <= 0 || data == nullptr) return 0;
  auto* listener = static_cast<DtlsTransportListener*>(BIO_get_data(bio));
  if (listener == nullptr) return -1;
  listener->onDtlsSend(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(size)));
  return size;  // a datagram is never partially written
}

long DtlsSendBio::control(BIO*, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write was handed on already
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
      return 0;  // nothing buffered
    case BIO_CTRL_DGRAM_QUERY_MTU:
      return 0;  // no path MTU discovery: SSL_OP_NO_QUERY_MTU and the configured MTU
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
      return 0;  // the configured MTU is the DTLS datagram size itself
    case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
    case BIO_CTRL_DGRAM_MTU_EXCEEDED:
    case BIO_CTRL_DGRAM_SET_CONNECTED:
    case BIO_CTRL_DGRAM_SET_PEER:
      return 0;  // no socket behind this BIO
    default:
      return 0;  // unsupported
  }
}

}  // namespace switchyard::media::dtls
