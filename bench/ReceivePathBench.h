#pragma once
// The server's receive path on one core: recvmmsg -> RFC 7983 demux -> transport by address ->
// SRTP unprotect in place -> RTP parse -> delivery. A ClientTransport on another thread sends SRTP
// as fast as it can; the server thread's CPU time per delivered packet gives packets per CPU-second.
#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::bench {

struct ReceivePathResult {
  std::string profile;
  size_t packetBytes = 0;
  uint64_t packetsSent = 0;
  uint64_t packetsDelivered = 0;
  double serverCpuSeconds = 0;
  double packetsPerCpuSecond = 0;
  double datagramsPerRecvCall = 0;
};

class ReceivePathBench {
 public:
  // Sends `packets` RTP packets of `packetBytes` for each SRTP profile (bounded also by `maxSeconds`).
  static std::vector<ReceivePathResult> run(uint64_t packets, size_t packetBytes, double maxSeconds);
};

}  // namespace switchyard::bench
