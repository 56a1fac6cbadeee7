// H264Descriptor: RFC 6184 section 5.6 (single NAL unit), 5.7.1 (STAP-A), 5.8 (FU-A) known answers,
// unsupported packetizations, malformed aggregation sizes and truncations.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "media/codec/H264Descriptor.h"

using switchyard::media::codec::H264Descriptor;
using switchyard::media::codec::H264Packetization;
using Bytes = std::vector<uint8_t>;

namespace {

// NAL units: header |F|NRI|Type| then data. The SPS is a 640x360 High 4:2:2 encoder SPS with
// emulation prevention bytes (see H264SpsTest).
const Bytes kSps = {0x67, 0x7A, 0x00, 0x1E, 0xBC, 0xD9, 0x40, 0xA0, 0x2F, 0xF8, 0x98, 0x40, 0x00,
                    0x00, 0x03, 0x01, 0x80, 0x00, 0x00, 0x56, 0x83, 0xC5, 0x8B, 0x65, 0x80};
const Bytes kPps = {0x68, 0xce, 0x3c, 0x80};
// IDR slice, first_mb_in_slice = 0 (first bit 1).
const Bytes kIdr = {0x65, 0x88, 0x84, 0x00, 0x33};
// Non-IDR slice, first_mb_in_slice = 0.
const Bytes kSlice = {0x41, 0x9a, 0x12, 0x34};

// Section 5.7.1: STAP-A indicator (type 24, NRI of the highest unit), then 16-bit size + unit.
Bytes stapA(const std::vector<Bytes>& units) {
  Bytes out = {0x78};
  for (const auto& u : units) {
    out.push_back(static_cast<uint8_t>(u.size() >> 8));
    out.push_back(static_cast<uint8_t>(u.size()));
    out.insert(out.end(), u.begin(), u.end());
  }
  return out;
}

// Section 5.8: FU indicator |F|NRI|28|, FU header |S|E|R|Type|, fragment.
Bytes fuA(const Bytes& nal, size_t from, size_t to, bool start, bool end) {
  Bytes out;
  out.reserve(2 + to - from);
  out.push_back(static_cast<uint8_t>((nal[0] & 0xe0) | 28));
  out.push_back(static_cast<uint8_t>((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1f)));
  for (size_t i = from; i < to; ++i)
    out.push_back(nal[i]);
  return out;
}

}  // namespace

TEST_CASE("H264 single NAL unit packets", "[codec][h264]") {
  SECTION("IDR") {
    const auto d = H264Descriptor::parse(kIdr);
    REQUIRE(d);
    CHECK(d->packetization() == H264Packetization::SingleNal);
    CHECK(d->isSupported());
    CHECK(d->nalType() == 5);
    CHECK(d->nri() == 3);
    CHECK(d->nalUnitCount() == 1);
    CHECK(d->fragmentStart());
    CHECK(d->fragmentEnd());
    CHECK(d->hasIdr());
    CHECK(d->hasIdrStart());
    CHECK_FALSE(d->hasSps());
    CHECK(d->isKeyFrame());
    CHECK(d->isFrameStart());
    CHECK(d->width() == 0);
    const auto info = d->info();
    CHECK(info.keyFrame);
    CHECK(info.frameStart);
    CHECK_FALSE(info.frameEnd);
    CHECK_FALSE(info.pictureId);
  }
  SECTION("SPS: key frame start, with resolution") {
    const auto d = H264Descriptor::parse(kSps);
    REQUIRE(d);
    CHECK(d->nalType() == 7);
    CHECK(d->hasSps());
    CHECK(d->isKeyFrame());
    CHECK_FALSE(d->isFrameStart());
    CHECK(d->width() == 640);
    CHECK(d->height() == 360);
    CHECK(d->info().width == 640);
  }
  SECTION("PPS alone is not a key frame") {
    const auto d = H264Descriptor::parse(kPps);
    REQUIRE(d);
    CHECK(d->hasPps());
    CHECK_FALSE(d->isKeyFrame());
  }
  SECTION("non-IDR slice") {
    const auto d = H264Descriptor::parse(kSlice);
    REQUIRE(d);
    CHECK(d->nalType() == 1);
    CHECK(d->nri() == 2);
    CHECK_FALSE(d->isKeyFrame());
    CHECK(d->isFrameStart());
    CHECK(d->containsNalType(1));
    CHECK_FALSE(d->containsNalType(5));
    // first_mb_in_slice != 0: a later slice of the picture.
    const auto later = H264Descriptor::parse(Bytes{0x41, 0x1a, 0x00});
    REQUIRE(later);
    CHECK_FALSE(later->isFrameStart());
  }
  SECTION("header-only NAL units and a corrupt SPS still parse as packets") {
    const auto idr = H264Descriptor::parse(Bytes{0x05});
    REQUIRE(idr);
    CHECK(idr->isKeyFrame());
    CHECK_FALSE(idr->isFrameStart());
    const auto sps = H264Descriptor::parse(Bytes{0x67, 0x42});
    REQUIRE(sps);
    CHECK(sps->isKeyFrame());
    CHECK(sps->width() == 0);
  }
}

