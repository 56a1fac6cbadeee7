#include "bench/SrtpBench.h"

#include <dlfcn.h>
#include <srtp2/srtp.h>
#include <time.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include "media/srtp/SrtpLibrary.h"
#include "media/srtp/SrtpProfile.h"
#include "media/util/BigEndian.h"

namespace switchyard::bench {

namespace {

using Clock = std::chrono::steady_clock;
using media::srtp::SrtpProfile;

constexpr uint64_t kMaxOperations = 20'000'000;

// ns per packet are taken from this thread's CPU time, not the wall clock: on a small shared
// machine (others compiling) the wall clock also counts time the thread was not running.
// Deadlines use the steady clock.
double threadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
}
constexpr size_t kRing = 256;  // unprotect: packets protected ahead of each timed pass
constexpr unsigned long kReplayWindow = 1024;

// The libsrtp entry points the benchmark drives; filled from our static libsrtp or by dlsym.
struct SrtpApi {
  srtp_err_status_t (*init)() = nullptr;
  srtp_err_status_t (*shutdown)() = nullptr;
  srtp_err_status_t (*create)(srtp_t*, const srtp_policy_t*) = nullptr;
  srtp_err_status_t (*protect)(srtp_t, void*, int*) = nullptr;
  srtp_err_status_t (*unprotect)(srtp_t, void*, int*) = nullptr;
  srtp_err_status_t (*dealloc)(srtp_t) = nullptr;
  void (*setAesCm128HmacSha1_80)(srtp_crypto_policy_t*) = nullptr;
  void (*setAesGcm128)(srtp_crypto_policy_t*) = nullptr;
  void (*setAesGcm256)(srtp_crypto_policy_t*) = nullptr;
};

SrtpApi ourApi() {
  SrtpApi api;
  api.init = srtp_init;
  api.shutdown = srtp_shutdown;
  api.create = srtp_create;
  api.protect = srtp_protect;
  api.unprotect = srtp_unprotect;
  api.dealloc = srtp_dealloc;
  // srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for the default RTP policy.
  api.setAesCm128HmacSha1_80 = srtp_crypto_policy_set_rtp_default;
  api.setAesGcm128 = srtp_crypto_policy_set_aes_gcm_128_16_auth;
  api.setAesGcm256 = srtp_crypto_policy_set_aes_gcm_256_16_auth;
  return api;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Debian's libsrtp2.so.1 (same 2.5 ABI as the headers we compile against), loaded privately:
// RTLD_LOCAL | RTLD_DEEPBIND keep its srtp_* symbols from binding to the copies linked into this
// executable and vice versa.
class DebianLibsrtp {
 public:
  DebianLibsrtp() {
    if (kAddressSanitizer) {
      // ASan's runtime aborts on RTLD_DEEPBIND, and mixing the two libsrtp copies without it is
      // not a fair measurement anyway.
      reason_ = "not measured in an AddressSanitizer build (RTLD_DEEPBIND is incompatible)";
      return;
    }
    handle_ = dlopen("libsrtp2.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle_ == nullptr) {
      const char* error = dlerror();
      reason_ = std::string("dlopen(libsrtp2.so.1): ") + (error != nullptr ? error : "failed");
      return;
    }
    bool ok = resolve(api_.init, "srtp_init") && resolve(api_.shutdown, "srtp_shutdown") &&
              resolve(api_.create, "srtp_create") && resolve(api_.protect, "srtp_protect") &&
              resolve(api_.unprotect, "srtp_unprotect") && resolve(api_.dealloc, "srtp_dealloc") &&
              resolve(api_.setAesCm128HmacSha1_80, "srtp_crypto_policy_set_rtp_default") &&
              resolve(api_.setAesGcm128, "srtp_crypto_policy_set_aes_gcm_128_16_auth") &&
              resolve(api_.setAesGcm256, "srtp_crypto_policy_set_aes_gcm_256_16_auth");
    if (ok && api_.init() != srtp_err_status_ok) {
      reason_ = "srtp_init of libsrtp2.so.1 failed";
      ok = false;
    } else if (ok) {
      initialised_ = true;
    }
    if (!ok) {
      dlclose(handle_);
      handle_ = nullptr;
    }
  }
  ~DebianLibsrtp() {
    if (initialised_) api_.shutdown();
    if (handle_ != nullptr) dlclose(handle_);
  }
  DebianLibsrtp(const DebianLibsrtp&) = delete;
  DebianLibsrtp& operator=(const DebianLibsrtp&) = delete;

  [[nodiscard]] bool available() const { return handle_ != nullptr; }
  [[nodiscard]] const SrtpApi& api() const { return api_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  template <typename Fn>
  bool resolve(Fn& fn, const char* name) {
    void* symbol = dlsym(handle_, name);
    if (symbol == nullptr) {
      reason_ = std::string("libsrtp2.so.1 has no symbol ") + name;
      return false;
    }
    fn = reinterpret_cast<Fn>(symbol);
    return true;
  }

  void* handle_ = nullptr;
  bool initialised_ = false;
  SrtpApi api_;
  std::string reason_;
};

// An srtp_t made with the policy of media/srtp/SrtpSession, freed by the library that made it.
class Session {
 public:
  Session(const SrtpApi& api, SrtpProfile profile, bool outbound) : api_(api) {
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof(policy));
    auto set = profile == SrtpProfile::kAes128CmSha1_80 ? api.setAesCm128HmacSha1_80
               : profile == SrtpProfile::kAeadAes128Gcm ? api.setAesGcm128
                                                        : api.setAesGcm256;
    set(&policy.rtp);
    set(&policy.rtcp);
    std::array<uint8_t, media::srtp::kSrtpMaxKeySaltLength> key{};
    for (size_t i = 0; i < key.size(); ++i)
      key[i] = static_cast<uint8_t>(0x3c + i * 11);
    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = key.data();
    policy.window_size = kReplayWindow;
    policy.allow_repeat_tx = outbound ? 1 : 0;
    if (api.create(&session_, &policy) != srtp_err_status_ok) session_ = nullptr;
  }
  ~Session() {
    if (session_ != nullptr) api_.dealloc(session_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  [[nodiscard]] bool ok() const { return session_ != nullptr; }
  [[nodiscard]] srtp_t get() const { return session_; }

 private:
  const SrtpApi& api_;
  srtp_t session_ = nullptr;
};

// A packet buffer with libsrtp's trailer room, 16-byte aligned (libsrtp assumes 4).
struct alignas(16) PacketSlot {
  std::array<uint8_t, 1500 + SRTP_MAX_TRAILER_LEN + 4> bytes{};
};

void writeRtpHeader(uint8_t* p, uint16_t seq, uint32_t ssrc) {
  p[0] = 0x80;
  p[1] = 96;
  media::util::write16(p + 2, seq);
  media::util::write32(p + 4, uint32_t{seq} * 3000U);
  media::util::write32(p + 8, ssrc);
}

void fillPacket(PacketSlot& slot, size_t packetBytes, uint16_t seq) {
  writeRtpHeader(slot.bytes.data(), seq, 0x5eed0001);
  for (size_t i = 12; i < packetBytes; ++i)
    slot.bytes[i] = static_cast<uint8_t>(i * 7);
}

struct Measurement {
  double ns = 0;
  uint64_t ops = 0;
  bool ok = false;
};

// protect: one cache-hot buffer, as when a forwarded packet is copied into a pooled buffer and
// protected right away. Each iteration rewrites the sequence number (a new index, so no repeat
// path) and protects the packet's first packetBytes again; the payload being last round's
// ciphertext does not change the cost.
Measurement measureProtect(const SrtpApi& api, SrtpProfile profile, size_t packetBytes, double seconds) {
  Measurement m;
  Session out(api, profile, true);
  if (!out.ok()) return m;
  PacketSlot slot;
  fillPacket(slot, packetBytes, 0);
  uint16_t seq = 0;
  auto once = [&] {
    media::util::write16(slot.bytes.data() + 2, ++seq);
    int len = static_cast<int>(packetBytes);
    return api.protect(out.get(), slot.bytes.data(), &len) == srtp_err_status_ok;
  };
  for (int i = 0; i < 1000; ++i) {
    if (!once()) return m;
  }
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  const double cpuStart = threadCpuNs();
  uint64_t failures = 0;
  while (m.ops < kMaxOperations) {
    for (int i = 0; i < 1024; ++i)
      failures += once() ? 0U : 1U;
    m.ops += 1024;
    if (Clock::now() >= deadline) break;
  }
  m.ns = (threadCpuNs() - cpuStart) / double(m.ops);
  m.ok = failures == 0;
  return m;
}

// unprotect: replay protection forbids unprotecting the same packet twice, so each pass first
// protects a ring of kRing packets with increasing sequence numbers with a separate outbound
// session (untimed), then unprotects the ring in order in place (timed). Sequence numbers keep
// increasing across passes (libsrtp tracks the rollover counter on both sides), so one inbound
// session serves the whole run and no packet copy or session set-up is inside the timing.
Measurement measureUnprotect(const SrtpApi& api, SrtpProfile profile, size_t packetBytes, double seconds) {
  Measurement m;
  Session out(api, profile, true);
  Session in(api, profile, false);
  if (!out.ok() || !in.ok()) return m;
  std::vector<PacketSlot> ring(kRing);
  std::array<int, kRing> lengths{};
  uint16_t seq = 0;
  auto refill = [&] {
    for (size_t i = 0; i < kRing; ++i) {
      fillPacket(ring[i], packetBytes, ++seq);
      lengths[i] = static_cast<int>(packetBytes);
      if (api.protect(out.get(), ring[i].bytes.data(), &lengths[i]) != srtp_err_status_ok) return false;
    }
    return true;
  };
  auto pass = [&] {
    uint64_t failures = 0;
    for (size_t i = 0; i < kRing; ++i) {
      int len = lengths[i];
      failures += api.unprotect(in.get(), ring[i].bytes.data(), &len) == srtp_err_status_ok ? 0U : 1U;
    }
    return failures;
  };
  for (int warm = 0; warm < 4; ++warm) {
    if (!refill() || pass() != 0) return m;
  }
  double timedNs = 0;
  uint64_t failures = 0;
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds * 3);  // wall-clock bound
  while (m.ops < kMaxOperations && timedNs < seconds * 1e9 && Clock::now() < deadline) {
    if (!refill()) return m;
    const double start = threadCpuNs();
    failures += pass();
    timedNs += threadCpuNs() - start;
    m.ops += kRing;
  }
  m.ns = timedNs / double(m.ops);
  m.ok = failures == 0;
  return m;
}

Measurement measure(const SrtpApi& api, const char* library, SrtpProfile profile, size_t packetBytes,
                    bool protect, double seconds) {
  std::fprintf(stderr, "  %-22s %4zu B %-9s %-7s ", std::string(srtpProfileOpenSslName(profile)).c_str(),
               packetBytes, protect ? "protect" : "unprotect", library);
  const Measurement m = protect ? measureProtect(api, profile, packetBytes, seconds)
                                : measureUnprotect(api, profile, packetBytes, seconds);
  if (m.ok) {
    std::fprintf(stderr, "%9.1f ns/packet  (%llu packets)\n", m.ns, static_cast<unsigned long long>(m.ops));
  } else {
    std::fprintf(stderr, "FAILED\n");
  }
  return m;
}

}  // namespace

std::vector<SrtpBenchRow> SrtpBench::run(double secondsEach) {
  media::srtp::SrtpLibrary library;  // ours; reference counted, so main may hold one as well
  const SrtpApi ours = ourApi();
  const DebianLibsrtp debian;
  std::fprintf(stderr,
               "SRTP benchmarks (%.1f s each): ours = %s (OpenSSL), debian = libsrtp2.so.1 (NSS)%s%s\n",
               secondsEach, media::srtp::SrtpLibrary::version(), debian.available() ? "" : ": unavailable, ",
               debian.reason().c_str());

  constexpr std::array<SrtpProfile, 3> kProfiles{SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm,
                                                 SrtpProfile::kAeadAes256Gcm};
  constexpr std::array<size_t, 2> kSizes{1200, 160};  // a video packet, an audio packet
  std::vector<SrtpBenchRow> rows;
  for (const SrtpProfile profile : kProfiles) {
    for (const size_t size : kSizes) {
      for (const bool protect : {true, false}) {
        SrtpBenchRow row;
        row.profile = std::string(srtpProfileOpenSslName(profile));
        row.packetBytes = size;
        row.operation = protect ? "protect" : "unprotect";
        const Measurement our = measure(ours, "ours", profile, size, protect, secondsEach);
        if (!our.ok) return {};
        row.nsOurs = our.ns;
        row.opsOurs = our.ops;
        if (debian.available()) {
          const Measurement theirs = measure(debian.api(), "debian", profile, size, protect, secondsEach);
          if (theirs.ok) {
            row.nsDebian = theirs.ns;
            row.opsDebian = theirs.ops;
            row.ratio = theirs.ns / our.ns;
          }
        }
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

}  // namespace switchyard::bench
