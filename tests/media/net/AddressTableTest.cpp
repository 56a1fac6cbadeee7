#include "media/net/AddressTable.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

using switchyard::media::net::AddressTable;
using switchyard::media::util::SocketAddress;
using switchyard::media::util::SocketAddressHash;

namespace {

SocketAddress v4(uint8_t last, uint16_t port) {
  return SocketAddress::ipv4({192, 0, 2, last}, port);
}
SocketAddress v6(uint8_t last, uint16_t port) {
  std::array<uint8_t, 16> ip{0x20, 0x01, 0x0d, 0xb8};
  ip[15] = last;
  return SocketAddress::ipv6(ip, port);
}

void checkAgainst(const AddressTable& table,
                  const std::unordered_map<SocketAddress, uint32_t, SocketAddressHash>& oracle) {
  REQUIRE(table.size() == oracle.size());
  for (const auto& [address, handle] : oracle) {
    const auto found = table.find(address);
    REQUIRE(found.has_value());
    REQUIRE(*found == handle);
  }
  size_t visited = 0;
  table.forEach([&](const SocketAddress& address, uint32_t handle) {
    ++visited;
    const auto it = oracle.find(address);
    REQUIRE(it != oracle.end());
    REQUIRE(it->second == handle);
  });
  REQUIRE(visited == oracle.size());
}

}  // namespace

TEST_CASE("AddressTable: insert, assign, find, erase") {
  AddressTable table(8);
  CHECK(table.maxEntries() == 8);
  CHECK(table.slotCount() >= 16);
  CHECK(table.empty());
  CHECK(table.insertOrAssign(v4(1, 5000), 7) == AddressTable::InsertResult::kInserted);
  CHECK(table.find(v4(1, 5000)) == 7u);
  CHECK(table.insertOrAssign(v4(1, 5000), 9) == AddressTable::InsertResult::kAssigned);
  CHECK(table.find(v4(1, 5000)) == 9u);
  CHECK(table.size() == 1);
  CHECK_FALSE(table.find(v4(1, 5001)).has_value());  // port differs
  CHECK_FALSE(table.find(v4(2, 5000)).has_value());  // ip differs
  CHECK(table.erase(v4(1, 5000)));
  CHECK_FALSE(table.erase(v4(1, 5000)));
  CHECK(table.empty());
  CHECK_FALSE(table.find(v4(1, 5000)).has_value());
}

TEST_CASE("AddressTable: IPv4 and IPv6 with the same leading bytes are different keys") {
  AddressTable table(4);
  const SocketAddress a = SocketAddress::ipv4({127, 0, 0, 1}, 4000);
  std::array<uint8_t, 16> ip{127, 0, 0, 1};  // same first 4 bytes, rest zero
  const SocketAddress b = SocketAddress::ipv6(ip, 4000);
  REQUIRE_FALSE(a == b);
  CHECK(table.insertOrAssign(a, 1) == AddressTable::InsertResult::kInserted);
  CHECK_FALSE(table.find(b).has_value());
  CHECK(table.insertOrAssign(b, 2) == AddressTable::InsertResult::kInserted);
  CHECK(table.find(a) == 1u);
  CHECK(table.find(b) == 2u);
  // v4-mapped IPv6 (::ffff:127.0.0.1) is also a different key from plain IPv4.
  std::array<uint8_t, 16> mapped{};
  mapped[10] = 0xff;
  mapped[11] = 0xff;
  mapped[12] = 127;
  mapped[15] = 1;
  CHECK_FALSE(table.find(SocketAddress::ipv6(mapped, 4000)).has_value());
  CHECK(table.erase(a));
  CHECK(table.find(b) == 2u);
}

TEST_CASE("AddressTable: ports of one IP are distinct keys") {
  AddressTable table(1000);
  for (uint16_t port = 1; port <= 1000; ++port)
    REQUIRE(table.insertOrAssign(v4(9, port), port) == AddressTable::InsertResult::kInserted);
  for (uint16_t port = 1; port <= 1000; ++port)
    REQUIRE(table.find(v4(9, port)) == port);
  CHECK_FALSE(table.find(v4(9, 0)).has_value());
  CHECK_FALSE(table.find(v4(9, 1001)).has_value());
  CHECK_FALSE(table.find(v6(9, 1)).has_value());
}

TEST_CASE("AddressTable: a full table refuses new keys but still assigns and erases") {
  AddressTable table(3);
  CHECK(table.insertOrAssign(v4(1, 1), 1) == AddressTable::InsertResult::kInserted);
  CHECK(table.insertOrAssign(v4(2, 1), 2) == AddressTable::InsertResult::kInserted);
  CHECK(table.insertOrAssign(v6(3, 1), 3) == AddressTable::InsertResult::kInserted);
  CHECK(table.full());
  CHECK(table.insertOrAssign(v4(4, 1), 4) == AddressTable::InsertResult::kFull);
  CHECK_FALSE(table.find(v4(4, 1)).has_value());
  CHECK(table.insertOrAssign(v4(2, 1), 20) == AddressTable::InsertResult::kAssigned);
  CHECK(table.find(v4(2, 1)) == 20u);
  CHECK(table.erase(v4(1, 1)));
  CHECK(table.insertOrAssign(v4(4, 1), 4) == AddressTable::InsertResult::kInserted);
  CHECK(table.size() == 3);

  AddressTable none(0);
  CHECK(none.insertOrAssign(v4(1, 1), 1) == AddressTable::InsertResult::kFull);
  CHECK_FALSE(none.find(v4(1, 1)).has_value());
  CHECK_FALSE(none.erase(v4(1, 1)));
}

