#pragma once
// Added latency through the server: per worker, how long each forwarded RTP packet spent in the
// server, from the kernel's arrival stamp (SO_TIMESTAMPNS) to the return of the sendmmsg that sent
// its last copy. Log-linear buckets (media/util/LogLinearHistogram.h): 1 us steps below 100 us,
// 10 us below 1 ms, 100 us below 10 ms, 1 ms below 100 ms, 10 ms below 1 s, then one bucket for
// 1 s and more. The worker thread records; any thread may snapshot.
#include "media/util/LogLinearHistogram.h"

namespace switchyard::server {

using LatencyHistogram = media::util::LogLinearHistogram<1000, 4>;
static_assert(LatencyHistogram::kBuckets == 461);

// What one worker measures with workers.latency_histogram.
struct ForwardLatency {
  LatencyHistogram added;       // kernel arrival -> the sendmmsg of the packet's last copy
  LatencyHistogram processing;  // the recvmmsg that returned it -> the same sendmmsg (not for mirrors)
};

}  // namespace switchyard::server
