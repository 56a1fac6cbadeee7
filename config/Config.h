#pragma once
// The effective configuration of one Switchyard process. Every field has a documented default
// (docs/configuration.md is generated from ConfigSchema and checked by a test).
#include <cstdint>
#include <string>
#include <vector>

namespace switchyard::config {

struct Config {
  struct Log {
    std::string level = "info";   // trace, debug, info, warn, error, critical, off
    std::string format = "text";  // text (human-readable) or json (one object per line)
  } log;

  struct Http {
    std::string listenAddress = "127.0.0.1";  // IPv4 or IPv6 literal
    uint16_t port = 7080;                     // 0 picks a free port (printed at start)
    uint32_t maxConnections = 1024;
    uint32_t requestTimeoutMs = 10000;
    std::string tlsCertificateFile;  // empty: plain HTTP/WS; set: HTTPS/WSS on the same port
    std::string tlsPrivateKeyFile;
    bool metrics = true;  // GET /metrics (Prometheus text format)
  } http;

  struct Signaling {
    uint32_t maxMessageBytes = 65536;  // largest WebSocket message accepted
    uint32_t maxQueuedMessages = 256;  // per client; a client that does not read is closed
    uint32_t idleTimeoutMs = 30000;    // a silent WebSocket is pinged, then closed
  } signaling;

  struct Rooms {
    uint32_t maxPeers = 100;  // per room
    std::string tokenSecret;  // empty: joins need no token
  } rooms;

  struct Workers {
    uint32_t count = 0;  // 0 = one per CPU core
    // A room's peers join its home worker until it has this many; later joiners go to the least
    // loaded worker and the room spreads (0 = never).
    uint32_t roomSpreadPeers = 50;
    uint32_t handoffRingPackets = 4096;  // per (source, destination) worker pair
    // Per-worker histogram of the added latency (kernel arrival to the sendmmsg of the last forwarded
    // copy), exposed on GET /metrics.
    bool latencyHistogram = true;
    // The 10 ms room tick runs in slices of about this long; between two, the worker reads its
    // sockets (a packet arriving during the tick waits for one slice, not for every room's tick).
    uint32_t tickSliceUs = 100;
    // SCHED_FIFO priority of the worker threads (1-99); 0: normal scheduling.
    uint32_t realtimePriority = 0;
  } workers;

  struct Rtc {
    std::vector<std::string> listenAddresses{"127.0.0.1"};
    std::vector<std::string> announcedAddresses;
    uint16_t udpPort = 40000;  // worker i: udpPort + i
    bool iceTcp = true;
    uint16_t tcpPort = 40000;  // worker i: tcpPort + i
    uint32_t consentTimeoutMs = 30000;
    uint32_t dtlsMtu = 1200;
    bool udpGso = true;               // send a destination's datagrams of one flush as UDP GSO segments
    uint32_t udpFlushDatagrams = 32;  // flush the send queue once a received datagram leaves this many
    std::string certificateFile;      // empty: generate
    std::string privateKeyFile;
    uint32_t srtpReplayWindow = 1024;
    uint32_t keyframeRequestIntervalMs = 200;    // per published video track
    uint32_t retransmissionBufferPackets = 512;  // per published video stream, to answer NACKs
    bool simulcast = true;                       // answer publishers' simulcast (RFC 8853)
    bool bandwidthEstimation = true;             // per-subscriber estimate from transport-cc feedback
    uint32_t bweInitialKbps = 1000;
    uint32_t bweMinKbps = 100;
    uint32_t bweMaxKbps = 30000;
    uint32_t simulcastLayerOffDelayMs = 5000;  // an unneeded layer is turned off after this
  } rtc;

  struct Sctp {
    bool dataChannels = true;                    // answer m=application (data channels)
    uint32_t maxMessageSize = 262144;            // a=max-message-size we announce and accept
    uint32_t maxBufferedBytesPerPeer = 1048576;  // send buffer toward one peer (back-pressure limit)
    uint32_t receiveBufferBytes = 1048576;       // receive buffer (window) from one peer
    uint32_t maxChannelsPerPeer = 256;           // channels one peer's association may hold
  } sctp;
};

}  // namespace switchyard::config
