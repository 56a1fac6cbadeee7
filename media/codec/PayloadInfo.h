#pragma once
// What the forwarder needs to know about one video RTP payload, whatever the codec: is it the start of
// a key frame, where does it sit in the frame, which spatial/temporal layer it belongs to. Filled by
// Vp8Descriptor::info(), Vp9Descriptor::info(), H264Descriptor::info() and inspectPayload().
#include <cstdint>
#include <optional>

namespace switchyard::media::codec {

struct PayloadInfo {
  // The packet starts a frame that can be decoded without earlier frames (VP8 key frame start, VP9
  // key picture base layer start, H264 packet with an SPS or the start of an IDR slice).
  bool keyFrame = false;
  // The packet holds the first byte of a frame (VP8: S=1 and PID=0; VP9: B=1 for this layer frame;
  // H264: the start of a slice with first_mb_in_slice == 0).
  bool frameStart = false;
  // VP9 E bit. Unknown (nullopt) for VP8 and H264: use the RTP marker bit.
  std::optional<bool> frameEnd;
  uint8_t spatialLayer = 0;
  uint8_t temporalLayer = 0;
  // Upper-layer switch point: VP8 Y bit, VP9 U bit. False when the descriptor does not say.
  bool layerSync = false;
  std::optional<uint16_t> pictureId;
  std::optional<uint8_t> tl0PicIdx;
  // Frame size when this packet carries it (VP8 key frame header, VP9 SS, H264 SPS); 0 if unknown.
  uint16_t width = 0;
  uint16_t height = 0;
};

}  // namespace switchyard::media::codec
