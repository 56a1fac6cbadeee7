#include "server/WorkerMedia.h"

#include <stdexcept>

#include "config/Log.h"

namespace switchyard::server {

using namespace media;

namespace {

util::SocketAddress address(const std::string& ip, uint32_t basePort, unsigned index) {
  const auto parsed =
      util::SocketAddress::parse(ip, basePort == 0 ? 0 : static_cast<uint16_t>(basePort + index));
  if (!parsed) throw std::runtime_error("'" + ip + "' is not an IP address");
  return *parsed;
}

}  // namespace

WorkerMedia::WorkerMedia(boost::asio::io_context& io, unsigned index, const config::Config& config,
                         const dtls::DtlsCertificate& certificate)
    : dtls_(certificate) {
  transport::TransportHost::Options options;
  for (const std::string& ip : config.rtc.listenAddresses) {
    options.udpBind.push_back(address(ip, config.rtc.udpPort, index));
    if (config.rtc.iceTcp) options.tcpBind.push_back(address(ip, config.rtc.tcpPort, index));
  }
  for (const std::string& ip : config.rtc.announcedAddresses)
    options.announced.push_back(address(ip, 0, 0));
  options.consentTimeout = std::chrono::milliseconds(config.rtc.consentTimeoutMs);
  options.mtu = config.rtc.dtlsMtu;
  options.replayWindow = config.rtc.srtpReplayWindow;
  TransportEvents& events = *this;
  host_ = std::make_unique<transport::TransportHost>(io, dtls_, options, events);
  host_->start();
  auto join = [](const std::vector<util::SocketAddress>& addresses) {
    std::string text;
    for (const auto& a : addresses) {
      if (!text.empty()) text.push_back(',');
      text.append(a.toString());
    }
    return text;
  };
  const std::string udp = join(host_->udpAddresses());
  const std::string tcp = join(host_->tcpAddresses());
  config::logEvent(*config::logger("media"), spdlog::level::info, "worker media listening", "worker", index,
                   "udp", udp, "tcp", tcp.empty() ? std::string("off") : tcp);
}

WorkerMedia::~WorkerMedia() {
  host_->stop();
}

void WorkerMedia::onTransportConnected(transport::TransportId) {}

void WorkerMedia::onTransportRtp(transport::TransportId, rtp::RtpPacket&) noexcept {
  rtpReceived_.fetch_add(1, std::memory_order_relaxed);
}

void WorkerMedia::onTransportRtcp(transport::TransportId, std::span<uint8_t>) noexcept {}

void WorkerMedia::onTransportClosed(transport::TransportId, transport::TransportCloseReason,
                                    std::string_view) {}

}  // namespace switchyard::server
