#pragma once
// Sender report (PT=200), RFC 3550 §6.4.1: sender SSRC, 20 bytes of sender info, RC report
// blocks, then an optional profile-specific extension.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/ReportBlock.h"
#include "media/rtcp/ReportBlockList.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

// The sender part of an SR (what the builder takes).
struct SenderInfo {
  uint32_t ssrc = 0;
  uint64_t ntpTimestamp = 0;  // NTP 32.32 fixed point
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;

  bool operator==(const SenderInfo&) const = default;
};

class SenderReportView {
 public:
  static constexpr size_t kFixedSize = 24;  // sender SSRC + sender info, after the common header

  // nullopt unless PT=200 and the payload holds the sender info and RC report blocks.
  [[nodiscard]] static std::optional<SenderReportView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept;
  [[nodiscard]] uint64_t ntpTimestamp() const noexcept;
  [[nodiscard]] uint32_t ntpSeconds() const noexcept;
  [[nodiscard]] uint32_t ntpFraction() const noexcept;
  // Middle 32 bits of the NTP timestamp: what a receiver echoes as LSR (RFC 3550 §6.4.1).
  [[nodiscard]] uint32_t compactNtp() const noexcept;
  [[nodiscard]] uint32_t rtpTimestamp() const noexcept;
  [[nodiscard]] uint32_t packetCount() const noexcept;
  [[nodiscard]] uint32_t octetCount() const noexcept;
  [[nodiscard]] SenderInfo senderInfo() const noexcept;

  [[nodiscard]] size_t reportCount() const noexcept { return reports_.size(); }
  // Precondition index < reportCount(); a default block is returned otherwise.
  [[nodiscard]] ReportBlock reportBlock(size_t index) const noexcept { return reports_.at(index); }
  // Profile-specific extension bytes after the report blocks (usually empty).
  [[nodiscard]] std::span<const uint8_t> extension() const noexcept { return reports_.extension(); }
  [[nodiscard]] const ReportBlockList& reports() const noexcept { return reports_; }

 private:
  SenderReportView(std::span<const uint8_t> payload, ReportBlockList reports) noexcept
      : payload_(payload), reports_(reports) {}

  std::span<const uint8_t> payload_;
  ReportBlockList reports_;
};

}  // namespace switchyard::media::rtcp
