#pragma once
// SRTP micro-benchmark: protect and unprotect cost per packet for every profile Switchyard
// negotiates, for a 1200-byte video and a 160-byte audio RTP packet, with the libsrtp we build
// (OpenSSL crypto backend, linked statically) next to Debian's binary libsrtp2.so.1 (NSS backend),
// loaded at run time. Both are driven through the same libsrtp C API with the same policy as
// media/srtp/SrtpSession (wildcard SSRC, replay window 1024, allow_repeat_tx on the sender).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace switchyard::bench {

struct SrtpBenchRow {
  std::string profile;             // "SRTP_AES128_CM_SHA1_80", "SRTP_AEAD_AES_128_GCM", ...
  size_t packetBytes = 0;          // RTP packet length before protection (12-byte header included)
  std::string operation;           // "protect" or "unprotect"
  double nsOurs = 0;               // ns per packet, our libsrtp (OpenSSL)
  uint64_t opsOurs = 0;            // packets measured
  std::optional<double> nsDebian;  // ns per packet, Debian's libsrtp2.so.1 (NSS); nullopt: unavailable
  uint64_t opsDebian = 0;
  std::optional<double> ratio;  // nsDebian / nsOurs: how many times faster ours is
};

class SrtpBench {
 public:
  // Measures every cell for about `secondsEach` seconds of this thread's CPU time (bounded by an
  // operation count too; CPU time so that other processes' load inflates the numbers less),
  // printing a progress line per cell to stderr. Returns an empty vector if our own libsrtp fails
  // (it should not). If Debian's library cannot be loaded (not installed, a symbol missing, an
  // AddressSanitizer build) the reason goes to stderr and nsDebian/ratio stay empty.
  static std::vector<SrtpBenchRow> run(double secondsEach);
};

}  // namespace switchyard::bench
