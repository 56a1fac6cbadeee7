#pragma once
// The report blocks of an SR or RR (RFC 3550 §6.4.1, §6.4.2) and the profile-specific extension
// that follows them: the part both report views share.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/rtcp/ReportBlock.h"

namespace switchyard::media::rtcp {

class ReportBlockList {
 public:
  // The blocks start at `offset` of an SR/RR payload (after the sender SSRC and, for an SR, the
  // sender info); nullopt unless the payload holds `count` of them there.
  [[nodiscard]] static std::optional<ReportBlockList> parse(std::span<const uint8_t> payload, size_t offset,
                                                            size_t count) noexcept;

  [[nodiscard]] size_t size() const noexcept { return count_; }
  // Precondition index < size(); a default block is returned otherwise.
  [[nodiscard]] ReportBlock at(size_t index) const noexcept;
  // Profile-specific extension bytes after the report blocks (usually empty).
  [[nodiscard]] std::span<const uint8_t> extension() const noexcept;

 private:
  ReportBlockList(std::span<const uint8_t> bytes, size_t count) noexcept : bytes_(bytes), count_(count) {}

  std::span<const uint8_t> bytes_;
  size_t count_;
};

}  // namespace switchyard::media::rtcp
