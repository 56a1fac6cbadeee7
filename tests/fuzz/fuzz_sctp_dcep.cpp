// Fuzzes the DCEP codec (RFC 8832): DATA_CHANNEL_OPEN and DATA_CHANNEL_ACK parse, then rewrite.
// On a successful OPEN parse: read every field, rebuild with writeDcepOpen() from params() and
// require the output to equal the input byte for byte (except the reliability parameter of a
// reliable channel, which the builder writes as 0 and the parser ignores), then re-parse and
// compare every field; the builder must also fail on every shorter buffer. An ACK must be exactly
// one byte and rewrite identically. dcepMessageType() must agree with whichever parser accepted.
// The PPID helpers are exercised with the first four bytes as a PPID. Traps otherwise.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "media/sctp/DcepAck.h"
#include "media/sctp/DcepMessageType.h"
#include "media/sctp/DcepOpen.h"
#include "media/sctp/Ppid.h"
#include "media/util/BigEndian.h"

namespace {

using namespace switchyard::media::sctp;  // NOLINT(google-build-using-namespace)

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

volatile uint64_t gSink = 0;

void checkOpen(std::span<const uint8_t> input, const DcepOpen& open) {
  FUZZ_REQUIRE(dcepMessageType(input) == DcepMessageType::kOpen);
  FUZZ_REQUIRE(!DcepAck::parse(input));
  const DcepOpenParams p = open.params();
  FUZZ_REQUIRE(p.label.size() + p.protocol.size() + kDcepOpenHeaderSize == input.size());
  FUZZ_REQUIRE(dcepChannelType(p.reliability, p.ordered) == open.channelType());
  if (p.reliability == DcepReliability::kReliable) FUZZ_REQUIRE(p.reliabilityParameter == 0);
  uint64_t sum = p.priority + p.reliabilityParameter + open.rawReliabilityParameter();
  for (char c : p.label)
    sum += static_cast<uint8_t>(c);
  for (char c : p.protocol)
    sum += static_cast<uint8_t>(c);
  gSink = gSink + sum;

  std::vector<uint8_t> expected(input.begin(), input.end());
  if (p.reliability == DcepReliability::kReliable) switchyard::media::util::write32(expected.data() + 4, 0);

  FUZZ_REQUIRE(dcepOpenSize(p) == input.size());
  std::vector<uint8_t> out(input.size() + 3, 0xa5);
  const auto n = writeDcepOpen(out, p);
  FUZZ_REQUIRE(n && *n == input.size());
  FUZZ_REQUIRE(std::memcmp(out.data(), expected.data(), expected.size()) == 0);
  for (size_t i = expected.size(); i < out.size(); ++i)
    FUZZ_REQUIRE(out[i] == 0xa5);

  // The builder refuses every buffer shorter than the message (checked at a few sizes).
  for (size_t shorter : {size_t{0}, kDcepOpenHeaderSize - 1, input.size() - 1}) {
    if (shorter < input.size()) FUZZ_REQUIRE(!writeDcepOpen(std::span<uint8_t>(out).first(shorter), p));
  }

  const auto again = DcepOpen::parse(std::span<const uint8_t>(out).first(*n));
  FUZZ_REQUIRE(again);
  FUZZ_REQUIRE(again->channelType() == open.channelType());
  FUZZ_REQUIRE(again->ordered() == open.ordered());
  FUZZ_REQUIRE(again->reliability() == open.reliability());
  FUZZ_REQUIRE(again->reliabilityParameter() == open.reliabilityParameter());
  FUZZ_REQUIRE(again->priority() == open.priority());
  FUZZ_REQUIRE(again->label() == open.label());
  FUZZ_REQUIRE(again->protocol() == open.protocol());
}

void checkPpid(std::span<const uint8_t> input) {
  if (input.size() < 4) return;
  const uint32_t ppid = switchyard::media::util::read32(input.data());
  const auto payload = input.subspan(4);
  const auto in = incomingData(ppid, payload);
  FUZZ_REQUIRE(in.has_value() == isDataPpid(ppid));
  if (!in) return;
  FUZZ_REQUIRE(in->kind == dataKindOf(ppid));
  FUZZ_REQUIRE(in->message.size() == (isEmptyPpid(ppid) ? 0 : payload.size()));
  const auto outgoing = outgoingData(in->kind, in->message);
  FUZZ_REQUIRE(!outgoing.payload.empty());
  FUZZ_REQUIRE(dataKindOf(toWire(outgoing.ppid)) == in->kind);
  FUZZ_REQUIRE(isEmptyPpid(toWire(outgoing.ppid)) == in->message.empty());
  const auto back = incomingData(toWire(outgoing.ppid), outgoing.payload);
  FUZZ_REQUIRE(back && back->kind == in->kind && back->message.size() == in->message.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const auto type = dcepMessageType(input);
  if (!input.empty()) FUZZ_REQUIRE(type.has_value() == (input[0] == 0x02 || input[0] == 0x03));

  if (const auto open = DcepOpen::parse(input)) {
    checkOpen(input, *open);
  } else if (DcepAck::parse(input)) {
    FUZZ_REQUIRE(input.size() == 1 && type == DcepMessageType::kAck);
    uint8_t out[2] = {0, 0x5a};
    FUZZ_REQUIRE(writeDcepAck(out) == 1u);
    FUZZ_REQUIRE(out[0] == input[0] && out[1] == 0x5a);
  } else {
    FUZZ_REQUIRE(!(type == DcepMessageType::kAck && size == 1));
  }
  checkPpid(input);
  return 0;
}
