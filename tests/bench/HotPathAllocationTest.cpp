// Zero heap allocations per forwarded packet, through the whole server: the real Server in this
// process (two workers), the bench's real clients (signaling, ICE, DTLS, SRTP over loopback UDP),
// a simulcast publisher and subscribers on two layers. After a warm-up, every allocation made on a
// worker thread is counted while media flows: recvmmsg, SRTP unprotect, the router's rewrite for
// each subscriber, SRTP protect, sendmmsg, and the worker's timers (reports, feedback, keyframe
// requests) all together must allocate nothing.
// Every malloc/calloc/realloc/memalign (C libraries: OpenSSL, libsrtp, glibc) and so every operator
// new is counted: by replacing them here, or under ASan, which owns malloc, with its allocation hooks.
#include <catch2/catch.hpp>

#include <malloc.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <new>
#include <thread>

#include "bench/LoadPeer.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "tests/server/ServerHarness.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWITCHYARD_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SWITCHYARD_TEST_ASAN 1
#endif

namespace {
thread_local bool tCounted = false;
std::atomic<uint64_t> gAllocations{0};
inline void note() noexcept {
  if (tCounted) gAllocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

#ifdef SWITCHYARD_TEST_ASAN
#include <sanitizer/allocator_interface.h>
namespace {
// ASan owns malloc and operator new; its hooks see every allocation of either.
void onMalloc(const volatile void*, size_t) {
  note();
}
void onFree(const volatile void*) {}
const int gHooksInstalled = __sanitizer_install_malloc_and_free_hooks(&onMalloc, &onFree);
}  // namespace
#else
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void* malloc(size_t size) {
  note();
  return __libc_malloc(size);
}
void* calloc(size_t n, size_t size) {
  note();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t size) {
  note();
  return __libc_realloc(p, size);
}
void* memalign(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  note();
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  note();
  *out = __libc_memalign(alignment, size);
  return *out ? 0 : ENOMEM;
}
}
#endif

using namespace switchyard;
using namespace std::chrono_literals;

namespace {

// The bench's peers on one client thread.
struct Clients {
  explicit Clients(unsigned short port, const bench::LoadScenario& scenario)
      : certificate(media::dtls::DtlsCertificate::generate("alloc-test")),
        dtls(certificate),
        work(boost::asio::make_work_guard(io)),
        pacer(io),
        scenario_(scenario),
        endpoint(boost::asio::ip::make_address("127.0.0.1"), port) {
    thread = std::thread([this] { io.run(); });
    boost::asio::post(io, [this] { pace(); });
  }
  ~Clients() {
    std::promise<void> done;
    boost::asio::post(io, [&] {
      stopped = true;
      pacer.cancel();
      for (auto& p : peers)
        p->stop();
      done.set_value();
    });
    done.get_future().wait();
    std::this_thread::sleep_for(200ms);
    std::promise<void> cleared;
    boost::asio::post(io, [&] {
      peers.clear();
      cleared.set_value();
    });
    cleared.get_future().wait();
    work.reset();
    io.stop();
    thread.join();
  }
  void add(bench::PeerRole role, uint32_t index) {
    boost::asio::post(io, [this, role, index] {
      bench::PeerContext context{io,
                                 dtls,
                                 certificate,
                                 scenario_,
                                 meter,
                                 counters,
                                 endpoint,
                                 bench::PeerTransportKind::kWebRtc,
                                 {},
                                 nullptr,
                                 [this](const std::string& what) {
                                   std::lock_guard lock(mutex);
                                   errors.push_back(what);
                                 }};
      peers.push_back(std::make_unique<bench::LoadPeer>(std::move(context), role, index, 0));
      peers.back()->start([](bool) {});
    });
  }
  void pace() {
    if (stopped) return;
    const uint64_t now = bench::monotonicNs();
    for (auto& p : peers)
      p->pace(now);
    pacer.expires_after(2ms);
    pacer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pace();
    });
  }
  bool waitReady(uint32_t count, std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (counters.ready.load() >= count) return true;
      if (counters.failed.load() > 0) return false;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  boost::asio::io_context io;
  media::dtls::DtlsCertificate certificate;
  media::dtls::DtlsContext dtls;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  boost::asio::steady_timer pacer;
  const bench::LoadScenario& scenario_;
  boost::asio::ip::tcp::endpoint endpoint;
  bench::ThreadMeter meter;
  bench::PeerCounters counters;
  std::vector<std::unique_ptr<bench::LoadPeer>> peers;
  std::mutex mutex;
  std::vector<std::string> errors;
  bool stopped = false;
  std::thread thread;
};

void countOnWorkers(test::RunningServer& running, bool on) {
  for (size_t i = 0; i < running.server.workerCount(); ++i) {
    std::promise<void> done;
    running.server.postToWorker(i, [&done, on] {
      tCounted = on;
      done.set_value();
    });
    done.get_future().wait();
  }
}

// Two workers; from the (roomSpreadPeers + 1)-th peer of a room on, the least loaded one.
config::Config twoWorkers(uint32_t roomSpreadPeers) {
  config::Config config = test::testConfig();
  config.workers.count = 2;
  config.workers.roomSpreadPeers = roomSpreadPeers;
  config.rooms.maxPeers = 16;
  config.signaling.maxMessageBytes = 65536;
  config.rtc.iceTcp = false;
  return config;
}

bench::LoadScenario simulcastVideo() {
  bench::LoadScenario scenario;
  scenario.simulcast = true;
  scenario.videoKbps = 900;
  scenario.keyframeIntervalMs = 1000;  // key frames (and their layer switches) in the window too
  return scenario;
}

struct Window {
  uint64_t allocations = 0;  // on the worker threads
  uint64_t forwarded = 0;    // packets the subscribers received
  uint64_t handedOff = 0;    // packets handed from one worker to another
};

uint64_t handedOff(test::RunningServer& running) {
  const auto* handoff = running.server.handoff();
  if (handoff == nullptr) return 0;
  uint64_t sent = 0;
  for (size_t i = 0; i < running.server.workerCount(); ++i)
    sent += handoff->counters(i).sent.load();
  return sent;
}

// One simulcast publisher and four subscribers join; after the warm-up, the workers' allocations
// are counted for 3 s.
Window joinAndCount(test::RunningServer& running, Clients& clients) {
  clients.add(bench::PeerRole::kPublisher, 0);
  REQUIRE(clients.waitReady(1));
  for (uint32_t i = 1; i <= 4; ++i)
    clients.add(bench::PeerRole::kSubscriber, i);
  REQUIRE(clients.waitReady(5));
  // Warm-up: first key frames and reports, and past rtc.simulcast_layer_off_delay_ms (5 s), when
  // the router reports the layers nobody receives (a control message to the signaling thread).
  std::this_thread::sleep_for(6s);

  const uint64_t receivedBefore = clients.meter.received.get();
  const uint64_t handedOffBefore = handedOff(running);
  gAllocations.store(0);
  countOnWorkers(running, true);
  std::this_thread::sleep_for(3s);
  countOnWorkers(running, false);
  Window window;
  window.allocations = gAllocations.load();
  window.forwarded = clients.meter.received.get() - receivedBefore;
  window.handedOff = handedOff(running) - handedOffBefore;
  return window;
}

void checkNoErrorsNoLoss(Clients& clients) {
  {
    std::lock_guard lock(clients.mutex);
    CHECK(clients.errors.empty());
  }
  CHECK(clients.meter.totals().lost() == 0);
}

}  // namespace

