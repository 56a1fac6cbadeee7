#include "server/Worker.h"

#include <pthread.h>
#include <sched.h>

#include <exception>
#include <string>
#include <system_error>

#include <boost/asio/post.hpp>

#include "config/Log.h"

namespace switchyard::server {

using config::logEvent;

Worker::Worker(unsigned index, std::shared_ptr<spdlog::logger> log, FailureHandler onFailure,
               int realtimePriority)
    : index_(index),
      log_(std::move(log)),
      onFailure_(std::move(onFailure)),
      realtimePriority_(realtimePriority),
      guard_(asio::make_work_guard(io_)) {}

Worker::~Worker() {
  stop();
}

void Worker::start() {
  thread_ = std::thread([this] {
    if (realtimePriority_ > 0) {
      sched_param param{};
      param.sched_priority = realtimePriority_;
      if (const int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param); error != 0) {
        logEvent(*log_, spdlog::level::warn, "worker real-time priority refused", "worker", index_,
                 "priority", realtimePriority_, "error", std::system_category().message(error), "hint",
                 "needs CAP_SYS_NICE or RLIMIT_RTPRIO; running at normal priority");
      } else {
        logEvent(*log_, spdlog::level::info, "worker real-time priority", "worker", index_, "policy",
                 "SCHED_FIFO", "priority", realtimePriority_);
        fifoPriority_.store(realtimePriority_, std::memory_order_release);
      }
    }
    running_.store(true, std::memory_order_release);
    logEvent(*log_, spdlog::level::debug, "worker started", "worker", index_);
    for (;;) {
      try {
        io_.run();
        break;  // stopped
      } catch (const std::exception& e) {
        // A worker must never die silently: the server is told and stops. The loop keeps running
        // so that what the worker owns is still destroyed on this thread.
        logEvent(*log_, spdlog::level::critical, "worker failed", "worker", index_, "error", e.what());
        if (onFailure_) onFailure_(index_, e.what());
      }
    }
    running_.store(false, std::memory_order_release);
    logEvent(*log_, spdlog::level::debug, "worker stopped", "worker", index_);
  });
}

std::string Worker::scheduling() const {
  const int priority = fifoPriority_.load(std::memory_order_acquire);
  return priority > 0 ? "SCHED_FIFO " + std::to_string(priority) : "normal";
}

void Worker::stop() {
  // Work posted before stop() still runs (the queue is FIFO); the loop ends after it.
  guard_.reset();
  asio::post(io_, [this] { io_.stop(); });
  if (thread_.joinable()) thread_.join();
}

}  // namespace switchyard::server
