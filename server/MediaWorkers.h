#pragma once
// How the rooms (signaling thread) reach the media workers: run a task on a worker with its
// WorkerMedia, and come back to the signaling thread. Implemented by the Server.
#include <cstddef>
#include <functional>

namespace switchyard::server {

class WorkerMedia;

class MediaWorkers {
 public:
  virtual ~MediaWorkers() = default;
  [[nodiscard]] virtual size_t mediaWorkerCount() const noexcept = 0;
  // Runs `task` on worker `index`'s thread with its media (dropped if the worker is stopping).
  virtual void runOnWorker(size_t index, std::function<void(WorkerMedia&)> task) = 0;
  // Runs `task` on the signaling thread (where the rooms live).
  virtual void runOnSignaling(std::function<void()> task) = 0;
};

}  // namespace switchyard::server
