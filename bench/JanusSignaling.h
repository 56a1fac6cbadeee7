#pragma once
// One simulated peer's Janus signaling: the Janus API over WebSocket (subprotocol janus-protocol)
// with the videoroom plugin, asynchronous on a caller's io_context (Boost.Beast), callback style.
//
//   auto janus = JanusSignaling::create(io, {.host = "10.77.0.1"}, onError);
//   janus->connect([=] {                            // WebSocket, create session, attach videoroom
//     janus->joinAsPublisher(room, "pub-1", [=](uint64_t id) {
//       janus->publish(offerSdp, [=](std::string answerSdp) { ... });   // "configure" + JSEP offer
//     });
//   });
//   subscriber: joinAsSubscriber(room, feed, [](std::string offerSdp) {...}) then
//               start(answerSdp, [] {...});
//   leave(done) sends videoroom "leave"; close(done) destroys the session and closes the socket.
//
// Threading: every public method may be called from any thread; the work is posted to `io`, so the
// TCP socket is created on the thread running `io` (run it on a NetworkNamespace thread to talk to
// a Janus inside that namespace). All callbacks run on that thread. One request is answered by one
// callback: the success callback, or onError with a clear message (a Janus error reply "janus
// error 456 ...", a videoroom error "videoroom error 426 ...", a timeout after
// Options::requestTimeout, the socket closing); after the socket has failed every request reports
// an error at once. Unsolicited messages (webrtcup, media, slowlink, hangup, publisher lists of
// other rooms' events, ...) go to the event callback when one is set. A keepalive goes out every
// Options::keepaliveInterval (Janus's default session timeout is 60 s). After close() no callback
// but close's own runs. The object lives while an asynchronous operation holds it (shared_ptr);
// one write is in flight at a time, with a bounded queue behind it.
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <nlohmann/json.hpp>

namespace switchyard::bench {

class JanusSignaling : public std::enable_shared_from_this<JanusSignaling> {
 public:
  struct Options {
    std::string host = "10.77.0.1";  // an IP address (no name resolution)
    uint16_t port = 8188;
    std::chrono::milliseconds requestTimeout{10000};
    std::chrono::milliseconds keepaliveInterval{25000};
    size_t maxQueuedMessages = 64;
  };
  struct RoomSettings {
    uint64_t room = 0;  // 0: Janus picks the id
    unsigned publishers = 64;
    uint32_t bitrate = 0;  // bits/s cap per publisher Janus asks for (REMB); 0: none
    std::string audioCodec = "opus";
    std::string videoCodec = "vp8";
  };
  using ErrorCallback = std::function<void(const std::string& message)>;
  using EventCallback = std::function<void(const nlohmann::json& message)>;

  static std::shared_ptr<JanusSignaling> create(boost::asio::io_context& io, Options options,
                                                ErrorCallback onError);
  ~JanusSignaling();
  JanusSignaling(const JanusSignaling&) = delete;
  JanusSignaling& operator=(const JanusSignaling&) = delete;

  void setEventCallback(EventCallback onEvent);

  // WebSocket connect + handshake, "create" (session), "attach" janus.plugin.videoroom; keepalives.
  void connect(std::function<void()> onReady);
  // videoroom "create" (not permanent); done gets the room id.
  void createRoom(const RoomSettings& settings, std::function<void(uint64_t room)> done);
  void destroyRoom(uint64_t room, std::function<void()> done);
  // videoroom "join" as publisher; done gets our publisher (feed) id.
  void joinAsPublisher(uint64_t room, const std::string& display, std::function<void(uint64_t id)> done);
  // videoroom "configure" {audio, video} with our JSEP offer; done gets Janus's answer SDP.
  void publish(const std::string& offerSdp, std::function<void(std::string answerSdp)> done);
  // videoroom "join" as subscriber to one feed; done gets Janus's offer SDP.
  void joinAsSubscriber(uint64_t room, uint64_t feed, std::function<void(std::string offerSdp)> done);
  // videoroom "start" with our JSEP answer.
  void start(const std::string& answerSdp, std::function<void()> done);
  // videoroom "leave" (publisher or subscriber).
  void leave(std::function<void()> done);
  // "destroy" the session (also detaches the handle), then closes the WebSocket; `done` runs once
  // either way (also when the socket already failed). No other callback runs afterwards.
  void close(std::function<void()> done);

  // Valid once connect() has completed (on the io thread).
  [[nodiscard]] uint64_t sessionId() const noexcept { return session_; }
  [[nodiscard]] uint64_t handleId() const noexcept { return handle_; }

 private:
  using Reply = std::function<void(const nlohmann::json& message)>;
  struct Pending {
    std::string what;  // "attach", "videoroom join", ... for messages
    bool completeOnAck = false;
    Reply reply;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  JanusSignaling(boost::asio::io_context& io, Options options, ErrorCallback onError);

  void doConnect(std::function<void()> onReady);
  // Sends a Janus request (session/handle ids added when known), waits for its reply.
  void request(nlohmann::json message, std::string what, bool completeOnAck, Reply reply);
  // A videoroom request; `reply` gets plugindata.data (errors already filtered out).
  void pluginRequest(nlohmann::json body, std::optional<nlohmann::json> jsep, std::string what, Reply reply);
  void send(std::string text);
  void writeNext();
  void readNext();
  void onMessage(const std::string& text);
  void fail(const std::string& message);
  void failSocket(const std::string& message);
  void armKeepalive();
  void finishClose();

  boost::asio::io_context& io_;
  Options options_;
  ErrorCallback onError_;
  EventCallback onEvent_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer readBuffer_;
  std::deque<std::string> writeQueue_;
  bool writing_ = false;
  bool open_ = false;
  bool socketFailed_ = false;
  bool closing_ = false;
  std::function<void()> onClosed_;
  std::map<std::string, Pending> pending_;
  uint64_t nextTransaction_ = 1;
  uint64_t session_ = 0;
  uint64_t handle_ = 0;
  boost::asio::steady_timer keepalive_;
};

}  // namespace switchyard::bench
