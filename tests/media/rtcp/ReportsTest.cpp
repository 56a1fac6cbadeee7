// SR, RR (RFC 3550 §6.4), SDES (§6.5) and BYE (§6.6): known-answer bytes, builder round trips and
// malformed input.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include "media/rtcp/ByeView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/ReportBlock.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/SdesView.h"
#include "media/rtcp/SenderReportView.h"
#include "tests/media/rtcp/RtcpTestUtil.h"

using namespace switchyard::media::rtcp;
using test::hex;
using test::single;

namespace {

// RR with one report block (RFC 3550 §6.4.2 layout), built by hand: fraction lost 0x40 (25 %),
// cumulative lost -2 (duplicates make it negative, §6.4.1), ext. highest seq 0x0001002a (one
// cycle + 42), jitter 16, LSR 0x3b7a1cac, DLSR 0x00018000 (1.5 s).
const std::vector<uint8_t> kRr =
    hex("81 c9 00 07 | 00 00 00 01"
        "12 34 56 78 | 40 ff ff fe | 00 01 00 2a | 00 00 00 10 | 3b 7a 1c ac | 00 01 80 00");

ReportBlock sampleBlock(uint32_t ssrc) {
  ReportBlock block;
  block.ssrc = ssrc;
  block.fractionLost = 12;
  block.cumulativeLost = 345;
  block.extendedHighestSeq = 0x00020010;
  block.jitter = 77;
  block.lastSr = 0xdeadbeef;
  block.delaySinceLastSr = 65536;
  return block;
}

}  // namespace

TEST_CASE("RR: known-answer report block") {
  const auto packet = single(kRr);
  REQUIRE(packet);
  const auto rr = ReceiverReportView::parse(*packet);
  REQUIRE(rr);
  CHECK(rr->senderSsrc() == 1);
  REQUIRE(rr->reportCount() == 1);
  const ReportBlock block = rr->reportBlock(0);
  CHECK(block.ssrc == 0x12345678u);
  CHECK(block.fractionLost == 0x40);
  CHECK(block.cumulativeLost == -2);
  CHECK(block.extendedHighestSeq == 0x0001002au);
  CHECK(block.jitter == 16);
  CHECK(block.lastSr == 0x3b7a1cacu);
  CHECK(block.delaySinceLastSr == 0x00018000u);
  CHECK(rr->reportBlock(1) == ReportBlock{});  // out of range: default
  CHECK(rr->extension().empty());
}

TEST_CASE("RR: builder produces the known-answer bytes") {
  ReportBlock block;
  block.ssrc = 0x12345678;
  block.fractionLost = 0x40;
  block.cumulativeLost = -2;
  block.extendedHighestSeq = 0x0001002a;
  block.jitter = 16;
  block.lastSr = 0x3b7a1cac;
  block.delaySinceLastSr = 0x00018000;
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addRr(1, std::span<const ReportBlock>(&block, 1)));
  CHECK(std::vector<uint8_t>(builder.data().begin(), builder.data().end()) == kRr);
}

TEST_CASE("report block: cumulative lost is signed 24-bit and clamped on write") {
  for (int32_t lost : {0, 1, -1, 0x7fffff, -0x800000, 123456, -123456}) {
    ReportBlock block = sampleBlock(9);
    block.cumulativeLost = lost;
    std::array<uint8_t, 24> bytes{};
    switchyard::media::util::ByteWriter writer(bytes);
    REQUIRE(block.write(writer));
    const auto back = ReportBlock::parse(bytes);
    REQUIRE(back);
    CHECK(back->cumulativeLost == lost);
    CHECK(*back == block);
  }
  ReportBlock big = sampleBlock(9);
  big.cumulativeLost = 0x1000000;
  std::array<uint8_t, 24> bytes{};
  switchyard::media::util::ByteWriter writer(bytes);
  REQUIRE(big.write(writer));
  CHECK(ReportBlock::parse(bytes)->cumulativeLost == ReportBlock::kMaxCumulativeLost);
  big.cumulativeLost = -0x1000000;
  switchyard::media::util::ByteWriter writer2(bytes);
  REQUIRE(big.write(writer2));
  CHECK(ReportBlock::parse(bytes)->cumulativeLost == ReportBlock::kMinCumulativeLost);
  CHECK_FALSE(ReportBlock::parse(std::span<const uint8_t>(bytes.data(), 23)).has_value());
}

