#include "bench/LoadRun.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "bench/ChildProcess.h"
#include "bench/JanusProcess.h"
#include "bench/JanusSignaling.h"
#include "bench/LoadPeer.h"
#include "bench/NetworkNamespace.h"
#include "config/ConfigSchema.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/dtls/DtlsContext.h"
#include "media/sctp/SctpAssociation.h"
#include "media/sctp/SctpLibrary.h"
#include "media/srtp/SrtpLibrary.h"

namespace switchyard::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

std::atomic<bool> gInterrupted{false};
void onInterrupt(int) {
  gInterrupted.store(true);
}

// The publishers' pacer sleeps until the next due send, within these bounds.
constexpr uint64_t kMinPacerSleepNs = 100'000;
constexpr uint64_t kMaxPacerSleepNs = 2'000'000;

// Raises the calling thread's scheduling priority as far as the process may: SCHED_FIFO 1 (root
// or CAP_SYS_NICE), else nice -10; says which.
std::string raisePriority() {
  sched_param param{};
  param.sched_priority = 1;
  if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0) return "SCHED_FIFO 1";
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), -10) == 0) return "nice -10";
  return "normal";
}

// One bench client thread: an io_context, a DTLS context, its meter and its peers; a pacer makes
// the publishers send what is due, waking for the next due send.
class ClientThread {
 public:
  // With a namespace, the thread runs inside it, so the sockets its peers make live there.
  // `urgent`: the publishers' thread; it asks for a real-time priority (best effort) so that its
  // pacer wakes on time beside busy subscriber threads on the same core.
  ClientThread(const media::dtls::DtlsCertificate& certificate, const NetworkNamespace* ns, bool sctp,
               bool urgent = false)
      : dtls_(certificate), work_(asio::make_work_guard(io_)), pacer_(io_), sctp_(sctp) {
    thread_ = ns ? ns->startThread([this] { io_.run(); }) : std::thread([this] { io_.run(); });
    if (urgent) {
      std::promise<std::string> got;
      asio::post(io_, [&got] { got.set_value(raisePriority()); });
      priority_ = got.get_future().get();
    }
    asio::post(io_, [this] { pace(); });
  }
  // What raisePriority() got for this thread: "SCHED_FIFO 1", "nice -10" or "normal".
  [[nodiscard]] const std::string& priority() const noexcept { return priority_; }
  ~ClientThread() {
    std::promise<void> cleared;
    asio::post(io_, [this, &cleared] {
      pacer_.cancel();
      stopped_ = true;
      peers_.clear();
      cleared.set_value();
    });
    cleared.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  template <typename F>
  auto run(F f) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    asio::post(io_, [&task] { task(); });
    return result.get();
  }

  asio::io_context& io() { return io_; }
  media::dtls::DtlsContext& dtls() { return dtls_; }
  ThreadMeter& meter() { return meter_; }
  ThreadMeter& dataMeter() { return dataMeter_; }

  // Adds a peer and starts it on this thread.
  void add(std::unique_ptr<LoadPeer> peer, std::function<void(bool)> done) {
    asio::post(io_,
               [this, peer = std::shared_ptr<LoadPeer>(std::move(peer)), done = std::move(done)]() mutable {
                 LoadPeer* p = peer.get();
                 peers_.push_back(std::move(peer));
                 p->start(std::move(done));
               });
  }
  // Stops every peer (they leave), then waits a little for the goodbyes to go out.
  void stopAll() {
    run([this] {
      for (auto& p : peers_)
        p->stop();
    });
  }
  std::pair<double, size_t> jitter() {
    return run([this] {
      double sum = 0;
      size_t n = 0;
      for (auto& p : peers_) {
        const auto [j, streams] = p->jitter();
        sum += j * static_cast<double>(streams);
        n += streams;
      }
      return std::make_pair(sum, n);
    });
  }

 private:
  void pace() {
    if (stopped_) return;
    const uint64_t now = monotonicNs();
    if (sctp_) media::sctp::SctpAssociation::tick(std::chrono::steady_clock::now());
    // Wake for the next publisher's due send (not sooner than 100 us, at most 2 ms on): a coarse
    // tick would send every frame due within it at once, a burst independent publishers do not make.
    uint64_t next = now + kMaxPacerSleepNs;
    for (auto& p : peers_) {
      if (p->role() != PeerRole::kPublisher) continue;
      p->pace(now);
      next = std::min(next, p->nextDueNs());
    }
    pacer_.expires_after(std::chrono::nanoseconds(std::max(next, now + kMinPacerSleepNs) - now));
    pacer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pace();
    });
  }

  asio::io_context io_;
  media::dtls::DtlsContext dtls_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer pacer_;
  ThreadMeter meter_;
  ThreadMeter dataMeter_;
  std::vector<std::shared_ptr<LoadPeer>> peers_;
  std::string priority_ = "normal";
  bool sctp_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

