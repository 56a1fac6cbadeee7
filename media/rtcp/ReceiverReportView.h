#pragma once
// Receiver report (PT=201), RFC 3550 §6.4.2: sender SSRC, RC report blocks, then an optional
// profile-specific extension.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/ReportBlock.h"
#include "media/rtcp/ReportBlockList.h"
#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

class ReceiverReportView {
 public:
  static constexpr size_t kFixedSize = 4;  // sender SSRC, after the common header

  // nullopt unless PT=201 and the payload holds the sender SSRC and RC report blocks.
  [[nodiscard]] static std::optional<ReceiverReportView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] uint32_t senderSsrc() const noexcept;
  [[nodiscard]] size_t reportCount() const noexcept { return reports_.size(); }
  // Precondition index < reportCount(); a default block is returned otherwise.
  [[nodiscard]] ReportBlock reportBlock(size_t index) const noexcept { return reports_.at(index); }
  [[nodiscard]] std::span<const uint8_t> extension() const noexcept { return reports_.extension(); }
  [[nodiscard]] const ReportBlockList& reports() const noexcept { return reports_; }

 private:
  ReceiverReportView(std::span<const uint8_t> payload, ReportBlockList reports) noexcept
      : payload_(payload), reports_(reports) {}

  std::span<const uint8_t> payload_;
  ReportBlockList reports_;
};

}  // namespace switchyard::media::rtcp
