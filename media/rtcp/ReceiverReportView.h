#pragma once
// Receiver report (PT=201), RFC 3550 §6.4.2: sender SSRC, RC report blocks, then an optional
// profile-specific extension.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/ReportBlock.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class ReceiverReportView {
 public:
  static constexpr size_t kFixedSize = 4;  // sender SSRC, after the common header

  // nullopt unless PT=201 and the payload holds the sender SSRC and RC report blocks.
  [[nodiscard]] static std::optional<ReceiverReportView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept;
  [[nodiscard]] size_t reportCount() const noexcept { return reportCount_; }
  // Precondition index < reportCount(); a default block is returned otherwise.
  [[nodiscard]] ReportBlock reportBlock(size_t index) const noexcept;
  [[nodiscard]] std::span<const uint8_t> extension() const noexcept;

 private:
  ReceiverReportView(std::span<const uint8_t> payload, size_t reportCount) noexcept
      : payload_(payload), reportCount_(reportCount) {}

  std::span<const uint8_t> payload_;
  size_t reportCount_;
};

}  // namespace switchyard::media::rtcp
