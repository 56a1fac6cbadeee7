#pragma once
// OpenSSL's large per-connection buffers, kept off the resident set while they are idle.
//
// Each DTLS association holds two buffers of about 16-21 KiB for its whole life (OpenSSL 3.0):
//  - the record read buffer (16.7 KiB), of which a datagram touches only the first page or two;
//  - the handshake message buffer (init_buf, 21.8 KiB), zero-filled over 16 KiB when the handshake
//    starts and, over UDP, never freed afterwards, though nothing reads its contents once the
//    handshake is done.
// From the C heap both are fully resident: 38 KiB per idle peer, over half of its memory.
//
// install() routes every OpenSSL allocation of kMinBytes..kSlotBytes to page-aligned slots of an
// address range reserved at start (PROT_NONE, so it costs no memory and no commit charge until a
// chunk of slots is used). A slot's untouched pages never become resident; a freed slot is given
// back to the kernel (MADV_DONTNEED). A DtlsTransport tags the buffers OpenSSL grows from nothing
// during its calls (init_buf is the one such buffer of this size) with an Owner, and discards their
// pages once the handshake is complete: the buffer stays allocated, its contents read as zeros, and
// its pages come back only if another handshake message arrives.
//
// Allocation and free take a mutex: they happen at connection setup and teardown, never on the
// forwarding path. Allocations outside the slot range, or once the range is used up, go to malloc.
#include <array>
#include <cstddef>
#include <cstdint>

namespace switchyard::media::dtls {

struct OpenSslMemoryOwnerAccess;

class OpenSslMemory {
 public:
  static constexpr size_t kMinBytes = 16 * 1024;
  static constexpr size_t kSlotBytes = 24 * 1024;
  static constexpr size_t kReservedBytes = size_t{8} << 30;  // address space only: 349,525 slots

  // Installs the allocation functions (CRYPTO_set_mem_functions). Must run before OpenSSL allocates
  // anything in the process (first thing in main); returns false, changing nothing, if it is too late
  // or the address range cannot be reserved. Idempotent.
  static bool install() noexcept;
  [[nodiscard]] static bool installed() noexcept;

  struct Stats {
    size_t slotsInUse = 0;
    size_t slotsMapped = 0;       // ever handed out (the high-water mark of the range)
    uint64_t fallbacks = 0;       // slot-sized allocations that went to malloc: range used up
    uint64_t discardedSlots = 0;  // slots whose pages Owner::discardHandshakeBuffers gave back
  };
  [[nodiscard]] static Stats stats() noexcept;
  // The resident bytes of all slots in use (mincore over each; tests and diagnostics, not cheap).
  [[nodiscard]] static size_t residentSlotBytes() noexcept;
  // Whether p lies in the slot range (tests and diagnostics).
  [[nodiscard]] static bool isSlot(const void* p) noexcept;
  // Resident bytes of the pages of [p, p + bytes) (mincore; tests and diagnostics).
  [[nodiscard]] static size_t residentBytes(const void* p, size_t bytes) noexcept;

  // The buffers one SSL object grew from nothing while an Owner::Scope of it was active on the thread.
  // Must outlive the SSL object (declare it before the SSL pointer); not movable.
  class Owner {
   public:
    static constexpr size_t kMaxBuffers = 4;

    Owner() = default;
    ~Owner();
    Owner(const Owner&) = delete;
    Owner& operator=(const Owner&) = delete;

    // Gives the recorded buffers' pages back to the kernel; their contents read as zeros afterwards.
    // Call only when OpenSSL no longer needs their contents: right after the handshake completed.
    // Returns the number of buffers discarded.
    size_t discardHandshakeBuffers() noexcept;
    [[nodiscard]] size_t bufferCount() const noexcept;

    // Makes `owner` the current owner on this thread for its lifetime (nests).
    class Scope {
     public:
      explicit Scope(Owner& owner) noexcept;
      ~Scope();
      Scope(const Scope&) = delete;
      Scope& operator=(const Scope&) = delete;

     private:
      Owner* outer_;
    };

   private:
    friend struct OpenSslMemoryOwnerAccess;
    std::array<uint32_t, kMaxBuffers> slots_{};
    size_t count_ = 0;  // guarded by the allocator's mutex
  };
};

}  // namespace switchyard::media::dtls
