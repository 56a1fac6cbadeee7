#pragma once
// The media side of one worker: its DTLS context and its TransportHost (one UDP port per listen
// address, shared by all of the worker's peers, and the ICE-TCP listeners). Created on the main
// thread before the worker's thread starts; afterwards touched only from the worker's thread.
// Rooms (the next layer) receive its transport events; until then it counts and logs them.
#include <atomic>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/Config.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/transport/TransportHost.h"

namespace switchyard::server {

class WorkerMedia final : private media::transport::TransportEvents {
 public:
  // Binds the worker's sockets: UDP at rtc.udp_port + index on each listen address, ICE-TCP at
  // rtc.tcp_port + index when rtc.ice_tcp. Throws std::runtime_error naming the address.
  WorkerMedia(boost::asio::io_context& io, unsigned index, const config::Config& config,
              const media::dtls::DtlsCertificate& certificate);
  ~WorkerMedia() override;

  [[nodiscard]] media::transport::TransportHost& host() noexcept { return *host_; }
  [[nodiscard]] uint64_t rtpReceived() const noexcept { return rtpReceived_.load(std::memory_order_relaxed); }

 private:
  void onTransportConnected(media::transport::TransportId id) override;
  void onTransportRtp(media::transport::TransportId id, media::rtp::RtpPacket& packet) noexcept override;
  void onTransportRtcp(media::transport::TransportId id, std::span<uint8_t> compound) noexcept override;
  void onTransportClosed(media::transport::TransportId id, media::transport::TransportCloseReason reason,
                         std::string_view detail) override;

  media::dtls::DtlsContext dtls_;
  std::unique_ptr<media::transport::TransportHost> host_;
  std::atomic<uint64_t> rtpReceived_{0};
};

}  // namespace switchyard::server
