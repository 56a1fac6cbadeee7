#pragma once
// Remote address -> transport handle, looked up for every received datagram before any crypto.
//
// Open addressing with linear probing over a power-of-two slot array sized at construction for
// `maxEntries` keys at a load factor of at most 1/2, so probe sequences stay short. Deletion
// shifts the following entries of the probe run back (no tombstones), so lookups never slow down
// with churn. insert/find/erase never allocate and never throw; insert reports kFull when
// `maxEntries` keys are stored (the caller counts it and drops). The hash is seeded per table so
// that remote peers cannot precompute colliding ports (not a cryptographic PRF; the load bound
// keeps the worst case a scan of the table).
//
// Thread confinement: a table belongs to one worker thread, like the rest of media/net.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "media/util/SocketAddress.h"

namespace switchyard::media::net {

class AddressTable {
 public:
  enum class InsertResult : uint8_t { kInserted, kAssigned, kFull };

  // Allocates the slots (control plane). maxEntries 0 is allowed: every insert is kFull.
  explicit AddressTable(size_t maxEntries, uint64_t seed = 0x5157'4954'4348'5944ULL);

  // Adds the key, or replaces the handle of an existing key (kAssigned); kFull when the key is
  // new and maxEntries keys are stored. An empty address is never stored (kFull).
  InsertResult insertOrAssign(const util::SocketAddress& address, uint32_t handle) noexcept;
  [[nodiscard]] std::optional<uint32_t> find(const util::SocketAddress& address) const noexcept;
  [[nodiscard]] bool contains(const util::SocketAddress& address) const noexcept {
    return find(address).has_value();
  }
  // True if the key was present.
  bool erase(const util::SocketAddress& address) noexcept;
  // Removes every key mapped to `handle` (a transport going away); returns how many. O(slots).
  size_t eraseHandle(uint32_t handle) noexcept;
  void clear() noexcept;

  [[nodiscard]] size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] size_t maxEntries() const noexcept { return maxEntries_; }
  [[nodiscard]] bool full() const noexcept { return size_ >= maxEntries_; }
  [[nodiscard]] size_t slotCount() const noexcept { return slots_.size(); }

  // Calls f(address, handle) for every entry (order unspecified). Do not modify the table in f.
  template <typename F>
  void forEach(F&& f) const {
    for (const Slot& slot : slots_)
      if (slot.used) f(slot.address, slot.handle);
  }

 private:
  struct Slot {
    util::SocketAddress address;
    uint32_t handle = 0;
    bool used = false;
  };

  [[nodiscard]] size_t homeSlot(const util::SocketAddress& address) const noexcept;
  // Index of the key's slot, or of the empty slot ending its probe run.
  [[nodiscard]] size_t probe(const util::SocketAddress& address) const noexcept;
  void eraseAt(size_t index) noexcept;

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t maxEntries_ = 0;
  size_t size_ = 0;
  uint64_t seed_ = 0;
};

}  // namespace switchyard::media::net
