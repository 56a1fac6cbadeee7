// Fuzzes SctpAssociation::receive() (usrsctp's packet input) on a connected association. A pair of
// associations is linked in memory and connected once (recreated if an input ends it). Each input is
// made deliverable before it is fed in: the ports become 5000/5000, a non-zero verification tag is
// replaced by the tag the receiver expects (learned from the peer's packets), and the CRC32c is
// recomputed (RFC 4960 appendix B), so the fuzzer reaches chunk parsing instead of being dropped at
// the checksum. Afterwards the pair exchanges whatever usrsctp produced and usrsctp's timers advance
// a little. Traps if a delivered message exceeds the configured receive limit.
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "media/sctp/SctpAssociation.h"
#include "media/sctp/SctpLibrary.h"

namespace {

using switchyard::media::sctp::SctpAssociation;
using switchyard::media::sctp::SctpLibrary;

#define FUZZ_REQUIRE(cond)         \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (false)

constexpr size_t kMaxReceive = 64 * 1024;

// CRC32c (Castagnoli, reflected polynomial 0x82F63B78), as SCTP uses it (RFC 4960 appendix B).
uint32_t crc32c(std::span<const uint8_t> data) {
  uint32_t crc = 0xffffffffU;
  for (const uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0x82f63b78U & (0U - (crc & 1U)));
    }
  }
  return ~crc;
}

struct Peer : SctpAssociation::Listener {
  std::deque<std::vector<uint8_t>> outgoing;
  std::array<uint8_t, 4> lastTag{};  // verification tag of the last packet this side sent
  bool connected = false;
  bool closed = false;
  std::unique_ptr<SctpAssociation> association;

  void onSctpSend(std::span<const uint8_t> packet) override {
    if (packet.size() >= 12 && (packet[4] | packet[5] | packet[6] | packet[7]) != 0) {
      lastTag = {packet[4], packet[5], packet[6], packet[7]};
    }
    outgoing.emplace_back(packet.begin(), packet.end());
  }
  void onSctpConnected() override { connected = true; }
  void onSctpMessage(uint16_t /*stream*/, uint32_t /*ppid*/, std::span<const uint8_t> data) override {
    FUZZ_REQUIRE(data.size() <= kMaxReceive);
  }
  void onSctpStreamReset(uint16_t stream) override {
    if (association) {
      association->resetStream(stream);
    }
  }
  void onSctpClosed(SctpAssociation::CloseReason /*reason*/) override { closed = true; }
};

struct Pair {
  SctpLibrary library;
  Peer a;  // the fuzzed side
  Peer b;

  void pump() {
    for (int round = 0; round < 200 && (!a.outgoing.empty() || !b.outgoing.empty()); ++round) {
      if (!a.outgoing.empty()) {
        const std::vector<uint8_t> packet = std::move(a.outgoing.front());
        a.outgoing.pop_front();
        b.association->receive(packet);
      }
      if (!b.outgoing.empty()) {
        const std::vector<uint8_t> packet = std::move(b.outgoing.front());
        b.outgoing.pop_front();
        a.association->receive(packet);
      }
    }
    a.outgoing.clear();
    b.outgoing.clear();
  }

  void connect() {
    a = {};
    b = {};
    SctpAssociation::Config config;
    config.maxReceiveMessageSize = kMaxReceive;
    a.association = std::make_unique<SctpAssociation>(library, a, config);
    b.association = std::make_unique<SctpAssociation>(library, b, config);
    a.association->connect(5000, 5000);
    b.association->connect(5000, 5000);
    for (int step = 0; step < 100 && !(a.connected && b.connected); ++step) {
      pump();
      SctpAssociation::handleTimers(10);
    }
  }
};

Pair& pair() {
  static Pair instance;  // created on first use, not by a static initialiser
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Pair& link = pair();
  if (!link.a.association || link.a.closed || link.b.closed || !link.a.connected) {
    link.a.association.reset();
    link.b.association.reset();
    link.connect();
  }
  std::vector<uint8_t> packet(data, data + size);
  if (packet.size() >= 12) {
    packet[0] = 0x13;  // source and destination port 5000
    packet[1] = 0x88;
    packet[2] = 0x13;
    packet[3] = 0x88;
    if ((packet[4] | packet[5] | packet[6] | packet[7]) != 0) {
      // Packets b sends carry the tag a expects.
      for (size_t i = 0; i < 4; ++i) {
        packet[4 + i] = link.b.lastTag[i];
      }
    }
    packet[8] = packet[9] = packet[10] = packet[11] = 0;
    const uint32_t crc = crc32c(packet);
    // The CRC32c goes on the wire least significant byte first (RFC 4960 appendix B).
    packet[8] = static_cast<uint8_t>(crc & 0xffU);
    packet[9] = static_cast<uint8_t>((crc >> 8) & 0xffU);
    packet[10] = static_cast<uint8_t>((crc >> 16) & 0xffU);
    packet[11] = static_cast<uint8_t>((crc >> 24) & 0xffU);
  }
  link.a.association->receive(packet);
  link.pump();
  SctpAssociation::handleTimers(10);
  link.pump();
  return 0;
}
