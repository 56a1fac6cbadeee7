#pragma once
// One step of the RFC 8285 element walk over an extension block (the bytes after the 4-byte
// profile/length header). Shared by parsing (which validates the whole walk once), lookup,
// iteration and id remapping, so that all of them agree on where the elements are.
//
// Rules (RFC 8285 §4.2, §4.3, and what libwebrtc does as a receiver):
//  - a 0x00 byte is padding in both forms and is skipped;
//  - one-byte form: ID 15 stops processing (its length is ignored, later bytes are ignored);
//    a byte with ID 0 but a non-zero length nibble is not padding either and also stops
//    processing (it is reserved for padding only);
//  - an element whose header or data would run past the block is malformed (parse rejects it).
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/rtp/RtpExtensionForm.h"

namespace switchyard::media::rtp {

struct RtpExtensionStep {
  enum class Kind : uint8_t { kElement, kEnd, kMalformed };

  Kind kind = Kind::kEnd;
  uint8_t id = 0;
  size_t headerOffset = 0;  // offset of the element's ID byte inside the block
  size_t dataOffset = 0;    // offset of its first data byte
  size_t dataSize = 0;
  size_t next = 0;  // where the following step starts

  // Finds the element starting at or after `pos` (skipping padding bytes).
  [[nodiscard]] static constexpr RtpExtensionStep at(std::span<const uint8_t> block, RtpExtensionForm form,
                                                     size_t pos) noexcept {
    RtpExtensionStep step;
    const size_t n = block.size();
    while (pos < n && block[pos] == 0)
      ++pos;
    if (pos >= n) return step;
    if (form == RtpExtensionForm::kOneByte) {
      const uint8_t b = block[pos];
      const auto id = static_cast<uint8_t>(b >> 4);
      if (id == 15 || id == 0) return step;  // reserved: stop processing
      const size_t length = static_cast<size_t>(b & 0x0F) + 1;
      if (length > n - pos - 1) {
        step.kind = Kind::kMalformed;
        return step;
      }
      step.kind = Kind::kElement;
      step.id = id;
      step.headerOffset = pos;
      step.dataOffset = pos + 1;
      step.dataSize = length;
      step.next = pos + 1 + length;
      return step;
    }
    if (form == RtpExtensionForm::kTwoByte) {
      if (n - pos < 2) {
        step.kind = Kind::kMalformed;
        return step;
      }
      const size_t length = block[pos + 1];
      if (length > n - pos - 2) {
        step.kind = Kind::kMalformed;
        return step;
      }
      step.kind = Kind::kElement;
      step.id = block[pos];
      step.headerOffset = pos;
      step.dataOffset = pos + 2;
      step.dataSize = length;
      step.next = pos + 2 + length;
      return step;
    }
    return step;  // kNone / kOther: no elements
  }
};

}  // namespace switchyard::media::rtp
