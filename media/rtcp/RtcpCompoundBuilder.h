#pragma once
// Builds a compound RTCP packet (RFC 3550 §6.1) into a caller-provided buffer, one packet per
// add call, without heap. Each add is all-or-nothing: when the packet does not fit or its
// arguments are invalid, it returns false and the bytes built so far stay a valid compound, so a
// caller can fill a datagram up to its MTU. No packet gets the P bit: every packet is a whole
// number of 32-bit words by construction.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "media/rtcp/FirView.h"
#include "media/rtcp/ReportBlock.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcWriter.h"
#include "media/util/ByteWriter.h"

namespace switchyard::media::rtcp {

class RtcpCompoundBuilder {
 public:
  explicit RtcpCompoundBuilder(std::span<uint8_t> out) noexcept : out_(out) {}

  // SR (RFC 3550 §6.4.1), at most 31 report blocks.
  bool addSr(const SenderInfo& sender, std::span<const ReportBlock> blocks = {}) noexcept;
  // RR (RFC 3550 §6.4.2), at most 31 report blocks.
  bool addRr(uint32_t senderSsrc, std::span<const ReportBlock> blocks = {}) noexcept;
  // SDES (RFC 3550 §6.5) with one chunk holding one CNAME item (at most 255 bytes).
  bool addSdesCname(uint32_t ssrc, std::string_view cname) noexcept;
  // BYE (RFC 3550 §6.6), at most 31 SSRCs, optional reason of at most 255 bytes.
  bool addBye(std::span<const uint32_t> ssrcs, std::string_view reason = {}) noexcept;
  // Generic NACK (RFC 4585 §6.2.1). Sequence numbers are packed greedily in the given order: a
  // number within PID+1..PID+16 (mod 2^16) of the current entry sets a BLP bit, anything else
  // starts a new entry; duplicates of a PID are dropped. Any order is encoded correctly,
  // ascending order (wrap-aware) gives the fewest entries. False when the list is empty.
  bool addNack(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lostSeqs) noexcept;
  // PLI (RFC 4585 §6.3.1).
  bool addPli(uint32_t senderSsrc, uint32_t mediaSsrc) noexcept;
  // FIR (RFC 5104 §4.3.1); the header media SSRC is 0. False when entries is empty.
  bool addFir(uint32_t senderSsrc, std::span<const FirEntry> entries) noexcept;
  bool addFir(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t seqNr) noexcept;
  // REMB (draft-alvestrand-rmcat-remb-03), at most 255 SSRCs; see RembView::encodeBitrate.
  bool addRemb(uint32_t senderSsrc, uint64_t bitrateBps, std::span<const uint32_t> ssrcs) noexcept;
  // Transport-wide CC feedback; see TransportCcWriter::write for the rules.
  bool addTransportCc(uint32_t senderSsrc, uint32_t mediaSsrc, uint8_t fbPktCount,
                      std::span<const TwccPacket> packets) noexcept;

  [[nodiscard]] size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::span<uint8_t> data() const noexcept { return out_.first(size_); }

 private:
  // Gives a writer over the free space; commit() keeps what it wrote when it is still ok.
  [[nodiscard]] util::ByteWriter begin() const noexcept { return util::ByteWriter(out_.subspan(size_)); }
  bool commit(const util::ByteWriter& writer) noexcept;

  std::span<uint8_t> out_;
  size_t size_ = 0;
};

}  // namespace switchyard::media::rtcp
