#pragma once
// The heap as seen by a test runner whose global operator new/delete are replaced by
// tests/support/HeapCounter.cpp (linked into the runners that need it: tests/CMakeLists.txt).
// Works under AddressSanitizer, unlike RSS or mallinfo.
#include <cstdint>

namespace switchyard::test {

// Calls of any form of operator new so far (the "allocates nothing after warm-up" tests).
[[nodiscard]] uint64_t heapAllocations() noexcept;
// Bytes allocated with operator new and not yet deleted (malloc_usable_size of each block).
[[nodiscard]] int64_t liveHeapBytes() noexcept;

}  // namespace switchyard::test
