#pragma once
// The composition root of one Switchyard process: the media workers and the signaling front end.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>
#include <boost/asio/io_context.hpp>

#include "config/Config.h"
#include "media/dtls/DtlsCertificate.h"
#include "media/srtp/SrtpLibrary.h"
#include "server/LatencyHistogram.h"
#include "server/MediaWorkers.h"
#include "server/RoomManager.h"
#include "server/Worker.h"
#include "server/WorkerHandoff.h"
#include "server/WorkerMedia.h"
#include "signaling/HttpServer.h"

namespace switchyard::server {

class Server final : private MediaWorkers {
 public:
  explicit Server(config::Config config);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the workers and the HTTP front end; returns the URL it listens on. Throws on failure
  // (e.g. the port is taken), with a message for the user.
  std::string start();
  // Runs the signaling loop on the calling thread until stop() or SIGINT/SIGTERM.
  void run();
  // Thread-safe: asks run() to return after an orderly shutdown.
  void stop();

  [[nodiscard]] size_t workerCount() const noexcept { return workers_.size(); }
  // True when run() returned because a worker failed (main exits with status 1).
  [[nodiscard]] bool failed() const noexcept { return failed_; }
  // Runs `task` on the signaling thread (where the rooms live).
  void postToSignaling(std::function<void()> task);
  // Runs `task` on worker `index`'s thread (tests, and later room commands).
  void postToWorker(size_t index, std::function<void()> task);
  // The media of worker `index`: touch it only from that worker's thread (postToWorker).
  [[nodiscard]] WorkerMedia& workerMedia(size_t index) { return *media_.at(index); }
  [[nodiscard]] const media::dtls::DtlsCertificate& certificate() const noexcept { return *certificate_; }
  // Signaling thread only.
  [[nodiscard]] RoomManager& rooms() noexcept { return *rooms_; }
  // The lanes between workers (nullptr with one worker or workers.room_spread_peers = 0).
  [[nodiscard]] const WorkerHandoff* handoff() const noexcept { return handoff_.get(); }
  // The body of GET /metrics (signaling thread; empty before start()).
  [[nodiscard]] std::string metricsText() const;

 private:
  void shutdown();
  // MediaWorkers (for the rooms)
  [[nodiscard]] size_t mediaWorkerCount() const noexcept override { return workers_.size(); }
  void runOnWorker(size_t index, std::function<void(WorkerMedia&)> task) override;
  void runOnSignaling(std::function<void()> task) override { postToSignaling(std::move(task)); }

  config::Config config_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::io_context signalingIo_{1};
  media::srtp::SrtpLibrary srtpLibrary_;
  std::unique_ptr<media::dtls::DtlsCertificate> certificate_;
  // workers.latency_histogram: one per worker, written by its worker, read by /metrics; outlives
  // the workers' media.
  std::vector<std::unique_ptr<ForwardLatency>> latency_;
  std::unique_ptr<WorkerHandoff> handoff_;  // spread rooms (several workers); outlives the workers' media
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<WorkerMedia>> media_;  // media_[i] belongs to workers_[i]
  std::unique_ptr<RoomManager> rooms_;               // signaling thread only
  std::unique_ptr<signaling::HttpServer> http_;
  bool shutDown_ = false;
  bool failed_ = false;
};

}  // namespace switchyard::server
