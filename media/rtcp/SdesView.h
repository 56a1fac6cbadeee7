#pragma once
// Source description (PT=202), RFC 3550 §6.5: SC chunks, each an SSRC followed by items
// (type, length, text) and terminated by one or more null octets up to the next 32-bit boundary.
//
//  |V=2|P|    SC   |  PT=SDES=202  |             length            |
//  |                          SSRC/CSRC_1                          |
//  |                           SDES items                          |
//  |                              ...                              |
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "media/rtcp/RtcpPacket.h"

namespace switchyard::media::rtcp {

struct SdesItem {
  uint32_t ssrc = 0;  // of the chunk holding the item
  uint8_t type = 0;   // kSdesCname, ...
  std::span<const uint8_t> value;

  [[nodiscard]] std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(value.data()), value.size()};
  }
};

class SdesView {
 public:
  // Reads the items of all chunks in order (the view has validated them all).
  class ItemReader {
   public:
    explicit ItemReader(const SdesView& view) noexcept
        : payload_(view.payload_), chunksLeft_(view.chunkCount_) {}
    bool next(SdesItem& item) noexcept;

   private:
    std::span<const uint8_t> payload_;
    size_t pos_ = 0;
    size_t chunksLeft_;
    uint32_t ssrc_ = 0;
    bool inChunk_ = false;
  };

  // nullopt unless PT=202 and all SC chunks and their items lie inside the payload, each chunk
  // terminated by a null octet and padded to a 32-bit boundary.
  [[nodiscard]] static std::optional<SdesView> parse(const RtcpPacket& packet) noexcept;

  [[nodiscard]] size_t chunkCount() const noexcept { return chunkCount_; }
  [[nodiscard]] size_t itemCount() const noexcept;
  // The CNAME of the given SSRC, or of the first chunk that has one.
  [[nodiscard]] std::optional<std::string_view> cname(uint32_t ssrc) const noexcept;
  [[nodiscard]] std::optional<std::string_view> firstCname() const noexcept;

  template <typename F>
  void forEachItem(F&& visit) const noexcept {
    ItemReader reader(*this);
    SdesItem item;
    while (reader.next(item))
      visit(static_cast<const SdesItem&>(item));
  }

 private:
  SdesView(std::span<const uint8_t> payload, size_t chunkCount) noexcept
      : payload_(payload), chunkCount_(chunkCount) {}

  std::span<const uint8_t> payload_;
  size_t chunkCount_;
};

}  // namespace switchyard::media::rtcp