TEST_CASE("SR: round trip with report blocks") {
  const SenderInfo info{0xcafebabe, 0xe8a63b7a1cac0831ull, 90000, 1234, 567890};
  std::vector<ReportBlock> blocks;
  for (uint32_t i = 0; i < 3; ++i)
    blocks.push_back(sampleBlock(100 + i));
  std::array<uint8_t, 256> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addSr(info, blocks));
  CHECK(builder.size() == 4 + 24 + 3 * 24);
  const auto packet = single(builder.data());
  REQUIRE(packet);
  CHECK(packet->count() == 3);
  const auto sr = SenderReportView::parse(*packet);
  REQUIRE(sr);
  CHECK(sr->senderInfo() == info);
  REQUIRE(sr->reportCount() == 3);
  for (size_t i = 0; i < 3; ++i)
    CHECK(sr->reportBlock(i) == blocks[i]);
}

TEST_CASE("SR/RR: at most 31 report blocks") {
  std::vector<ReportBlock> blocks(32, sampleBlock(1));
  std::array<uint8_t, 1024> out{};
  RtcpCompoundBuilder builder(out);
  CHECK_FALSE(builder.addSr(SenderInfo{}, blocks));
  CHECK_FALSE(builder.addRr(1, blocks));
  CHECK(builder.empty());
  blocks.pop_back();
  CHECK(builder.addRr(1, blocks));
  const auto rr = ReceiverReportView::parse(*single(builder.data()));
  REQUIRE(rr);
  CHECK(rr->reportCount() == 31);
}

TEST_CASE("SR/RR: report count exceeding the length is rejected") {
  // RC=2 but room for one block.
  auto bytes = kRr;
  bytes[0] = 0x82;
  const auto packet = single(bytes);
  REQUIRE(packet);  // the header itself is fine
  CHECK_FALSE(ReceiverReportView::parse(*packet).has_value());
  // SR header with RC=1 and only the sender info.
  const auto sr =
      hex("81 c8 00 06 | 00 00 00 01 | 00 00 00 00 00 00 00 00 | 00 00 00 00 | 00 00 00 00 | 00 00 00 00");
  CHECK_FALSE(SenderReportView::parse(*single(sr)).has_value());
  // SR too short for the sender info.
  const auto shortSr = hex("80 c8 00 05 | 00 00 00 01 | 00 00 00 00 00 00 00 00 | 00 00 00 00 | 00 00 00 00");
  CHECK_FALSE(SenderReportView::parse(*single(shortSr)).has_value());
  // RR without a sender SSRC.
  CHECK_FALSE(ReceiverReportView::parse(*single(hex("80 c9 00 00"))).has_value());
}

TEST_CASE("SR/RR: profile-specific extension is exposed, wrong type rejected") {
  const auto bytes = hex("80 c9 00 02 | 00 00 00 01 | ab cd ef 01");
  const auto rr = ReceiverReportView::parse(*single(bytes));
  REQUIRE(rr);
  CHECK(rr->extension().size() == 4);
  CHECK(rr->extension()[0] == 0xab);
  CHECK_FALSE(SenderReportView::parse(*single(bytes)).has_value());
}

TEST_CASE("SDES: multiple chunks and items, RFC 3550 §6.5 layout") {
  // Chunk 1: CNAME "a@b" + NAME "Al" + END, 4+5+4+1 = 14 -> padded to 16.
  // Chunk 2: CNAME "xyz" + END, 4+5+1 = 10 -> padded to 12. Chunk 3: no items, 4 + 4 null octets.
  const auto bytes =
      hex("83 ca 00 09"
          "00 00 00 01 | 01 03 61 40 62 | 02 02 41 6c | 00 00 00"
          "00 00 00 02 | 01 03 78 79 7a | 00 00 00"
          "00 00 00 03 | 00 00 00 00");
  const auto sdes = SdesView::parse(*single(bytes));
  REQUIRE(sdes);
  CHECK(sdes->chunkCount() == 3);
  CHECK(sdes->itemCount() == 3);
  CHECK(sdes->cname(1) == "a@b");
  CHECK(sdes->cname(2) == "xyz");
  CHECK_FALSE(sdes->cname(3).has_value());
  std::vector<std::pair<uint32_t, uint8_t>> seen;
  sdes->forEachItem([&](const SdesItem& item) { seen.emplace_back(item.ssrc, item.type); });
  CHECK(seen == std::vector<std::pair<uint32_t, uint8_t>>{{1, kSdesCname}, {1, kSdesName}, {2, kSdesCname}});
}

