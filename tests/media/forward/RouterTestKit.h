#pragma once
// Shared pieces of the forward tests: a recording Router::Output (the router's only collaborator),
// a typical room (a video and an audio publisher, subscribers with different SSRCs, payload types
// and extension ids) and helpers to build and feed RTP/RTCP.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "media/forward/Router.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/srtp/SrtpSession.h"

namespace switchyard::media::forward::test {

using Bytes = std::vector<uint8_t>;
using rtp::RtpExtension;
using namespace std::chrono_literals;

inline Bytes toBytes(std::span<const uint8_t> bytes) {
  return Bytes(bytes.begin(), bytes.end());
}
inline Bytes textBytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

struct SentPacket {
  TransportId transport = 0;
  Bytes bytes;
  size_t bufferSize = 0;  // the whole buffer handed over (packet + trailer headroom)
};

class RecordingOutput : public Router::Output {
 public:
  bool sendRtp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept override {
    rtp.push_back({transport, Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)),
                   buffer.size()});
    return acceptRtp;
  }
  bool sendRtcp(TransportId transport, std::span<uint8_t> buffer, size_t length) noexcept override {
    rtcp.push_back({transport, Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)),
                    buffer.size()});
    return acceptRtcp;
  }

  // The RTP packets sent on one transport.
  [[nodiscard]] std::vector<Bytes> rtpOn(TransportId transport) const {
    std::vector<Bytes> out;
    for (const SentPacket& p : rtp) {
      if (p.transport == transport) out.push_back(p.bytes);
    }
    return out;
  }

  std::vector<SentPacket> rtp;
  std::vector<SentPacket> rtcp;
  bool acceptRtp = true;
  bool acceptRtcp = true;
};

// A PLI as the router sends it, decoded: (sender SSRC, media SSRC); nullopt if not exactly one PLI.
inline std::optional<std::pair<uint32_t, uint32_t>> decodePli(const SentPacket& sent) {
  const rtcp::RtcpCompound compound(sent.bytes);
  if (!compound.valid() || compound.packetCount() != 1) return std::nullopt;
  const auto pli = rtcp::PliView::parse(*compound.begin());
  if (!pli) return std::nullopt;
  return std::pair{pli->senderSsrc(), pli->mediaSsrc()};
}

// Transports and ids of the typical room.
inline constexpr TransportId kPublisher = 1;
inline constexpr TransportId kSubscriberA = 2;
inline constexpr TransportId kSubscriberB = 3;
inline constexpr TransportId kSubscriberC = 4;

inline constexpr uint32_t kVideoProducer = 10;
inline constexpr uint32_t kAudioProducer = 20;
inline constexpr uint32_t kVideoSsrc = 0x11111111;
inline constexpr uint32_t kVideoRtxSsrc = 0x22222222;
inline constexpr uint32_t kAudioSsrc = 0xA0A0A0A0;

// Publisher ids (as a browser offers them).
inline constexpr uint8_t kPubAudioLevel = 1;
inline constexpr uint8_t kPubAbsSendTime = 2;
inline constexpr uint8_t kPubTransportCc = 3;
inline constexpr uint8_t kPubMid = 4;
inline constexpr uint8_t kPubRid = 10;
inline constexpr uint8_t kPubRepairedRid = 11;
inline constexpr uint8_t kPubVideoOrientation = 13;

inline rtp::RtpExtensionIds publisherIds() {
  rtp::RtpExtensionIds ids;
  ids.set(RtpExtension::kAudioLevel, kPubAudioLevel);
  ids.set(RtpExtension::kAbsSendTime, kPubAbsSendTime);
  ids.set(RtpExtension::kTransportCc, kPubTransportCc);
  ids.set(RtpExtension::kMid, kPubMid);
  ids.set(RtpExtension::kRid, kPubRid);
  ids.set(RtpExtension::kRepairedRid, kPubRepairedRid);
  ids.set(RtpExtension::kVideoOrientation, kPubVideoOrientation);
  return ids;
}

inline ProducerSpec videoProducer() {
  ProducerSpec spec;
  spec.id = kVideoProducer;
  spec.transport = kPublisher;
  spec.kind = TrackKind::kVideo;
  spec.clockRate = 90000;
  spec.payloadType = 96;
  spec.rtxPayloadType = 97;
  spec.ssrcs = {kVideoSsrc};
  spec.rtxSsrcs = {kVideoRtxSsrc};
  spec.mid = "1";
  spec.extensions = publisherIds();
  return spec;
}

inline ProducerSpec audioProducer() {
  ProducerSpec spec;
  spec.id = kAudioProducer;
  spec.transport = kPublisher;
  spec.kind = TrackKind::kAudio;
  spec.clockRate = 48000;
  spec.payloadType = 111;
  spec.dtmfPayloadType = 126;
  spec.ssrcs = {kAudioSsrc};
  spec.mid = "0";
  spec.extensions = publisherIds();
  return spec;
}

inline rtp::RtpExtensionIds ids(std::initializer_list<std::pair<RtpExtension, uint8_t>> list) {
  rtp::RtpExtensionIds out;
  for (const auto& [extension, id] : list)
    out.set(extension, id);
  return out;
}

inline ConsumerSpec consumer(uint32_t id, uint32_t producer, TransportId transport, uint32_t ssrc,
                             uint8_t payloadType, std::string mid, rtp::RtpExtensionIds extensions) {
  ConsumerSpec spec;
  spec.id = id;
  spec.producer = producer;
  spec.transport = transport;
  spec.ssrc = ssrc;
  spec.mid = std::move(mid);
  spec.payloadType = payloadType;
  spec.extensions = extensions;
  return spec;
}

inline Clock::time_point at(std::chrono::microseconds sinceEpoch) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(sinceEpoch));
}

// Parses `bytes` (which must be RTP) in place and hands it to the router.
inline void feedRtp(Router& router, TransportId transport, Bytes bytes, Clock::time_point now) {
  auto packet = rtp::RtpPacket::parse(bytes);
  if (!packet) throw std::invalid_argument("feedRtp: not an RTP packet");
  router.onRtp(transport, *packet, now);
}

inline Bytes build(const rtp::RtpPacketBuilder& builder) {
  Bytes out(builder.size());
  if (!builder.build(out)) throw std::invalid_argument("build: invalid RTP packet");
  return out;
}

inline Bytes pli(uint32_t senderSsrc, uint32_t mediaSsrc) {
  Bytes out(64);
  rtcp::RtcpCompoundBuilder builder(out);
  builder.addPli(senderSsrc, mediaSsrc);
  out.resize(builder.size());
  return out;
}

inline Bytes fir(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t seqNr) {
  Bytes out(64);
  rtcp::RtcpCompoundBuilder builder(out);
  builder.addFir(senderSsrc, mediaSsrc, seqNr);
  out.resize(builder.size());
  return out;
}

}  // namespace switchyard::media::forward::test
