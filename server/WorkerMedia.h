#pragma once
// The media side of one worker: its DTLS context, its TransportHost (one UDP port per listen
// address, shared by all of the worker's peers, and the ICE-TCP listeners) and the forwarding
// Router of each room pinned to this worker. Created and destroyed on the worker's thread and
// touched only from it: the signaling thread reaches it by posting commands (createTransport,
// apply, closeTransport, removeRoom) and hears of closed transports through the handler, which it
// must post back to its own thread.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "config/Config.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/forward/Router.h"
#include "media/net/HandlerMemory.h"
#include "media/sctp/DataChannelRelay.h"
#include "media/transport/TransportHost.h"
#include "server/LatencyHistogram.h"
#include "server/WorkerHandoff.h"

namespace switchyard::server {

using RoomKey = uint64_t;

// What one negotiation changes in a room's router (worker thread applies it in this order:
// removals, then producers, then consumers).
struct RoomMediaUpdate {
  RoomKey room = 0;
  std::vector<uint32_t> removeConsumers;
  std::vector<uint32_t> removeProducers;
  std::vector<media::forward::ProducerSpec> addProducers;  // an existing id is replaced
  std::vector<media::forward::ConsumerSpec> addConsumers;
  // The peer's first answer with a data-channel section: its SCTP association joins the room's relay.
  struct DataChannel {
    media::transport::TransportId transport = 0;
    std::string peerId;
    uint16_t remotePort = 5000;
    uint64_t remoteMaxMessageSize = 65536;  // 0: no limit
  };
  std::optional<DataChannel> addDataChannel;
  // A room spread over workers: workers that no longer hold any mirror of the room (applied first),
  // and (producer, worker) pairs whose packets go to that worker's mirror from now on (applied
  // after the producers).
  std::vector<uint16_t> removeHandoffWorkers;
  std::vector<std::pair<uint32_t, uint16_t>> addHandoffs;
};

class WorkerMedia final : private media::transport::TransportEvents,
                          private media::forward::Router::Output,
                          private media::sctp::DataChannelRelay::Output {
 public:
  // Called on the worker thread when a transport closed by itself (not by closeTransport()).
  using ClosedHandler = std::function<void(
      media::transport::TransportId, media::transport::TransportCloseReason, const std::string& detail)>;

  // Binds the worker's sockets: UDP at rtc.udp_port + index on each listen address, ICE-TCP at
  // rtc.tcp_port + index when rtc.ice_tcp. Throws std::runtime_error naming the address.
  // `handoff`: the lanes between workers for spread rooms (nullptr: rooms never spread); it must
  // outlive this WorkerMedia. `latency`: where the worker records the latency it adds to each
  // forwarded RTP packet (nullptr: not measured; the sockets then take no kernel timestamps); it
  // must outlive this WorkerMedia.
  WorkerMedia(boost::asio::io_context& io, unsigned index, const config::Config& config,
              const media::dtls::DtlsCertificate& certificate, WorkerHandoff* handoff = nullptr,
              ForwardLatency* latency = nullptr);
  ~WorkerMedia() override;

  void setClosedHandler(ClosedHandler handler) { closedHandler_ = std::move(handler); }
  // Called on the worker thread when a room's active speaker changes (the audio producer's id); it
  // must post to the signaling thread.
  using SpeakerHandler = std::function<void(RoomKey room, uint32_t producer)>;
  void setSpeakerHandler(SpeakerHandler handler) { speakerHandler_ = std::move(handler); }
  // Called on the worker thread when the simulcast layers a producer's subscribers need change (bit
  // i = layer i, lowest first; see Router::Output::onLayersNeeded); it must post to the signaling
  // thread.
  using LayersHandler = std::function<void(RoomKey room, uint32_t producer, uint8_t layers)>;
  void setLayersHandler(LayersHandler handler) { layersHandler_ = std::move(handler); }
  // Called on the worker thread when a mirror producer's subscribers need a keyframe: it must post
  // requestKeyframe(room, producer) to worker `origin`.
  using KeyframeHandler = std::function<void(RoomKey room, uint32_t producer, uint16_t origin)>;
  void setKeyframeHandler(KeyframeHandler handler) { keyframeHandler_ = std::move(handler); }

  // Commands (worker thread). createTransport throws std::runtime_error when the host is full.
  media::transport::TransportHost::LocalParams createTransport(
      RoomKey room, const media::transport::TransportHost::RemoteParams& remote);
  void apply(const RoomMediaUpdate& update);
  // Closes the transport and removes its producers and consumers (no ClosedHandler call).
  void closeTransport(media::transport::TransportId id) noexcept;
  void removeRoom(RoomKey room) noexcept;
  // A subscriber's simulcast layer for one consumer (see Router::setConsumerLayer).
  void setConsumerLayer(RoomKey room, uint32_t consumer, int layer) noexcept;
  // A subscriber's temporal layer for one consumer (see Router::setConsumerTemporalLayer).
  void setConsumerTemporalLayer(RoomKey room, uint32_t consumer, int temporalLayer) noexcept;
  // A mirror of `producer` on another worker needs a keyframe (this is the origin).
  void requestKeyframe(RoomKey room, uint32_t producer) noexcept;
  // Forwards what other workers handed off to this one (from the wake-up and the tick; tests).
  void drainHandoff() noexcept;

  [[nodiscard]] media::transport::TransportHost& host() noexcept { return *host_; }
  [[nodiscard]] uint64_t rtpReceived() const noexcept { return rtpReceived_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t rtpForwarded() const noexcept {
    return rtpForwarded_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] size_t roomCount() const noexcept { return routers_.size(); }
  // Slices the room tick has run in so far (workers.tick_slice_us; tests).
  [[nodiscard]] uint64_t tickSlices() const noexcept { return tickSlices_; }
  // A tick round is between two slices.
  [[nodiscard]] bool ticking() const noexcept { return ticking_; }
  // The counters of a room's router (worker thread); nullptr when the room has none.
  [[nodiscard]] const media::forward::Router* router(RoomKey room) const noexcept;
  // The data-channel relay of a room (worker thread); nullptr when it has none.
  [[nodiscard]] const media::sctp::DataChannelRelay* relay(RoomKey room) const noexcept;

 private:
  // TransportEvents
  void onTransportConnected(media::transport::TransportId id) override;
  void onTransportRtp(media::transport::TransportId id, media::rtp::RtpPacket& packet) noexcept override;
  void onTransportRtcp(media::transport::TransportId id, std::span<uint8_t> compound) noexcept override;
  void onTransportApplicationData(media::transport::TransportId id,
                                  std::span<const uint8_t> data) noexcept override;
  void onTransportClosed(media::transport::TransportId id, media::transport::TransportCloseReason reason,
                         std::string_view detail) override;
  void onSendsFlushed() noexcept override { recordLatencies(); }
  // DataChannelRelay::Output
  void onRelaySend(media::sctp::DataChannelRelay::PeerKey peer,
                   std::span<const uint8_t> packet) noexcept override;
  // Router::Output
  bool sendRtp(media::transport::TransportId id, std::span<uint8_t> buffer, size_t length) noexcept override;
  bool sendRtcp(media::transport::TransportId id, std::span<uint8_t> buffer, size_t length) noexcept override;
  void onActiveSpeaker(const media::forward::Router& router, uint32_t producer) noexcept override;
  void onLayersNeeded(const media::forward::Router& router, uint32_t producer,
                      uint8_t layers) noexcept override;
  void handOff(const media::forward::Router& router, uint32_t producer, std::span<const uint16_t> workers,
               media::forward::HandoffPacket::Type type, int layer,
               std::span<const uint8_t> packet) noexcept override;
  void requestOriginKeyframe(const media::forward::Router& router, uint32_t producer,
                             uint16_t originWorker) noexcept override;
  void armWake();
  // The key of a room's router (nullopt when the router is not one of ours).
  [[nodiscard]] std::optional<RoomKey> roomOf(const media::forward::Router& router) const noexcept;
  // Logs the bandwidth estimate toward a subscriber transport that is going away.
  void logEstimate(const media::forward::Router& router, media::transport::TransportId id) noexcept;

  media::forward::Router& routerFor(RoomKey room);
  media::sctp::DataChannelRelay& relayFor(RoomKey room);
  // Takes the transport out of its room's relay, logging its data-channel counters.
  void leaveRelay(media::transport::TransportId id) noexcept;
  void armTick();
  // The room tick: starts a round over a snapshot of the rooms, in slices of tickSlice_ (posted
  // one after another so ready socket handlers run in between); the last slice re-arms the timer.
  void tick() noexcept;
  void tickSlice() noexcept;
  // Added latency: once a forwarded packet's copies are all queued, its kernel arrival waits here
  // until the next flush (which sends its last copy), then recordLatencies() records
  // (now - arrival) for each.
  // `receivedNs`: when recvmmsg returned it (0 for a packet handed off by another worker).
  void addPendingLatency(uint64_t arrivalNs, uint64_t receivedNs) noexcept;
  void recordLatencies() noexcept;

  unsigned index_;
  media::forward::Router::Options routerOptions_;
  media::sctp::DataChannelEndpointConfig dataChannelConfig_;
  std::optional<media::sctp::SctpLibrary> sctp_;  // while data channels are enabled
  media::dtls::DtlsContext dtls_;
  std::unique_ptr<media::transport::TransportHost> host_;
  std::unordered_map<RoomKey, std::unique_ptr<media::forward::Router>> routers_;
  std::unordered_map<media::transport::TransportId, RoomKey> transportRooms_;
  std::unordered_map<media::transport::TransportId, media::forward::Router*> transportRouters_;
  std::unordered_map<RoomKey, std::unique_ptr<media::sctp::DataChannelRelay>> relays_;
  std::unordered_map<media::transport::TransportId, media::sctp::DataChannelRelay*> transportRelays_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<media::net::HandlerMemory> timerMemory_ =
      media::net::HandlerMemory::create();  // re-arming allocates nothing
  std::chrono::microseconds tickSlice_;
  std::vector<RoomKey> tickRooms_;  // the round's snapshot; tickRooms_[tickNext_] is next
  size_t tickNext_ = 0;
  bool ticking_ = false;  // a round is between slices
  uint64_t tickSlices_ = 0;
  std::shared_ptr<media::net::HandlerMemory> sliceMemory_ = media::net::HandlerMemory::create();
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // posted slices hold a weak token
  WorkerHandoff* handoff_;
  std::optional<boost::asio::posix::stream_descriptor> wake_;  // a dup of handoff_->wakeFd(index_)
  uint64_t wakeValue_ = 0;
  std::shared_ptr<media::net::HandlerMemory> wakeMemory_ =
      media::net::HandlerMemory::create();  // re-arming the wake-up read allocates nothing
  KeyframeHandler keyframeHandler_;
  ClosedHandler closedHandler_;
  SpeakerHandler speakerHandler_;
  LayersHandler layersHandler_;
  ForwardLatency* latency_;
  struct PendingLatency {
    uint64_t arrivalNs;
    uint64_t receivedNs;
  };
  static constexpr size_t kMaxPendingLatencies = 1024;  // a handoff drain round (a socket batch is 32)
  std::array<PendingLatency, kMaxPendingLatencies> pendingLatencies_{};
  size_t pendingLatencyCount_ = 0;
  uint64_t handoffArrivalNs_ = 0;  // the arrival of the packet being routed (handOff passes it on)
  std::atomic<uint64_t> rtpReceived_{0};
  std::atomic<uint64_t> rtpForwarded_{0};
};

}  // namespace switchyard::server
