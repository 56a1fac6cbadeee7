#include "media/transport/DtlsSrtpChannel.h"

#include <string>

#include "media/net/PacketKind.h"
#include "media/rtp/RtpPacket.h"
#include "media/util/RtpRtcpDemux.h"

namespace switchyard::media::transport {

namespace {

dtls::DtlsTransportConfig dtlsConfig(const DtlsSrtpChannel::Settings& settings) {
  dtls::DtlsTransportConfig config;
  config.role = settings.role;
  config.remoteFingerprint = settings.remoteFingerprint;
  config.mtu = settings.mtu;
  config.handshakeTimeout = settings.handshakeTimeout;
  return config;
}

}  // namespace

DtlsSrtpChannel::DtlsSrtpChannel(TransportId id, dtls::DtlsContext& context, const Settings& settings,
                                 TransportEvents& events)
    : id_(id),
      events_(events),
      replayWindow_(settings.replayWindow),
      dtls_(context, dtlsConfig(settings), *this) {}

void DtlsSrtpChannel::startDtls(Clock::time_point now) noexcept {
  if (!dtlsStarted() && state_ != TransportState::kClosed) dtls_.start(now);
}

void DtlsSrtpChannel::tickDtls(Clock::time_point now) noexcept {
  if (state_ == TransportState::kClosed || !dtlsStarted()) return;
  if (const auto due = dtls_.nextTimeout(now); due && *due <= now) dtls_.handleTimeout(now);
}

void DtlsSrtpChannel::receiveSecure(std::span<uint8_t> data) noexcept {
  if (state_ == TransportState::kClosed) return;
  switch (net::classifyPacket(data)) {
    case net::PacketKind::kDtls:
      ++counters_.dtlsReceived;
      dtls_.receive(data);
      return;
    case net::PacketKind::kRtpRtcp:
      break;
    default:
      ++counters_.droppedMalformed;
      return;
  }
  if (!inbound_) {
    ++counters_.droppedBeforeKeys;
    return;
  }
  size_t length = data.size();
  const bool rtcp = util::isRtcp(data);
  const srtp::SrtpResult result =
      rtcp ? inbound_->unprotectRtcp(data, length) : inbound_->unprotectRtp(data, length);
  if (result != srtp::SrtpResult::kOk) {
    if (result == srtp::SrtpResult::kReplay) {
      ++counters_.srtpReplayed;
    } else if (result == srtp::SrtpResult::kAuthFailed) {
      ++counters_.srtpAuthFailed;
    } else {
      ++counters_.srtpOtherErrors;
    }
    return;
  }
  const std::span<uint8_t> plain = data.first(length);
  if (rtcp) {
    ++counters_.rtcpReceived;
    events_.onTransportRtcp(id_, plain);
    return;
  }
  auto packet = rtp::RtpPacket::parse(plain);
  if (!packet) {
    ++counters_.droppedMalformed;
    return;
  }
  ++counters_.rtpReceived;
  events_.onTransportRtp(id_, *packet);
}

bool DtlsSrtpChannel::sendRtp(std::span<uint8_t> buffer, size_t length) noexcept {
  return protectAndSend(buffer, length, false);
}

bool DtlsSrtpChannel::sendRtcp(std::span<uint8_t> buffer, size_t length) noexcept {
  return protectAndSend(buffer, length, true);
}

bool DtlsSrtpChannel::protectAndSend(std::span<uint8_t> buffer, size_t length, bool rtcp) noexcept {
  if (!outbound_ || state_ != TransportState::kConnected) {
    ++counters_.sendFailures;
    return false;
  }
  const srtp::SrtpResult result =
      rtcp ? outbound_->protectRtcp(buffer, length) : outbound_->protectRtp(buffer, length);
  if (result != srtp::SrtpResult::kOk || !sendToPeer(buffer.first(length))) {
    ++counters_.sendFailures;
    return false;
  }
  ++(rtcp ? counters_.rtcpSent : counters_.rtpSent);
  return true;
}

bool DtlsSrtpChannel::sendApplicationData(std::span<const uint8_t> data) noexcept {
  return state_ == TransportState::kConnected && dtls_.sendApplicationData(data);
}

void DtlsSrtpChannel::closeWith(TransportCloseReason reason, std::string_view detail,
                                bool notifyPeer) noexcept {
  if (closing_) return;
  closing_ = true;
  if (notifyPeer && dtls_.state() == dtls::DtlsTransport::State::kConnected) dtls_.close();
  state_ = TransportState::kClosed;
  inbound_.reset();
  outbound_.reset();
  onClosing();
  try {
    events_.onTransportClosed(id_, reason, detail);
  } catch (...) {
    // The owner's bookkeeping must not unwind through the packet path.
  }
}

void DtlsSrtpChannel::onDtlsSend(std::span<const uint8_t> datagram) {
  sendToPeer(datagram);
}

void DtlsSrtpChannel::onDtlsConnected(const srtp::SrtpKeys& keys) {
  std::string error;
  inbound_ = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, keys.remote, replayWindow_, &error);
  if (inbound_)
    outbound_ = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, keys.local, replayWindow_, &error);
  if (!inbound_ || !outbound_) {
    closeWith(TransportCloseReason::kSrtpFailed, error, true);
    return;
  }
  state_ = TransportState::kConnected;
  events_.onTransportConnected(id_);
}

void DtlsSrtpChannel::onDtlsApplicationData(std::span<const uint8_t> data) {
  events_.onTransportApplicationData(id_, data);
}

void DtlsSrtpChannel::onDtlsClosed(dtls::DtlsCloseReason reason, std::string_view detail) {
  TransportCloseReason mapped = TransportCloseReason::kDtlsFailed;
  if (reason == dtls::DtlsCloseReason::kCloseNotify) mapped = TransportCloseReason::kDtlsClosed;
  if (reason == dtls::DtlsCloseReason::kFingerprintMismatch)
    mapped = TransportCloseReason::kFingerprintMismatch;
  if (reason == dtls::DtlsCloseReason::kLocalClose) mapped = TransportCloseReason::kLocalClose;
  std::string text(dtls::toString(reason));
  if (!detail.empty()) text += ": " + std::string(detail);
  closeWith(mapped, text, false);
}

}  // namespace switchyard::media::transport