TEST_CASE("SDES: malformed chunks are rejected") {
  // Item length past the packet.
  CHECK_FALSE(SdesView::parse(*single(hex("81 ca 00 02 | 00 00 00 01 | 01 09 61 00"))).has_value());
  // No terminating null octet.
  CHECK_FALSE(SdesView::parse(*single(hex("81 ca 00 02 | 00 00 00 01 | 01 02 61 62"))).has_value());
  // SC=2 but one chunk.
  CHECK_FALSE(SdesView::parse(*single(hex("82 ca 00 02 | 00 00 00 01 | 01 01 61 00"))).has_value());
  // Null octet present, but the padding to 32 bits is cut off by the packet's own padding (P bit,
  // count 3 leaves a 9-byte payload).
  CHECK_FALSE(
      SdesView::parse(*single(hex("a1 ca 00 03 | 00 00 00 01 | 01 02 61 62 | 00 00 00 03"))).has_value());
  // Zero chunks is fine.
  const auto noChunks = hex("80 ca 00 00");
  const auto empty = SdesView::parse(*single(noChunks));
  REQUIRE(empty);
  CHECK(empty->itemCount() == 0);
  CHECK_FALSE(empty->firstCname().has_value());
}

TEST_CASE("SDES: CNAME builder round trip at every length") {
  std::string cname;
  for (size_t len = 0; len <= 255; ++len) {
    std::array<uint8_t, 300> out{};
    RtcpCompoundBuilder builder(out);
    REQUIRE(builder.addSdesCname(0x11223344, cname));
    CHECK(builder.size() % 4 == 0);
    CHECK(builder.size() == 4 + ((4 + 2 + len + 1 + 3) & ~size_t{3}));
    const auto packet = single(builder.data());
    REQUIRE(packet);
    const auto sdes = SdesView::parse(*packet);
    REQUIRE(sdes);
    CHECK(sdes->cname(0x11223344) == cname);
    cname.push_back(static_cast<char>('a' + len % 26));
  }
  std::array<uint8_t, 300> out{};
  RtcpCompoundBuilder builder(out);
  CHECK_FALSE(builder.addSdesCname(1, cname));  // 256 bytes
}

TEST_CASE("BYE: known answer with reason") {
  // RFC 3550 §6.6: SC=1, SSRC, length 6 "camera", one zero byte of padding to 32 bits.
  const auto bytes = hex("81 cb 00 03 | 00 00 04 d2 | 06 63 61 6d 65 72 61 00");
  const auto bye = ByeView::parse(*single(bytes));
  REQUIRE(bye);
  REQUIRE(bye->ssrcCount() == 1);
  CHECK(bye->ssrc(0) == 1234);
  CHECK(bye->ssrc(1) == 0);
  CHECK(bye->hasReason());
  CHECK(bye->reason() == "camera");

  const uint32_t ssrc = 1234;
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addBye(std::span<const uint32_t>(&ssrc, 1), "camera"));
  CHECK(std::vector<uint8_t>(builder.data().begin(), builder.data().end()) == bytes);
}

TEST_CASE("BYE: without reason, several SSRCs, malformed") {
  const std::vector<uint32_t> ssrcs{1, 2, 3};
  std::array<uint8_t, 64> out{};
  RtcpCompoundBuilder builder(out);
  REQUIRE(builder.addBye(ssrcs));
  CHECK(builder.size() == 16);
  const auto bye = ByeView::parse(*single(builder.data()));
  REQUIRE(bye);
  CHECK(bye->ssrcCount() == 3);
  CHECK(bye->ssrc(2) == 3);
  CHECK_FALSE(bye->hasReason());
  CHECK(bye->reason().empty());
  // SC=2 with one SSRC; reason length past the end.
  CHECK_FALSE(ByeView::parse(*single(hex("82 cb 00 01 | 00 00 00 01"))).has_value());
  CHECK_FALSE(ByeView::parse(*single(hex("81 cb 00 02 | 00 00 00 01 | 05 61 62 63"))).has_value());
  // More than 31 SSRCs or a 256-byte reason cannot be built.
  std::vector<uint32_t> many(32, 7);
  CHECK_FALSE(builder.addBye(many));
  CHECK_FALSE(builder.addBye(ssrcs, std::string(256, 'x')));
}
