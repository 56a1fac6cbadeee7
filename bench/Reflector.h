#pragma once
// `switchyard-bench reflector`: the physical limit of this machine for the load the SFU carries.
// A plain UDP fan-out with recvmmsg/sendmmsg and no crypto, no parsing beyond a 4-byte room number:
// a datagram "SWJB" + room registers its sender as a subscriber of that room; any other datagram
// starts with a room number and goes, unchanged, to every subscriber of that room (one sendmmsg
// entry per copy, all pointing at the received buffer). N threads share one port (SO_REUSEPORT);
// the subscriber table is written under a mutex at registration and read without a lock.
#include <cstdint>
#include <string>

namespace switchyard::bench {

struct ReflectorOptions {
  std::string listen = "127.0.0.1";
  uint16_t port = 0;
  uint32_t threads = 1;
  double maxSeconds = 3600;  // exits by itself after this long
};

// Runs until SIGTERM/SIGINT or maxSeconds; prints "reflector listening on ADDRESS:PORT" when ready
// and its counters at exit. Returns the process exit code.
int runReflector(const ReflectorOptions& options);

}  // namespace switchyard::bench