struct Totals {
  ReceiveTotals received;
  LatencyHistogram::Snapshot latency;
  uint64_t sent = 0;
};

Totals totals(std::vector<std::unique_ptr<ClientThread>>& threads, bool data = false) {
  Totals t;
  for (auto& thread : threads) {
    const ThreadMeter& m = data ? thread->dataMeter() : thread->meter();
    t.received += m.totals();
    t.latency += m.latency.snapshot();
    t.sent += m.sentPackets.get();
  }
  return t;
}

std::string human(double v) {
  char text[32];
  if (v >= 1e6) {
    std::snprintf(text, sizeof(text), "%.2fM", v / 1e6);
  } else if (v >= 1e3) {
    std::snprintf(text, sizeof(text), "%.1fk", v / 1e3);
  } else {
    std::snprintf(text, sizeof(text), "%.0f", v);
  }
  return text;
}

// A figure in ms for report.json: null when past the histograms' last bound (+infinity, which JSON
// cannot hold).
nlohmann::json jsonMs(double ms) {
  return std::isinf(ms) ? nlohmann::json(nullptr) : nlohmann::json(ms);
}

// A progress line on stderr: redrawn in place on a terminal, one line every 5 s otherwise.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), tty_(::isatty(2) != 0) {}
  void show(const std::string& label, const std::string& phase, double done, double total,
            const std::string& figures) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (!tty_ && now - last_ < std::chrono::seconds(5) && done < total) return;
    last_ = now;
    const int width = 24;
    const double fraction = total > 0 ? std::min(1.0, done / total) : 0;
    const int filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "%s[%s] %-11s %-9s %5.1f/%-5.1f %s%s", tty_ ? "\r\033[K" : "", bar.c_str(),
                 label.c_str(), phase.c_str(), done, total, figures.c_str(), tty_ ? "" : "\n");
    std::fflush(stderr);
  }
  void done() {
    if (enabled_ && tty_) std::fprintf(stderr, "\n");
  }

 private:
  bool enabled_;
  bool tty_;
  Clock::time_point last_{};
};

class TargetRun {
 public:
  TargetRun(const RunOptions& options, const TargetSpec& target,
            const media::dtls::DtlsCertificate& certificate)
      : options_(options),
        scenario_(options.scenario),
        target_(target),
        certificate_(certificate),
        progress_(options.progress) {
    result_.target = target;
  }

  TargetResult run() {
    try {
      startTarget();
      subscriberThreads_ = scenario_.clientThreads;
      const bool publisherThread = scenario_.publisherThread && scenario_.publishers > 0;
      for (uint32_t i = 0; i < scenario_.clientThreads; ++i)
        threads_.push_back(
            std::make_unique<ClientThread>(certificate_, netns_.get(), scenario_.dataChannels));
      if (publisherThread) {
        threads_.push_back(
            std::make_unique<ClientThread>(certificate_, netns_.get(), scenario_.dataChannels, true));
        result_.publisherThreadPriority = threads_.back()->priority();
      }
      if (kind_ == PeerTransportKind::kJanus) createJanusRooms();
      measure();
    } catch (const std::exception& e) {
      result_.error = e.what();
    }
    teardown();
    return result_;
  }

