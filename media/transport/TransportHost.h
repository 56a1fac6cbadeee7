#pragma once
// All WebRTC transports of one worker and the sockets they share: one UDP socket per listen
// address (every peer of the worker on the same port) and, optionally, one ICE-TCP listener per
// listen address. Routes each datagram to its transport by remote address; a packet from an
// unknown address is looked at only if it is a STUN Binding request whose USERNAME names a local
// ufrag (the transport then checks MESSAGE-INTEGRITY); everything else from unknown addresses is
// dropped before any allocation or crypto. Confined to the worker thread running `io`.
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "media/dtls/DtlsContext.h"
#include "media/net/AddressTable.h"
#include "media/net/HandlerMemory.h"
#include "media/net/TcpIceServer.h"
#include "media/net/UdpSocket.h"
#include "media/transport/WebRtcTransport.h"

namespace switchyard::media::transport {

class TransportHost final : private WebRtcTransport::Io, private TransportEvents {
 public:
  struct Options {
    std::vector<util::SocketAddress> udpBind;    // one UDP socket each (port 0: ephemeral)
    std::vector<util::SocketAddress> tcpBind;    // ICE-TCP listeners; empty: no ICE-TCP
    std::vector<util::SocketAddress> announced;  // candidate IPs instead of the bound ones (NAT, Docker)
    size_t maxTransports = 4096;
    size_t maxPathsPerTransport = 8;
    std::chrono::milliseconds tickInterval{10};
    std::chrono::milliseconds consentTimeout{30000};
    uint32_t mtu = 1200;
    bool udpGso = false;  // UdpSocket::Options::gso for the UDP sockets
    size_t udpFlushDatagrams = net::UdpSocket::Options{}.flushAfterDatagrams;  // for the UDP sockets
    uint32_t replayWindow = srtp::kSrtpDefaultReplayWindow;
    // Time source; tests inject a fake one and call tick() themselves (autoTick = false).
    std::function<Clock::time_point()> clock = [] { return Clock::now(); };
    bool autoTick = true;
    // SO_TIMESTAMPNS on the UDP sockets: arrivalNs() is known while a datagram is handled.
    bool kernelTimestamps = false;
  };

  // What the remote side's SDP says.
  struct RemoteParams {
    std::optional<std::string> iceUfrag;
    dtls::Fingerprint fingerprint;
    dtls::DtlsRole localDtlsRole = dtls::DtlsRole::kServer;  // a=setup:actpass offer -> we answer passive
  };
  // What goes into our SDP.
  struct LocalParams {
    TransportId id = 0;
    ice::IceCredentials ice;
    dtls::Fingerprint fingerprint;
    std::vector<IceCandidate> candidates;
  };

  struct Counters {
    uint64_t droppedUnknownSource = 0;  // not STUN, or STUN naming no local ufrag, from an unknown path
    uint64_t routedByUfrag = 0;         // STUN from a new path handed to a transport for checking
    uint64_t addressTableFull = 0;
    uint64_t transportsCreated = 0;
    uint64_t transportsClosed = 0;
  };

  TransportHost(boost::asio::io_context& io, dtls::DtlsContext& dtls, Options options,
                TransportEvents& owner);
  ~TransportHost() override;
  TransportHost(const TransportHost&) = delete;
  TransportHost& operator=(const TransportHost&) = delete;

  // Binds the sockets (throws std::runtime_error naming the address) and starts the tick timer.
  void start();
  void stop() noexcept;

  // Control plane. Throws std::runtime_error when maxTransports is reached.
  LocalParams createTransport(const RemoteParams& remote);
  [[nodiscard]] WebRtcTransport* find(TransportId id) noexcept;
  void closeTransport(TransportId id) noexcept;

  // ICE consent, DTLS timers, ICE-TCP idle connections, removal of closed transports, and a flush.
  void tick(Clock::time_point now) noexcept;
  // Sends what was queued outside a receive batch (e.g. after sendRtp from a timer).
  void flush() noexcept;

