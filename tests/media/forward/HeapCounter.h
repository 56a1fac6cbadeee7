#pragma once
// The heap allocations made so far by this test runner (switchyard_tests_media_forward): its global
// operator new is replaced in RouterAllocationTest.cpp by one that counts every call, so the
// "no allocation after construction" tests check exactly, in every build.
#include <cstdint>

namespace switchyard::media::forward::test {

[[nodiscard]] uint64_t heapAllocations() noexcept;

}  // namespace switchyard::media::forward::test
