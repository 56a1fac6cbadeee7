// SrtpSession over the real libsrtp (OpenSSL backend): round trips, tag sizes, replay, tampering,
// truncation, wrong keys, retransmission, buffer room and the replay window, for every profile.
#include "media/srtp/SrtpSession.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "media/srtp/SrtpLibrary.h"
#include "media/util/BigEndian.h"
#include "tests/media/srtp/SrtpTestPackets.h"

using namespace switchyard::media::srtp;
using switchyard::media::srtp::test::kAllProfiles;
using switchyard::media::srtp::test::makeCompoundSrSdes;
using switchyard::media::srtp::test::makeKeySalt;
using switchyard::media::srtp::test::makeRtp;
using switchyard::media::srtp::test::PacketBuffer;

namespace {

struct Pair {
  SrtpSession out;
  SrtpSession in;
};

Pair makePair(SrtpProfile profile, uint32_t window = kSrtpDefaultReplayWindow, uint8_t seed = 1) {
  const SrtpKeySalt keySalt = makeKeySalt(profile, seed);
  auto out = SrtpSession::create(SrtpDirection::kOutbound, keySalt, window);
  auto in = SrtpSession::create(SrtpDirection::kInbound, keySalt, window);
  REQUIRE(out);
  REQUIRE(in);
  return Pair{std::move(*out), std::move(*in)};
}

std::string profileName(SrtpProfile profile) {
  return std::string(srtpProfileOpenSslName(profile));
}

// Protects an RTP packet and returns the SRTP bytes.
PacketBuffer protectedRtp(SrtpSession& out, uint16_t seq, uint32_t ssrc, size_t payload) {
  PacketBuffer b = makeRtp(seq, ssrc, payload);
  REQUIRE(out.protectRtp(b.span(), b.length) == SrtpResult::kOk);
  return b;
}

}  // namespace

TEST_CASE("SrtpSession: RTP round trip of video and audio sized packets, every profile") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    for (const size_t payload : {size_t{1200}, size_t{160}}) {
      DYNAMIC_SECTION(profileName(profile) << " payload " << payload) {
        Pair p = makePair(profile);
        const PacketBuffer plain = makeRtp(1000, 0x11223344, payload);
        PacketBuffer b = plain;
        REQUIRE(p.out.protectRtp(b.span(), b.length) == SrtpResult::kOk);
        // RFC 3711 §3.1 / RFC 7714 §5: the packet grows by the tag (no MKI): 10 or 16 bytes.
        CHECK(b.length == plain.length + srtpTagLength(profile));
        CHECK(srtpTagLength(profile) == (profile == SrtpProfile::kAes128CmSha1_80 ? 10U : 16U));
        // Header stays in the clear; the payload is encrypted.
        CHECK(std::equal(b.bytes.begin(), b.bytes.begin() + 12, plain.bytes.begin()));
        size_t same = 0;
        for (size_t i = 12; i < plain.length; ++i)
          same += b.bytes[i] == plain.bytes[i] ? 1U : 0U;
        CHECK(same < payload / 16 + 2);  // a keystream matches by chance about 1 byte in 256

        REQUIRE(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);
        CHECK(b.packet() == plain.packet());
        for (size_t i = 0; i < payload; ++i)
          REQUIRE(b.bytes[12 + i] == test::payloadByte(i, 1000));
        CHECK(p.out.rtpCounters().ok == 1);
        CHECK(p.in.rtpCounters().ok == 1);
        CHECK(p.in.rtpCounters().dropped() == 0);
      }
    }
  }
}