 private:
  void startTarget() {
    const std::string log = options_.outDir + "/" + target_.label() + ".log";
    if (target_.kind == "switchyard") {
      ChildProcess::Options o;
      o.argv = {options_.serverBinary};
      o.dropEnvPrefixes = {"SWITCHYARD_"};
      o.env = {"SWITCHYARD_HTTP_LISTEN_ADDRESS=127.0.0.1",
               "SWITCHYARD_HTTP_PORT=0",
               "SWITCHYARD_RTC_LISTEN_ADDRESSES=127.0.0.1",
               "SWITCHYARD_RTC_UDP_PORT=0",
               "SWITCHYARD_RTC_TCP_PORT=0",
               "SWITCHYARD_RTC_ICE_TCP=false",
               "SWITCHYARD_WORKERS_COUNT=" + std::to_string(target_.workers),
               std::string("SWITCHYARD_WORKERS_LATENCY_HISTOGRAM=") +
                   (target_.latencyHistogram ? "true" : "false"),
               "SWITCHYARD_HTTP_METRICS=true",
               "SWITCHYARD_ROOMS_MAX_PEERS=10000",
               "SWITCHYARD_HTTP_MAX_CONNECTIONS=20000",
               "SWITCHYARD_SIGNALING_MAX_QUEUED_MESSAGES=65536",
               "SWITCHYARD_LOG_LEVEL=info",
               "SWITCHYARD_LOG_FORMAT=text"};
      for (const auto& [key, value] : options_.serverSettings) {
        const config::FieldSpec* field = config::ConfigSchema::instance().find(key);
        if (field == nullptr)
          throw std::runtime_error("--server-set: switchyard has no config key '" + key + "'");
        const std::string name = field->envName();
        std::erase_if(o.env, [&name](const std::string& e) { return e.rfind(name + "=", 0) == 0; });
        o.env.push_back(name + "=" + value);
      }
      o.logFile = log;
      o.readyLine = std::regex(R"(listening on http://([0-9.]+:[0-9]+)/)");
      process_ = std::make_unique<ChildProcess>(std::move(o));
      const std::string hostPort = process_->readyMatch();
      const auto colon = hostPort.rfind(':');
      signaling_ = asio::ip::tcp::endpoint(asio::ip::make_address(hostPort.substr(0, colon)),
                                           static_cast<uint16_t>(std::stoi(hostPort.substr(colon + 1))));
      kind_ = PeerTransportKind::kWebRtc;
      if (scenario_.dataChannels) sctpLibrary_ = std::make_unique<media::sctp::SctpLibrary>();
      sctp_ = sctpLibrary_.get();
    } else if (target_.kind == "reflector") {
      if (scenario_.dataChannels) throw std::runtime_error("reflector: no data channels (switchyard only)");
      ChildProcess::Options o;
      o.argv = {options_.benchBinary, "reflector", "--threads", std::to_string(target_.workers)};
      o.logFile = log;
      o.readyLine = std::regex(R"(reflector listening on ([0-9.]+:[0-9]+))");
      process_ = std::make_unique<ChildProcess>(std::move(o));
      const std::string hostPort = process_->readyMatch();
      const auto colon = hostPort.rfind(':');
      reflector_ = *media::util::SocketAddress::parse(
          hostPort.substr(0, colon), static_cast<uint16_t>(std::stoi(hostPort.substr(colon + 1))));
      kind_ = PeerTransportKind::kReflector;
    } else if (target_.kind == "janus") {
      if (scenario_.ramp && scenario_.rampUnit == "rooms")
        throw std::runtime_error("janus: no ramp by rooms (its rooms are created before the peers join)");
      if (scenario_.dataChannels) throw std::runtime_error("janus: the bench has no data channels for Janus");
      if (scenario_.simulcast) throw std::runtime_error("janus: the bench drives Janus without simulcast");
      if (scenario_.publishers > 1)
        throw std::runtime_error("janus: the bench subscribes to one publisher per room");
      NetworkNamespace::removeStale();
      netns_ = std::make_unique<NetworkNamespace>();
      JanusProcess::Options o;
      o.bindAddress = netns_->serverAddress();
      o.iceInterface = netns_->serverInterface();
      o.netnsFd = netns_->fd();
      o.eventLoops = target_.explicitWorkers ? target_.workers : 0;
      o.workDir = options_.outDir + "/janus";
      janus_ = std::make_unique<JanusProcess>(o);
      janus_->start();
      janusShared_ = std::make_unique<JanusShared>();
      janusShared_->serverAddress = netns_->serverAddress();
      janusShared_->clientAddress = netns_->clientAddress();
      janusShared_->feeds.resize(scenario_.rooms);
      kind_ = PeerTransportKind::kJanus;
    } else {
      throw std::runtime_error("unknown target '" + target_.kind + "'");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    result_.rssBeforeBytes = processRssBytes(targetPid()).value_or(0);
  }

  // The rooms, made by one control session before any peer joins.
  void createJanusRooms() {
    std::promise<std::string> done;
    auto finished = done.get_future();
    asio::io_context& io = threads_.front()->io();
    asio::post(io, [this, &io, &done] {
      auto control = JanusSignaling::create(io, JanusSignaling::Options{janusShared_->serverAddress},
                                            [&done](const std::string& e) {
                                              try {
                                                done.set_value(e);
                                              } catch (...) {
                                              }
                                            });
      janusControl_ = control;
      control->connect([this, control, &done] { createJanusRoom(control, 0, done); });
    });
    if (finished.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
      throw std::runtime_error("janus: creating the rooms timed out");
    const std::string error = finished.get();
    if (!error.empty()) throw std::runtime_error("janus: creating the rooms: " + error);
  }
  void createJanusRoom(const std::shared_ptr<JanusSignaling>& control, uint32_t n,
                       std::promise<std::string>& done) {
    if (n == scenario_.rooms) {
      done.set_value("");
      return;
    }
    JanusSignaling::RoomSettings settings;
    settings.publishers = std::max<uint32_t>(scenario_.publishers, 1) + 1;
    control->createRoom(settings, [this, control, n, &done](uint64_t id) {
      janusShared_->roomIds.push_back(id);
      createJanusRoom(control, n + 1, done);
    });
  }

  [[nodiscard]] pid_t targetPid() const { return janus_ ? janus_->pid() : process_->pid(); }
  [[nodiscard]] bool targetRunning() { return janus_ ? janus_->running() : process_->running(); }
  [[nodiscard]] std::string targetLogTail() const { return janus_ ? janus_->logTail() : process_->logTail(); }

  PeerContext context(ClientThread& thread) {
    PeerContext c{thread.io(),
                  thread.dtls(),
                  certificate_,
                  scenario_,
                  thread.meter(),
                  counters_,
                  signaling_,
                  kind_,
                  reflector_,
                  janusShared_.get(),
                  [this](const std::string& what) {
                    std::lock_guard lock(errorsMutex_);
                    if (errors_.size() < 10) errors_.push_back(what);
                  },
                  sctp_,
                  &thread.dataMeter()};
    return c;
  }

  // Starts `count` peers of a role spread over the rooms, at most join-concurrency negotiating at once;
  // waits until every one is ready or failed (or the bound).
  void addPeers(PeerRole role, uint32_t perRoom, const std::string& phase) {
    addRoomPeers(role, perRoom, 0, scenario_.rooms, phase);
  }

  // The same for the rooms [first, first + count) only (a ramp that adds rooms).
  void addRoomPeers(PeerRole role, uint32_t perRoom, uint32_t first, uint32_t count,
                    const std::string& phase) {
    std::vector<std::pair<uint32_t, uint32_t>> todo;  // (room, global index)
    for (uint32_t i = 0; i < perRoom; ++i)
      for (uint32_t r = first; r < first + count; ++r)
        todo.emplace_back(r, nextIndex_++);
    addPeerList(role, todo, phase);
  }

  void addPeerList(PeerRole role, const std::vector<std::pair<uint32_t, uint32_t>>& todo,
                   const std::string& phase) {
    auto finished = std::make_shared<std::atomic<uint32_t>>(0);
    const auto start = Clock::now();
    const auto bound = std::chrono::seconds(30) + std::chrono::milliseconds(100) * todo.size();
    size_t started = 0;
    while (!gInterrupted.load()) {
      while (started < todo.size() && started - finished->load() < scenario_.joinConcurrency) {
        // Publishers on the thread after the subscribers' ones when they have their own.
        ClientThread& thread = role == PeerRole::kPublisher && threads_.size() > subscriberThreads_
                                   ? *threads_.back()
                                   : *threads_[started % subscriberThreads_];
        auto peer =
            std::make_unique<LoadPeer>(context(thread), role, todo[started].second, todo[started].first);
        thread.add(std::move(peer), [finished](bool) { finished->fetch_add(1); });
        ++result_.peers;
        ++started;
      }
      const uint32_t f = finished->load();
      progress_.show(target_.label(), phase, f, static_cast<double>(todo.size()),
                     "ready " + std::to_string(counters_.ready.load()) + " failed " +
                         std::to_string(counters_.failed.load()));
      if (f >= todo.size()) break;
      if (Clock::now() - start > bound) {
        throw std::runtime_error(
            phase + ": only " + std::to_string(f) + " of " + std::to_string(todo.size()) +
            " peers ready or failed after " +
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(bound).count()) + " s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string figures(const Totals& now, const Totals& before, double seconds, double cpu) {
    ReceiveTotals r = now.received;
    r -= before.received;
    LatencyHistogram::Snapshot l = now.latency;
    l -= before.latency;
    const double loss =
        r.expected ? 100.0 * static_cast<double>(r.lost()) / static_cast<double>(r.expected) : 0;
    char text[160];
    std::snprintf(text, sizeof(text), "rx %s pkt/s loss %.3f%% p99 %s ms cpu %.0f%%",
                  human(seconds > 0 ? static_cast<double>(r.received) / seconds : 0).c_str(), loss,
                  formatMs(quantileMs(l, 0.99), 2).c_str(), seconds > 0 ? 100.0 * cpu / seconds : 0.0);
    return text;
  }

  double serverCpu() { return processCpuSeconds(targetPid()).value_or(0); }

  void checkAlive() {
    if (!targetRunning()) throw std::runtime_error(target_.label() + " exited:\n" + targetLogTail());
  }

  void measure() {
    const auto setupStart = Clock::now();
    addPeers(PeerRole::kPublisher, scenario_.publishers, "publishers");
    if (scenario_.idlePeers > 0) {
      // The memory of an idle peer: the RSS growth from the first half of them to all of them (so
      // one-time costs of the first connections, e.g. a worker's first buffers, do not count).
      const uint32_t firstHalf = scenario_.idlePeers / 2;
      addPeers(PeerRole::kIdle, firstHalf, "idle peers");
      std::this_thread::sleep_for(std::chrono::seconds(2));
      const uint64_t half = processRssBytes(targetPid()).value_or(0);
      addPeers(PeerRole::kIdle, scenario_.idlePeers - firstHalf, "idle peers");
      std::this_thread::sleep_for(std::chrono::seconds(2));
      result_.rssIdleFromBytes = half;
      result_.rssPeersBytes = processRssBytes(targetPid()).value_or(0);
      result_.idlePeersMeasured = (scenario_.idlePeers - firstHalf) * scenario_.rooms;
    }
    addPeers(PeerRole::kSubscriber, scenario_.subscribers, "subscribers");
    result_.setupSeconds = std::chrono::duration<double>(Clock::now() - setupStart).count();
    checkAlive();
    // Warm-up.
    const auto warm = Clock::now();
    while (!gInterrupted.load()) {
      const double s = std::chrono::duration<double>(Clock::now() - warm).count();
      if (s >= scenario_.warmupSeconds) break;
      progress_.show(target_.label(), "warm-up", s, scenario_.warmupSeconds, "");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    checkAlive();
    window(scenario_.seconds, "measure", true);
    if (scenario_.ramp) ramp();
  }

  // One measured window: fills the result (main) or returns a ramp step.
  // The server's added-latency histogram (switchyard with it on); false otherwise or on failure.
  bool scrapeServerLatency(ServerLatencyHistogram& out, ServerLatencyHistogram& processing) {
    if (target_.kind != "switchyard" || !target_.latencyHistogram) return false;
    const std::optional<std::string> body = fetchMetrics(signaling_, std::chrono::seconds(2));
    if (!body) return false;
    std::optional<ServerLatencyHistogram> parsed = parseServerLatency(*body);
    if (!parsed) return false;
    out = std::move(*parsed);
    processing = parseServerLatency(*body, kProcessingFamily).value_or(ServerLatencyHistogram{});
    return true;
  }

  RampStep window(double seconds, const std::string& phase, bool main) {
    ServerLatencyHistogram serverBefore;
    ServerLatencyHistogram processingBefore;
    const bool haveServerBefore = main && scrapeServerLatency(serverBefore, processingBefore);
    const Totals before = totals(threads_);
    const Totals dataBefore = totals(threads_, true);
    const double cpuBefore = serverCpu();
    const double benchBefore = selfCpuSeconds();
    const auto start = Clock::now();
    Totals last = before;
    double lastCpu = cpuBefore;
    auto lastTime = start;
    double nextRss = 0;
    while (!gInterrupted.load()) {
      const auto now = Clock::now();
      const double s = std::chrono::duration<double>(now - start).count();
      if (main && s >= nextRss) {
        result_.rssSeries.emplace_back(s, processRssBytes(targetPid()).value_or(0));
        nextRss += std::max(1.0, seconds / 120.0);
      }
      if (s >= seconds) break;
      if (now - lastTime >= std::chrono::milliseconds(500)) {
        const Totals t = totals(threads_);
        const double cpu = serverCpu();
        progress_.show(
            target_.label(), phase, s, seconds,
            figures(t, last, std::chrono::duration<double>(now - lastTime).count(), cpu - lastCpu));
        last = t;
        lastCpu = cpu;
        lastTime = now;
        checkAlive();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const Totals after = totals(threads_);
    ServerLatencyHistogram serverAfter;
    ServerLatencyHistogram processingAfter;
    const bool haveServerAfter = haveServerBefore && scrapeServerLatency(serverAfter, processingAfter);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = serverCpu() - cpuBefore;
    RampStep step;
    step.seconds = elapsed;
    ReceiveTotals r = after.received;
    r -= before.received;
    LatencyHistogram::Snapshot l = after.latency;
    l -= before.latency;
    step.receivedPerSecond = elapsed > 0 ? static_cast<double>(r.received) / elapsed : 0;
    step.lossPercent =
        r.expected ? 100.0 * static_cast<double>(r.lost()) / static_cast<double>(r.expected) : 0;
    step.p99Ms = quantileMs(l, 0.99);
    step.serverCpuPercent = elapsed > 0 ? 100.0 * cpu / elapsed : 0;
    step.subscribers = currentSubscribers_;
    step.rooms = currentRooms_;
    if (main) {
      result_.data = dataTotals(dataBefore);
      result_.windowSeconds = elapsed;
      result_.received = r;
      result_.latency = l;
      if (haveServerAfter) {
        result_.serverLatency = serverAfter.since(serverBefore);
        result_.serverProcessing = processingAfter.since(processingBefore);
      }
      result_.sentPackets = after.sent - before.sent;
      result_.serverCpuSeconds = cpu;
      result_.benchCpuSeconds = selfCpuSeconds() - benchBefore;
    }
    return step;
  }

  DataTotals dataTotals(const Totals& before) {
    const Totals after = totals(threads_, true);
    DataTotals d;
    d.sent = after.sent - before.sent;
    d.received = after.received;
    d.received -= before.received;
    d.latency = after.latency;
    d.latency -= before.latency;
    return d;
  }

  void ramp() {
    currentSubscribers_ = scenario_.subscribers * scenario_.rooms;
    currentRooms_ = scenario_.rooms;
    const bool byRooms = scenario_.rampUnit == "rooms";
    const uint32_t added = byRooms ? scenario_.rampStep * scenario_.subscribers : scenario_.rampStep;
    const uint64_t peersPerRoom =
        uint64_t{scenario_.publishers} + scenario_.subscribers + scenario_.idlePeers;
    const auto withinPeers = [&] {
      return !byRooms || (uint64_t{currentRooms_} + scenario_.rampStep) * peersPerRoom <= kMaxPeersPerRun;
    };
    while (!gInterrupted.load() && currentSubscribers_ + added <= scenario_.rampMaxSubscribers &&
           withinPeers()) {
      if (byRooms) {
        // Whole rooms of the scenario's shape: their publishers first, so subscribers find the tracks.
        addRoomPeers(PeerRole::kPublisher, scenario_.publishers, currentRooms_, scenario_.rampStep,
                     "ramp add rooms");
        addRoomPeers(PeerRole::kIdle, scenario_.idlePeers, currentRooms_, scenario_.rampStep,
                     "ramp add rooms");
        addRoomPeers(PeerRole::kSubscriber, scenario_.subscribers, currentRooms_, scenario_.rampStep,
                     "ramp add rooms");
        currentRooms_ += scenario_.rampStep;
      } else {
        std::vector<std::pair<uint32_t, uint32_t>> todo;
        for (uint32_t i = 0; i < scenario_.rampStep; ++i)
          todo.emplace_back((currentSubscribers_ + i) % scenario_.rooms, nextIndex_++);
        addPeerList(PeerRole::kSubscriber, todo, "ramp add");
      }
      currentSubscribers_ += added;
      std::this_thread::sleep_for(std::chrono::seconds(1));
      checkAlive();
      const RampStep step =
          window(scenario_.rampStepSeconds,
                 "ramp " + std::to_string(byRooms ? currentRooms_ : currentSubscribers_), false);
      result_.ramp.push_back(step);
      if (step.lossPercent > scenario_.rampMaxLossPercent || step.p99Ms > scenario_.rampMaxP99Ms) {
        result_.rampLimitCrossed = true;
        break;
      }
      result_.knee = step;
    }
  }

  void teardown() {
    progress_.done();
    result_.ready = counters_.ready.load();
    result_.failed = counters_.failed.load();
    result_.keyframeRequests = counters_.keyframeRequests.load();
    {
      std::lock_guard lock(errorsMutex_);
      result_.peerErrors = errors_;
    }
    if ((process_ || janus_) && targetRunning())
      result_.rssEndBytes = processRssBytes(targetPid()).value_or(0);
    double jitterSum = 0;
    size_t streams = 0;
    for (auto& t : threads_) {
      const auto [sum, n] = t->jitter();
      jitterSum += sum;
      streams += n;
    }
    result_.jitterMs = streams ? jitterSum / static_cast<double>(streams) : 0;
    for (auto& t : threads_)
      t->stopAll();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (janusControl_) {
      asio::post(threads_.front()->io(), [control = janusControl_] { control->close([] {}); });
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      janusControl_.reset();
    }
    threads_.clear();
    if (janus_) {
      result_.exitStatus = janus_->stop();
      janus_.reset();
      netns_.reset();
    }
    if (process_) {
      result_.exitStatus = process_->stop();
      if (result_.exitStatus != "exit 0" && result_.error.empty()) {
        result_.error = target_.label() + " stopped with " + result_.exitStatus + ":\n" + process_->logTail();
      }
    }
  }

  const RunOptions& options_;
  const LoadScenario& scenario_;
  TargetSpec target_;
  const media::dtls::DtlsCertificate& certificate_;
  Progress progress_;
  TargetResult result_;
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<media::sctp::SctpLibrary> sctpLibrary_;  // data channels: before the threads go
  media::sctp::SctpLibrary* sctp_ = nullptr;
  std::unique_ptr<NetworkNamespace> netns_;  // janus: declared before janus_ so it outlives it
  std::unique_ptr<JanusProcess> janus_;
  std::unique_ptr<JanusShared> janusShared_;
  std::shared_ptr<JanusSignaling> janusControl_;
  asio::ip::tcp::endpoint signaling_;
  media::util::SocketAddress reflector_;
  PeerTransportKind kind_ = PeerTransportKind::kWebRtc;
  std::vector<std::unique_ptr<ClientThread>> threads_;
  size_t subscriberThreads_ = 1;  // threads_[0, subscriberThreads_): subscribers and idle peers
  PeerCounters counters_;
  std::mutex errorsMutex_;
  std::vector<std::string> errors_;
  uint32_t nextIndex_ = 0;
  uint32_t currentSubscribers_ = 0;
  uint32_t currentRooms_ = 0;
};

void raiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

std::string TargetSpec::label() const {
  if (kind == "switchyard" && !latencyHistogram) return kind + "-" + std::to_string(workers) + "w-nolatency";
  if (kind == "switchyard" || kind == "reflector") return kind + "-" + std::to_string(workers) + "w";
  if (kind == "janus" && explicitWorkers) return kind + "-" + std::to_string(workers) + "loops";
  return kind;
}

bool parseTargets(const std::string& text, std::vector<TargetSpec>& out, std::string& error) {
  out.clear();
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    TargetSpec spec;
    const size_t colon = item.find(':');
    spec.kind = item.substr(0, colon);
    if (spec.kind != "switchyard" && spec.kind != "reflector" && spec.kind != "janus") {
      error = "unknown target '" + spec.kind + "' (switchyard, reflector, janus)";
      return false;
    }
    if (colon != std::string::npos) {
      std::string n = item.substr(colon + 1);
      if (const size_t option = n.find(':'); option != std::string::npos) {
        if (spec.kind != "switchyard" || n.substr(option + 1) != "nolatency") {
          error = "target '" + item + "': the only option is switchyard:N:nolatency";
          return false;
        }
        spec.latencyHistogram = false;
        n.resize(option);
      }
      char* end = nullptr;
      const long workers = std::strtol(n.c_str(), &end, 10);
      if (n.empty() || *end != '\0' || workers < 1 || workers > 64) {
        error = "target '" + item + "': workers must be 1..64";
        return false;
      }
      spec.workers = static_cast<uint32_t>(workers);
      spec.explicitWorkers = true;
    }
    out.push_back(spec);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return !out.empty();
}

std::string formatMs(double ms, int digits) {
  if (std::isinf(ms)) {
    return "> " + std::to_string(LatencyHistogram::kLastBoundNs / 1000000);
  }
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, ms);
  return text;
}

double TargetResult::lossPercent() const noexcept {
  return received.expected
             ? 100.0 * static_cast<double>(received.lost()) / static_cast<double>(received.expected)
             : 0;
}

double TargetResult::receivedPerSecond() const noexcept {
  return windowSeconds > 0 ? static_cast<double>(received.received) / windowSeconds : 0;
}

double TargetResult::packetsPerCpuSecond() const noexcept {
  return serverCpuSeconds > 0 ? static_cast<double>(received.received) / serverCpuSeconds : 0;
}

double TargetResult::rssPerPeerBytes() const noexcept {
  if (rssPeersBytes == 0 || peers == 0) return 0;
  return (static_cast<double>(rssPeersBytes) - static_cast<double>(rssBeforeBytes)) /
         static_cast<double>(peers);
}

nlohmann::json TargetResult::toJson() const {
  nlohmann::json j;
  j["target"] = target.label();
  j["kind"] = target.kind;
  j["workers"] = target.workers;
  if (!error.empty()) j["error"] = error;
  j["peers"] = peers;
  j["ready"] = ready;
  j["failed"] = failed;
  j["peer_errors"] = peerErrors;
  j["setup_seconds"] = setupSeconds;
  j["window_seconds"] = windowSeconds;
  j["sent_packets"] = sentPackets;
  j["expected_packets"] = received.expected;
  j["received_packets"] = received.received;
  j["lost_packets"] = received.lost();
  j["duplicate_packets"] = received.duplicates;
  j["received_bytes"] = received.bytes;
  j["loss_percent"] = lossPercent();
  j["received_per_second"] = receivedPerSecond();
  j["latency_ms"] = {{"p50", jsonMs(quantileMs(latency, 0.5))},
                     {"p90", jsonMs(quantileMs(latency, 0.9))},
                     {"p99", jsonMs(quantileMs(latency, 0.99))},
                     {"p999", jsonMs(quantileMs(latency, 0.999))},
                     {"max", jsonMs(quantileMs(latency, 1.0))}};
  if (serverLatency) {
    const ServerLatencyHistogram& s = *serverLatency;
    j["server_latency_ms"] = {{"packets", s.count},
                              {"mean", s.count ? 1000.0 * s.sumSeconds / static_cast<double>(s.count) : 0.0},
                              {"p50", jsonMs(1000.0 * s.quantileSeconds(0.5))},
                              {"p99", jsonMs(1000.0 * s.quantileSeconds(0.99))},
                              {"p999", jsonMs(1000.0 * s.quantileSeconds(0.999))}};
  } else {
    j["server_latency_ms"] = nullptr;
  }
  if (serverProcessing) {
    const ServerLatencyHistogram& s = *serverProcessing;
    j["server_processing_ms"] = {
        {"packets", s.count},
        {"mean", s.count ? 1000.0 * s.sumSeconds / static_cast<double>(s.count) : 0.0},
        {"p50", jsonMs(1000.0 * s.quantileSeconds(0.5))},
        {"p99", jsonMs(1000.0 * s.quantileSeconds(0.99))},
        {"p999", jsonMs(1000.0 * s.quantileSeconds(0.999))}};
  } else {
    j["server_processing_ms"] = nullptr;
  }
  j["jitter_ms"] = jitterMs;
  j["server_cpu_seconds"] = serverCpuSeconds;
  j["server_cpu_percent"] = windowSeconds > 0 ? 100.0 * serverCpuSeconds / windowSeconds : 0;
  j["packets_per_cpu_second"] = packetsPerCpuSecond();
  j["bench_cpu_seconds"] = benchCpuSeconds;
  j["rss_before_bytes"] = rssBeforeBytes;
  j["rss_peers_bytes"] = rssPeersBytes;
  j["rss_idle_half_bytes"] = rssIdleFromBytes;
  j["idle_peers_measured"] = idlePeersMeasured;
  j["rss_end_bytes"] = rssEndBytes;
  j["rss_per_peer_bytes"] = rssPerPeerBytes();
  nlohmann::json series = nlohmann::json::array();
  for (const auto& [s, b] : rssSeries)
    series.push_back({s, b});
  j["rss_series"] = series;
  nlohmann::json steps = nlohmann::json::array();
  for (const RampStep& s : ramp)
    steps.push_back({{"rooms", s.rooms},
                     {"subscribers", s.subscribers},
                     {"received_per_second", s.receivedPerSecond},
                     {"loss_percent", s.lossPercent},
                     {"p99_ms", jsonMs(s.p99Ms)},
                     {"server_cpu_percent", s.serverCpuPercent}});
  j["ramp"] = steps;
  if (knee) {
    j["knee_subscribers"] = knee->subscribers;
    j["knee_rooms"] = knee->rooms;
  }
  j["ramp_limit_crossed"] = rampLimitCrossed;
  j["keyframe_requests"] = keyframeRequests;
  if (data.sent > 0 || data.received.received > 0) {
    j["data_messages"] = {{"sent", data.sent},
                          {"expected", data.received.expected},
                          {"received", data.received.received},
                          {"lost", data.received.lost()},
                          {"duplicates", data.received.duplicates},
                          {"latency_p50_ms", jsonMs(quantileMs(data.latency, 0.5))},
                          {"latency_p99_ms", jsonMs(quantileMs(data.latency, 0.99))}};
  }
  j["exit_status"] = exitStatus;
  if (!publisherThreadPriority.empty()) j["publisher_thread_priority"] = publisherThreadPriority;
  // (upper bound ms, fraction of the samples below it) for each bucket with samples; none for the
  // overflow bucket (no finite bound): the curve then ends below 1 at the last bound, 1 s.
  nlohmann::json cdf = nlohmann::json::array();
  const uint64_t n = latency.count();
  uint64_t seen = 0;
  for (size_t i = 0; i + 1 < LatencyHistogram::kBuckets && n > 0; ++i) {
    if (latency.counts[i] == 0) continue;
    seen += latency.counts[i];
    cdf.push_back({static_cast<double>(LatencyHistogram::bucketUpperNs(i)) / 1e6,
                   static_cast<double>(seen) / static_cast<double>(n)});
  }
  j["latency_cdf"] = cdf;
  return j;
}

std::vector<TargetResult> runLoad(const RunOptions& options) {
  struct sigaction action {};
  action.sa_handler = onInterrupt;
  ::sigaction(SIGINT, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  raiseFileLimit();
  media::srtp::SrtpLibrary srtp;
  const auto certificate = media::dtls::DtlsCertificate::generate("switchyard-bench");
  std::vector<TargetResult> results;
  for (const TargetSpec& target : options.targets) {
    if (gInterrupted.load()) break;
    TargetRun run(options, target, certificate);
    results.push_back(run.run());
  }
  return results;
}

}  // namespace switchyard::bench
