// Fuzz target for media/dtls: a server-role DtlsTransport fed arbitrary datagrams, then a client-role
// one fed the same datagrams after start() (so they answer its ClientHello). Neither may crash, leak
// or hang, and the invariants below must hold (__builtin_trap() otherwise).
//
// Input: byte 0 holds options, then datagrams, each a 2-byte big-endian length and that many bytes
// (the last one takes whatever is left).
//   bit 0: call handleTimeout after each datagram (the injected clock advances 10 ms per datagram)
//   bit 1: try sendApplicationData after each datagram
//   bit 2: close() at the end instead of letting the handshake deadline pass
//   bits 4-5: MTU 1200 / 576 / 300 / 1500
//
// The certificate is fixed (embedded below) so that seeds recorded from a real handshake with it
// (tests/fuzz/corpus/dtls_server) carry a certificate whose fingerprint the transports accept, which
// lets mutations reach the key exchange and Finished processing.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/dtls/DtlsTransport.h"
#include "media/util/BigEndian.h"

using namespace switchyard::media::dtls;
using switchyard::media::srtp::SrtpKeys;

namespace {

constexpr std::string_view kCertificatePem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBijCCATGgAwIBAgIUI0FyLib2z/GuQ1phZODZJKTzPGUwCgYIKoZIzj0EAwIw\n"
    "GjEYMBYGA1UEAwwPc3dpdGNoeWFyZC1mdXp6MCAXDTI2MTEyNjA3MTQzMVoYDzIx\n"
    "MjYxMTAyMDcxNDMxWjAaMRgwFgYDVQQDDA9zd2l0Y2h5YXJkLWZ1enowWTATBgcq\n"
    "hkjOPQIBBggqhkjOPQMBBwNCAARec/XsHE3x1sT4OdVDLzG2vqIf4SkhWtbZzXeq\n"
    "QEePL9qfDT8ixwerP8RhrFgZ8lfusjxJmWGipytxQrIM7c9mo1MwUTAdBgNVHQ4E\n"
    "FgQUd8GMBUxTU3/7sQoVjZHin7l6Wi0wHwYDVR0jBBgwFoAUd8GMBUxTU3/7sQoV\n"
    "jZHin7l6Wi0wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAOLcEE\n"
    "jbFeFQ3L2CDKtyjPCkxKsZfzz9C8fsfPd0KAZAIgKH6cQSsVTyai54AAfXCdsXnS\n"
    "Z3ffQ+imQ+Aevj3KuCc=\n"
    "-----END CERTIFICATE-----\n";
constexpr std::string_view kPrivateKeyPem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWX150teL5lZci2SB\n"
    "85H3aSRiglNdvgP2c0h5bx8xItihRANCAARec/XsHE3x1sT4OdVDLzG2vqIf4Skh\n"
    "WtbZzXeqQEePL9qfDT8ixwerP8RhrFgZ8lfusjxJmWGipytxQrIM7c9m\n"
    "-----END PRIVATE KEY-----\n";

constexpr std::array<uint32_t, 4> kMtus{1200, 576, 300, 1500};
constexpr size_t kMaxDatagrams = 64;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

struct Fixture {
  DtlsCertificate certificate = DtlsCertificate::fromPem(kCertificatePem, kPrivateKeyPem);
  DtlsContext context{certificate};
};

Fixture& fixture() {
  static Fixture instance;  // one certificate and context for the whole run, for speed
  return instance;
}

class CheckingListener : public DtlsTransportListener {
 public:
  explicit CheckingListener(uint32_t mtu) : mtu_(mtu) {}

  void onDtlsSend(std::span<const uint8_t> datagram) override {
    check(!closed_);
    check(!datagram.empty() && datagram.size() <= mtu_);
    const uint8_t type = datagram[0];
    check(type >= 20 && type <= 23);  // change_cipher_spec, alert, handshake, application_data
  }
  void onDtlsConnected(const SrtpKeys& keys) override {
    check(!closed_ && !connected_);
    check(keys.local.profile == keys.remote.profile);
    connected_ = true;
  }
  void onDtlsApplicationData(std::span<const uint8_t> data) override {
    check(!closed_ && connected_);
    check(!data.empty());
  }
  void onDtlsClosed(DtlsCloseReason, std::string_view) override {
    check(!closed_);
    closed_ = true;
  }

  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] bool connected() const { return connected_; }

 private:
  uint32_t mtu_;
  bool closed_ = false;
  bool connected_ = false;
};

void checkState(const DtlsTransport& transport, const CheckingListener& listener,
                DtlsTransport::Clock::time_point now) {
  using State = DtlsTransport::State;
  check((transport.state() == State::kClosed) == listener.closed());
  if (transport.state() == State::kConnected) check(listener.connected() && transport.selectedProfile());
  check(transport.nextTimeout(now).has_value() == (transport.state() == State::kConnecting));
}

void run(DtlsRole role, uint8_t options, const std::vector<std::span<const uint8_t>>& datagrams) {
  const uint32_t mtu = kMtus[(options >> 4) & 3];
  Fixture& f = fixture();
  CheckingListener listener(mtu);
  DtlsTransportConfig config;
  config.role = role;
  config.remoteFingerprint = f.certificate.fingerprint();
  config.mtu = mtu;
  DtlsTransport transport(f.context, config, listener);

  const auto t0 = DtlsTransport::Clock::time_point{} + std::chrono::hours(1);
  auto now = t0;
  transport.start(now);
  checkState(transport, listener, now);
  for (const auto datagram : datagrams) {
    transport.receive(datagram);
    checkState(transport, listener, now);
    if ((options & 1) != 0) {
      now += std::chrono::milliseconds(10);
      transport.handleTimeout(now);
      checkState(transport, listener, now);
    }
    if ((options & 2) != 0) {
      const bool sent = transport.sendApplicationData(datagram);
      check(!sent || transport.state() == DtlsTransport::State::kConnected);
    }
  }
  if ((options & 4) != 0) {
    transport.close();
    check(transport.state() == DtlsTransport::State::kClosed);
  } else {
    transport.handleTimeout(t0 + std::chrono::seconds(31));
    check(transport.state() != DtlsTransport::State::kConnecting);  // the handshake deadline passed
  }
  checkState(transport, listener, now);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t options = data[0];
  std::vector<std::span<const uint8_t>> datagrams;
  size_t at = 1;
  while (at < size && datagrams.size() < kMaxDatagrams) {
    size_t length = size - at;
    if (length >= 2) {
      length = std::min<size_t>(switchyard::media::util::read16(data + at), size - at - 2);
      at += 2;
    } else {
      at = size - length;
    }
    datagrams.emplace_back(data + at, length);
    at += length;
  }
  run(DtlsRole::kServer, options, datagrams);
  run(DtlsRole::kClient, options, datagrams);
  return 0;
}
