#pragma once
// What an SFU needs from an H.264 RTP payload (RFC 6184 section 5): the packetization, the NAL unit
// types it carries, whether it starts a key frame (an SPS or the start of an IDR slice, as libwebrtc
// and mediasoup decide), and the picture size when an SPS is present. Single NAL unit packets,
// STAP-A (every aggregated unit walked with its 16-bit size checked) and FU-A are inspected; STAP-B,
// MTAP16/24 and FU-B (interleaved mode, unused by WebRTC) parse as unsupported: recognised, nothing
// inside reported, never a key frame. Types 0, 30 and 31 are not valid payloads (nullopt).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "media/codec/H264Packetization.h"
#include "media/codec/PayloadInfo.h"

namespace switchyard::media::codec {

class H264Descriptor {
 public:
  static constexpr uint8_t kNalSlice = 1;
  static constexpr uint8_t kNalIdr = 5;
  static constexpr uint8_t kNalSei = 6;
  static constexpr uint8_t kNalSps = 7;
  static constexpr uint8_t kNalPps = 8;
  static constexpr uint8_t kNalAud = 9;
  static constexpr uint8_t kNalStapA = 24;
  static constexpr uint8_t kNalFuA = 28;

  // Fails on an empty payload, a reserved type, a STAP-A whose sizes do not tile the payload exactly
  // (zero size, overrun, or a stray trailing octet), a STAP-A without units, and an FU-A that is
  // shorter than its two header octets or has both S and E set.
  [[nodiscard]] static std::optional<H264Descriptor> parse(std::span<const uint8_t> payload) noexcept;

  [[nodiscard]] H264Packetization packetization() const noexcept { return packetization_; }
  // False for STAP-B, MTAP16, MTAP24, FU-B.
  [[nodiscard]] bool isSupported() const noexcept { return supported_; }
  // Single NAL: its type. FU-A: the fragmented unit's type. STAP-A: the first aggregated unit's type.
  // Unsupported packetizations: the payload type (25..29).
  [[nodiscard]] uint8_t nalType() const noexcept { return nalType_; }
  // NRI of the payload header octet.
  [[nodiscard]] uint8_t nri() const noexcept { return nri_; }
  // FU-A S and E bits; single NAL and STAP-A packets hold whole units (both true).
  [[nodiscard]] bool fragmentStart() const noexcept { return fragmentStart_; }
  [[nodiscard]] bool fragmentEnd() const noexcept { return fragmentEnd_; }
  // STAP-A: aggregated units; single NAL and FU-A: 1; unsupported: 0.
  [[nodiscard]] size_t nalUnitCount() const noexcept { return nalUnitCount_; }

  // Some data of a NAL unit of this type (0..31) is in the packet (starts, middles and ends of FUs).
  [[nodiscard]] bool containsNalType(uint8_t type) const noexcept {
    return type < 32 && ((nalTypes_ >> type) & 1u) != 0;
  }
  [[nodiscard]] bool hasIdr() const noexcept { return containsNalType(kNalIdr); }
  [[nodiscard]] bool hasSps() const noexcept { return containsNalType(kNalSps); }
  [[nodiscard]] bool hasPps() const noexcept { return containsNalType(kNalPps); }
  // An IDR slice begins in this packet (whole unit, or FU-A with S=1).
  [[nodiscard]] bool hasIdrStart() const noexcept { return idrStart_; }
  // An SPS begins in this packet (whole unit, or FU-A with S=1).
  [[nodiscard]] bool hasSpsStart() const noexcept { return spsStart_; }

  // An IDR slice or an SPS begins here. The middle and end fragments of an FU-A carry no new key
  // frame: only the first fragment (S=1) counts, so a key frame is signalled once.
  [[nodiscard]] bool isKeyFrame() const noexcept { return idrStart_ || spsStart_; }
  // A slice (type 1 or 5) with first_mb_in_slice == 0 begins here: the first slice of a picture.
  [[nodiscard]] bool isFrameStart() const noexcept { return frameStart_; }
  // From the first SPS in the packet that parses (for FU-A only if the first fragment holds enough
  // of it); 0 otherwise.
  [[nodiscard]] uint16_t width() const noexcept { return width_; }
  [[nodiscard]] uint16_t height() const noexcept { return height_; }

  [[nodiscard]] PayloadInfo info() const noexcept;

 private:
  H264Descriptor() = default;
  // Records one NAL unit starting in this packet; `body` is what follows its header octet here.
  void addNalUnitStart(uint8_t type, std::span<const uint8_t> body) noexcept;

  uint32_t nalTypes_ = 0;
  H264Packetization packetization_ = H264Packetization::SingleNal;
  bool supported_ = true;
  uint8_t nalType_ = 0;
  uint8_t nri_ = 0;
  bool fragmentStart_ = true;
  bool fragmentEnd_ = true;
  bool idrStart_ = false;
  bool spsStart_ = false;
  bool frameStart_ = false;
  bool spsParsed_ = false;
  uint32_t nalUnitCount_ = 0;
  uint16_t width_ = 0;
  uint16_t height_ = 0;
};

}  // namespace switchyard::media::codec
