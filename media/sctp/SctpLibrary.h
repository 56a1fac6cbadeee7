#pragma once
// RAII owner of usrsctp's process-wide state. usrsctp runs in its no-threads mode
// (usrsctp_init_nothreads): it starts no timer or receive thread, so every call into it happens on
// the caller's thread and its timers advance only when SctpAssociation::handleTimers() is called.
// Create one from main (and one per test) before any SctpAssociation; never from a static
// initialiser. Instances are reference counted: the first one initialises usrsctp and sets the
// sysctls WebRTC needs, the last one closes usrsctp (usrsctp_finish).
//
// The library also owns the association registry: usrsctp's callbacks carry a small integer id
// (registered with usrsctp_register_address / passed as ulp_info), never an object pointer, and
// resolve it here. Ids are never reused, so a packet or timer that outlives its association (a
// lingering SHUTDOWN, a late retransmission) finds nothing and is dropped.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace switchyard::media::sctp {

class SctpAssociation;

class SctpLibrary {
 public:
  // Throws std::runtime_error if usrsctp cannot be initialised.
  SctpLibrary();
  ~SctpLibrary();
  SctpLibrary(const SctpLibrary&) = delete;
  SctpLibrary& operator=(const SctpLibrary&) = delete;
  SctpLibrary(SctpLibrary&&) = delete;
  SctpLibrary& operator=(SctpLibrary&&) = delete;

  // Whether some SctpLibrary is alive (usrsctp is initialised).
  [[nodiscard]] static bool initialised() noexcept;
  // Times the last SctpLibrary could not shut usrsctp down (an association outlived every socket
  // and 100 s of timers): usrsctp's state then stays allocated.
  [[nodiscard]] static uint64_t finishFailures() noexcept;
  // Outgoing packets usrsctp produced for an id no longer registered (dropped).
  [[nodiscard]] static uint64_t orphanPackets() noexcept;

 private:
  friend class SctpAssociation;

  // Registry (thread-safe). add() returns a fresh id (> 0, never reused in this process).
  static uintptr_t add(SctpAssociation* association);
  static void remove(uintptr_t id) noexcept;
  [[nodiscard]] static SctpAssociation* find(uintptr_t id) noexcept;
  // The associations created by the calling thread (only it may use or destroy them, so their
  // pointers stay valid while it works through the list).
  [[nodiscard]] static std::vector<uintptr_t> idsOfThisThread();

  // usrsctp's conn_output: resolves the id (the AF_CONN address) and queues the packet.
  static int connOutput(void* address, void* buffer, size_t length, uint8_t tos, uint8_t setDf);
};

}  // namespace switchyard::media::sctp
