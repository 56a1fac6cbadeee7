#include <catch2/catch.hpp>

#include "media/dtls/Fingerprint.h"

using switchyard::media::dtls::Fingerprint;

namespace {

Fingerprint sample() {
  Fingerprint f;
  for (size_t i = 0; i < f.bytes.size(); ++i)
    f.bytes[i] = static_cast<uint8_t>(i * 9 + 0xa0);
  return f;
}

}  // namespace

TEST_CASE("Fingerprint text is upper-case hex pairs separated by colons (RFC 8122 section 5)") {
  const Fingerprint f = sample();
  const std::string text = f.toText();
  REQUIRE(text.size() == 32 * 3 - 1);
  CHECK(text.substr(0, 12) == "A0:A9:B2:BB:");
  for (size_t i = 0; i < text.size(); ++i) {
    if (i % 3 == 2) {
      CHECK(text[i] == ':');
    } else {
      const char c = text[i];
      CHECK(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')));
    }
  }
  CHECK(Fingerprint{}.toText() ==
        "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:"
        "00:00:00:00");
}

TEST_CASE("Fingerprint text round trip, algorithm and hex case-insensitive") {
  const Fingerprint f = sample();
  const auto parsed = Fingerprint::fromText("sha-256", f.toText());
  REQUIRE(parsed);
  CHECK(*parsed == f);
  std::string lower = f.toText();
  for (auto& c : lower)
    c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  const auto parsedLower = Fingerprint::fromText("SHA-256", lower);
  REQUIRE(parsedLower);
  CHECK(*parsedLower == f);
  CHECK(parsedLower->algorithm == "sha-256");
}

TEST_CASE("Fingerprint text: malformed input is refused") {
  const std::string good = sample().toText();
  CHECK_FALSE(Fingerprint::fromText("sha-1", good));
  CHECK_FALSE(Fingerprint::fromText("sha-384", good));
  CHECK_FALSE(Fingerprint::fromText("", good));
  CHECK_FALSE(Fingerprint::fromText("sha-256", ""));
  CHECK_FALSE(Fingerprint::fromText("sha-256", good + ":"));
  CHECK_FALSE(Fingerprint::fromText("sha-256", good + ":00"));
  CHECK_FALSE(Fingerprint::fromText("sha-256", " " + good));
  // Every truncation.
  for (size_t n = 0; n < good.size(); ++n)
    CHECK_FALSE(Fingerprint::fromText("sha-256", good.substr(0, n)));
  // Every separator and digit replaced by something invalid.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = i % 3 == 2 ? '-' : 'G';
    CHECK_FALSE(Fingerprint::fromText("sha-256", bad));
  }
}

TEST_CASE("Fingerprint matches compares every byte and the algorithm") {
  const Fingerprint f = sample();
  CHECK(f.matches(f));
  for (size_t i = 0; i < f.bytes.size(); ++i) {
    Fingerprint other = f;
    other.bytes[i] ^= 0x80;
    CHECK_FALSE(f.matches(other));
  }
  Fingerprint upper = f;
  upper.algorithm = "SHA-256";
  CHECK(f.matches(upper));
  Fingerprint sha1 = f;
  sha1.algorithm = "sha-1";
  CHECK_FALSE(f.matches(sha1));
}
