#pragma once
// Which way an SrtpSession works: every srtp_t of Switchyard serves exactly one direction.
#include <cstdint>

namespace switchyard::media::srtp {

enum class SrtpDirection : uint8_t {
  kInbound,   // unprotect what the remote peer sent (remote keys)
  kOutbound,  // protect what we send (local keys)
};

}  // namespace switchyard::media::srtp