TEST_CASE("SrtpSession: RTCP compound SR+SDES round trip, every profile") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      const PacketBuffer plain = makeCompoundSrSdes(0x11223344);
      REQUIRE(plain.length == 56);
      PacketBuffer b = plain;
      REQUIRE(p.out.protectRtcp(b.span(), b.length) == SrtpResult::kOk);
      // RFC 3711 §3.4: E flag + 31-bit SRTCP index (4 bytes), then the tag.
      CHECK(b.length == plain.length + 4 + srtpTagLength(profile));
      CHECK(b.length == plain.length + srtcpOverhead(profile));
      // The first 8 bytes (header + SSRC) are in the clear, the E bit is set, index 1 comes first.
      CHECK(std::equal(b.bytes.begin(), b.bytes.begin() + 8, plain.bytes.begin()));
      // AES-CM (RFC 3711 §3.4): E+index precede the tag; AEAD (RFC 7714 §9, as libsrtp lays it
      // out): ciphertext, tag, then E+index.
      const size_t indexAt = profile == SrtpProfile::kAes128CmSha1_80 ? plain.length : plain.length + 16;
      CHECK(switchyard::media::util::read32(b.bytes.data() + indexAt) == 0x80000001U);
      CHECK(!std::equal(b.bytes.begin() + 8, b.bytes.begin() + 56, plain.bytes.begin() + 8));

      REQUIRE(p.in.unprotectRtcp(b.span(), b.length) == SrtpResult::kOk);
      CHECK(b.packet() == plain.packet());
      // The next one carries index 2.
      PacketBuffer second = plain;
      REQUIRE(p.out.protectRtcp(second.span(), second.length) == SrtpResult::kOk);
      CHECK(switchyard::media::util::read32(second.bytes.data() + indexAt) == 0x80000002U);
      REQUIRE(p.in.unprotectRtcp(second.span(), second.length) == SrtpResult::kOk);
      CHECK(p.in.rtcpCounters().ok == 2);
      CHECK(p.in.rtpCounters().total() == 0);
    }
  }
}

TEST_CASE("SrtpSession: new SSRCs on the same sessions need no re-keying") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      // A video SSRC, its RTX SSRC and an audio SSRC, interleaved, plus RTCP from two SSRCs.
      const std::array<uint32_t, 3> ssrcs{0x11111111, 0x22222222, 0xfffffffe};
      for (uint16_t seq = 0; seq < 20; ++seq) {
        for (const uint32_t ssrc : ssrcs) {
          const PacketBuffer plain = makeRtp(static_cast<uint16_t>(seq + ssrc), ssrc, 100 + seq);
          PacketBuffer b = plain;
          REQUIRE(p.out.protectRtp(b.span(), b.length) == SrtpResult::kOk);
          REQUIRE(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);
          REQUIRE(b.packet() == plain.packet());
        }
      }
      for (const uint32_t ssrc : ssrcs) {
        PacketBuffer b = makeCompoundSrSdes(ssrc);
        REQUIRE(p.out.protectRtcp(b.span(), b.length) == SrtpResult::kOk);
        REQUIRE(p.in.unprotectRtcp(b.span(), b.length) == SrtpResult::kOk);
      }
      CHECK(p.in.rtpCounters().ok == 60);
      CHECK(p.in.rtcpCounters().ok == 3);
      // Streams are per SSRC: removing one works once.
      CHECK(p.in.removeStream(0x22222222));
      CHECK_FALSE(p.in.removeStream(0x22222222));
      CHECK(p.out.removeStream(0xfffffffe));
      CHECK_FALSE(p.out.removeStream(0x12345678));
    }
  }
}

TEST_CASE("SrtpSession: a replayed packet is rejected and counted") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      const PacketBuffer wire = protectedRtp(p.out, 7, 0xabcdef01, 160);
      PacketBuffer first = wire;
      REQUIRE(p.in.unprotectRtp(first.span(), first.length) == SrtpResult::kOk);
      PacketBuffer again = wire;
      CHECK(p.in.unprotectRtp(again.span(), again.length) == SrtpResult::kReplay);
      CHECK(again.length == wire.length);  // unchanged on failure
      CHECK(p.in.rtpCounters().replay == 1);

      PacketBuffer rtcp = makeCompoundSrSdes(0xabcdef01);
      REQUIRE(p.out.protectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kOk);
      PacketBuffer rtcpCopy = rtcp;
      REQUIRE(p.in.unprotectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kOk);
      CHECK(p.in.unprotectRtcp(rtcpCopy.span(), rtcpCopy.length) == SrtpResult::kReplay);
      CHECK(p.in.rtcpCounters().replay == 1);
      CHECK(p.in.rtcpCounters().ok == 1);
    }
  }
}

