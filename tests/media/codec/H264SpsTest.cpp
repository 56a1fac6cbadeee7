// H264Sps and RbspBitReader: real encoder SPSs (with emulation prevention bytes and cropping), SPSs
// written bit by bit per ITU-T H.264 section 7.3.2.1.1 to reach every branch, and truncations.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "media/codec/H264Sps.h"
#include "media/codec/RbspBitReader.h"

using switchyard::media::codec::H264Sps;
using switchyard::media::codec::RbspBitReader;
using Bytes = std::vector<uint8_t>;

namespace {

// SPS bodies (after the NAL header octet) from ffmpeg camera captures, as used in libwebrtc's
// sps_parser tests: High 4:2:2 profile (122), emulation prevention bytes present.
const Bytes kSps1280x720 = {0x7A, 0x00, 0x1F, 0xBC, 0xD9, 0x40, 0x50, 0x05, 0xBA, 0x10, 0x00, 0x00,
                            0x03, 0x00, 0xC0, 0x00, 0x00, 0x2A, 0xE0, 0xF1, 0x83, 0x19, 0x60};
const Bytes kSps640x360 = {0x7A, 0x00, 0x1E, 0xBC, 0xD9, 0x40, 0xA0, 0x2F, 0xF8, 0x98, 0x40, 0x00,
                           0x00, 0x03, 0x01, 0x80, 0x00, 0x00, 0x56, 0x83, 0xC5, 0x8B, 0x65, 0x80};
const Bytes kSps200x400 = {0x7A, 0x00, 0x0D, 0xBC, 0xD9, 0x43, 0x43, 0x3E, 0x5E, 0x10, 0x00, 0x00,
                           0x03, 0x00, 0x60, 0x00, 0x00, 0x15, 0xA0, 0xF1, 0x42, 0x99, 0x60};

// Writes bits MSB first, then inserts emulation prevention bytes like an encoder would.
class BitWriter {
 public:
  void bits(uint32_t value, unsigned count) {
    for (unsigned i = count; i > 0; --i)
      bit(((value >> (i - 1)) & 1u) != 0);
  }
  void bit(bool b) {
    if (used_ == 0) rbsp_.push_back(0);
    if (b) rbsp_.back() = static_cast<uint8_t>(rbsp_.back() | (0x80u >> used_));
    used_ = (used_ + 1) % 8;
  }
  void ue(uint32_t v) {
    const uint64_t x = uint64_t{v} + 1;
    unsigned len = 0;
    while ((x >> len) > 1)
      ++len;
    for (unsigned i = 0; i < len; ++i)
      bit(false);
    for (unsigned i = len + 1; i > 0; --i)
      bit(((x >> (i - 1)) & 1u) != 0);
  }
  void se(int32_t v) { ue(v > 0 ? static_cast<uint32_t>(2 * v - 1) : static_cast<uint32_t>(-2 * v)); }
  Bytes nal() const {
    Bytes out;
    unsigned zeros = 0;
    for (uint8_t b : rbsp_) {
      if (zeros >= 2 && b <= 3) {
        out.push_back(0x03);
        zeros = 0;
      }
      out.push_back(b);
      zeros = b == 0 ? zeros + 1 : 0;
    }
    return out;
  }

