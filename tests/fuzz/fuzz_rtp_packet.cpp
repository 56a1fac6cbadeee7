// Fuzzes the RTP packet view, its in-place rewriters and the builder.
// Input: byte 0 steers the rewrites (extension id map, payload type), the rest is the packet.
// On a successful parse: read every field and element, check lookups against iteration, rebuild
// the packet with RtpPacketBuilder and re-parse it, then rewrite ssrc/seq/timestamp/PT/marker, an
// extension value and the extension ids in place and re-parse: the header size, payload bytes and
// padding must be unchanged and the elements must be exactly the remapped ones. Traps otherwise.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "media/rtp/RtpDemux.h"
#include "media/rtp/RtpExtensionIdMap.h"
#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtpPacketBuilder.h"
#include "media/rtp/SeqUnwrapper.h"
#include "media/rtp/SequenceNumber.h"

namespace {

using namespace switchyard::media::rtp;  // NOLINT(google-build-using-namespace)

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

struct Element {
  uint8_t id = 0;
  size_t offset = 0;  // of the data, from the packet start
  size_t size = 0;
};

volatile uint64_t gSink = 0;

template <typename Packet>
std::vector<Element> elementsOf(const Packet& packet) {
  std::vector<Element> out;
  for (auto e : packet.extensions()) {
    out.push_back({e.id, static_cast<size_t>(e.data.data() - packet.data().data()), e.data.size()});
  }
  return out;
}

bool sameBytes(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

void readEverything(const RtpPacketView& p) {
  uint64_t sum =
      uint64_t{p.marker()} + p.payloadType() + p.sequenceNumber() + p.timestamp() + p.ssrc() + p.csrcCount();
  for (size_t i = 0; i <= 16; ++i)
    sum += p.csrc(i);
  sum += p.extensionProfile().value_or(0) + p.extensionAppBits() + static_cast<uint64_t>(p.extensionForm());
  for (uint8_t b : p.extensionBytes())
    sum += b;
  for (uint8_t b : p.payload())
    sum += b;
  sum += p.paddingSize() + p.headerSize() + p.size();
  FUZZ_REQUIRE(p.headerSize() + p.payloadSize() + p.paddingSize() == p.size());
  FUZZ_REQUIRE(p.hasPadding() == ((p.data()[0] & 0x20) != 0));
  FUZZ_REQUIRE(p.csrcCount() == (p.data()[0] & 0x0F));
  gSink = gSink + sum;
}

// extension(id) must return the first element with that id, or nullopt if there is none.
void checkLookups(const RtpPacketView& p, const std::vector<Element>& elements) {
  for (unsigned id = 0; id < 256; ++id) {
    const auto found = p.extension(static_cast<uint8_t>(id));
    const Element* first = nullptr;
    for (const Element& e : elements) {
      if (e.id == id) {
        first = &e;
        break;
      }
    }
    FUZZ_REQUIRE(found.has_value() == (first != nullptr));
    if (first != nullptr) {
      FUZZ_REQUIRE(found->data() == p.data().data() + first->offset);
      FUZZ_REQUIRE(found->size() == first->size);
    }
  }
  for (const Element& e : elements) {
    FUZZ_REQUIRE(e.id != 0);
    FUZZ_REQUIRE(e.offset >= RtpPacketView::kFixedHeaderSize && e.offset + e.size <= p.headerSize());
    if (p.extensionForm() == RtpExtensionForm::kOneByte)
      FUZZ_REQUIRE(e.id <= 14 && e.size >= 1 && e.size <= 16);
  }
}

// Rebuilds the parsed packet with the builder and checks the result parses to the same fields.
void checkRebuild(const RtpPacketView& p, const std::vector<Element>& elements) {
  if (elements.size() > RtpPacketBuilder::kMaxExtensions) return;
  RtpPacketBuilder builder;
  builder.setMarker(p.marker())
      .setPayloadType(p.payloadType())
      .setSequenceNumber(p.sequenceNumber())
      .setTimestamp(p.timestamp())
      .setSsrc(p.ssrc())
      .setPayload(p.payload())
      .setPadding(static_cast<uint8_t>(p.paddingSize()));
  for (size_t i = 0; i < p.csrcCount(); ++i)
    builder.addCsrc(p.csrc(i));
  if (p.extensionForm() == RtpExtensionForm::kOneByte || p.extensionForm() == RtpExtensionForm::kTwoByte) {
    builder.setExtensionForm(p.extensionForm(), p.extensionAppBits());
    for (const Element& e : elements)
      builder.addExtension(e.id, p.data().subspan(e.offset, e.size));
  } else if (p.extensionForm() == RtpExtensionForm::kOther) {
    builder.setRawExtension(*p.extensionProfile(), p.extensionBytes());
  }
  FUZZ_REQUIRE(builder.valid());
  std::vector<uint8_t> out(builder.size());
  if (!out.empty()) FUZZ_REQUIRE(!builder.build(std::span(out).first(out.size() - 1)));
  const auto built = builder.build(out);
  FUZZ_REQUIRE(built && *built == out.size());
  const auto q = RtpPacketView::parse(out);
  FUZZ_REQUIRE(q);
  FUZZ_REQUIRE(q->marker() == p.marker() && q->payloadType() == p.payloadType());
  FUZZ_REQUIRE(q->sequenceNumber() == p.sequenceNumber() && q->timestamp() == p.timestamp());
  FUZZ_REQUIRE(q->ssrc() == p.ssrc() && q->csrcCount() == p.csrcCount());
  for (size_t i = 0; i < p.csrcCount(); ++i)
    FUZZ_REQUIRE(q->csrc(i) == p.csrc(i));
  FUZZ_REQUIRE(sameBytes(q->payload(), p.payload()));
  FUZZ_REQUIRE(q->paddingSize() == p.paddingSize());
  const std::vector<Element> rebuilt = elementsOf(*q);
  FUZZ_REQUIRE(rebuilt.size() == elements.size());
  for (size_t i = 0; i < rebuilt.size(); ++i) {
    FUZZ_REQUIRE(rebuilt[i].id == elements[i].id);
    FUZZ_REQUIRE(sameBytes(q->data().subspan(rebuilt[i].offset, rebuilt[i].size),
                           p.data().subspan(elements[i].offset, elements[i].size)));
  }
  if (p.extensionForm() == RtpExtensionForm::kOther)
    FUZZ_REQUIRE(sameBytes(q->extensionBytes(), p.extensionBytes()));
}

RtpExtensionIdMap mapFor(uint8_t control, std::span<const uint8_t> packet) {
  RtpExtensionIdMap map{};
  const uint8_t salt = packet.size() > 3 ? packet[3] : 0;
  for (unsigned id = 1; id < 256; ++id) {
    const auto mixed = static_cast<uint8_t>(id * (2u * control + 1u) + salt);
    if ((mixed % 7) == 0) {
      map[id] = 0;  // drop
    } else if ((control & 0x01) != 0) {
      map[id] = static_cast<uint8_t>(mixed % 14 + 1);  // always fits the one-byte form
    } else {
      map[id] = mixed == 0 ? 1 : mixed;  // may not fit
    }
  }
  return map;
}

void checkRewrites(uint8_t control, std::vector<uint8_t>& buf) {
  auto packet = RtpPacket::parse(buf);
  FUZZ_REQUIRE(packet);
  const size_t headerSize = packet->headerSize();
  const size_t paddingSize = packet->paddingSize();
  const std::vector<uint8_t> payload(packet->payload().begin(), packet->payload().end());
  const std::vector<uint8_t> padding(buf.end() - static_cast<std::ptrdiff_t>(paddingSize), buf.end());
  const uint32_t ssrc = ~packet->ssrc();
  const auto seq = static_cast<uint16_t>(packet->sequenceNumber() + 1);
  const uint32_t ts = packet->timestamp() + 90000;
  const auto pt = static_cast<uint8_t>(control & 0x7F);
  const bool marker = !packet->marker();

  packet->setSsrc(ssrc);
  packet->setSequenceNumber(seq);
  packet->setTimestamp(ts);
  FUZZ_REQUIRE(packet->setPayloadType(pt));
  FUZZ_REQUIRE(!packet->setPayloadType(static_cast<uint8_t>(pt | 0x80)));
  packet->setMarker(marker);
  if (packet->csrcCount() > 0) FUZZ_REQUIRE(packet->setCsrc(packet->csrcCount() - 1, ssrc));
  FUZZ_REQUIRE(!packet->setCsrc(packet->csrcCount(), ssrc));

  std::vector<Element> elements = elementsOf(*packet);
  if (!elements.empty()) {
    // Same-size overwrite of the first element with some id, then a wrong-size one.
    const Element& e = elements.front();
    const auto firstWithId = packet->extension(e.id);
    std::vector<uint8_t> value(e.size, control);
    FUZZ_REQUIRE(packet->setExtensionValue(e.id, value));
    FUZZ_REQUIRE(sameBytes(*firstWithId, value));
    value.push_back(0);
    FUZZ_REQUIRE(!packet->setExtensionValue(e.id, value));
  }
  const std::vector<uint8_t> extensionBefore(packet->extensionBytes().begin(),
                                             packet->extensionBytes().end());

  const RtpExtensionIdMap map = mapFor(control, buf);
  const std::vector<uint8_t> beforeRemap = buf;
  const bool remapped = packet->remapExtensionIds(map);
  bool shouldFail = false;
  if (packet->extensionForm() == RtpExtensionForm::kOneByte) {
    for (const Element& e : elements)
      shouldFail = shouldFail || map[e.id] > 14;
  }
  FUZZ_REQUIRE(remapped == !shouldFail);
  if (!remapped) FUZZ_REQUIRE(buf == beforeRemap);

  const auto again = RtpPacket::parse(buf);
  FUZZ_REQUIRE(again);
  FUZZ_REQUIRE(again->headerSize() == headerSize);
  FUZZ_REQUIRE(again->paddingSize() == paddingSize);
  FUZZ_REQUIRE(sameBytes(again->payload(), payload));
  FUZZ_REQUIRE(sameBytes(std::span(buf).last(paddingSize), padding));
  FUZZ_REQUIRE(again->ssrc() == ssrc && again->sequenceNumber() == seq && again->timestamp() == ts);
  FUZZ_REQUIRE(again->payloadType() == pt && again->marker() == marker);

  // The elements after the remap: the same ones (same data, same place), dropped ones gone.
  const std::vector<Element> after = elementsOf(*again);
  size_t j = 0;
  for (const Element& e : elements) {
    const uint8_t target = remapped ? map[e.id] : e.id;
    if (target == 0) continue;
    FUZZ_REQUIRE(j < after.size());
    FUZZ_REQUIRE(after[j].id == target && after[j].offset == e.offset && after[j].size == e.size);
    ++j;
  }
  FUZZ_REQUIRE(j == after.size());
  if (again->extensionForm() == RtpExtensionForm::kOther) {
    FUZZ_REQUIRE(sameBytes(again->extensionBytes(), extensionBefore));
  }
}

void exerciseHelpers(std::span<const uint8_t> packet) {
  gSink = gSink + isRtpOrRtcp(packet) + isRtp(packet) + isRtcp(packet);
  if (packet.size() >= 4) {
    const auto a = static_cast<uint16_t>((packet[0] << 8) | packet[1]);
    const auto b = static_cast<uint16_t>((packet[2] << 8) | packet[3]);
    FUZZ_REQUIRE(a == b || seqNewer(a, b) != seqNewer(b, a));
    FUZZ_REQUIRE(static_cast<uint16_t>(b + seqDelta(a, b)) == a);
    SeqUnwrapper unwrapper;
    for (size_t i = 0; i + 1 < packet.size() && i < 64; i += 2) {
      const auto s = static_cast<uint16_t>((packet[i] << 8) | packet[i + 1]);
      FUZZ_REQUIRE(static_cast<uint16_t>(unwrapper.unwrap(s)) == s);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::span<const uint8_t> input(data + 1, size - 1);
  exerciseHelpers(input);

  std::vector<uint8_t> buf(input.begin(), input.end());
  const auto view = RtpPacketView::parse(input);
  FUZZ_REQUIRE(view.has_value() == RtpPacket::parse(buf).has_value());
  if (!view) return 0;

  readEverything(*view);
  const std::vector<Element> elements = elementsOf(*view);
  checkLookups(*view, elements);
  checkRebuild(*view, elements);
  checkRewrites(control, buf);
  return 0;
}
