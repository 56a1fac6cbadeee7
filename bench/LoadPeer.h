#pragma once
// One simulated browser of `switchyard-bench load` against Switchyard: the real signaling protocol
// over WebSocket (SignalingClient), a browser-shaped offer (BenchSdp), and a real client transport
// (ICE, DTLS, SRTP over its own UDP socket). A publisher sends synthetic audio/video (one or three
// simulcast layers, key frames on an interval and on PLI/FIR, layers switched off by `encodings`);
// a subscriber subscribes to every track of its room, asks for its layer, and measures what
// arrives (ReceiveMeter). Everything runs on its client thread (LoadClientThread).
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "bench/BenchSdp.h"
#include "bench/JanusSignaling.h"
#include "bench/LoadScenario.h"
#include "bench/ReceiveMeter.h"
#include "bench/SignalingClient.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/sctp/DataChannelEndpoint.h"
#include "media/sctp/SctpLibrary.h"
#include "media/transport/ClientTransport.h"

namespace switchyard::bench {

enum class PeerRole : uint8_t { kPublisher, kSubscriber, kIdle };

// What the peer talks to: Switchyard (its signaling, ICE, DTLS, SRTP) or the reflector (plain UDP:
// each datagram is a 4-byte room number and an unencrypted RTP packet with a 16-byte stand-in for
// the SRTP tag; a subscriber registers with "SWBJ" + room number).
// Janus: its videoroom API over WebSocket (JanusSignaling) inside the bench's network namespace; a
// publisher offers as for Switchyard, a subscriber answers Janus's offer for one feed (JanusSdp).
enum class PeerTransportKind : uint8_t { kWebRtc, kReflector, kJanus };

// What the Janus peers of a run share (written before the peers start, except `feeds`).
struct JanusShared {
  std::string serverAddress;                 // Janus's WebSocket and ICE address in the namespace
  std::string clientAddress;                 // where the clients bind
  std::vector<uint64_t> roomIds;             // by room number, created before any peer
  std::mutex mutex;                          // guards feeds
  std::vector<std::vector<uint64_t>> feeds;  // the publishers' feed ids, by room number
};

inline constexpr uint32_t kReflectorJoinMagic = 0x53574a42;  // "SWJB"
inline constexpr size_t kReflectorTagBytes = 16;

// Progress of all peers, read by the reporting thread.
struct PeerCounters {
  std::atomic<uint32_t> joined{0};
  std::atomic<uint32_t> connected{0};  // transport up
  std::atomic<uint32_t> ready{0};      // publisher sending / subscriber has every track / idle connected
  std::atomic<uint32_t> failed{0};
  std::atomic<uint32_t> negotiating{0};
  std::atomic<uint32_t> keyframes{0};         // sent by publishers
  std::atomic<uint32_t> keyframeRequests{0};  // PLI/FIR received by publishers
};

struct PeerContext {
  boost::asio::io_context& io;
  media::dtls::DtlsContext& dtls;
  const media::dtls::DtlsCertificate& certificate;
  const LoadScenario& scenario;
  ThreadMeter& meter;
  PeerCounters& counters;
  boost::asio::ip::tcp::endpoint signaling;
  PeerTransportKind kind = PeerTransportKind::kWebRtc;
  media::util::SocketAddress reflector;                  // kReflector
  JanusShared* janus = nullptr;                          // kJanus
  std::function<void(const std::string& what)> onError;  // once per failed peer (any thread's logger)
  // Data channels (scenario.dataChannels): the process's usrsctp and the data messages' meter.
  media::sctp::SctpLibrary* sctp = nullptr;
  ThreadMeter* dataMeter = nullptr;
};

class LoadPeer final : private media::transport::TransportEvents,
                       private media::net::UdpSocket::Listener,
                       private media::sctp::DataChannelEndpoint::Listener {
 public:
  LoadPeer(PeerContext context, PeerRole role, uint32_t globalIndex, uint32_t roomNumber);
  ~LoadPeer() override;
  LoadPeer(const LoadPeer&) = delete;
  LoadPeer& operator=(const LoadPeer&) = delete;

  // Connects and joins (io thread). `done` is called once when the peer is ready or failed.
  void start(std::function<void(bool ok)> done);
  // Sends what is due at `nowNs` (publishers; io thread).
  void pace(uint64_t nowNs) noexcept;
  // When pace() has something to send next (monotonic ns); UINT64_MAX when it never will (not a
  // ready publisher).
  [[nodiscard]] uint64_t nextDueNs() const noexcept;
  // Leaves: closes the WebSocket and the transport (io thread).
  void stop();

  [[nodiscard]] PeerRole role() const noexcept { return role_; }
  [[nodiscard]] bool ready() const noexcept { return ready_; }
  // Mean RFC 3550 jitter (ms) over the streams received, and how many.
  [[nodiscard]] std::pair<double, size_t> jitter() const noexcept;

 private:
  struct VideoLayer {
    uint32_t ssrc = 0;
    uint16_t seq = 0;
    uint16_t pictureId = 0;
    uint32_t stampSeq = 0;
    bool active = true;
    bool keyFrameWanted = true;
    std::optional<VideoFrameSource> source;
    uint16_t width = 0;
    uint16_t height = 0;
  };

  void onEvent(const nlohmann::json& event);
  void publish();
  void subscribeMore();
  void onAnswer(const nlohmann::json& reply, size_t sectionsOffered);
  void connectTransport(const std::string& answerSdp);
  void startTransport(media::transport::ClientTransport::Params params);
  void finish(bool ok, const std::string& why = {});
  void sendVideoFrame(VideoLayer& layer, size_t index, uint64_t nowNs, bool keyFrame) noexcept;
  void sendAudio(uint64_t nowNs) noexcept;
  void sendRtp(uint32_t ssrc, uint8_t pt, uint16_t seq, uint32_t timestamp, bool marker,
               std::span<const uint8_t> payload, const char* rid, bool audio) noexcept;
  void markReady();
  void startReflector();
  void startJanus();
  void connectJanus(const std::string& janusSdp, bool janusOffered);
  nlohmann::json preparePublisher();
  void onDatagram(std::span<uint8_t> data, const media::util::SocketAddress& from) noexcept override;
  void received(std::span<const uint8_t> payload, size_t packetBytes) noexcept;
  void sendDataMessage(uint64_t nowNs) noexcept;
  // DataChannelEndpoint::Listener
  void onDataSend(std::span<const uint8_t> packet) override;
  void onDataConnected() override;
  void onChannelOpened(uint16_t stream, const media::sctp::DataChannelInfo& info) override;
  void onChannelMessage(uint16_t stream, media::sctp::DataKind kind,
                        std::span<const uint8_t> message) override;
  void onChannelClosed(uint16_t stream) override;
  void onDataClosed(media::sctp::DataChannelEndpoint::CloseReason reason) override;
  void onTransportApplicationData(media::transport::TransportId id,
                                  std::span<const uint8_t> data) noexcept override;

  // TransportEvents
  void onTransportConnected(media::transport::TransportId id) override;
  void onTransportRtp(media::transport::TransportId id, media::rtp::RtpPacket& packet) noexcept override;
  void onTransportRtcp(media::transport::TransportId id, std::span<uint8_t> compound) noexcept override;
  void onTransportClosed(media::transport::TransportId id, media::transport::TransportCloseReason reason,
                         std::string_view detail) override;

  PeerContext ctx_;
  PeerRole role_;
  uint32_t index_;
  std::string room_;
  std::shared_ptr<SignalingClient> ws_;
  std::unique_ptr<media::transport::ClientTransport> transport_;
  std::unique_ptr<media::sctp::DataChannelEndpoint> data_;  // after transport_: destroyed before it
  std::optional<uint16_t> dataStream_;                      // the publisher's channel
  uint64_t nextDataNs_ = 0;
  uint32_t dataStampSeq_ = 0;
  std::vector<StreamTracker> dataStreams_;
  std::unique_ptr<media::net::UdpSocket> raw_;
  std::shared_ptr<JanusSignaling> janusSignaling_;
  bool janusUp_ = false;  // Janus sent "webrtcup" for this handle
  uint32_t roomNumber_ = 0;
  media::ice::IceCredentials ice_ = media::ice::IceCredentials::generate();
  std::function<void(bool)> done_;
  bool finished_ = false;
  bool failed_ = false;
  bool ready_ = false;
  bool stopping_ = false;
  uint32_t offers_ = 0;
  bool negotiating_ = false;

  // Publisher.
  std::vector<OfferSection> sections_;
  std::string audioMid_;
  std::string videoMid_;
  std::vector<VideoLayer> layers_;
  std::string videoTrack_;
  uint32_t audioSsrc_ = 0;
  uint16_t audioSeq_ = 0;
  uint32_t audioStampSeq_ = 0;
  uint16_t transportSeq_ = 0;
  uint64_t nextFrameNs_ = 0;
  uint64_t nextAudioNs_ = 0;
  uint64_t nextKeyFrameNs_ = 0;
  uint32_t frameIndex_ = 0;
  uint64_t lastKeyFrameNs_ = 0;

  // Subscriber.
  struct RemoteTrack {
    std::string trackId;
    bool video = false;
    std::string mid;  // empty until offered
  };
  std::vector<RemoteTrack> tracks_;
  size_t answeredTracks_ = 0;
  size_t expectedTracks_ = 0;
  std::vector<StreamTracker> streams_;

  std::array<uint8_t, 1500 + 64> packet_{};
  std::array<uint8_t, 1500> payload_{};
  std::vector<uint8_t> dataBuffer_;  // a publisher's message (sized when its channel opens)
};

}  // namespace switchyard::bench
