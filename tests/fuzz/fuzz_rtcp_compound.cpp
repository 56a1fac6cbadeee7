// Fuzzes the RTCP compound iterator and every packet view of media/rtcp. For each packet it calls
// every accessor, runs the TWCC decoder and NACK expansion, re-encodes the packet with
// RtcpCompoundBuilder, re-parses it and traps when the rebuilt packet does not parse or does not
// carry the same information. It also runs the in-place SSRC rewriter on a copy and checks that
// the compound stays well-formed and that an involutive map applied twice restores the input.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "media/rtcp/ByeView.h"
#include "media/rtcp/FeedbackRewriter.h"
#include "media/rtcp/FeedbackView.h"
#include "media/rtcp/FirView.h"
#include "media/rtcp/NackView.h"
#include "media/rtcp/PliView.h"
#include "media/rtcp/ReceiverReportView.h"
#include "media/rtcp/RembView.h"
#include "media/rtcp/RtcpCompound.h"
#include "media/rtcp/RtcpCompoundBuilder.h"
#include "media/rtcp/RtcpConstants.h"
#include "media/rtcp/SdesView.h"
#include "media/rtcp/SenderReportView.h"
#include "media/rtcp/TransportCcView.h"

namespace rtcp = switchyard::media::rtcp;

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Parses a freshly built buffer: exactly one well-formed packet.
rtcp::RtcpPacket reparseSingle(std::span<const uint8_t> built) {
  const rtcp::RtcpCompound compound(built);
  check(compound.valid() && compound.packetCount() == 1);
  return *compound.begin();
}

volatile uint64_t gSink = 0;
void sink(uint64_t v) {
  gSink = gSink + v;
}

void checkSr(const rtcp::RtcpPacket& packet) {
  const auto sr = rtcp::SenderReportView::parse(packet);
  if (!sr) return;
  sink(sr->ntpSeconds() + sr->ntpFraction() + sr->compactNtp() + sr->extension().size());
  std::vector<rtcp::ReportBlock> blocks;
  for (size_t i = 0; i < sr->reportCount(); ++i)
    blocks.push_back(sr->reportBlock(i));
  std::vector<uint8_t> out(packet.size() + 64);
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addSr(sr->senderInfo(), blocks));
  const auto again = rtcp::SenderReportView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->senderInfo() == sr->senderInfo() &&
        again->reportCount() == blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i)
    check(again->reportBlock(i) == blocks[i]);
}

void checkRr(const rtcp::RtcpPacket& packet) {
  const auto rr = rtcp::ReceiverReportView::parse(packet);
  if (!rr) return;
  sink(rr->extension().size());
  std::vector<rtcp::ReportBlock> blocks;
  for (size_t i = 0; i < rr->reportCount(); ++i)
    blocks.push_back(rr->reportBlock(i));
  std::vector<uint8_t> out(packet.size() + 64);
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addRr(rr->senderSsrc(), blocks));
  const auto again = rtcp::ReceiverReportView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->senderSsrc() == rr->senderSsrc() &&
        again->reportCount() == blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i)
    check(again->reportBlock(i) == blocks[i]);
}

void checkSdes(const rtcp::RtcpPacket& packet) {
  const auto sdes = rtcp::SdesView::parse(packet);
  if (!sdes) return;
  size_t items = 0;
  std::optional<rtcp::SdesItem> firstCname;
  sdes->forEachItem([&](const rtcp::SdesItem& item) {
    ++items;
    sink(item.ssrc + item.type + item.text().size());
    if (item.type == rtcp::kSdesCname && !firstCname) firstCname = item;
  });
  check(items == sdes->itemCount());
  check(sdes->firstCname().has_value() == firstCname.has_value());
  if (!firstCname) return;
  check(sdes->cname(firstCname->ssrc).has_value());
  std::array<uint8_t, 300> out{};
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addSdesCname(firstCname->ssrc, firstCname->text()));
  const auto again = rtcp::SdesView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->chunkCount() == 1 && again->itemCount() == 1);
  check(again->cname(firstCname->ssrc) == firstCname->text());
}