 private:
  Bytes rbsp_;
  unsigned used_ = 0;
};

struct SpsFields {
  uint8_t profile = 66;
  uint32_t chromaFormatIdc = 1;
  bool scalingMatrix = false;
  uint32_t pocType = 0;
  uint32_t widthMbs = 20;    // minus1 + 1
  uint32_t heightMaps = 12;  // minus1 + 1
  bool frameMbsOnly = true;
  bool crop = false;
  uint32_t cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
};

Bytes writeSps(const SpsFields& f) {
  BitWriter w;
  w.bits(f.profile, 8);
  w.bits(0, 8);   // constraint flags
  w.bits(30, 8);  // level
  w.ue(3);        // seq_parameter_set_id
  if (f.profile == 100 || f.profile == 244) {
    w.ue(f.chromaFormatIdc);
    if (f.chromaFormatIdc == 3) w.bit(false);  // separate_colour_plane_flag
    w.ue(0);
    w.ue(0);
    w.bit(false);
    w.bit(f.scalingMatrix);
    if (f.scalingMatrix) {
      const unsigned lists = f.chromaFormatIdc != 3 ? 8 : 12;
      for (unsigned i = 0; i < lists; ++i) {
        // Section 7.3.2.1.1: lists 0-5 are 4x4 (16 entries), the others 8x8 (64 entries).
        const unsigned size = i < 6 ? 16 : 64;
        w.bit(i != 1);  // seq_scaling_list_present_flag: list 1 absent
        if (i == 1) continue;
        if (i % 3 == 2) {
          // delta_scale values: a few non-zero steps, then nextScale 0 ends the list early.
          w.se(5);
          w.se(-3);
          w.se(-10);  // 8+5-3-10 = 0: stop
          continue;
        }
        // A full list: exactly `size` deltas alternating +1/-1 (nextScale 9, 8, 9, ... never 0),
        // so a parser reading the wrong list length runs into (or stops short of) the next field.
        for (unsigned j = 0; j < size; ++j)
          w.se(j % 2 == 0 ? 1 : -1);
      }
    }
  }
  w.ue(0);  // log2_max_frame_num_minus4
  w.ue(f.pocType);
  if (f.pocType == 0) {
    w.ue(2);
  } else if (f.pocType == 1) {
    w.bit(false);
    w.se(-1);
    w.se(2);
    w.ue(3);
    w.se(1);
    w.se(-2);
    w.se(3);
  }
  w.ue(1);       // max_num_ref_frames
  w.bit(false);  // gaps
  w.ue(f.widthMbs - 1);
  w.ue(f.heightMaps - 1);
  w.bit(f.frameMbsOnly);
  if (!f.frameMbsOnly) w.bit(false);
  w.bit(true);  // direct_8x8_inference_flag
  w.bit(f.crop);
  if (f.crop) {
    w.ue(f.cropLeft);
    w.ue(f.cropRight);
    w.ue(f.cropTop);
    w.ue(f.cropBottom);
  }
  w.bit(false);  // vui_parameters_present_flag
  w.bit(true);   // rbsp_stop_one_bit
  return w.nal();
}

}  // namespace

TEST_CASE("RbspBitReader drops emulation prevention bytes", "[codec][h264]") {
  // 00 00 03 01 is the RBSP 00 00 01 (H.264 section 7.4.1).
  const Bytes data = {0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0xff};
  RbspBitReader r(data);
  CHECK(r.readBits(24) == 0x000001);
  CHECK(r.readBits(16) == 0x0000);
  CHECK(r.readBits(8) == 0x00);
  CHECK(r.readBits(8) == 0xff);
  CHECK(r.ok());
  CHECK(r.readBits(1) == 0);
  CHECK_FALSE(r.ok());
  // 03 not preceded by two zeros is data.
  const Bytes plain = {0x00, 0x03, 0x03};
  RbspBitReader p(plain);
  CHECK(p.readBits(24) == 0x000303);
  CHECK(p.ok());
}

TEST_CASE("RbspBitReader Exp-Golomb", "[codec][h264]") {
  // Section 9.1 table 9-2: 1 -> 0, 010 -> 1, 011 -> 2, 00100 -> 3; se: 010 -> +1, 011 -> -1.
  const Bytes data = {0b10100110, 0b01000100, 0b11000000};
  RbspBitReader r(data);
  CHECK(r.readUe() == 0);
  CHECK(r.readUe() == 1);
  CHECK(r.readUe() == 2);
  CHECK(r.readUe() == 3);
  CHECK(r.readSe() == 1);
  CHECK(r.readSe() == -1);
  CHECK(r.ok());
  // 32 leading zeros is more than a 32-bit ue(v) can hold.
  const Bytes zeros = {0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00};
  RbspBitReader z(zeros);
  CHECK(z.readUe() == 0);
  CHECK_FALSE(z.ok());
  // 31 leading zeros: the largest value, 2^32 - 2.
  const Bytes big = {0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xfe};
  RbspBitReader b(big);
  CHECK(b.readUe() == 0xfffffffeu);
  CHECK(b.ok());
  // Truncated ue(v).
  const Bytes cut = {0x00};
  RbspBitReader c(cut);
  c.readUe();
  CHECK_FALSE(c.ok());
}

TEST_CASE("H264 SPS known answers from encoder output", "[codec][h264]") {
  const auto hd = H264Sps::parseBody(kSps1280x720);
  REQUIRE(hd);
  CHECK(hd->profileIdc() == 122);
  CHECK(hd->levelIdc() == 31);
  CHECK(hd->width() == 1280);
  CHECK(hd->height() == 720);
  const auto vga = H264Sps::parseBody(kSps640x360);
  REQUIRE(vga);
  CHECK(vga->width() == 640);
  CHECK(vga->height() == 360);
  const auto weird = H264Sps::parseBody(kSps200x400);
  REQUIRE(weird);
  CHECK(weird->width() == 200);
  CHECK(weird->height() == 400);
  // With the NAL header octet (nal_unit_type 7).
  Bytes nal = {0x67};
  nal.insert(nal.end(), kSps1280x720.begin(), kSps1280x720.end());
  const auto viaNal = H264Sps::parse(nal);
  REQUIRE(viaNal);
  CHECK(viaNal->width() == 1280);
  nal[0] = 0x68;  // PPS header
  CHECK_FALSE(H264Sps::parse(nal));
  CHECK_FALSE(H264Sps::parse(Bytes{}));
}

