#include "media/sctp/SctpLibrary.h"

#include <usrsctp.h>

#include <atomic>
#include <mutex>
#include <span>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "media/sctp/SctpAssociation.h"

namespace switchyard::media::sctp {

namespace {

// Constant-initialised (no static constructors run for the scalars). Two locks: gLifeMutex guards
// the reference count (held across usrsctp_init/finish), gRegistryMutex the registry, which
// usrsctp's callbacks take from inside usrsctp_finish/handle_timers.
std::mutex gLifeMutex;
std::mutex gRegistryMutex;
int gUsers = 0;
bool gUsrsctpUp = false;  // usrsctp initialised and not finished (a failed finish leaves it up)
uintptr_t gNextId = 1;
std::atomic<uint64_t> gOrphanPackets{0};
std::atomic<uint64_t> gFinishFailures{0};

// Never destroyed: an SctpLibrary held by a function-local static (constructed before the map)
// must still find it while it is destroyed at exit.
struct Entry {
  SctpAssociation* association = nullptr;
  std::thread::id owner;  // the thread that created it, the only one that uses and destroys it
};

std::unordered_map<uintptr_t, Entry>& registry() {
  static auto* map = new std::unordered_map<uintptr_t, Entry>();
  return *map;
}

// The sysctls WebRTC stacks (Chromium's and libdatachannel's usrsctp transports) set before
// creating sockets. They are process-wide, so they are set once, by the first SctpLibrary.
void setWebRtcSysctls() {
  // ECN is not carried over DTLS (no IP header to mark).
  usrsctp_sysctl_set_sctp_ecn_enable(0);
  // No ASCONF (addresses never change on AF_CONN) and hence no AUTH, which ASCONF needs; peers do
  // not require AUTH for data channels (RFC 8831 section 6.1 lists only PR-SCTP, RE-CONFIG,
  // I-DATA as optional extensions).
  usrsctp_sysctl_set_sctp_asconf_enable(0);
  usrsctp_sysctl_set_sctp_auth_enable(0);
  // Partial reliability (maxRetransmits / maxPacketLifeTime) and stream reconfiguration (channel
  // close, RFC 8831 section 6.7) are required.
  usrsctp_sysctl_set_sctp_pr_enable(1);
  usrsctp_sysctl_set_sctp_reconfig_enable(1);
  // No NR-SACK (not understood by other stacks).
  usrsctp_sysctl_set_sctp_nrsack_enable(0);
  // Answer out-of-the-blue packets with nothing (blackhole 2: no ABORT, no SHUTDOWN-COMPLETE),
  // so stray input cannot be used to make the server emit packets.
  usrsctp_sysctl_set_sctp_blackhole(2);
  // RFC 4960 Max.Burst default.
  usrsctp_sysctl_set_sctp_max_burst_default(4);
  // Larger socket buffers than the 256 KiB default so one max-size message fits with room to spare.
  usrsctp_sysctl_set_sctp_sendspace(1024 * 1024);
  usrsctp_sysctl_set_sctp_recvspace(1024 * 1024);
  usrsctp_sysctl_set_sctp_max_chunks_on_queue(10 * 1024);
  // SACK quickly (20 ms instead of 200 ms): the peer's congestion window opens sooner.
  usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);
  // Kernel-style logging off.
  usrsctp_sysctl_set_sctp_logging_level(0);
}

}  // namespace

SctpLibrary::SctpLibrary() {
  const std::lock_guard lock(gLifeMutex);
  if (gUsers == 0 && !gUsrsctpUp) {
    // Port 0: no UDP encapsulation socket; no debug printf.
    usrsctp_init_nothreads(0, &SctpLibrary::connOutput, nullptr);
    setWebRtcSysctls();
    gUsrsctpUp = true;
  }
  ++gUsers;
}

SctpLibrary::~SctpLibrary() {
  const std::lock_guard lock(gLifeMutex);
  if (--gUsers == 0) {
    // usrsctp_finish() fails while an endpoint still exists: a socket closed while its association
    // was still retransmitting (its INIT or data, with the RTO backing off to 60 s) can linger for
    // minutes (seen with fuzz_sctp_relay: 100 s was not always enough). Advance usrsctp's virtual
    // timers until it lets go, bounded by 1000 s of virtual time (a loop of cheap calls). If it
    // still fails, usrsctp stays initialised (its state reachable from its globals) and the next
    // SctpLibrary reuses it instead of initialising it twice.
    bool finished = false;
    for (int i = 0; i < 1000 && !(finished = usrsctp_finish() == 0); ++i) {
      usrsctp_handle_timers(1000);
    }
    if (finished) {
      gUsrsctpUp = false;
    } else {
      gFinishFailures.fetch_add(1, std::memory_order_relaxed);
    }
    const std::lock_guard registryLock(gRegistryMutex);
    registry().clear();
  }
}

bool SctpLibrary::initialised() noexcept {
  const std::lock_guard lock(gLifeMutex);
  return gUsers > 0;
}

uint64_t SctpLibrary::finishFailures() noexcept {
  return gFinishFailures.load(std::memory_order_relaxed);
}

uint64_t SctpLibrary::orphanPackets() noexcept {
  return gOrphanPackets.load(std::memory_order_relaxed);
}

uintptr_t SctpLibrary::add(SctpAssociation* association) {
  {
    const std::lock_guard lifeLock(gLifeMutex);
    if (gUsers == 0) {
      throw std::logic_error("SctpAssociation created without a live SctpLibrary");
    }
  }
  const std::lock_guard lock(gRegistryMutex);
  const uintptr_t id = gNextId++;
  registry().emplace(id, Entry{association, std::this_thread::get_id()});
  return id;
}

void SctpLibrary::remove(uintptr_t id) noexcept {
  const std::lock_guard lock(gRegistryMutex);
  registry().erase(id);
}

SctpAssociation* SctpLibrary::find(uintptr_t id) noexcept {
  const std::lock_guard lock(gRegistryMutex);
  const auto it = registry().find(id);
  return it == registry().end() ? nullptr : it->second.association;
}

std::vector<uintptr_t> SctpLibrary::idsOfThisThread() {
  const std::thread::id self = std::this_thread::get_id();
  const std::lock_guard lock(gRegistryMutex);
  std::vector<uintptr_t> out;
  for (const auto& [id, entry] : registry()) {
    if (entry.owner == self) {
      out.push_back(id);
    }
  }
  return out;
}

int SctpLibrary::connOutput(void* address, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*setDf*/) {
  // May run on any thread (a timer fired by another worker's tick). The registry stays locked while
  // the packet goes into the association's mailbox, so its owner cannot destroy it meanwhile.
  const auto id = reinterpret_cast<uintptr_t>(address);
  const std::lock_guard lock(gRegistryMutex);
  const auto it = registry().find(id);
  if (it == registry().end() || buffer == nullptr) {
    gOrphanPackets.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  it->second.association->queueOutgoing(
      std::span<const uint8_t>(static_cast<const uint8_t*>(buffer), length));
  return 0;
}

}  // namespace switchyard::media::sctp
