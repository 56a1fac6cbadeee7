// Fuzzes the RFC 4588 RTX wrap/unwrap (media/rtp/RtxPacket.h).
// Input: byte 0 picks the payload types, SSRCs and RTX sequence number, the rest is the packet.
//  - unwrap the bytes as an RTX packet: it succeeds exactly for a valid RTP packet with >= 2
//    payload bytes, leaves a failed input untouched, and gives the header with PT/seq(=OSN)/SSRC
//    replaced, P clear, the payload after the OSN and no padding; re-wrapping that with the RTX
//    fields gives the input without its padding, and unwrapping that again the same original.
//  - wrap the bytes as an original: it succeeds exactly for a valid RTP packet, fails one byte
//    short, matches an in-place wrap, and unwraps back to the input without its padding.
// Traps otherwise.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "media/rtp/RtpPacket.h"
#include "media/rtp/RtxPacket.h"
#include "media/util/BigEndian.h"

namespace {

using namespace switchyard::media::rtp;  // NOLINT(google-build-using-namespace)
using Bytes = std::vector<uint8_t>;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

// `packet` (valid RTP) without its padding bytes and with the P bit clear.
Bytes withoutPadding(std::span<const uint8_t> packet) {
  const auto view = RtpPacketView::parse(packet);
  FUZZ_REQUIRE(view);
  Bytes out(packet.begin(), packet.end() - static_cast<std::ptrdiff_t>(view->paddingSize()));
  out[0] = static_cast<uint8_t>(out[0] & ~0x20);
  return out;
}

void checkUnwrap(std::span<const uint8_t> input, uint8_t pt, uint32_t ssrc) {
  Bytes buf(input.begin(), input.end());
  const auto rtx = RtpPacketView::parse(input);
  const bool expectOk = rtx && rtx->payloadSize() >= kRtxOsnSize;
  const auto size = unwrapRtx(buf, pt, ssrc);
  FUZZ_REQUIRE(size.has_value() == expectOk);
  if (!size) {
    FUZZ_REQUIRE(buf == Bytes(input.begin(), input.end()));
    return;
  }
  const size_t headerSize = rtx->headerSize();
  FUZZ_REQUIRE(*size == headerSize + rtx->payloadSize() - kRtxOsnSize);
  buf.resize(*size);

  // Built by hand: the RTX header with P clear and PT/seq/SSRC replaced, then payload[2:].
  Bytes expected(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(headerSize));
  expected[0] = static_cast<uint8_t>(expected[0] & ~0x20);
  expected[1] = static_cast<uint8_t>((expected[1] & 0x80) | pt);
  const uint16_t osn = switchyard::media::util::read16(rtx->payload().data());
  switchyard::media::util::write16(expected.data() + 2, osn);
  switchyard::media::util::write32(expected.data() + 8, ssrc);
  expected.insert(expected.end(), rtx->payload().begin() + kRtxOsnSize, rtx->payload().end());
  FUZZ_REQUIRE(buf == expected);

  const auto original = RtpPacketView::parse(buf);
  FUZZ_REQUIRE(original);
  FUZZ_REQUIRE(!original->hasPadding() && original->headerSize() == headerSize);
  FUZZ_REQUIRE(original->sequenceNumber() == osn && original->payloadType() == pt &&
               original->ssrc() == ssrc);
  FUZZ_REQUIRE(original->marker() == rtx->marker() && original->timestamp() == rtx->timestamp());

  // Re-wrap with the RTX fields: the input without its padding.
  Bytes rewrapped(buf.size() + kRtxOsnSize);
  const auto wrapped = wrapRtx(buf, rewrapped, rtx->payloadType(), rtx->ssrc(), rtx->sequenceNumber());
  FUZZ_REQUIRE(wrapped && *wrapped == rewrapped.size());
  FUZZ_REQUIRE(rewrapped == withoutPadding(input));

  // And unwrap again: the same original.
  const auto again = unwrapRtx(rewrapped, pt, ssrc);
  FUZZ_REQUIRE(again && *again == buf.size());
  rewrapped.resize(*again);
  FUZZ_REQUIRE(rewrapped == buf);
}

void checkWrap(std::span<const uint8_t> input, uint8_t pt, uint32_t ssrc, uint16_t seq) {
  const auto original = RtpPacketView::parse(input);
  Bytes out(input.size() + kRtxOsnSize);
  const auto size = wrapRtx(input, out, pt, ssrc, seq);
  FUZZ_REQUIRE(size.has_value() == original.has_value());
  if (!size) return;
  FUZZ_REQUIRE(*size == original->headerSize() + kRtxOsnSize + original->payloadSize());
  FUZZ_REQUIRE(!wrapRtx(input, std::span(out).first(*size - 1), pt, ssrc, seq));
  out.resize(*size);

  const auto rtx = RtpPacketView::parse(out);
  FUZZ_REQUIRE(rtx);
  FUZZ_REQUIRE(!rtx->hasPadding() && rtx->headerSize() == original->headerSize());
  FUZZ_REQUIRE(rtx->payloadType() == pt && rtx->ssrc() == ssrc && rtx->sequenceNumber() == seq);
  FUZZ_REQUIRE(rtx->marker() == original->marker() && rtx->timestamp() == original->timestamp());
  FUZZ_REQUIRE(switchyard::media::util::read16(rtx->payload().data()) == original->sequenceNumber());

  // In place (same start, 2 spare bytes) gives the same bytes.
  Bytes inPlace(input.begin(), input.end());
  inPlace.resize(input.size() + kRtxOsnSize);
  const auto inPlaceSize =
      wrapRtx(std::span<const uint8_t>(inPlace).first(input.size()), inPlace, pt, ssrc, seq);
  FUZZ_REQUIRE(inPlaceSize && *inPlaceSize == *size);
  inPlace.resize(*inPlaceSize);
  FUZZ_REQUIRE(inPlace == out);

  // Unwrap: the original without its padding.
  const auto back = unwrapRtx(out, original->payloadType(), original->ssrc());
  FUZZ_REQUIRE(back && *back == *size - kRtxOsnSize);
  out.resize(*back);
  FUZZ_REQUIRE(out == withoutPadding(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t control = data[0];
  const std::span<const uint8_t> input(data + 1, size - 1);
  const auto pt = static_cast<uint8_t>(control & 0x7F);
  const uint32_t ssrc = 0x9E3779B9u * (uint32_t{control} + 1u);
  const auto seq = static_cast<uint16_t>(control * 257u);
  checkUnwrap(input, pt, ssrc);
  checkWrap(input, static_cast<uint8_t>(127 - pt), ~ssrc, seq);
  return 0;
}
