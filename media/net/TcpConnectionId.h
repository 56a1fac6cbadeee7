#pragma once
// Names one ICE-TCP connection of a TcpIceServer. A small integer, not a pointer, so upper layers
// (and C callbacks) can hold it safely after the connection is gone: a stale id just no longer
// resolves. The low 16 bits are the connection's slot, the high 16 bits a per-slot generation
// that changes on every reuse; 0 is never a valid id.
#include <cstddef>
#include <cstdint>
#include <functional>

namespace switchyard::media::net {

struct TcpConnectionId {
  uint32_t value = 0;

  [[nodiscard]] constexpr bool valid() const noexcept { return value != 0; }
  [[nodiscard]] constexpr uint16_t slot() const noexcept { return static_cast<uint16_t>(value & 0xffffu); }
  [[nodiscard]] constexpr uint16_t generation() const noexcept { return static_cast<uint16_t>(value >> 16); }
  static constexpr TcpConnectionId make(uint16_t slot, uint16_t generation) noexcept {
    return TcpConnectionId{(static_cast<uint32_t>(generation) << 16) | slot};
  }
  friend constexpr bool operator==(TcpConnectionId a, TcpConnectionId b) noexcept = default;
};

struct TcpConnectionIdHash {
  size_t operator()(TcpConnectionId id) const noexcept { return std::hash<uint32_t>{}(id.value); }
};

}  // namespace switchyard::media::net
