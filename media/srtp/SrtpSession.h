#pragma once
// One libsrtp session (srtp_t) for ONE direction of one DTLS-SRTP association: an inbound session
// unprotects what the peer sends, an outbound session protects what we send (RFC 3711, RFC 7714).
//
// The policy is a wildcard one (ssrc_any_inbound / ssrc_any_outbound): a new SSRC (a new track, RTX,
// padding probes) gets its own stream, cloned from the template on its first packet, without
// re-keying. libsrtp allocates that stream (once per SSRC); everything else on the hot path is
// allocation-free, noexcept and silent: outcomes are returned and counted.
//
// Buffers: protect writes the trailer (tag, and for SRTCP the E flag + index) after `length`, so the
// buffer must have kSrtpMaxTrailer (RTP) / kSrtcpMaxTrailer (RTCP) bytes of room behind the packet,
// as libsrtp's contract demands, even though without MKI it writes at most 16 (RTP) / 20 (RTCP).
// Packets are processed in place; 4-byte alignment of the packet start is what libsrtp assumes.
// On any result but kOk `length` is unchanged; the bytes may have been altered (AES-GCM decrypts
// before its tag check fails), so a failed packet must be dropped, not forwarded.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "media/srtp/SrtpCounters.h"
#include "media/srtp/SrtpDirection.h"
#include "media/srtp/SrtpProfile.h"
#include "media/srtp/SrtpResult.h"

struct srtp_ctx_t_;  // libsrtp's session type; srtp_t is srtp_ctx_t_*

namespace switchyard::media::srtp {

// SRTP_MAX_TRAILER_LEN: the largest SRTP trailer libsrtp may write (16-byte tag + 128-byte MKI).
inline constexpr size_t kSrtpMaxTrailer = 144;
// srtp_protect_rtcp() may write SRTP_MAX_TRAILER_LEN + 4 (the E flag and 31-bit SRTCP index).
inline constexpr size_t kSrtcpMaxTrailer = kSrtpMaxTrailer + 4;

// The RTP replay window (rtc.srtp_replay_window, libsrtp window_size). libsrtp accepts 64..32767;
// SRTCP always uses libsrtp's fixed 128-entry window.
inline constexpr uint32_t kSrtpDefaultReplayWindow = 1024;
inline constexpr uint32_t kSrtpMinReplayWindow = 64;
inline constexpr uint32_t kSrtpMaxReplayWindow = 0x7fff;

// Authentication tag length: 10 bytes for HMAC-SHA1-80 (RFC 3711), 16 for AES-GCM (RFC 7714).
[[nodiscard]] constexpr size_t srtpTagLength(SrtpProfile profile) noexcept {
  return profile == SrtpProfile::kAes128CmSha1_80 ? 10 : 16;
}
// Bytes an SRTP packet grows by when protected (no MKI).
[[nodiscard]] constexpr size_t srtpOverhead(SrtpProfile profile) noexcept {
  return srtpTagLength(profile);
}
// Bytes an SRTCP packet grows by: E flag + 31-bit index (4) and the tag.
[[nodiscard]] constexpr size_t srtcpOverhead(SrtpProfile profile) noexcept {
  return 4 + srtpTagLength(profile);
}

class SrtpSession {
 public:
  // Control plane. Needs a live SrtpLibrary. Returns nullopt (and a reason in *error) on a bad
  // profile, a replay window outside [kSrtpMinReplayWindow, kSrtpMaxReplayWindow] (32768, the
  // config maximum, is clamped to 32767) or a libsrtp failure. The key is copied by libsrtp; the
  // temporary copy made here is wiped.
  [[nodiscard]] static std::optional<SrtpSession> create(SrtpDirection direction, const SrtpKeySalt& keySalt,
                                                         uint32_t replayWindow = kSrtpDefaultReplayWindow,
                                                         std::string* error = nullptr);

  SrtpSession(SrtpSession&&) noexcept = default;
  SrtpSession& operator=(SrtpSession&&) noexcept = default;
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;
  ~SrtpSession() = default;

  // Outbound only. `buffer` holds the RTP packet in its first `length` bytes and must be at least
  // length + kSrtpMaxTrailer long (else kNoRoom, nothing written). On kOk, `length` is the SRTP
  // length. Re-protecting an already used sequence number (a retransmission) is allowed and must
  // carry the same payload: with AES-GCM a different payload under the same index reuses the nonce.
  [[nodiscard]] SrtpResult protectRtp(std::span<uint8_t> buffer, size_t& length) noexcept;
  // Inbound only. Authenticates, replay-checks and decrypts the first `length` bytes of `packet` in
  // place; on kOk, `length` is the RTP length.
  [[nodiscard]] SrtpResult unprotectRtp(std::span<uint8_t> packet, size_t& length) noexcept;
  // As above for RTCP compound packets; the buffer needs length + kSrtcpMaxTrailer bytes.
  [[nodiscard]] SrtpResult protectRtcp(std::span<uint8_t> buffer, size_t& length) noexcept;
  [[nodiscard]] SrtpResult unprotectRtcp(std::span<uint8_t> packet, size_t& length) noexcept;

  // Control plane: forget the stream of an SSRC that went away (libsrtp keeps one per SSRC
  // forever otherwise). On an inbound session the SSRC's replay state goes with it, so only
  // remove SSRCs the peer has stopped using. Returns false if there was no such stream.
  bool removeStream(uint32_t ssrc) noexcept;

  [[nodiscard]] SrtpDirection direction() const noexcept { return direction_; }
  [[nodiscard]] SrtpProfile profile() const noexcept { return profile_; }
  [[nodiscard]] uint32_t replayWindow() const noexcept { return replayWindow_; }
  [[nodiscard]] const SrtpCounters& rtpCounters() const noexcept { return rtpCounters_; }
  [[nodiscard]] const SrtpCounters& rtcpCounters() const noexcept { return rtcpCounters_; }

 private:
  struct Deleter {
    void operator()(srtp_ctx_t_* session) const noexcept;
  };

  SrtpSession(srtp_ctx_t_* session, SrtpDirection direction, SrtpProfile profile,
              uint32_t replayWindow) noexcept
      : session_(session), direction_(direction), profile_(profile), replayWindow_(replayWindow) {}

  SrtpResult protect(bool rtcp, std::span<uint8_t> buffer, size_t& length) noexcept;
  SrtpResult unprotect(bool rtcp, std::span<uint8_t> packet, size_t& length) noexcept;

  std::unique_ptr<srtp_ctx_t_, Deleter> session_;
  SrtpDirection direction_;
  SrtpProfile profile_;
  uint32_t replayWindow_;
  SrtpCounters rtpCounters_;
  SrtpCounters rtcpCounters_;
};

}  // namespace switchyard::media::srtp
