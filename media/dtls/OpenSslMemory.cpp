#include "media/dtls/OpenSslMemory.h"

#include <openssl/crypto.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace switchyard::media::dtls {

// The allocator's access to an Owner's record (guarded by the allocator's mutex).
struct OpenSslMemoryOwnerAccess {
  static void record(OpenSslMemory::Owner& owner, uint32_t slot) noexcept {
    if (owner.count_ < OpenSslMemory::Owner::kMaxBuffers) owner.slots_[owner.count_++] = slot;
  }
  static bool recorded(const OpenSslMemory::Owner& owner, uint32_t slot) noexcept {
    return std::find(owner.slots_.begin(), owner.slots_.begin() + owner.count_, slot) !=
           owner.slots_.begin() + owner.count_;
  }
  static void forget(OpenSslMemory::Owner& owner, uint32_t slot) noexcept {
    auto* end = owner.slots_.begin() + owner.count_;
    auto* it = std::find(owner.slots_.begin(), end, slot);
    if (it == end) return;
    std::copy(it + 1, end, it);
    --owner.count_;
  }
};

namespace {

constexpr size_t kSlots = OpenSslMemory::kReservedBytes / OpenSslMemory::kSlotBytes;
constexpr size_t kChunkSlots = 64;  // slots made usable (mprotect) at a time: 1.5 MiB of range
constexpr uint32_t kNoSlot = UINT32_MAX;
static_assert(kSlots < kNoSlot);
static_assert(OpenSslMemory::kSlotBytes % 4096 == 0);

struct SlotInfo {
  OpenSslMemory::Owner* owner = nullptr;  // set for buffers grown from nothing under an Owner::Scope
  uint32_t nextFree = kNoSlot;
  uint32_t bytes = 0;
  bool inUse = false;
};

struct Arena {
  std::mutex mutex;
  uint8_t* base = nullptr;   // kReservedBytes, PROT_NONE until a chunk is needed
  SlotInfo* info = nullptr;  // kSlots entries, zero pages until touched
  uint32_t freeHead = kNoSlot;
  size_t mapped = 0;  // slots ever handed out; [0, mapped) are usable
  size_t inUse = 0;
  uint64_t fallbacks = 0;
  uint64_t discarded = 0;
};

Arena gArena;
std::atomic<bool> gInstalled{false};
thread_local OpenSslMemory::Owner* tCurrentOwner = nullptr;

bool inRange(const void* p) noexcept {
  const auto* byte = static_cast<const uint8_t*>(p);
  return gArena.base != nullptr && byte >= gArena.base && byte < gArena.base + OpenSslMemory::kReservedBytes;
}

uint32_t slotOf(const void* p) noexcept {
  return static_cast<uint32_t>(static_cast<size_t>(static_cast<const uint8_t*>(p) - gArena.base) /
                               OpenSslMemory::kSlotBytes);
}

uint8_t* addressOf(uint32_t slot) noexcept {
  return gArena.base + static_cast<size_t>(slot) * OpenSslMemory::kSlotBytes;
}

void discardPages(uint32_t slot) noexcept {
  (void)madvise(addressOf(slot), OpenSslMemory::kSlotBytes, MADV_DONTNEED);
}

// Caller holds the mutex. kNoSlot when the range is used up or a chunk cannot be made usable.
uint32_t takeSlot() noexcept {
  if (gArena.freeHead != kNoSlot) {
    const uint32_t slot = gArena.freeHead;
    gArena.freeHead = gArena.info[slot].nextFree;
    return slot;
  }
  if (gArena.mapped >= kSlots) return kNoSlot;
  if (gArena.mapped % kChunkSlots == 0) {
    const size_t slots = std::min(kChunkSlots, kSlots - gArena.mapped);
    if (mprotect(addressOf(static_cast<uint32_t>(gArena.mapped)), slots * OpenSslMemory::kSlotBytes,
                 PROT_READ | PROT_WRITE) != 0)
      return kNoSlot;
  }
  return static_cast<uint32_t>(gArena.mapped++);
}

void* allocateSlot(size_t bytes, OpenSslMemory::Owner* owner) noexcept {
  std::lock_guard lock(gArena.mutex);
  const uint32_t slot = takeSlot();
  if (slot == kNoSlot) {
    ++gArena.fallbacks;
    return nullptr;
  }
  SlotInfo& info = gArena.info[slot];
  info.inUse = true;
  info.bytes = static_cast<uint32_t>(bytes);
  info.nextFree = kNoSlot;
  info.owner = nullptr;
  if (owner != nullptr) {
    OpenSslMemoryOwnerAccess::record(*owner, slot);
    if (OpenSslMemoryOwnerAccess::recorded(*owner, slot)) info.owner = owner;
  }
  ++gArena.inUse;
  return addressOf(slot);
}

void releaseSlot(void* p) noexcept {
  const uint32_t slot = slotOf(p);
  std::lock_guard lock(gArena.mutex);
  SlotInfo& info = gArena.info[slot];
  if (!info.inUse) return;  // a double free: ignored rather than corrupting the free list
  if (info.owner != nullptr) OpenSslMemoryOwnerAccess::forget(*info.owner, slot);
  discardPages(slot);  // a free slot holds no resident memory (and no old secrets)
  info = SlotInfo{};
  info.nextFree = gArena.freeHead;
  gArena.freeHead = slot;
  --gArena.inUse;
}

bool slotSized(size_t bytes) noexcept {
  return bytes >= OpenSslMemory::kMinBytes && bytes <= OpenSslMemory::kSlotBytes;
}

void* hookMalloc(size_t bytes, const char* /*file*/, int /*line*/) {
  if (bytes == 0) return nullptr;  // as CRYPTO_malloc
  if (slotSized(bytes)) {
    if (void* p = allocateSlot(bytes, nullptr)) return p;
  }
  return std::malloc(bytes);
}

void hookFree(void* p, const char* /*file*/, int /*line*/) {
  if (p == nullptr) return;
  if (inRange(p)) {
    releaseSlot(p);
    return;
  }
  std::free(p);
}

void* hookRealloc(void* p, size_t bytes, const char* file, int line) {
  if (p == nullptr) {
    if (bytes == 0) return nullptr;
    // A buffer grown from nothing (BUF_MEM_grow): the kind an Owner may discard later.
    if (slotSized(bytes)) {
      if (void* slot = allocateSlot(bytes, tCurrentOwner)) return slot;
    }
    return std::malloc(bytes);
  }
  if (bytes == 0) {  // as CRYPTO_realloc
    hookFree(p, file, line);
    return nullptr;
  }
  if (!inRange(p)) return std::realloc(p, bytes);
  const uint32_t slot = slotOf(p);
  size_t old = 0;
  {
    std::lock_guard lock(gArena.mutex);
    SlotInfo& info = gArena.info[slot];
    if (bytes <= OpenSslMemory::kSlotBytes) {
      info.bytes = static_cast<uint32_t>(bytes);
      return p;  // fits its slot: in place
    }
    old = info.bytes;
  }
  void* grown = std::malloc(bytes);
  if (grown == nullptr) return nullptr;  // p stays valid, as realloc
  std::memcpy(grown, p, old);
  releaseSlot(p);
  return grown;
}

}  // namespace

