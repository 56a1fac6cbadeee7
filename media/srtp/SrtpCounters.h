#pragma once
// Per-session outcome counters of SrtpSession, one set for RTP and one for RTCP. Plain fields: a
// session belongs to one worker thread, which is the only writer; metrics read them from there.
#include <cstdint>

#include "media/srtp/SrtpResult.h"

namespace switchyard::media::srtp {

struct SrtpCounters {
  uint64_t ok = 0;
  uint64_t replay = 0;
  uint64_t authFailed = 0;
  uint64_t badPacket = 0;
  uint64_t noRoom = 0;
  uint64_t failed = 0;

  constexpr void count(SrtpResult result) noexcept {
    switch (result) {
      case SrtpResult::kOk:
        ++ok;
        break;
      case SrtpResult::kReplay:
        ++replay;
        break;
      case SrtpResult::kAuthFailed:
        ++authFailed;
        break;
      case SrtpResult::kBadPacket:
        ++badPacket;
        break;
      case SrtpResult::kNoRoom:
        ++noRoom;
        break;
      case SrtpResult::kFailed:
        ++failed;
        break;
    }
  }
  [[nodiscard]] constexpr uint64_t total() const noexcept {
    return ok + replay + authFailed + badPacket + noRoom + failed;
  }
  [[nodiscard]] constexpr uint64_t dropped() const noexcept { return total() - ok; }
};

}  // namespace switchyard::media::srtp