void checkBye(const rtcp::RtcpPacket& packet) {
  const auto bye = rtcp::ByeView::parse(packet);
  if (!bye) return;
  std::vector<uint32_t> ssrcs;
  for (size_t i = 0; i < bye->ssrcCount(); ++i)
    ssrcs.push_back(bye->ssrc(i));
  std::array<uint8_t, 400> out{};
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addBye(ssrcs, bye->reason()));
  const auto again = rtcp::ByeView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->ssrcCount() == ssrcs.size() && again->reason() == bye->reason());
  for (size_t i = 0; i < ssrcs.size(); ++i)
    check(again->ssrc(i) == ssrcs[i]);
}

std::vector<uint16_t> sortedUnique(std::vector<uint16_t> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

void checkNack(const rtcp::RtcpPacket& packet) {
  const auto nack = rtcp::NackView::parse(packet);
  if (!nack) return;
  std::vector<uint16_t> lost;
  nack->forEachLostSeq([&](uint16_t seq) { lost.push_back(seq); });
  check(lost.size() == nack->lostCount());
  std::vector<uint8_t> out(packet.size() + 64);
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addNack(nack->senderSsrc(), nack->mediaSsrc(), lost));
  const auto again = rtcp::NackView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->mediaSsrc() == nack->mediaSsrc() &&
        again->itemCount() <= nack->itemCount());
  std::vector<uint16_t> lostAgain;
  again->forEachLostSeq([&](uint16_t seq) { lostAgain.push_back(seq); });
  check(sortedUnique(lost) == sortedUnique(lostAgain));
}

void checkPli(const rtcp::RtcpPacket& packet) {
  const auto pli = rtcp::PliView::parse(packet);
  if (!pli) return;
  std::array<uint8_t, 12> out{};
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addPli(pli->senderSsrc(), pli->mediaSsrc()));
  const auto again = rtcp::PliView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->senderSsrc() == pli->senderSsrc() &&
        again->mediaSsrc() == pli->mediaSsrc());
}

void checkFir(const rtcp::RtcpPacket& packet) {
  const auto fir = rtcp::FirView::parse(packet);
  if (!fir) return;
  std::vector<rtcp::FirEntry> entries;
  for (size_t i = 0; i < fir->entryCount(); ++i)
    entries.push_back(fir->entry(i));
  std::vector<uint8_t> out(packet.size());
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addFir(fir->senderSsrc(), entries));
  const auto again = rtcp::FirView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->entryCount() == entries.size() && again->mediaSsrc() == 0);
  for (size_t i = 0; i < entries.size(); ++i)
    check(again->entry(i) == entries[i]);
}

void checkRemb(const rtcp::RtcpPacket& packet) {
  const auto remb = rtcp::RembView::parse(packet);
  if (!remb) return;
  std::vector<uint32_t> ssrcs;
  for (size_t i = 0; i < remb->ssrcCount(); ++i)
    ssrcs.push_back(remb->ssrc(i));
  const uint64_t bitrate = remb->bitrateBps();
  std::vector<uint8_t> out(packet.size() + 64);
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addRemb(remb->senderSsrc(), bitrate, ssrcs));
  const auto again = rtcp::RembView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->ssrcCount() == ssrcs.size());
  for (size_t i = 0; i < ssrcs.size(); ++i)
    check(again->ssrc(i) == ssrcs[i]);
  check(again->bitrateBps() <= bitrate);
  if (bitrate != UINT64_MAX) check(again->bitrateBps() == bitrate);  // exact unless saturated
}