TEST_CASE("AddressTable: the empty address is never stored") {
  AddressTable table(2);
  CHECK(table.insertOrAssign(SocketAddress{}, 1) == AddressTable::InsertResult::kFull);
  CHECK_FALSE(table.find(SocketAddress{}).has_value());
  CHECK_FALSE(table.erase(SocketAddress{}));
  CHECK(table.empty());
}

TEST_CASE("AddressTable: eraseHandle removes every address of a transport") {
  AddressTable table(64);
  std::unordered_map<SocketAddress, uint32_t, SocketAddressHash> oracle;
  for (uint16_t i = 0; i < 60; ++i) {
    const SocketAddress a = (i % 2) != 0 ? v4(static_cast<uint8_t>(i), i) : v6(static_cast<uint8_t>(i), i);
    REQUIRE(table.insertOrAssign(a, i % 3u) == AddressTable::InsertResult::kInserted);
    oracle[a] = i % 3u;
  }
  CHECK(table.eraseHandle(1) == 20);
  std::erase_if(oracle, [](const auto& entry) { return entry.second == 1; });
  checkAgainst(table, oracle);
  CHECK(table.eraseHandle(1) == 0);
  CHECK(table.eraseHandle(0) == 20);
  CHECK(table.eraseHandle(2) == 20);
  CHECK(table.empty());
}

TEST_CASE("AddressTable: random operations against std::unordered_map") {
  for (const uint64_t seed : {1ULL, 2ULL, 0xdeadbeefULL}) {
    for (const size_t capacity : {size_t{1}, size_t{7}, size_t{64}, size_t{500}}) {
      AddressTable table(capacity, seed);
      std::unordered_map<SocketAddress, uint32_t, SocketAddressHash> oracle;
      std::mt19937_64 rng(seed * 31 + capacity);
      // A small key space (so keys collide, repeat and get erased) mixing families and ports.
      auto randomKey = [&]() {
        const auto last = static_cast<uint8_t>(rng() % 8);
        const auto port = static_cast<uint16_t>(rng() % (capacity + 8));
        return (rng() % 2) != 0 ? v4(last, port) : v6(last, port);
      };
      size_t fullRefusals = 0;
      for (int step = 0; step < 20000; ++step) {
        const SocketAddress key = randomKey();
        const auto op = rng() % 10;
        if (op < 5) {
          const auto handle = static_cast<uint32_t>(rng() % 16);  // few handles: eraseHandle hits
          const auto result = table.insertOrAssign(key, handle);
          const bool present = oracle.count(key) != 0;
          if (present) {
            REQUIRE(result == AddressTable::InsertResult::kAssigned);
            oracle[key] = handle;
          } else if (oracle.size() >= capacity) {
            REQUIRE(result == AddressTable::InsertResult::kFull);
            ++fullRefusals;
          } else {
            REQUIRE(result == AddressTable::InsertResult::kInserted);
            oracle[key] = handle;
          }
        } else if (op < 8) {
          REQUIRE(table.erase(key) == (oracle.erase(key) == 1));
        } else if (op < 9) {
          const auto found = table.find(key);
          const auto it = oracle.find(key);
          REQUIRE(found.has_value() == (it != oracle.end()));
          if (found) REQUIRE(*found == it->second);
        } else if (rng() % 50 == 0) {
          const auto handle = static_cast<uint32_t>(rng() % 4);
          size_t expected = 0;
          for (auto it = oracle.begin(); it != oracle.end();) {
            if (it->second == handle) {
              it = oracle.erase(it);
              ++expected;
            } else {
              ++it;
            }
          }
          REQUIRE(table.eraseHandle(handle) == expected);
        }
        REQUIRE(table.size() == oracle.size());
        if (step % 1000 == 0) checkAgainst(table, oracle);
      }
      checkAgainst(table, oracle);
      CHECK(table.size() <= capacity);
      if (capacity < 64) CHECK(fullRefusals > 0);
      table.clear();
      CHECK(table.empty());
      for (const auto& entry : oracle)
        CHECK_FALSE(table.find(entry.first).has_value());
    }
  }
}

TEST_CASE("AddressTable: erase with heavy clustering keeps every other key reachable") {
  // Fill to the maximum load, then erase in various orders: backward shift must keep the probe
  // runs intact (a broken shift loses keys that lived after the erased one).
  for (uint64_t seed = 0; seed < 20; ++seed) {
    AddressTable table(32, seed);
    std::vector<SocketAddress> keys;
    for (uint16_t i = 0; i < 32; ++i)
      keys.push_back(v4(static_cast<uint8_t>(i / 4), static_cast<uint16_t>(i % 4)));
    for (size_t i = 0; i < keys.size(); ++i)
      REQUIRE(table.insertOrAssign(keys[i], static_cast<uint32_t>(i)) ==
              AddressTable::InsertResult::kInserted);
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::shuffle(keys.begin(), keys.end(), rng);
    for (size_t i = 0; i < keys.size(); ++i) {
      REQUIRE(table.erase(keys[i]));
      for (size_t j = i + 1; j < keys.size(); ++j)
        REQUIRE(table.find(keys[j]).has_value());
      REQUIRE_FALSE(table.find(keys[i]).has_value());
    }
    CHECK(table.empty());
  }
}