TEST_CASE("SrtpSession: any flipped bit fails authentication; the genuine packet still passes") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      const PacketBuffer wire = protectedRtp(p.out, 300, 0x01020304, 160);
      uint64_t authFailed = 0;
      uint64_t badPacket = 0;
      for (size_t i = 0; i < wire.length; ++i) {
        PacketBuffer b = wire;
        b.bytes[i] ^= static_cast<uint8_t>(1U << (i % 8));
        const SrtpResult r = p.in.unprotectRtp(b.span(), b.length);
        INFO("byte " << i << " -> " << srtpResultName(r));
        if (i >= 12) {
          REQUIRE(r == SrtpResult::kAuthFailed);  // payload and tag
        } else {
          // A header bit: version bits are rejected before libsrtp; CC/X bits may make the
          // header longer than the packet; everything else fails the tag.
          REQUIRE((r == SrtpResult::kAuthFailed || r == SrtpResult::kBadPacket));
        }
        (r == SrtpResult::kAuthFailed ? authFailed : badPacket)++;
      }
      CHECK(p.in.rtpCounters().authFailed == authFailed);
      CHECK(p.in.rtpCounters().badPacket == badPacket);
      CHECK(authFailed >= wire.length - 12);
      PacketBuffer genuine = wire;
      CHECK(p.in.unprotectRtp(genuine.span(), genuine.length) == SrtpResult::kOk);

      // RTCP: flip one bit in the encrypted body, the index and the tag.
      PacketBuffer rtcp = makeCompoundSrSdes(0x01020304);
      REQUIRE(p.out.protectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kOk);
      for (const size_t i : {size_t{1}, size_t{5}, size_t{20}, size_t{56}, size_t{59}, rtcp.length - 1}) {
        PacketBuffer b = rtcp;
        b.bytes[i] ^= 0x10;
        INFO("rtcp byte " << i);
        CHECK(p.in.unprotectRtcp(b.span(), b.length) == SrtpResult::kAuthFailed);
      }
      CHECK(p.in.rtcpCounters().authFailed == 6);
      CHECK(p.in.unprotectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kOk);
    }
  }
}

TEST_CASE("SrtpSession: truncated packets and random garbage never pass and never crash") {
  SrtpLibrary library;
  std::mt19937 rng(20240607);
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      const PacketBuffer wire = protectedRtp(p.out, 42, 0x55667788, 160);
      PacketBuffer rtcpWire = makeCompoundSrSdes(0x55667788);
      REQUIRE(p.out.protectRtcp(rtcpWire.span(), rtcpWire.length) == SrtpResult::kOk);

      // Every truncation of a genuine packet, including every length 0..20.
      for (size_t len = 0; len < wire.length; ++len) {
        PacketBuffer b = wire;
        b.length = len;
        const SrtpResult r = p.in.unprotectRtp(b.span(), b.length);
        INFO("rtp length " << len << " -> " << srtpResultName(r));
        REQUIRE((r == SrtpResult::kBadPacket || r == SrtpResult::kAuthFailed));
        if (len < 12) REQUIRE(r == SrtpResult::kBadPacket);
        REQUIRE(b.length == len);
      }
      for (size_t len = 0; len < rtcpWire.length; ++len) {
        PacketBuffer b = rtcpWire;
        b.length = len;
        const SrtpResult r = p.in.unprotectRtcp(b.span(), b.length);
        INFO("rtcp length " << len << " -> " << srtpResultName(r));
        REQUIRE((r == SrtpResult::kBadPacket || r == SrtpResult::kAuthFailed));
        if (len < 8 + 4 + srtpTagLength(profile)) REQUIRE(r == SrtpResult::kBadPacket);
      }
      // An exact-size span (no slack behind the packet), every length 0..20.
      for (size_t len = 0; len <= 20; ++len) {
        std::vector<uint8_t> exact(wire.bytes.begin(), wire.bytes.begin() + static_cast<std::ptrdiff_t>(len));
        size_t l = len;
        REQUIRE(p.in.unprotectRtp(exact, l) != SrtpResult::kOk);
        l = len;
        REQUIRE(p.in.unprotectRtcp(exact, l) != SrtpResult::kOk);
      }
      // A length past the span is a caller error, reported, not read.
      {
        PacketBuffer b = wire;
        size_t tooLong = wire.length + 1;
        CHECK(p.in.unprotectRtp(std::span<uint8_t>(b.bytes.data(), wire.length), tooLong) ==
              SrtpResult::kBadPacket);
      }
      // Random garbage, with and without a plausible RTP/RTCP first byte.
      for (int round = 0; round < 2000; ++round) {
        PacketBuffer b;
        b.length = std::uniform_int_distribution<size_t>(0, 1400)(rng);
        for (size_t i = 0; i < b.length; ++i)
          b.bytes[i] = static_cast<uint8_t>(rng());
        if (round % 2 == 0 && b.length > 0) b.bytes[0] = static_cast<uint8_t>(0x80 | (b.bytes[0] & 0x3f));
        const bool rtcp = round % 4 >= 2;
        if (rtcp && b.length > 1) b.bytes[1] = static_cast<uint8_t>(200 + round % 8);
        const SrtpResult r =
            rtcp ? p.in.unprotectRtcp(b.span(), b.length) : p.in.unprotectRtp(b.span(), b.length);
        INFO("round " << round << " length " << b.length << " -> " << srtpResultName(r));
        REQUIRE((r == SrtpResult::kBadPacket || r == SrtpResult::kAuthFailed));
      }
      CHECK(p.in.rtpCounters().ok == 0);
      CHECK(p.in.rtcpCounters().ok == 0);
      // The session still works afterwards.
      PacketBuffer genuine = wire;
      CHECK(p.in.unprotectRtp(genuine.span(), genuine.length) == SrtpResult::kOk);
    }
  }
}

