#pragma once
#include <cstdint>

namespace switchyard::media::transport {

// Per-transport packet accounting (single-threaded owner; read on the same worker).
struct TransportCounters {
  uint64_t stunReceived = 0;
  uint64_t dtlsReceived = 0;
  uint64_t rtpReceived = 0;   // decrypted and parsed
  uint64_t rtcpReceived = 0;  // decrypted
  uint64_t rtpSent = 0;
  uint64_t rtcpSent = 0;
  uint64_t srtpReplayed = 0;    // dropped: replay check failed
  uint64_t srtpAuthFailed = 0;  // dropped: bad tag
  uint64_t srtpOtherErrors = 0;
  uint64_t droppedBeforeKeys = 0;  // RTP/RTCP before the DTLS handshake finished
  uint64_t droppedMalformed = 0;   // decrypted but not a valid RTP packet, or unknown first byte
  uint64_t sendFailures = 0;       // protect failed or no path to send on
};

}  // namespace switchyard::media::transport
