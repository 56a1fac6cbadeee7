#include "media/srtp/SrtpSession.h"

#include <arpa/inet.h>  // htonl
#include <srtp2/srtp.h>
#include <string.h>  // explicit_bzero

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

namespace switchyard::media::srtp {

static_assert(kSrtpMaxTrailer == SRTP_MAX_TRAILER_LEN, "kSrtpMaxTrailer must match libsrtp");
static_assert(srtpTagLength(SrtpProfile::kAeadAes256Gcm) <= SRTP_MAX_TAG_LEN);

namespace {

// No UDP datagram (or RFC 4571 frame) is longer; keeps every length well inside libsrtp's int.
constexpr size_t kMaxPacketLength = 65535;
constexpr size_t kRtpHeaderLength = 12;
constexpr size_t kRtcpHeaderLength = 8;  // V/P/count, PT, length, sender SSRC

bool versionIs2(const uint8_t* packet) noexcept {
  return (packet[0] >> 6) == 2;
}

SrtpResult mapStatus(srtp_err_status_t status) noexcept {
  switch (status) {
    case srtp_err_status_ok:
      return SrtpResult::kOk;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
    case srtp_err_status_pkt_idx_old:
      return SrtpResult::kReplay;
    case srtp_err_status_auth_fail:
      return SrtpResult::kAuthFailed;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return SrtpResult::kBadPacket;
    default:
      return SrtpResult::kFailed;
  }
}

void setCryptoPolicy(SrtpProfile profile, srtp_policy_t& policy) noexcept {
  switch (profile) {
    case SrtpProfile::kAes128CmSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      break;
    case SrtpProfile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      break;
    case SrtpProfile::kAeadAes256Gcm:
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
      break;
  }
}

bool knownProfile(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::kAes128CmSha1_80 || profile == SrtpProfile::kAeadAes128Gcm ||
         profile == SrtpProfile::kAeadAes256Gcm;
}

}  // namespace

void SrtpSession::Deleter::operator()(srtp_ctx_t_* session) const noexcept {
  srtp_dealloc(session);
}

std::optional<SrtpSession> SrtpSession::create(SrtpDirection direction, const SrtpKeySalt& keySalt,
                                               uint32_t replayWindow, std::string* error) {
  auto fail = [error](std::string reason) -> std::optional<SrtpSession> {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  };
  if (!knownProfile(keySalt.profile)) return fail("unknown SRTP profile");
  // The config allows 32768; libsrtp requires window_size < 0x8000.
  if (replayWindow == kSrtpMaxReplayWindow + 1) replayWindow = kSrtpMaxReplayWindow;
  if (replayWindow < kSrtpMinReplayWindow || replayWindow > kSrtpMaxReplayWindow)
    return fail("SRTP replay window " + std::to_string(replayWindow) + " outside [64, 32767]");

  std::array<uint8_t, kSrtpMaxKeySaltLength> key = keySalt.bytes;
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  setCryptoPolicy(keySalt.profile, policy);
  policy.ssrc.type = direction == SrtpDirection::kInbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.ssrc.value = 0;
  policy.key = key.data();
  policy.window_size = replayWindow;
  // An SFU re-sends stored packets (NACK retransmissions) under their original sequence number.
  policy.allow_repeat_tx = direction == SrtpDirection::kOutbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t session = nullptr;
  const srtp_err_status_t status = srtp_create(&session, &policy);
  explicit_bzero(key.data(), key.size());
  if (status != srtp_err_status_ok || session == nullptr) {
    if (session != nullptr) srtp_dealloc(session);
    return fail("srtp_create failed with libsrtp status " + std::to_string(int{status}) +
                (status == srtp_err_status_init_fail || status == srtp_err_status_bad_param
                     ? " (is an SrtpLibrary alive?)"
                     : ""));
  }
  return SrtpSession(session, direction, keySalt.profile, replayWindow);
}

SrtpResult SrtpSession::protect(bool rtcp, std::span<uint8_t> buffer, size_t& length) noexcept {
  SrtpCounters& counters = rtcp ? rtcpCounters_ : rtpCounters_;
  SrtpResult result = SrtpResult::kOk;
  const size_t trailer = rtcp ? kSrtcpMaxTrailer : kSrtpMaxTrailer;
  if (direction_ != SrtpDirection::kOutbound || !session_) {
    result = SrtpResult::kFailed;
  } else if (length > buffer.size() || length > kMaxPacketLength ||
             length < (rtcp ? kRtcpHeaderLength : kRtpHeaderLength) || !versionIs2(buffer.data())) {
    result = SrtpResult::kBadPacket;
  } else if (buffer.size() - length < trailer) {
    result = SrtpResult::kNoRoom;
  } else {
    int len = static_cast<int>(length);
    const srtp_err_status_t status = rtcp ? srtp_protect_rtcp(session_.get(), buffer.data(), &len)
                                          : srtp_protect(session_.get(), buffer.data(), &len);
    result = mapStatus(status);
    if (result == SrtpResult::kOk) {
      if (len < 0 || static_cast<size_t>(len) > length + trailer) {
        result = SrtpResult::kFailed;  // cannot happen; never report a length past the buffer
      } else {
        length = static_cast<size_t>(len);
      }
    }
  }
  counters.count(result);
  return result;
}

SrtpResult SrtpSession::unprotect(bool rtcp, std::span<uint8_t> packet, size_t& length) noexcept {
  SrtpCounters& counters = rtcp ? rtcpCounters_ : rtpCounters_;
  SrtpResult result = SrtpResult::kOk;
  if (direction_ != SrtpDirection::kInbound || !session_) {
    result = SrtpResult::kFailed;
  } else if (length > packet.size() || length > kMaxPacketLength ||
             length < (rtcp ? kRtcpHeaderLength : kRtpHeaderLength) || !versionIs2(packet.data())) {
    result = SrtpResult::kBadPacket;
  } else {
    int len = static_cast<int>(length);
    const srtp_err_status_t status = rtcp ? srtp_unprotect_rtcp(session_.get(), packet.data(), &len)
                                          : srtp_unprotect(session_.get(), packet.data(), &len);
    // An AEAD packet too short to hold its tag comes back as cipher_fail; an SRTCP packet whose
    // E flag contradicts the policy (unencrypted SRTCP is never negotiated) as cant_check.
    result = status == srtp_err_status_cipher_fail || status == srtp_err_status_cant_check
                 ? SrtpResult::kBadPacket
                 : mapStatus(status);
    if (result == SrtpResult::kOk) {
      if (len < 0 || static_cast<size_t>(len) > length) {
        result = SrtpResult::kFailed;  // cannot happen; never report a length past the input
      } else {
        length = static_cast<size_t>(len);
      }
    }
  }
  counters.count(result);
  return result;
}

SrtpResult SrtpSession::protectRtp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return protect(false, buffer, length);
}

SrtpResult SrtpSession::unprotectRtp(std::span<uint8_t> packet, size_t& length) noexcept {
  return unprotect(false, packet, length);
}

SrtpResult SrtpSession::protectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept {
  return protect(true, buffer, length);
}

SrtpResult SrtpSession::unprotectRtcp(std::span<uint8_t> packet, size_t& length) noexcept {
  return unprotect(true, packet, length);
}

bool SrtpSession::removeStream(uint32_t ssrc) noexcept {
  if (!session_) return false;
  // libsrtp compares against the SSRC as it sits in the packet (network order).
  return srtp_remove_stream(session_.get(), htonl(ssrc)) == srtp_err_status_ok;
}

}  // namespace switchyard::media::srtp
