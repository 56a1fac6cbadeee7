// libFuzzer target for H264Descriptor and H264Sps: parse the input as an RTP payload and check the
// invariants of every accessor; then parse it as an SPS body directly, and wrapped as a single NAL
// unit, a STAP-A unit and an FU-A first fragment, and check all four agree on the picture size.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "media/codec/H264Descriptor.h"
#include "media/codec/H264Sps.h"
#include "media/codec/PayloadInspector.h"
#include "tests/fuzz/CodecFuzzCheck.h"

using switchyard::fuzz::check;
using switchyard::media::codec::CodecKind;
using switchyard::media::codec::H264Descriptor;
using switchyard::media::codec::H264Packetization;
using switchyard::media::codec::H264Sps;
using switchyard::media::codec::inspectPayload;
using switchyard::media::codec::PayloadInfo;

namespace {

void checkDescriptor(std::span<const uint8_t> in) {
  std::optional<PayloadInfo> info;
  const auto parsed = switchyard::fuzz::parseAgreeing<H264Descriptor>(CodecKind::H264, in, info);
  if (!parsed) return;
  const H264Descriptor& d = *parsed;
  check(d.nalType() < 32 && d.nri() <= 3);
  check(d.isKeyFrame() == (d.hasIdrStart() || d.hasSpsStart()));
  check(!d.hasSpsStart() || d.hasSps());
  check(d.fragmentStart() || (!d.hasSpsStart() && !d.hasIdrStart()));
  check(!d.hasIdrStart() || d.hasIdr());
  check((d.width() == 0) == (d.height() == 0));
  check(d.width() == 0 || d.hasSps());
  check(!d.isFrameStart() || d.containsNalType(1) || d.containsNalType(5));
  check(!d.containsNalType(32) && !d.containsNalType(255));
  if (!d.isSupported()) {
    check(!d.isKeyFrame() && !d.isFrameStart() && d.nalUnitCount() == 0 && d.width() == 0);
    check(d.packetization() != H264Packetization::SingleNal &&
          d.packetization() != H264Packetization::StapA && d.packetization() != H264Packetization::FuA);
  } else {
    check(d.nalUnitCount() >= 1);
    check(d.containsNalType(d.nalType()));
    if (d.packetization() != H264Packetization::FuA) check(d.fragmentStart() && d.fragmentEnd());
    if (d.packetization() == H264Packetization::FuA) check(!(d.fragmentStart() && d.fragmentEnd()));
    if (d.packetization() == H264Packetization::StapA) check(d.nalUnitCount() <= (in.size() - 1) / 3);
  }
  check(info->keyFrame == d.isKeyFrame() && info->frameStart == d.isFrameStart());
  check(info->width == d.width() && info->height == d.height());
  check(!info->frameEnd && !info->pictureId && !info->tl0PicIdx && info->spatialLayer == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  checkDescriptor(in);

  // The input as the body of an SPS.
  const auto sps = H264Sps::parseBody(in);
  if (sps)
    check(sps->width() >= 1 && sps->height() >= 1 && sps->spsId() <= 31 && sps->chromaFormatIdc() <= 3);
  if (size > 0xfff0) return 0;

  std::vector<uint8_t> single{0x67};
  single.insert(single.end(), in.begin(), in.end());
  const auto viaSps = H264Sps::parse(single);
  check(viaSps.has_value() == sps.has_value());
  const auto viaSingle = H264Descriptor::parse(single);
  check(viaSingle && viaSingle->hasSps() && viaSingle->isKeyFrame());
  check(viaSingle->width() == (sps ? sps->width() : 0) && viaSingle->height() == (sps ? sps->height() : 0));
  checkDescriptor(single);

  std::vector<uint8_t> stap{0x78, static_cast<uint8_t>(single.size() >> 8),
                            static_cast<uint8_t>(single.size())};
  stap.insert(stap.end(), single.begin(), single.end());
  const auto viaStap = H264Descriptor::parse(stap);
  check(viaStap && viaStap->packetization() == H264Packetization::StapA && viaStap->nalUnitCount() == 1);
  check(viaStap->width() == (sps ? sps->width() : 0) && viaStap->isKeyFrame());
  checkDescriptor(stap);

  std::vector<uint8_t> fu{0x7c, 0x87};
  fu.insert(fu.end(), in.begin(), in.end());
  const auto viaFu = H264Descriptor::parse(fu);
  check(viaFu && viaFu->packetization() == H264Packetization::FuA && viaFu->fragmentStart());
  check(viaFu->width() == (sps ? sps->width() : 0) && viaFu->isKeyFrame());
  checkDescriptor(fu);
  return 0;
}
