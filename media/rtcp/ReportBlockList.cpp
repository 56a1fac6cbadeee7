#include "media/rtcp/ReportBlockList.h"

namespace switchyard::media::rtcp {

std::optional<ReportBlockList> ReportBlockList::parse(std::span<const uint8_t> payload, size_t offset,
                                                      size_t count) noexcept {
  if (offset > payload.size()) return std::nullopt;
  const auto bytes = payload.subspan(offset);
  if (count > bytes.size() / ReportBlock::kSize) return std::nullopt;
  return ReportBlockList(bytes, count);
}

ReportBlock ReportBlockList::at(size_t index) const noexcept {
  if (index >= count_) return {};
  return ReportBlock::parse(bytes_.subspan(index * ReportBlock::kSize)).value_or(ReportBlock{});
}

std::span<const uint8_t> ReportBlockList::extension() const noexcept {
  return bytes_.subspan(count_ * ReportBlock::kSize);
}

}  // namespace switchyard::media::rtcp
