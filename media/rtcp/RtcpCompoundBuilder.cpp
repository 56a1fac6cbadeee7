#include "media/rtcp/RtcpCompoundBuilder.h"

#include "media/rtcp/RembView.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/RtcpHeaderWriter.h"
#include "media/util/AsBytes.h"

namespace switchyard::media::rtcp {

bool RtcpCompoundBuilder::commit(const util::ByteWriter& writer) noexcept {
  if (!writer.ok()) return false;
  size_ += writer.size();
  return true;
}

bool RtcpCompoundBuilder::addSr(const SenderInfo& sender, std::span<const ReportBlock> blocks) noexcept {
  if (blocks.size() > kMaxCount) return false;
  auto writer = begin();
  writeRtcpHeader(writer, blocks.size(), kPtSr);
  writer.u32(sender.ssrc);
  writer.u64(sender.ntpTimestamp);
  writer.u32(sender.rtpTimestamp);
  writer.u32(sender.packetCount);
  writer.u32(sender.octetCount);
  for (const auto& block : blocks)
    block.write(writer);
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addRr(uint32_t senderSsrc, std::span<const ReportBlock> blocks) noexcept {
  if (blocks.size() > kMaxCount) return false;
  auto writer = begin();
  writeRtcpHeader(writer, blocks.size(), kPtRr);
  writer.u32(senderSsrc);
  for (const auto& block : blocks)
    block.write(writer);
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addSdesCname(uint32_t ssrc, std::string_view cname) noexcept {
  if (cname.size() > 0xff) return false;
  auto writer = begin();
  writeRtcpHeader(writer, 1, kPtSdes);
  writer.u32(ssrc);
  writer.u8(kSdesCname);
  writer.u8(static_cast<uint8_t>(cname.size()));
  writer.bytes(util::asBytes(cname));
  writer.u8(kSdesEnd);  // at least one null octet, then padding to 32 bits
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addBye(std::span<const uint32_t> ssrcs, std::string_view reason) noexcept {
  if (ssrcs.size() > kMaxCount || reason.size() > 0xff) return false;
  auto writer = begin();
  writeRtcpHeader(writer, ssrcs.size(), kPtBye);
  for (uint32_t ssrc : ssrcs)
    writer.u32(ssrc);
  if (!reason.empty()) {
    writer.u8(static_cast<uint8_t>(reason.size()));
    writer.bytes(util::asBytes(reason));
  }
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addNack(uint32_t senderSsrc, uint32_t mediaSsrc,
                                  std::span<const uint16_t> lostSeqs) noexcept {
  if (lostSeqs.empty()) return false;
  auto writer = begin();
  writeRtcpHeader(writer, kFmtNack, kPtRtpfb);
  writer.u32(senderSsrc);
  writer.u32(mediaSsrc);
  uint16_t pid = lostSeqs[0];
  uint16_t blp = 0;
  for (size_t i = 1; i < lostSeqs.size(); ++i) {
    const uint16_t distance = static_cast<uint16_t>(lostSeqs[i] - pid);
    if (distance == 0) continue;
    if (distance <= 16) {
      blp = static_cast<uint16_t>(blp | (1u << (distance - 1)));
      continue;
    }
    writer.u16(pid);
    writer.u16(blp);
    pid = lostSeqs[i];
    blp = 0;
  }
  writer.u16(pid);
  writer.u16(blp);
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addPli(uint32_t senderSsrc, uint32_t mediaSsrc) noexcept {
  auto writer = begin();
  writeRtcpHeader(writer, kFmtPli, kPtPsfb);
  writer.u32(senderSsrc);
  writer.u32(mediaSsrc);
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addFir(uint32_t senderSsrc, std::span<const FirEntry> entries) noexcept {
  if (entries.empty()) return false;
  auto writer = begin();
  writeRtcpHeader(writer, kFmtFir, kPtPsfb);
  writer.u32(senderSsrc);
  writer.u32(0);  // media source SSRC SHALL be 0 (RFC 5104 §4.3.1.2)
  for (const auto& entry : entries) {
    writer.u32(entry.ssrc);
    writer.u8(entry.seqNr);
    writer.u24(0);
  }
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addFir(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t seqNr) noexcept {
  const FirEntry entry{mediaSsrc, seqNr};
  return addFir(senderSsrc, std::span<const FirEntry>(&entry, 1));
}

bool RtcpCompoundBuilder::addRemb(uint32_t senderSsrc, uint64_t bitrateBps,
                                  std::span<const uint32_t> ssrcs) noexcept {
  if (ssrcs.size() > 0xff) return false;
  const auto encoded = RembView::encodeBitrate(bitrateBps);
  auto writer = begin();
  writeRtcpHeader(writer, kFmtAfb, kPtPsfb);
  writer.u32(senderSsrc);
  writer.u32(0);  // media source SSRC is unused (0)
  writer.bytes(util::asBytes("REMB"));
  writer.u8(static_cast<uint8_t>(ssrcs.size()));
  writer.u24((uint32_t{encoded.exponent} << 18) | encoded.mantissa);
  for (uint32_t ssrc : ssrcs)
    writer.u32(ssrc);
  return finishRtcpPacket(writer, 0) && commit(writer);
}

bool RtcpCompoundBuilder::addTransportCc(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t fbPktCount,
                                         std::span<const TwccPacket> packets) noexcept {
  auto writer = begin();
  return TransportCcWriter::write(writer, senderSsrc, mediaSsrc, fbPktCount, packets) && commit(writer);
}

}  // namespace switchyard::media::rtcp