TEST_CASE("H264 STAP-A with SPS, PPS and IDR", "[codec][h264]") {
  const Bytes pkt = stapA({kSps, kPps, kIdr});
  const auto d = H264Descriptor::parse(pkt);
  REQUIRE(d);
  CHECK(d->packetization() == H264Packetization::StapA);
  CHECK(d->nalUnitCount() == 3);
  CHECK(d->nalType() == 7);
  CHECK(d->hasSps());
  CHECK(d->hasPps());
  CHECK(d->hasIdr());
  CHECK(d->hasIdrStart());
  CHECK(d->isKeyFrame());
  CHECK(d->isFrameStart());
  CHECK(d->width() == 640);
  CHECK(d->height() == 360);
  CHECK(d->fragmentStart());
  CHECK(d->fragmentEnd());
  // STAP-A of SPS + PPS only: key frame start (the IDR follows in the next packets).
  const auto params = H264Descriptor::parse(stapA({kSps, kPps}));
  REQUIRE(params);
  CHECK(params->isKeyFrame());
  CHECK_FALSE(params->hasIdr());
  CHECK_FALSE(params->isFrameStart());
  // STAP-A of non-IDR slices only.
  const auto slices = H264Descriptor::parse(stapA({kSlice, Bytes{0x01, 0x1a}}));
  REQUIRE(slices);
  CHECK(slices->nalUnitCount() == 2);
  CHECK_FALSE(slices->isKeyFrame());
  CHECK(slices->isFrameStart());
}

TEST_CASE("H264 malformed STAP-A sizes", "[codec][h264]") {
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78}));                    // no unit
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0x00}));              // half a size
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0x00, 0x00}));        // zero size
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0x00, 0x05, 0x65}));  // size overruns
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0xff, 0xff, 0x65, 0x88}));
  // A valid unit followed by a stray octet or a half size.
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0x00, 0x01, 0x65, 0x00}));
  // Valid unit, then a unit whose size overruns by one.
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x78, 0x00, 0x01, 0x65, 0x00, 0x03, 0x68, 0xce}));
  // Exact fit is accepted.
  const auto ok = H264Descriptor::parse(Bytes{0x78, 0x00, 0x01, 0x65, 0x00, 0x02, 0x68, 0xce});
  REQUIRE(ok);
  CHECK(ok->nalUnitCount() == 2);
}

TEST_CASE("H264 FU-A start, middle and end of an IDR", "[codec][h264]") {
  const Bytes idr = {0x65, 0x88, 0x84, 0x00, 0x33, 0x44, 0x55, 0x66, 0x77};
  const auto start = H264Descriptor::parse(fuA(idr, 1, 4, true, false));
  REQUIRE(start);
  CHECK(start->packetization() == H264Packetization::FuA);
  CHECK(start->nalType() == 5);
  CHECK(start->nri() == 3);
  CHECK(start->fragmentStart());
  CHECK_FALSE(start->fragmentEnd());
  CHECK(start->hasIdrStart());
  CHECK(start->isKeyFrame());
  CHECK(start->isFrameStart());

  const auto middle = H264Descriptor::parse(fuA(idr, 4, 6, false, false));
  REQUIRE(middle);
  CHECK(middle->nalType() == 5);
  CHECK(middle->hasIdr());
  CHECK_FALSE(middle->hasIdrStart());
  CHECK_FALSE(middle->isKeyFrame());
  CHECK_FALSE(middle->isFrameStart());
  CHECK_FALSE(middle->fragmentStart());
  CHECK_FALSE(middle->fragmentEnd());

  const auto end = H264Descriptor::parse(fuA(idr, 6, 9, false, true));
  REQUIRE(end);
  CHECK(end->fragmentEnd());
  CHECK_FALSE(end->isKeyFrame());

  // Fragmented non-IDR slice start.
  const auto slice = H264Descriptor::parse(fuA(kSlice, 1, 3, true, false));
  REQUIRE(slice);
  CHECK_FALSE(slice->isKeyFrame());
  CHECK(slice->isFrameStart());

  // An SPS split over FU-A: the first fragment carries enough for the resolution.
  const auto spsStart = H264Descriptor::parse(fuA(kSps, 1, 18, true, false));
  REQUIRE(spsStart);
  CHECK(spsStart->isKeyFrame());
  CHECK(spsStart->width() == 640);
  // Too little of it: still a key frame start, no resolution.
  const auto spsShort = H264Descriptor::parse(fuA(kSps, 1, 4, true, false));
  REQUIRE(spsShort);
  CHECK(spsShort->isKeyFrame());
  CHECK(spsShort->hasSpsStart());
  CHECK(spsShort->width() == 0);
  // The middle and end fragments of that SPS hold SPS data but start nothing: not key frames.
  const auto spsMiddle = H264Descriptor::parse(fuA(kSps, 4, 10, false, false));
  REQUIRE(spsMiddle);
  CHECK(spsMiddle->hasSps());
  CHECK_FALSE(spsMiddle->hasSpsStart());
  CHECK_FALSE(spsMiddle->isKeyFrame());
  CHECK_FALSE(spsMiddle->info().keyFrame);
  const auto spsEnd = H264Descriptor::parse(fuA(kSps, 10, kSps.size(), false, true));
  REQUIRE(spsEnd);
  CHECK(spsEnd->hasSps());
  CHECK_FALSE(spsEnd->isKeyFrame());
  CHECK(spsEnd->width() == 0);
}

