#pragma once
// `switchyard-bench janus-probe`: proof that the Janus side of the benchmark works end to end.
// Creates a NetworkNamespace, starts Janus in it (JanusProcess), and on a thread inside the
// namespace connects one publisher and one subscriber (JanusSignaling, JanusSdp, real
// ClientTransports: ICE with Janus's full agent, DTLS, SRTP), sends `seconds` of synthetic RTP
// (VP8-like video at 30 fps, several packets per frame, a key frame every second; opus-like audio
// at 50 packets/s), counts what the subscriber decrypts, reports Janus's CPU seconds, and tears it
// all down (also on Ctrl-C / SIGTERM and on any failure).
#include <string>

namespace switchyard::bench {

struct JanusProbeOptions {
  double seconds = 5.0;
  unsigned packetsPerFrame = 4;  // video packets per frame (1100-byte payloads)
  int janusDebugLevel = 2;
  unsigned janusEventLoops = 0;
  bool verbose = false;      // print the SDPs and signaling steps
  std::string janusWorkDir;  // keep Janus's config and log there; empty: a temporary directory
};

struct JanusProbeResult {
  bool ok = false;
  std::string error;
  std::string namespaceName;
  int janusPid = -1;
  uint64_t videoSent = 0;
  uint64_t audioSent = 0;
  uint64_t videoReceived = 0;  // decrypted by the subscriber
  uint64_t audioReceived = 0;
  uint64_t rtcpReceivedByPublisher = 0;
  uint64_t rtcpReceivedBySubscriber = 0;
  double setupSeconds = 0;          // namespace + Janus start + signaling + ICE/DTLS of both peers
  double janusCpuSeconds = 0;       // while sending (and the drain after it)
  double janusCpuSecondsTotal = 0;  // from its start to the end of sending
  std::string janusExit;
};

class JanusProbe {
 public:
  // Runs the probe, printing progress to stderr; the result is also returned for printing.
  static JanusProbeResult run(const JanusProbeOptions& options);
};

}  // namespace switchyard::bench
