#pragma once
// One media worker: a thread running its own io_context. Everything a worker owns (transports,
// routers, streams; they arrive with the transport issue) is touched only from its thread.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <spdlog/logger.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace switchyard::server {

namespace asio = boost::asio;

class Worker {
 public:
  // Called on the worker's thread when a handler throws; the server then stops (the loop goes on
  // running so the worker's objects are still destroyed on its thread).
  using FailureHandler = std::function<void(unsigned index, const std::string& error)>;

  // `realtimePriority`: 1-99 asks for SCHED_FIFO at that priority on the worker thread (a refusal is
  // logged, and the worker runs at normal priority); 0: normal scheduling.
  Worker(unsigned index, std::shared_ptr<spdlog::logger> log, FailureHandler onFailure,
         int realtimePriority = 0);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  // Stops the loop and joins the thread; safe to call twice.
  void stop();

  [[nodiscard]] unsigned index() const noexcept { return index_; }
  [[nodiscard]] asio::io_context& context() noexcept { return io_; }
  [[nodiscard]] bool running() const noexcept { return running_.load(std::memory_order_acquire); }
  // What the thread got, once it has run a task: "SCHED_FIFO <priority>", else "normal".
  [[nodiscard]] std::string scheduling() const;

 private:
  unsigned index_;
  std::shared_ptr<spdlog::logger> log_;
  FailureHandler onFailure_;
  int realtimePriority_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::atomic<int> fifoPriority_{0};  // what the thread got: its SCHED_FIFO priority, 0: normal
  std::atomic<bool> running_{false};
};

}  // namespace switchyard::server
