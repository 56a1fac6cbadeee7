#pragma once
// The client side of a WebRTC transport, doing what a browser does: ICE checks as the controlling
// agent with USE-CANDIDATE (answering a full peer's own checks too), DTLS in the role the SDP
// gives, SRTP. Used by the bench load clients and
// the tests; small enough to run hundreds in one process (one socket each, one io_context for all).
// Over UDP (its own socket) or ICE-TCP (one connection, RFC 4571 framing). Confined to the thread
// running `io`.
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "media/ice/IceClientAgent.h"
#include "media/ice/IceCredentials.h"
#include "media/net/Rfc4571Framer.h"
#include "media/net/UdpSocket.h"
#include "media/transport/DtlsSrtpChannel.h"
#include "media/transport/TransportHost.h"

namespace switchyard::media::transport {

class ClientTransport final : public DtlsSrtpChannel,
                              private ice::IceClientAgent::Listener,
                              private net::UdpSocket::Listener {
 public:
  struct Params {
    ice::IceCredentials localIce = ice::IceCredentials::generate();
    ice::IceCredentials remoteIce;               // from the server's SDP
    std::vector<IceCandidate> remoteCandidates;  // the server's host candidates
    CandidateProtocol protocol = CandidateProtocol::kUdp;
    util::SocketAddress localBind;     // e.g. 127.0.0.1:0 (its family must match a candidate)
    DtlsSrtpChannel::Settings secure;  // role: kClient when the server answered a=setup:passive
    ice::IceClientAgent::Options ice;
    // ICE tie-breaker; nullopt: random. Against a full ICE agent that offered (and so wants to be
    // controlling, e.g. Janus sending a subscriber offer) use IceClientAgent::kWinningTieBreaker.
    std::optional<uint64_t> tieBreaker;
    std::chrono::milliseconds tickInterval{10};
    std::function<Clock::time_point()> clock = [] { return Clock::now(); };
    // UDP: the kernel's arrival time of each datagram (receiveTimeNs(), during the events it causes).
    bool kernelTimestamps = false;

    // Takes what the server's answer says (its ICE credentials, candidates and certificate
    // fingerprint); the client is the DTLS client, as when the server answers a=setup:passive.
    void answeredBy(const TransportHost::LocalParams& server) {
      remoteIce = server.ice;
      remoteCandidates = server.candidates;
      secure.role = dtls::DtlsRole::kClient;
      secure.remoteFingerprint = server.fingerprint;
    }
  };

  ClientTransport(boost::asio::io_context& io, dtls::DtlsContext& context, TransportId id, Params params,
                  TransportEvents& events);
  ~ClientTransport() override;

  // Opens the socket (or TCP connection) and starts ICE. Throws std::runtime_error on bind failure.
  void start();
  void close() noexcept;
  void tick(Clock::time_point now) noexcept;
  // Sends bytes as they are on the selected path, bypassing SRTP: for load and robustness tests
  // (garbage, replayed packets). False before ICE has connected.
  bool sendRawDatagram(std::span<const uint8_t> datagram) noexcept { return sendToPeer(datagram); }

  [[nodiscard]] bool iceConnected() const noexcept {
    return ice_.state() == ice::IceClientAgent::State::kConnected;
  }
  [[nodiscard]] const ice::IceCredentials& localIce() const noexcept { return ice_.localCredentials(); }
  [[nodiscard]] std::optional<util::SocketAddress> localAddress() const noexcept;
  // With Params::kernelTimestamps over UDP, inside onTransportRtp/Rtcp/ApplicationData: when the
  // kernel received the datagram (CLOCK_MONOTONIC ns); 0 otherwise.
  [[nodiscard]] uint64_t receiveTimeNs() const noexcept { return udp_ ? udp_->receiveTimeNs() : 0; }

 private:
  bool sendToPeer(std::span<const uint8_t> datagram) noexcept override;
  void onClosing() noexcept override;
  void onIceSend(std::span<const uint8_t> stun, const util::SocketAddress& to) override;
  void onIceConnected(const util::SocketAddress& remote) override;
  void onIceFailed(std::string_view reason) override;
  void onIceConsentExpired() override;
  void onDatagram(std::span<uint8_t> data, const util::SocketAddress& from) noexcept override;

  bool sendRaw(std::span<const uint8_t> datagram, const util::SocketAddress& to) noexcept;
  void handle(std::span<uint8_t> data, const util::SocketAddress& from) noexcept;
  void armTimer();
  void startTcp();
  void readTcp();
  void writeTcp();

  boost::asio::io_context& io_;
  Params params_;
  ice::IceClientAgent ice_;
  std::unique_ptr<net::UdpSocket> udp_;
  std::unique_ptr<boost::asio::ip::tcp::socket> tcp_;
  std::unique_ptr<net::Rfc4571Framer> framer_;
  std::deque<std::vector<uint8_t>> tcpQueue_;
  size_t tcpQueuedBytes_ = 0;
  bool tcpConnected_ = false;
  bool tcpWriting_ = false;
  util::SocketAddress tcpRemote_;
  std::optional<util::SocketAddress> selected_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  Clock::time_point now_{};
};

}  // namespace switchyard::media::transport
