// workers.realtime_priority: the worker thread runs at SCHED_FIFO when the process may, and at
// normal priority (still working) when it may not.
#include <pthread.h>
#include <sched.h>

#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include <boost/asio/post.hpp>

#include "config/Log.h"
#include "server/Worker.h"

using namespace switchyard;

namespace {

// Whether this process may give a thread SCHED_FIFO 1 (root, CAP_SYS_NICE or RLIMIT_RTPRIO).
bool mayUseRealtime() {
  bool allowed = false;
  std::thread probe([&allowed] {
    sched_param param{};
    param.sched_priority = 1;
    allowed = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
  });
  probe.join();
  return allowed;
}

struct Scheduling {
  int policy = -1;
  int priority = -1;
};

// The policy and priority a task posted to the worker sees on its own thread.
Scheduling schedulingOf(server::Worker& worker) {
  std::promise<Scheduling> seen;
  boost::asio::post(worker.context(), [&seen] {
    Scheduling s;
    sched_param param{};
    pthread_getschedparam(pthread_self(), &s.policy, &param);
    s.priority = param.sched_priority;
    seen.set_value(s);
  });
  return seen.get_future().get();
}

}  // namespace

TEST_CASE("Worker: runs at SCHED_FIFO with a real-time priority, or normally when refused", "[server]") {
  server::Worker worker(0, config::logger("worker"), nullptr, 7);
  worker.start();
  const Scheduling s = schedulingOf(worker);
  if (mayUseRealtime()) {
    CHECK(s.policy == SCHED_FIFO);
    CHECK(s.priority == 7);
    CHECK(worker.scheduling() == "SCHED_FIFO 7");
  } else {
    WARN("no permission for SCHED_FIFO here: checking the fallback only");
    CHECK(s.policy == SCHED_OTHER);
    CHECK(worker.scheduling() == "normal");
  }
  // Either way the worker runs its tasks.
  std::promise<int> ran;
  boost::asio::post(worker.context(), [&ran] { ran.set_value(42); });
  CHECK(ran.get_future().get() == 42);
  worker.stop();
}

TEST_CASE("Worker: without a real-time priority the thread is scheduled normally", "[server]") {
  server::Worker worker(0, config::logger("worker"), nullptr);
  worker.start();
  const Scheduling s = schedulingOf(worker);
  CHECK(s.policy == SCHED_OTHER);
  CHECK(worker.scheduling() == "normal");
  worker.stop();
}
