#include "media/net/AddressTable.h"

#include <bit>
#include <cstring>

namespace switchyard::media::net {
namespace {

// Murmur3's 64-bit finaliser: every input bit affects every output bit.
constexpr uint64_t mix64(uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

uint64_t loadWord(const uint8_t* p, size_t n) noexcept {
  uint64_t w = 0;
  std::memcpy(&w, p, n);
  return w;
}

}  // namespace

AddressTable::AddressTable(size_t maxEntries, uint64_t seed) : maxEntries_(maxEntries), seed_(seed) {
  // At least 2 slots per key (load <= 1/2) and never fewer than 2 slots, so a probe always ends
  // at an empty slot.
  const size_t wanted = maxEntries < 1 ? 2 : maxEntries * 2;
  const size_t count = std::bit_ceil(wanted);
  slots_.resize(count);
  mask_ = count - 1;
}

size_t AddressTable::homeSlot(const util::SocketAddress& address) const noexcept {
  const uint8_t* ip = address.ipBytes();
  uint64_t h = seed_ ^ (static_cast<uint64_t>(address.family()) << 16) ^ address.port();
  h = mix64(h);
  if (address.isIpv4()) {
    h = mix64(h ^ loadWord(ip, 4));
  } else {
    h = mix64(h ^ loadWord(ip, 8));
    h = mix64(h ^ loadWord(ip + 8, 8) ^ seed_);
  }
  return static_cast<size_t>(h) & mask_;
}

size_t AddressTable::probe(const util::SocketAddress& address) const noexcept {
  size_t i = homeSlot(address);
  while (slots_[i].used && !(slots_[i].address == address))
    i = (i + 1) & mask_;
  return i;
}

AddressTable::InsertResult AddressTable::insertOrAssign(const util::SocketAddress& address,
                                                        uint32_t handle) noexcept {
  if (address.empty()) return InsertResult::kFull;
  const size_t i = probe(address);
  Slot& slot = slots_[i];
  if (slot.used) {
    slot.handle = handle;
    return InsertResult::kAssigned;
  }
  if (size_ >= maxEntries_) return InsertResult::kFull;
  slot.address = address;
  slot.handle = handle;
  slot.used = true;
  ++size_;
  return InsertResult::kInserted;
}

std::optional<uint32_t> AddressTable::find(const util::SocketAddress& address) const noexcept {
  if (address.empty()) return std::nullopt;
  const Slot& slot = slots_[probe(address)];
  if (!slot.used) return std::nullopt;
  return slot.handle;
}

bool AddressTable::erase(const util::SocketAddress& address) noexcept {
  if (address.empty()) return false;
  const size_t i = probe(address);
  if (!slots_[i].used) return false;
  eraseAt(i);
  return true;
}

// Backward-shift deletion (Knuth 6.4, algorithm R): walk the run after the hole; an entry whose
// home slot does not lie cyclically in (hole, j] would become unreachable, so it moves into the
// hole and its old slot becomes the new hole.
void AddressTable::eraseAt(size_t index) noexcept {
  size_t hole = index;
  size_t j = index;
  for (;;) {
    j = (j + 1) & mask_;
    if (!slots_[j].used) break;
    const size_t home = homeSlot(slots_[j].address);
    const size_t distHome = (j - home) & mask_;  // how far j is from its home
    const size_t distHole = (j - hole) & mask_;  // how far j is from the hole
    if (distHome >= distHole) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

size_t AddressTable::eraseHandle(uint32_t handle) noexcept {
  // A shift only moves entries into the slot being examined or into slots already examined, so
  // re-examining slot i after an erase visits every entry at least once.
  size_t removed = 0;
  for (size_t i = 0; i < slots_.size() && size_ > 0;) {
    if (slots_[i].used && slots_[i].handle == handle) {
      eraseAt(i);
      ++removed;
    } else {
      ++i;
    }
  }
  return removed;
}

void AddressTable::clear() noexcept {
  for (Slot& slot : slots_)
    slot = Slot{};
  size_ = 0;
}

}  // namespace switchyard::media::net