TEST_CASE("the workers allocate nothing while they forward simulcast media to subscribers", "[alloc]") {
  test::RunningServer running(twoWorkers(50));  // the default: a room of five stays on one worker
  const bench::LoadScenario scenario = simulcastVideo();
  Clients clients(running.port, scenario);
  const Window window = joinAndCount(running, clients);
  INFO("packets received by the subscribers in the window: " << window.forwarded);
  CHECK(window.forwarded > 1000);
  CHECK(window.allocations == 0);
  checkNoErrorsNoLoss(clients);
}

TEST_CASE("the workers allocate nothing while a spread room hands media from one worker to another",
          "[alloc][handoff]") {
  test::RunningServer running(twoWorkers(2));  // from the third peer on, the least loaded worker
  REQUIRE(running.server.handoff() != nullptr);
  const bench::LoadScenario scenario = simulcastVideo();
  Clients clients(running.port, scenario);
  const Window window = joinAndCount(running, clients);
  INFO("packets received by the subscribers in the window: " << window.forwarded
                                                             << ", handed off: " << window.handedOff);
  CHECK(window.forwarded > 1000);
  CHECK(window.handedOff > 200);  // the subscribers on the other worker get theirs through the lane
  CHECK(window.allocations == 0);
  checkNoErrorsNoLoss(clients);
}