  // While a datagram is handled (e.g. during onTransportRtp): when the kernel received it, on
  // CLOCK_MONOTONIC in ns; 0 when unknown (Options::kernelTimestamps off, or an ICE-TCP frame).
  [[nodiscard]] uint64_t arrivalNs() const noexcept { return arrivalNs_; }
  // Likewise: when the recvmmsg that returned it returned (CLOCK_MONOTONIC ns); 0 when unknown.
  [[nodiscard]] uint64_t receivedNs() const noexcept { return receivedNs_; }
  [[nodiscard]] size_t transportCount() const noexcept { return transports_.size(); }
  [[nodiscard]] std::vector<util::SocketAddress> udpAddresses() const;
  [[nodiscard]] std::vector<util::SocketAddress> tcpAddresses() const;
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  [[nodiscard]] size_t routedAddressCount() const noexcept { return addresses_.size(); }
  [[nodiscard]] const net::UdpSocket::Counters& udpCounters(size_t socket) const {
    return udp_.at(socket)->counters();
  }

 private:
  // From the sockets (through UdpPort / TcpPort, which add the socket index).
  void onUdp(uint8_t socket, std::span<uint8_t> data, const util::SocketAddress& from) noexcept;
  void onTcpFrame(uint8_t server, net::TcpConnectionId id, std::span<uint8_t> frame,
                  const util::SocketAddress& from) noexcept;
  void onTcpClosed(uint8_t server, net::TcpConnectionId id) noexcept;
  void onUdpFlushed() noexcept;
  // WebRtcTransport::Io
  bool sendTo(std::span<const uint8_t> datagram, const PacketPath& path) noexcept override;
  void onPathValidated(TransportId id, const PacketPath& path) noexcept override;
  void onPathReleased(TransportId id, const PacketPath& path) noexcept override;
  // TransportEvents (from our transports, forwarded to the owner)
  void onTransportConnected(TransportId id) override;
  void onTransportRtp(TransportId id, rtp::RtpPacket& packet) noexcept override;
  void onTransportRtcp(TransportId id, std::span<uint8_t> compound) noexcept override;
  void onTransportApplicationData(TransportId id, std::span<const uint8_t> data) noexcept override;
  void onTransportClosed(TransportId id, TransportCloseReason reason, std::string_view detail) override;

  void routeNew(std::span<uint8_t> data, const PacketPath& path, Clock::time_point now) noexcept;
  // The transport a known path routes to, unless the packet is a STUN request naming another
  // transport's ufrag (a new peer on an address an old transport still holds).
  [[nodiscard]] WebRtcTransport* routeKnown(TransportId id, std::span<const uint8_t> data) noexcept;
  void armTimer();
  [[nodiscard]] static uint64_t tcpKey(uint8_t server, net::TcpConnectionId id) noexcept {
    return (uint64_t{server} << 32) | id.value;
  }

  // Per-socket listener adapters, so each socket's packets carry its index.
  class UdpPort;
  class TcpPort;

  boost::asio::io_context& io_;
  dtls::DtlsContext& dtls_;
  Options options_;
  TransportEvents& owner_;
  std::vector<std::unique_ptr<UdpPort>> udpPorts_;
  std::vector<std::unique_ptr<net::UdpSocket>> udp_;
  std::vector<std::unique_ptr<TcpPort>> tcpPorts_;
  std::vector<std::unique_ptr<net::TcpIceServer>> tcp_;
  net::AddressTable addresses_;
  std::unordered_map<uint64_t, TransportId> tcpRoutes_;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, TransportId, StringHash, std::equal_to<>> ufrags_;
  std::unordered_map<TransportId, std::unique_ptr<WebRtcTransport>> transports_;
  std::vector<TransportId> closed_;
  std::vector<TransportId> tickIds_;  // snapshot for tick()/stop(): callbacks may create transports
  TransportId nextId_ = 1;
  boost::asio::steady_timer timer_;
  std::shared_ptr<net::HandlerMemory> timerMemory_ =
      net::HandlerMemory::create();  // re-arming allocates nothing
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  bool flushPosted_ = false;
  uint64_t arrivalNs_ = 0;
  uint64_t receivedNs_ = 0;
  bool flushingAll_ = false;  // onUdpFlushed is flushing every socket: it tells the owner once
  Counters counters_;
};

}  // namespace switchyard::media::transport
