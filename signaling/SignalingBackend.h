#pragma once
// The seam between the signaling front end and the rooms behind it (server/ implements the
// backend). Signaling knows JSON messages and WebSocket sessions; the backend knows rooms, peers and,
// later, media. Neither includes the other's internals.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace switchyard::signaling {

// One connected signaling client as the backend sees it. Thread-safe: send() and close() may be
// called from any thread; they post to the signaling thread.
class SignalingClient {
 public:
  virtual ~SignalingClient() = default;
  // Queues one JSON message (an event, or a late reply). A client whose queue is full is closed.
  virtual void send(nlohmann::json message) = 0;
  virtual void close(std::string_view reason) = 0;
  // A number unique in this process, for logs and maps.
  [[nodiscard]] virtual uint64_t clientId() const noexcept = 0;
};

// A refused request: becomes {"type":"error","id":…,"code":code,"message":message}.
class SignalingError : public std::runtime_error {
 public:
  SignalingError(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  [[nodiscard]] const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

// Called on the signaling thread.
class SignalingBackend {
 public:
  using Reply = std::function<void(nlohmann::json reply)>;
  virtual ~SignalingBackend() = default;
  // One request (its "type" is not handled by the session itself). Calls `reply` exactly once, now
  // or later, with the reply object (its "type", without "id": the session adds it), or throws
  // SignalingError before replying.
  virtual void handle(const std::shared_ptr<SignalingClient>& client, const std::string& type,
                      const nlohmann::json& request, Reply reply) = 0;
  // The client's WebSocket closed (or was closed): it leaves whatever it joined.
  virtual void disconnected(const std::shared_ptr<SignalingClient>& client) = 0;
};

}  // namespace switchyard::signaling