TEST_CASE("H264 SPS written bit by bit", "[codec][h264]") {
  SECTION("baseline 320x180 with cropping") {
    SpsFields f;
    f.widthMbs = 20;
    f.heightMaps = 12;  // 192 lines, crop 12 -> 6 crop units of 2 lines (4:2:0)
    f.crop = true;
    f.cropBottom = 6;
    const auto s = H264Sps::parseBody(writeSps(f));
    REQUIRE(s);
    CHECK(s->profileIdc() == 66);
    CHECK(s->spsId() == 3);
    CHECK(s->width() == 320);
    CHECK(s->height() == 180);
    CHECK(s->frameMbsOnly());
  }
  SECTION("high profile with scaling matrices, 1920x1080") {
    SpsFields f;
    f.profile = 100;
    f.scalingMatrix = true;
    f.widthMbs = 120;
    f.heightMaps = 68;
    f.crop = true;
    f.cropBottom = 4;
    const auto s = H264Sps::parseBody(writeSps(f));
    REQUIRE(s);
    CHECK(s->width() == 1920);
    CHECK(s->height() == 1080);
    CHECK(s->chromaFormatIdc() == 1);
  }
  SECTION("4:4:4 with 12 scaling lists, pic_order_cnt_type 1") {
    SpsFields f;
    f.profile = 244;
    f.chromaFormatIdc = 3;
    f.scalingMatrix = true;
    f.pocType = 1;
    f.widthMbs = 40;
    f.heightMaps = 30;
    f.crop = true;
    f.cropRight = 2;  // crop unit 1 in 4:4:4
    const auto s = H264Sps::parseBody(writeSps(f));
    REQUIRE(s);
    CHECK(s->chromaFormatIdc() == 3);
    CHECK(s->width() == 638);
    CHECK(s->height() == 480);
  }
  SECTION("interlaced: frame_mbs_only_flag = 0 doubles the map units") {
    SpsFields f;
    f.widthMbs = 120;
    f.heightMaps = 34;  // 2 * 34 * 16 = 1088
    f.frameMbsOnly = false;
    f.crop = true;
    f.cropBottom = 2;  // crop unit 2 * 2 = 4 lines
    f.pocType = 2;
    const auto s = H264Sps::parseBody(writeSps(f));
    REQUIRE(s);
    CHECK_FALSE(s->frameMbsOnly());
    CHECK(s->width() == 1920);
    CHECK(s->height() == 1080);
  }
  SECTION("cropping everything away is rejected") {
    SpsFields f;
    f.widthMbs = 1;
    f.crop = true;
    f.cropLeft = 4;
    f.cropRight = 4;  // 2 * 8 = 16 = width
    CHECK_FALSE(H264Sps::parseBody(writeSps(f)));
  }
  SECTION("a size beyond 16 bits is rejected") {
    SpsFields f;
    f.widthMbs = 4097;  // 65552 pixels
    CHECK_FALSE(H264Sps::parseBody(writeSps(f)));
  }
  SECTION("pic_order_cnt_type 3 is rejected") {
    SpsFields f;
    f.pocType = 3;
    CHECK_FALSE(H264Sps::parseBody(writeSps(f)));
  }
}

TEST_CASE("H264 SPS truncation at every length", "[codec][h264]") {
  SpsFields scaled;
  scaled.profile = 100;
  scaled.scalingMatrix = true;
  scaled.crop = true;
  scaled.cropBottom = 6;
  for (const auto& body : {kSps1280x720, kSps640x360, kSps200x400, writeSps(scaled)}) {
    REQUIRE(H264Sps::parseBody(body));
    bool seenSuccess = false;
    for (size_t len = 0; len <= body.size(); ++len) {
      const auto s = H264Sps::parseBody(std::span<const uint8_t>(body.data(), len));
      // Once enough bytes are present it parses, and stays parsed with the same size.
      if (seenSuccess) REQUIRE(s);
      if (s) {
        seenSuccess = true;
        CHECK(s->width() == H264Sps::parseBody(body)->width());
      }
    }
    CHECK_FALSE(H264Sps::parseBody(std::span<const uint8_t>(body.data(), 3)));
  }
}
