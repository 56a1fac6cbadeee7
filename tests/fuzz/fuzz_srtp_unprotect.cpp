// Fuzzes SrtpSession over the real libsrtp, for every profile:
//  - arbitrary bytes to unprotectRtp and unprotectRtcp of inbound sessions keyed once with a fixed
//    key (static): never kOk (nothing is forged), never a length change on failure, never a crash;
//  - if the input has a complete RTP header (version 2, CSRCs and extension inside), protect it
//    with a fresh outbound session and unprotect it with a fresh inbound one: kOk, the length grew
//    by exactly the tag, and the plaintext is restored byte for byte; the same packet with one bit
//    flipped (position chosen by the input) must be rejected;
//  - the same round trip for RTCP when the input starts like an RTCP header.
// Traps on any violation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "media/srtp/SrtpLibrary.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/BigEndian.h"

namespace {

using namespace switchyard::media::srtp;  // NOLINT(google-build-using-namespace)

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

constexpr std::array<SrtpProfile, 3> kProfiles{SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm,
                                               SrtpProfile::kAeadAes256Gcm};

SrtpKeySalt fixedKey(SrtpProfile profile, uint8_t seed) {
  SrtpKeySalt keySalt;
  keySalt.profile = profile;
  for (size_t i = 0; i < keySalt.bytes.size(); ++i)
    keySalt.bytes[i] = static_cast<uint8_t>(seed ^ (i * 29));
  return keySalt;
}

struct State {
  SrtpLibrary library;
  std::vector<SrtpSession> inbound;

  State() {
    for (const SrtpProfile profile : kProfiles) {
      auto session = SrtpSession::create(SrtpDirection::kInbound, fixedKey(profile, 0x5a));
      FUZZ_REQUIRE(session.has_value());
      inbound.push_back(std::move(*session));
    }
  }
};

State& state() {
  static State s;  // libFuzzer target only: created on the first input
  return s;
}

// A complete RTP header as libsrtp reads it (RFC 3550 §5.1, RFC 8285 §4.2 extension length).
bool hasRtpHeader(const uint8_t* data, size_t size) {
  if (size < 12 || (data[0] >> 6) != 2) return false;
  size_t header = 12 + 4 * size_t{static_cast<uint8_t>(data[0] & 0x0f)};
  if ((data[0] & 0x10) != 0) {
    if (size < header + 4) return false;
    header += 4 + 4 * size_t{switchyard::media::util::read16(data + header + 2)};
  }
  return size >= header;
}

void roundTrip(bool rtcp, SrtpProfile profile, const uint8_t* data, size_t size) {
  auto out = SrtpSession::create(SrtpDirection::kOutbound, fixedKey(profile, 0xa5));
  auto in = SrtpSession::create(SrtpDirection::kInbound, fixedKey(profile, 0xa5));
  FUZZ_REQUIRE(out.has_value() && in.has_value());
  std::vector<uint8_t> buffer(size + kSrtcpMaxTrailer);
  std::memcpy(buffer.data(), data, size);
  size_t length = size;
  const SrtpResult protectedResult =
      rtcp ? out->protectRtcp(buffer, length) : out->protectRtp(buffer, length);
  FUZZ_REQUIRE(protectedResult == SrtpResult::kOk);
  FUZZ_REQUIRE(length == size + (rtcp ? srtcpOverhead(profile) : srtpOverhead(profile)));
  const size_t protectedLength = length;

  // One flipped bit anywhere must be rejected.
  std::vector<uint8_t> tampered(buffer);
  const size_t bit =
      (size_t{data[size - 1]} * 131 + size_t{data[size / 2]} * 7 + size) % (protectedLength * 8);
  tampered[bit / 8] ^= static_cast<uint8_t>(1U << (bit % 8));
  size_t tamperedLength = protectedLength;
  const SrtpResult tamperedResult =
      rtcp ? in->unprotectRtcp(tampered, tamperedLength) : in->unprotectRtp(tampered, tamperedLength);
  FUZZ_REQUIRE(tamperedResult != SrtpResult::kOk);
  FUZZ_REQUIRE(tamperedLength == protectedLength);

  const SrtpResult result = rtcp ? in->unprotectRtcp(buffer, length) : in->unprotectRtp(buffer, length);
  FUZZ_REQUIRE(result == SrtpResult::kOk);
  FUZZ_REQUIRE(length == size);
  FUZZ_REQUIRE(std::memcmp(buffer.data(), data, size) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  State& s = state();
  std::vector<uint8_t> buffer(size + kSrtcpMaxTrailer);
  for (SrtpSession& session : s.inbound) {
    for (const bool rtcp : {false, true}) {
      if (size > 0) std::memcpy(buffer.data(), data, size);
      size_t length = size;
      const auto packet = std::span<uint8_t>(buffer.data(), size);
      const SrtpResult result =
          rtcp ? session.unprotectRtcp(packet, length) : session.unprotectRtp(packet, length);
      FUZZ_REQUIRE(result != SrtpResult::kOk);  // nobody knows the key
      FUZZ_REQUIRE(length == size);
    }
    FUZZ_REQUIRE(session.rtpCounters().ok == 0 && session.rtcpCounters().ok == 0);
  }
  if (hasRtpHeader(data, size)) {
    for (const SrtpProfile profile : kProfiles)
      roundTrip(false, profile, data, size);
  }
  if (size >= 8 && (data[0] >> 6) == 2) {
    for (const SrtpProfile profile : kProfiles)
      roundTrip(true, profile, data, size);
  }
  return 0;
}
