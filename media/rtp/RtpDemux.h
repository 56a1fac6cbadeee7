#pragma once
// Telling RTP and RTCP apart on a shared port (RFC 7983 §7, RFC 5761 §4). The checks live in
// media/util/RtpRtcpDemux.h so that media/rtcp uses the very same ones; this header keeps them
// reachable as rtp::isRtp(), rtp::isRtcp(), ...
#include "media/util/RtpRtcpDemux.h"

namespace switchyard::media::rtp {

using util::isRtcp;
using util::isRtcpPacketType;
using util::isRtp;
using util::isRtpOrRtcp;
using util::isRtpOrRtcpFirstByte;

}  // namespace switchyard::media::rtp
