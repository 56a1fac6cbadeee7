#pragma once
// Live heap bytes of this test process, counted by replacing the global operator new/delete
// (HeapCounter.cpp). Works under AddressSanitizer, unlike RSS or mallinfo.
#include <cstdint>

namespace switchyard::test {
int64_t liveHeapBytes() noexcept;
}  // namespace switchyard::test
