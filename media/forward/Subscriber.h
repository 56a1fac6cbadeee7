#pragma once
// One subscriber transport in the router: the transport-wide sequence counter its consumers share,
// its send-side bandwidth estimator (when it negotiated transport-cc feedback), its consumers, and
// the state of the allocation of its estimate to them (Router: allocate every kAllocationInterval,
// probe when its consumers want more than the estimate). Owned by the router, one per transport
// with consumers; consumers point at it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "media/forward/BandwidthEstimator.h"
#include "media/transport/TransportTypes.h"

namespace switchyard::media::forward {

class Consumer;

struct Subscriber {
  using Clock = transport::Clock;

  explicit Subscriber(transport::TransportId id) noexcept : transport(id) {}

  transport::TransportId transport;
  uint16_t transportSequence = 0;
  std::optional<BandwidthEstimator> estimator;
  std::vector<Consumer*> consumers;  // not owned
  uint32_t desiredBps = 0;           // what the wanted layers of its consumers take
  uint32_t allocatedBps = 0;         // what the allocated layers take
  Clock::time_point nextProbe{};
  bool probing = false;
};

}  // namespace switchyard::media::forward