bool OpenSslMemory::install() noexcept {
  static std::mutex installMutex;
  std::lock_guard lock(installMutex);
  if (gInstalled.load()) return true;
  void* range = mmap(nullptr, kReservedBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (range == MAP_FAILED) return false;
  void* info = mmap(nullptr, kSlots * sizeof(SlotInfo), PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (info == MAP_FAILED) {
    munmap(range, kReservedBytes);
    return false;
  }
  gArena.base = static_cast<uint8_t*>(range);
  gArena.info = static_cast<SlotInfo*>(info);  // zero pages: all-zero is a slot never handed out
  if (CRYPTO_set_mem_functions(&hookMalloc, &hookRealloc, &hookFree) != 1) {
    gArena.base = nullptr;
    gArena.info = nullptr;
    munmap(range, kReservedBytes);
    munmap(info, kSlots * sizeof(SlotInfo));
    return false;  // OpenSSL allocated already
  }
  gInstalled.store(true);
  return true;
}

bool OpenSslMemory::installed() noexcept {
  return gInstalled.load();
}

OpenSslMemory::Stats OpenSslMemory::stats() noexcept {
  Stats stats;
  if (!installed()) return stats;
  std::lock_guard lock(gArena.mutex);
  stats.slotsInUse = gArena.inUse;
  stats.slotsMapped = gArena.mapped;
  stats.fallbacks = gArena.fallbacks;
  stats.discardedSlots = gArena.discarded;
  return stats;
}

size_t OpenSslMemory::residentSlotBytes() noexcept {
  if (!installed()) return 0;
  std::lock_guard lock(gArena.mutex);
  size_t resident = 0;
  for (size_t slot = 0; slot < gArena.mapped; ++slot)
    if (gArena.info[slot].inUse)
      resident += residentBytes(addressOf(static_cast<uint32_t>(slot)), kSlotBytes);
  return resident;
}

bool OpenSslMemory::isSlot(const void* p) noexcept {
  return inRange(p);
}

size_t OpenSslMemory::residentBytes(const void* p, size_t bytes) noexcept {
  if (p == nullptr || bytes == 0) return 0;
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t begin = reinterpret_cast<uintptr_t>(p) / page * page;
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes + page - 1) / page * page;
  size_t resident = 0;
  std::array<unsigned char, 64> vec{};
  while (begin < end) {
    const size_t pages = std::min<size_t>(vec.size(), (end - begin) / page);
    if (mincore(reinterpret_cast<void*>(begin), pages * page, vec.data()) != 0) return resident;
    for (size_t i = 0; i < pages; ++i)
      if ((vec[i] & 1U) != 0) resident += page;
    begin += pages * page;
  }
  return resident;
}

OpenSslMemory::Owner::~Owner() {
  if (!installed()) return;
  std::lock_guard lock(gArena.mutex);
  for (size_t i = 0; i < count_; ++i)
    if (gArena.info[slots_[i]].owner == this) gArena.info[slots_[i]].owner = nullptr;
  count_ = 0;
}

size_t OpenSslMemory::Owner::discardHandshakeBuffers() noexcept {
  if (!installed()) return 0;
  std::lock_guard lock(gArena.mutex);
  for (size_t i = 0; i < count_; ++i)
    discardPages(slots_[i]);
  gArena.discarded += count_;
  return count_;
}

size_t OpenSslMemory::Owner::bufferCount() const noexcept {
  if (!installed()) return 0;
  std::lock_guard lock(gArena.mutex);
  return count_;
}

OpenSslMemory::Owner::Scope::Scope(Owner& owner) noexcept : outer_(tCurrentOwner) {
  tCurrentOwner = &owner;
}

OpenSslMemory::Owner::Scope::~Scope() {
  tCurrentOwner = outer_;
}

}  // namespace switchyard::media::dtls
