#pragma once
// The fields of an H.264 sequence parameter set (ITU-T H.264 section 7.3.2.1.1) an SFU needs: the
// picture size after cropping, for simulcast layer resolution. Reads the NAL unit in place (emulation
// prevention removed on the fly by RbspBitReader), validates every range it relies on, and fails on
// truncation; parsing stops after frame cropping (VUI is not read).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace switchyard::media::codec {

class H264Sps {
 public:
  static constexpr uint8_t kNalType = 7;

  // A whole NAL unit, header octet included (type must be 7).
  [[nodiscard]] static std::optional<H264Sps> parse(std::span<const uint8_t> nalUnit) noexcept;
  // The bytes after the NAL header octet (e.g. the first fragment of an FU-A carrying an SPS).
  [[nodiscard]] static std::optional<H264Sps> parseBody(std::span<const uint8_t> body) noexcept;

  [[nodiscard]] uint8_t profileIdc() const noexcept { return profileIdc_; }
  [[nodiscard]] uint8_t constraintFlags() const noexcept { return constraintFlags_; }
  [[nodiscard]] uint8_t levelIdc() const noexcept { return levelIdc_; }
  [[nodiscard]] uint8_t spsId() const noexcept { return spsId_; }
  [[nodiscard]] uint8_t chromaFormatIdc() const noexcept { return chromaFormatIdc_; }
  [[nodiscard]] bool frameMbsOnly() const noexcept { return frameMbsOnly_; }
  // Cropped luma size in pixels (always >= 1).
  [[nodiscard]] uint16_t width() const noexcept { return width_; }
  [[nodiscard]] uint16_t height() const noexcept { return height_; }

 private:
  H264Sps() = default;

  uint8_t profileIdc_ = 0;
  uint8_t constraintFlags_ = 0;
  uint8_t levelIdc_ = 0;
  uint8_t spsId_ = 0;
  uint8_t chromaFormatIdc_ = 1;
  bool frameMbsOnly_ = true;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
};

}  // namespace switchyard::media::codec