TEST_CASE("H264 malformed FU-A", "[codec][h264]") {
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x7c}));  // no FU header
  // Section 5.8: S and E MUST NOT both be set.
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x7c, 0xc5, 0x88}));
  // Only the two header octets: accepted, nothing inside.
  const auto empty = H264Descriptor::parse(Bytes{0x7c, 0x85});
  REQUIRE(empty);
  CHECK(empty->isKeyFrame());
  CHECK_FALSE(empty->isFrameStart());
}

TEST_CASE("H264 STAP-B, MTAP and FU-B are recognised but not inspected", "[codec][h264]") {
  struct Case {
    uint8_t type;
    H264Packetization kind;
  };
  for (const auto& c : {Case{25, H264Packetization::StapB}, Case{26, H264Packetization::Mtap16},
                        Case{27, H264Packetization::Mtap24}, Case{29, H264Packetization::FuB}}) {
    // Contents that would look like an IDR / SPS if inspected.
    const Bytes pkt = {static_cast<uint8_t>(0x60 | c.type), 0x85, 0x00, 0x01, 0x00, 0x02, 0x67, 0x42};
    const auto d = H264Descriptor::parse(pkt);
    REQUIRE(d);
    CHECK(d->packetization() == c.kind);
    CHECK_FALSE(d->isSupported());
    CHECK(d->nalType() == c.type);
    CHECK_FALSE(d->isKeyFrame());
    CHECK_FALSE(d->hasIdr());
    CHECK(d->nalUnitCount() == 0);
    CHECK_FALSE(d->info().keyFrame);
    CHECK(H264Descriptor::parse(Bytes{static_cast<uint8_t>(c.type)}));  // header only
  }
  CHECK_FALSE(H264Descriptor::parse(Bytes{}));
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x00, 0x11}));  // type 0: unspecified
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x1e, 0x11}));  // 30: reserved
  CHECK_FALSE(H264Descriptor::parse(Bytes{0x1f, 0x11}));  // 31: reserved
}

TEST_CASE("H264 truncation at every length", "[codec][h264]") {
  const Bytes stap = stapA({kSps, kPps, kIdr});
  // Offsets where a STAP-A prefix ends exactly on a unit boundary.
  const std::vector<size_t> boundaries = {1 + 2 + kSps.size(), 1 + 2 + kSps.size() + 2 + kPps.size(),
                                          stap.size()};
  for (size_t len = 0; len <= stap.size(); ++len) {
    const auto d = H264Descriptor::parse(std::span<const uint8_t>(stap.data(), len));
    const bool boundary = std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
    CHECK(d.has_value() == boundary);
    if (d) CHECK(d->isKeyFrame());
  }
  // Single NAL and FU-A prefixes parse cleanly (or not at all for 0 / 1 octet FU-A).
  const Bytes fu = fuA(kSps, 1, kSps.size(), true, false);
  for (size_t len = 0; len <= fu.size(); ++len) {
    const auto d = H264Descriptor::parse(std::span<const uint8_t>(fu.data(), len));
    CHECK(d.has_value() == (len >= 2));
    if (d) CHECK(d->isKeyFrame());
  }
  for (size_t len = 0; len <= kSps.size(); ++len) {
    const auto d = H264Descriptor::parse(std::span<const uint8_t>(kSps.data(), len));
    CHECK(d.has_value() == (len >= 1));
    if (len == kSps.size()) CHECK(d->width() == 640);
  }
}
