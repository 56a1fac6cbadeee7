#include "server/Worker.h"

#include <exception>

#include <boost/asio/post.hpp>

#include "config/Log.h"

namespace switchyard::server {

using config::logEvent;

Worker::Worker(unsigned index, std::shared_ptr<spdlog::logger> log, FailureHandler onFailure)
    : index_(index),
      log_(std::move(log)),
      onFailure_(std::move(onFailure)),
      guard_(asio::make_work_guard(io_)) {}

Worker::~Worker() {
  stop();
}

void Worker::start() {
  thread_ = std::thread([this] {
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

void Worker::stop() {
  // Work posted before stop() still runs (the queue is FIFO); the loop ends after it.
  guard_.reset();
  asio::post(io_, [this] { io_.stop(); });
  if (thread_.joinable()) thread_.join();
}

}  // namespace switchyard::server
