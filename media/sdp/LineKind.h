#pragma once
// Which typed field a line of an SDP section was parsed into (see SourceOrder).
#include <cstdint>

namespace switchyard::media::sdp {

enum class LineKind : uint8_t {
  kTextLine,  // i= u= e= p= z= k=  -> textLines[index]
  kConnection,
  kBandwidth,  // -> bandwidths[index]
  kTiming,     // session only: t= (and its r= lines) -> timing[index]
  // session-level attributes
  kGroup,  // -> groups[index]
  kIceLite,
  kMsidSemantic,
  // attributes found in both levels
  kIceUfrag,
  kIcePwd,
  kIceOptions,
  kFingerprint,  // -> fingerprints[index]
  kSetup,
  kExtmapAllowMixed,
  kExtmap,  // -> extmaps[index]
  // media-level attributes
  kMid,
  kDirection,
  kRtcpMux,
  kRtcpRsize,
  kCandidate,  // -> candidates[index]
  kEndOfCandidates,
  kRtpMap,        // -> rtpMaps[index]
  kFmtp,          // -> fmtps[index]
  kRtcpFeedback,  // -> rtcpFeedback[index]
  kSsrc,          // -> ssrcs[index]
  kSsrcGroup,     // -> ssrcGroups[index]
  kRid,           // -> rids[index]
  kSimulcast,
  kMsid,  // -> msids[index]
  kSctpPort,
  kMaxMessageSize,
  kAttribute,  // any other a= line -> attributes[index]
};

inline constexpr int kLineKindCount = static_cast<int>(LineKind::kAttribute) + 1;

}  // namespace switchyard::media::sdp