TEST_CASE("SrtpSession: a wrong key fails authentication") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      auto out = SrtpSession::create(SrtpDirection::kOutbound, makeKeySalt(profile, 1));
      auto in = SrtpSession::create(SrtpDirection::kInbound, makeKeySalt(profile, 2));
      REQUIRE(out);
      REQUIRE(in);
      // Same key, different salt only: still a different session key and salt.
      SrtpKeySalt saltOnly = makeKeySalt(profile, 1);
      saltOnly.bytes[srtpKeySaltLength(profile) - 1] ^= 1;
      auto inSalt = SrtpSession::create(SrtpDirection::kInbound, saltOnly);
      REQUIRE(inSalt);

      PacketBuffer b = protectedRtp(*out, 1, 0x12345678, 1200);
      PacketBuffer c = b;
      CHECK(in->unprotectRtp(b.span(), b.length) == SrtpResult::kAuthFailed);
      CHECK(inSalt->unprotectRtp(c.span(), c.length) == SrtpResult::kAuthFailed);
      PacketBuffer rtcp = makeCompoundSrSdes(0x12345678);
      REQUIRE(out->protectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kOk);
      CHECK(in->unprotectRtcp(rtcp.span(), rtcp.length) == SrtpResult::kAuthFailed);
      CHECK(in->rtpCounters().authFailed == 1);
      CHECK(in->rtcpCounters().authFailed == 1);
    }
  }
}

TEST_CASE("SrtpSession: outbound may re-protect a sequence number (retransmission)") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      for (uint16_t seq = 100; seq < 110; ++seq)
        (void)protectedRtp(p.out, seq, 0x0a0b0c0d, 500);
      // A NACKed packet re-sent under its original sequence number, with the same payload.
      const PacketBuffer first = protectedRtp(p.out, 103, 0x0a0b0c0d, 500);
      const PacketBuffer second = protectedRtp(p.out, 103, 0x0a0b0c0d, 500);
      CHECK(first.packet() == second.packet());
      CHECK(p.out.rtpCounters().ok == 12);
      PacketBuffer a = first;
      PacketBuffer b = second;
      CHECK(p.in.unprotectRtp(a.span(), a.length) == SrtpResult::kOk);
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kReplay);  // the receiver dedups
    }
  }
}