void checkTransportCc(const rtcp::RtcpPacket& packet) {
  const auto twcc = rtcp::TransportCcView::parse(packet);
  if (!twcc) return;
  sink(twcc->referenceTimeRaw() + twcc->fbPktCount());
  std::vector<rtcp::TwccPacketStatus> statuses;
  twcc->forEachPacket([&](const rtcp::TwccPacketStatus& s) { statuses.push_back(s); });
  check(statuses.size() == twcc->statusCount());
  size_t received = 0;
  std::vector<rtcp::TwccPacket> input;
  for (size_t i = 0; i < statuses.size(); ++i) {
    check(statuses[i].seq == static_cast<uint16_t>(twcc->baseSeq() + i));
    if (statuses[i].received) ++received;
    input.push_back({statuses[i].seq,
                     statuses[i].received ? std::optional<int64_t>(statuses[i].arrivalUs()) : std::nullopt});
  }
  check(received == twcc->receivedCount());
  std::vector<uint8_t> out(64 + 4 * statuses.size());
  rtcp::RtcpCompoundBuilder builder(out);
  check(builder.addTransportCc(twcc->senderSsrc(), twcc->mediaSsrc(), twcc->fbPktCount(), input));
  const auto again = rtcp::TransportCcView::parse(reparseSingle(builder.data()));
  check(again.has_value() && again->statusCount() == twcc->statusCount() &&
        again->baseSeq() == twcc->baseSeq());
  check(again->fbPktCount() == twcc->fbPktCount() && again->receivedCount() == received);
  size_t i = 0;
  bool seenReceived = false;
  again->forEachPacket([&](const rtcp::TwccPacketStatus& s) {
    check(i < statuses.size());
    check(s.seq == statuses[i].seq && s.received == statuses[i].received);
    // Arrival times are reproduced modulo 2^24 reference-time units (2^32 ticks).
    check(static_cast<uint32_t>(s.arrivalTicks) == static_cast<uint32_t>(statuses[i].arrivalTicks));
    // Only the first delta depends on the reference time, which the builder picks itself.
    if (s.received && seenReceived) check(s.deltaTicks == statuses[i].deltaTicks);
    seenReceived = seenReceived || s.received;
    ++i;
  });
  check(i == statuses.size());
}

void checkPacket(const rtcp::RtcpPacket& packet) {
  sink(uint64_t{packet.padding()} + packet.count() + packet.lengthWords() + packet.payload().size());
  check(packet.payload().size() + 4 <= packet.size());
  if (const auto fb = rtcp::FeedbackView::parse(packet))
    sink(fb->senderSsrc() + fb->mediaSsrc() + fb->fci().size());
  checkSr(packet);
  checkRr(packet);
  checkSdes(packet);
  checkBye(packet);
  checkNack(packet);
  checkPli(packet);
  checkFir(packet);
  checkRemb(packet);
  checkTransportCc(packet);
}

uint32_t flip(uint32_t ssrc) noexcept {
  return ssrc ^ 0x5a5a5a5au;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const rtcp::RtcpCompound compound(input);
  size_t count = 0;
  auto it = compound.begin();
  for (; it != compound.end(); ++it) {
    ++count;
    checkPacket(*it);
  }
  check(count == compound.packetCount());
  check(it.error() == !compound.valid());
  sink(rtcp::RtcpCompound::looksLikeRtcp(input));

  std::vector<uint8_t> copy(input.begin(), input.end());
  // Media SSRC map applied twice with an involution restores the input exactly.
  const bool rewritten = rtcp::FeedbackRewriter::rewriteCompound(copy, std::nullopt, flip);
  check(rewritten == compound.valid());
  check(rtcp::FeedbackRewriter::rewriteCompound(copy, std::nullopt, flip) == compound.valid());
  check(std::equal(copy.begin(), copy.end(), input.begin(), input.end()));
  // Sender and media rewrites never change the structure.
  if (compound.valid()) {
    check(rtcp::FeedbackRewriter::rewriteCompound(copy, 0x01020304u, [](uint32_t) { return 7u; }));
    const rtcp::RtcpCompound after(copy);
    check(after.valid() && after.packetCount() == compound.packetCount());
    for (const auto& packet : after)
      checkPacket(packet);
  }
  return 0;
}