TEST_CASE("SrtpSession: no trailer room gives kNoRoom without writing") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      const PacketBuffer plain = makeRtp(5, 0x01010101, 160);
      for (const size_t slack : {size_t{0}, size_t{1}, srtpTagLength(profile), kSrtpMaxTrailer - 1}) {
        PacketBuffer b = plain;
        std::fill(b.bytes.begin() + static_cast<std::ptrdiff_t>(b.length), b.bytes.end(), 0xee);
        const std::vector<uint8_t> before = b.bytes;
        size_t length = b.length;
        INFO("slack " << slack);
        CHECK(p.out.protectRtp(std::span<uint8_t>(b.bytes.data(), length + slack), length) ==
              SrtpResult::kNoRoom);
        CHECK(length == plain.length);
        CHECK(b.bytes == before);  // nothing written, inside or past the span
      }
      {
        PacketBuffer b = plain;
        size_t length = b.length;
        CHECK(p.out.protectRtp(std::span<uint8_t>(b.bytes.data(), length + kSrtpMaxTrailer), length) ==
              SrtpResult::kOk);
      }
      const PacketBuffer rtcpPlain = makeCompoundSrSdes(0x01010101);
      {
        PacketBuffer b = rtcpPlain;
        size_t length = b.length;
        CHECK(p.out.protectRtcp(std::span<uint8_t>(b.bytes.data(), length + kSrtcpMaxTrailer - 1), length) ==
              SrtpResult::kNoRoom);
        CHECK(p.out.protectRtcp(std::span<uint8_t>(b.bytes.data(), length + kSrtcpMaxTrailer), length) ==
              SrtpResult::kOk);
      }
      CHECK(p.out.rtpCounters().noRoom == 4);
      CHECK(p.out.rtcpCounters().noRoom == 1);
      // A too-short or non-v2 packet to protect is a bad packet.
      PacketBuffer shortOne = plain;
      shortOne.length = 11;
      CHECK(p.out.protectRtp(shortOne.span(), shortOne.length) == SrtpResult::kBadPacket);
      PacketBuffer v1 = plain;
      v1.bytes[0] = 0x40;
      CHECK(p.out.protectRtp(v1.span(), v1.length) == SrtpResult::kBadPacket);
    }
  }
}

TEST_CASE("SrtpSession: the replay window size is honoured") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile, 1024);
      Pair small = makePair(profile, 64, 9);
      REQUIRE(p.in.replayWindow() == 1024);
      // Pre-protect the late packets first (the sender sent them before the newest one).
      const uint32_t ssrc = 0x77777777;
      const PacketBuffer behind2000 = protectedRtp(p.out, 8000, ssrc, 160);
      const PacketBuffer behind1024 = protectedRtp(p.out, 8976, ssrc, 160);
      const PacketBuffer behind1023 = protectedRtp(p.out, 8977, ssrc, 160);
      const PacketBuffer behind500 = protectedRtp(p.out, 9500, ssrc, 160);
      const PacketBuffer newest = protectedRtp(p.out, 10000, ssrc, 160);
      PacketBuffer b = newest;
      REQUIRE(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);

      b = behind2000;
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kReplay);  // older than the window
      b = behind500;
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);  // late but inside: once
      b = behind500;
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kReplay);
      // The exact edge: libsrtp keeps the newest index and the 1023 before it.
      b = behind1023;
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);
      b = behind1024;
      CHECK(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kReplay);
      CHECK(p.in.rtpCounters().replay == 3);
      CHECK(p.in.rtpCounters().ok == 3);

      // With a 64-packet window, 500 behind is too old.
      const PacketBuffer smallLate = protectedRtp(small.out, 9500, ssrc, 160);
      const PacketBuffer smallNewest = protectedRtp(small.out, 10000, ssrc, 160);
      b = smallNewest;
      REQUIRE(small.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);
      b = smallLate;
      CHECK(small.in.unprotectRtp(b.span(), b.length) == SrtpResult::kReplay);
    }
  }
}

TEST_CASE("SrtpSession: sequence numbers wrap into the next rollover counter") {
  SrtpLibrary library;
  for (const SrtpProfile profile : kAllProfiles) {
    DYNAMIC_SECTION(profileName(profile)) {
      Pair p = makePair(profile);
      for (uint32_t i = 0; i < 40; ++i) {
        const auto seq = static_cast<uint16_t>(65520 + i);
        const PacketBuffer plain = makeRtp(seq, 0x31415926, 64);
        PacketBuffer b = plain;
        REQUIRE(p.out.protectRtp(b.span(), b.length) == SrtpResult::kOk);
        REQUIRE(p.in.unprotectRtp(b.span(), b.length) == SrtpResult::kOk);
        REQUIRE(b.packet() == plain.packet());
      }
    }
  }
}

TEST_CASE("SrtpSession: creation checks and direction misuse") {
  SrtpLibrary library;
  const SrtpKeySalt keySalt = makeKeySalt(SrtpProfile::kAeadAes128Gcm, 3);
  std::string error;
  CHECK_FALSE(SrtpSession::create(SrtpDirection::kInbound, keySalt, 63, &error));
  CHECK(error.find("replay window") != std::string::npos);
  CHECK_FALSE(SrtpSession::create(SrtpDirection::kInbound, keySalt, 40000));
  CHECK_FALSE(SrtpSession::create(SrtpDirection::kInbound, keySalt, 0));
  auto max = SrtpSession::create(SrtpDirection::kInbound, keySalt, 32768);  // config maximum, clamped
  REQUIRE(max);
  CHECK(max->replayWindow() == 32767);
  CHECK(SrtpSession::create(SrtpDirection::kInbound, keySalt, 64));
  SrtpKeySalt bad = keySalt;
  bad.profile = static_cast<SrtpProfile>(7);
  error.clear();
  CHECK_FALSE(SrtpSession::create(SrtpDirection::kOutbound, bad, 1024, &error));
  CHECK_FALSE(error.empty());

  Pair p = makePair(SrtpProfile::kAes128CmSha1_80);
  CHECK(p.out.direction() == SrtpDirection::kOutbound);
  CHECK(p.in.direction() == SrtpDirection::kInbound);
  CHECK(p.in.profile() == SrtpProfile::kAes128CmSha1_80);
  PacketBuffer b = makeRtp(1, 2, 100);
  const size_t before = b.length;
  CHECK(p.in.protectRtp(b.span(), b.length) == SrtpResult::kFailed);
  CHECK(p.in.protectRtcp(b.span(), b.length) == SrtpResult::kFailed);
  CHECK(p.out.unprotectRtp(b.span(), b.length) == SrtpResult::kFailed);
  CHECK(p.out.unprotectRtcp(b.span(), b.length) == SrtpResult::kFailed);
  CHECK(b.length == before);
  CHECK(p.in.rtpCounters().failed == 1);
  CHECK(p.out.rtcpCounters().failed == 1);

  // Sessions are movable; the moved-to one keeps working and counting.
  SrtpSession moved = std::move(p.out);
  PacketBuffer m = makeRtp(2, 2, 100);
  CHECK(moved.protectRtp(m.span(), m.length) == SrtpResult::kOk);
  CHECK(moved.rtpCounters().ok == 1);
}

TEST_CASE("SrtpLibrary: sessions need a live library, instances are reference counted") {
  CHECK_FALSE(SrtpLibrary::initialised());
  std::string error;
  CHECK_FALSE(SrtpSession::create(SrtpDirection::kInbound, makeKeySalt(SrtpProfile::kAes128CmSha1_80, 1),
                                  1024, &error));
  CHECK_FALSE(error.empty());
  {
    SrtpLibrary outer;
    CHECK(SrtpLibrary::initialised());
    CHECK(std::string(SrtpLibrary::version()).find("2.5") != std::string::npos);
    {
      SrtpLibrary inner;
      CHECK(SrtpLibrary::initialised());
    }
    CHECK(SrtpLibrary::initialised());
    CHECK(SrtpSession::create(SrtpDirection::kInbound, makeKeySalt(SrtpProfile::kAes128CmSha1_80, 1)));
  }
  CHECK_FALSE(SrtpLibrary::initialised());
}
