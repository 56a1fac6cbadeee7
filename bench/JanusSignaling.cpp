#include "bench/JanusSignaling.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket.hpp>

namespace switchyard::bench {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using nlohmann::json;

constexpr const char* kPlugin = "janus.plugin.videoroom";

std::string describeJanusError(const json& message) {
  const json& error = message.contains("error") ? message["error"] : json::object();
  return "janus error " + std::to_string(error.value("code", 0)) + " (" +
         error.value("reason", std::string("?")) + ")";
}

// plugindata.data of a videoroom reply, or nullptr.
const json* pluginData(const json& message) {
  const auto pd = message.find("plugindata");
  if (pd == message.end() || !pd->is_object()) return nullptr;
  const auto data = pd->find("data");
  return data != pd->end() && data->is_object() ? &*data : nullptr;
}

}  // namespace

std::shared_ptr<JanusSignaling> JanusSignaling::create(asio::io_context& io, Options options,
                                                       ErrorCallback onError) {
  return std::shared_ptr<JanusSignaling>(new JanusSignaling(io, std::move(options), std::move(onError)));
}

JanusSignaling::JanusSignaling(asio::io_context& io, Options options, ErrorCallback onError)
    : io_(io), options_(std::move(options)), onError_(std::move(onError)), ws_(io), keepalive_(io) {}

JanusSignaling::~JanusSignaling() = default;

void JanusSignaling::setEventCallback(EventCallback onEvent) {
  asio::post(io_, [self = shared_from_this(), onEvent = std::move(onEvent)]() mutable {
    self->onEvent_ = std::move(onEvent);
  });
}

void JanusSignaling::connect(std::function<void()> onReady) {
  asio::post(io_, [self = shared_from_this(), onReady = std::move(onReady)]() mutable {
    self->doConnect(std::move(onReady));
  });
}

void JanusSignaling::doConnect(std::function<void()> onReady) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    failSocket("Janus WebSocket: '" + options_.host + "' is not an IP address");
    return;
  }
  const asio::ip::tcp::endpoint endpoint(address, options_.port);
  beast::get_lowest_layer(ws_).expires_after(options_.requestTimeout);
  beast::get_lowest_layer(ws_).async_connect(endpoint, [self = shared_from_this(),
                                                        onReady = std::move(onReady)](
                                                           const boost::system::error_code& error) mutable {
    if (self->closing_) return self->finishClose();
    if (error)
      return self->failSocket("Janus WebSocket connect to " + self->options_.host + ":" +
                              std::to_string(self->options_.port) + ": " + error.message());
    beast::get_lowest_layer(self->ws_).expires_never();
    self->ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    self->ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::sec_websocket_protocol, "janus-protocol");
    }));
    self->ws_.text(true);
    const std::string host = self->options_.host + ":" + std::to_string(self->options_.port);
    self->ws_.async_handshake(
        host, "/", [self, onReady = std::move(onReady)](const boost::system::error_code& e) mutable {
          if (self->closing_) return self->finishClose();
          if (e) return self->failSocket("Janus WebSocket handshake: " + e.message());
          self->open_ = true;
          self->readNext();
          self->request({{"janus", "create"}}, "create session", false,
                        [self, onReady = std::move(onReady)](const json& created) mutable {
                          self->session_ = created.at("data").at("id").get<uint64_t>();
                          self->armKeepalive();
                          self->request({{"janus", "attach"}, {"plugin", kPlugin}}, "attach videoroom", false,
                                        [self, onReady = std::move(onReady)](const json& attached) {
                                          self->handle_ = attached.at("data").at("id").get<uint64_t>();
                                          if (onReady) onReady();
                                        });
                        });
        });
  });
}

void JanusSignaling::request(json message, std::string what, bool completeOnAck, Reply reply) {
  if (closing_ && message.value("janus", std::string()) != "destroy") return;
  if (socketFailed_ || !open_) {
    fail("Janus " + what + ": the WebSocket is " + (socketFailed_ ? "closed" : "not connected"));
    return;
  }
  if (pending_.size() >= options_.maxQueuedMessages) {
    fail("Janus " + what + ": too many requests in flight");
    return;
  }
  const std::string transaction = "t" + std::to_string(nextTransaction_++);
  message["transaction"] = transaction;
  if (session_ != 0 && !message.contains("session_id")) message["session_id"] = session_;
  const std::string type = message.value("janus", std::string());
  if (handle_ != 0 && (type == "message" || type == "trickle" || type == "detach"))
    message["handle_id"] = handle_;

  Pending p;
  p.what = std::move(what);
  p.completeOnAck = completeOnAck;
  p.reply = std::move(reply);
  p.timer = std::make_unique<asio::steady_timer>(io_);
  p.timer->expires_after(options_.requestTimeout);
  p.timer->async_wait([self = shared_from_this(), transaction](const boost::system::error_code& ec) {
    if (ec) return;
    const auto it = self->pending_.find(transaction);
    if (it == self->pending_.end()) return;
    const std::string name = it->second.what;
    self->pending_.erase(it);
    if (self->closing_) {
      if (name == "destroy session") self->finishClose();
      return;
    }
    self->fail("Janus " + name + ": no reply within " +
               std::to_string(self->options_.requestTimeout.count()) + " ms");
  });
  pending_.emplace(transaction, std::move(p));
  send(message.dump());
}

void JanusSignaling::pluginRequest(json body, std::optional<json> jsep, std::string what, Reply reply) {
  json message = {{"janus", "message"}, {"body", std::move(body)}};
  if (jsep) message["jsep"] = std::move(*jsep);
  const std::string name = what;
  request(std::move(message), std::move(what), false,
          [self = shared_from_this(), name, reply = std::move(reply)](const json& answer) {
            const json* data = pluginData(answer);
            if (data == nullptr) return self->fail("Janus " + name + ": reply without plugindata");
            if (data->contains("error_code") || data->contains("error")) {
              return self->fail("Janus " + name + ": videoroom error " +
                                std::to_string(data->value("error_code", 0)) + " (" +
                                data->value("error", std::string("?")) + ")");
            }
            reply(answer);
          });
}

void JanusSignaling::createRoom(const RoomSettings& settings, std::function<void(uint64_t room)> done) {
  json body = {{"request", "create"},
               {"permanent", false},
               {"publishers", settings.publishers},
               {"audiocodec", settings.audioCodec},
               {"videocodec", settings.videoCodec},
               {"bitrate", settings.bitrate}};
  if (settings.room != 0) body["room"] = settings.room;
  asio::post(io_, [self = shared_from_this(), body = std::move(body), done = std::move(done)]() mutable {
    self->pluginRequest(std::move(body), std::nullopt, "videoroom create",
                        [done = std::move(done)](const json& answer) {
                          done(pluginData(answer)->at("room").get<uint64_t>());
                        });
  });
}

void JanusSignaling::destroyRoom(uint64_t room, std::function<void()> done) {
  asio::post(io_, [self = shared_from_this(), room, done = std::move(done)]() mutable {
    self->pluginRequest({{"request", "destroy"}, {"room", room}, {"permanent", false}}, std::nullopt,
                        "videoroom destroy", [done = std::move(done)](const json&) {
                          if (done) done();
                        });
  });
}

void JanusSignaling::joinAsPublisher(uint64_t room, const std::string& display,
                                     std::function<void(uint64_t id)> done) {
  json body = {{"request", "join"}, {"ptype", "publisher"}, {"room", room}, {"display", display}};
  asio::post(io_, [self = shared_from_this(), body = std::move(body), done = std::move(done)]() mutable {
    self->pluginRequest(
        std::move(body), std::nullopt, "videoroom join (publisher)",
        [self, done = std::move(done)](const json& answer) {
          const json* data = pluginData(answer);
          if (data->value("videoroom", std::string()) != "joined" || !data->contains("id"))
            return self->fail("Janus videoroom join (publisher): unexpected reply " + data->dump());
          done(data->at("id").get<uint64_t>());
        });
  });
}

void JanusSignaling::publish(const std::string& offerSdp, std::function<void(std::string answerSdp)> done) {
  json jsep = {{"type", "offer"}, {"sdp", offerSdp}};
  asio::post(io_, [self = shared_from_this(), jsep = std::move(jsep), done = std::move(done)]() mutable {
    self->pluginRequest(
        {{"request", "configure"}, {"audio", true}, {"video", true}}, std::move(jsep),
        "videoroom configure (publish)", [self, done = std::move(done)](const json& answer) {
          const auto answerJsep = answer.find("jsep");
          if (answerJsep == answer.end() || answerJsep->value("type", std::string()) != "answer")
            return self->fail("Janus videoroom configure (publish): no JSEP answer");
          done(answerJsep->at("sdp").get<std::string>());
        });
  });
}

void JanusSignaling::joinAsSubscriber(uint64_t room, uint64_t feed,
                                      std::function<void(std::string offerSdp)> done) {
  json body = {{"request", "join"},
               {"ptype", "subscriber"},
               {"room", room},
               {"streams", json::array({{{"feed", feed}}})}};
  asio::post(io_, [self = shared_from_this(), body = std::move(body), done = std::move(done)]() mutable {
    self->pluginRequest(std::move(body), std::nullopt, "videoroom join (subscriber)",
                        [self, done = std::move(done)](const json& answer) {
                          const auto jsep = answer.find("jsep");
                          if (jsep == answer.end() || jsep->value("type", std::string()) != "offer")
                            return self->fail("Janus videoroom join (subscriber): no JSEP offer");
                          done(jsep->at("sdp").get<std::string>());
                        });
  });
}

void JanusSignaling::start(const std::string& answerSdp, std::function<void()> done) {
  json jsep = {{"type", "answer"}, {"sdp", answerSdp}};
  asio::post(io_, [self = shared_from_this(), jsep = std::move(jsep), done = std::move(done)]() mutable {
    self->pluginRequest({{"request", "start"}}, std::move(jsep), "videoroom start",
                        [done = std::move(done)](const json&) {
                          if (done) done();
                        });
  });
}

void JanusSignaling::leave(std::function<void()> done) {
  asio::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable {
    self->pluginRequest({{"request", "leave"}}, std::nullopt, "videoroom leave",
                        [done = std::move(done)](const json&) {
                          if (done) done();
                        });
  });
}

void JanusSignaling::close(std::function<void()> done) {
  asio::post(io_, [self = shared_from_this(), done = std::move(done)]() mutable {
    if (self->closing_) return;
    self->closing_ = true;
    self->onClosed_ = std::move(done);
    self->keepalive_.cancel();
    for (auto& [transaction, p] : self->pending_)
      p.timer->cancel();
    self->pending_.clear();
    if (self->open_ && !self->socketFailed_ && self->session_ != 0) {
      // The reply (or its timeout) finishes the close.
      self->request({{"janus", "destroy"}}, "destroy session", false,
                    [self](const json&) { self->finishClose(); });
      return;
    }
    if (!self->open_ && !self->socketFailed_) {
      // Still connecting: closing the socket aborts it; the handler finishes.
      boost::system::error_code ignored;
      beast::get_lowest_layer(self->ws_).socket().close(ignored);
      if (!self->writing_) self->finishClose();
      return;
    }
    self->finishClose();
  });
}

void JanusSignaling::finishClose() {
  if (!onClosed_ && !closing_) return;
  keepalive_.cancel();
  for (auto& [transaction, p] : pending_)
    p.timer->cancel();
  pending_.clear();
  auto done = std::move(onClosed_);
  onClosed_ = nullptr;
  if (open_ && !socketFailed_) {
    open_ = false;
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this(), done = std::move(done)](const boost::system::error_code&) {
                      boost::system::error_code ignored;
                      beast::get_lowest_layer(self->ws_).socket().close(ignored);
                      if (done) done();
                    });
    return;
  }
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (done) done();
}

void JanusSignaling::send(std::string text) {
  if (writeQueue_.size() >= options_.maxQueuedMessages) {
    failSocket("Janus WebSocket: write queue full");
    return;
  }
  writeQueue_.push_back(std::move(text));
  writeNext();
}

void JanusSignaling::writeNext() {
  if (writing_ || writeQueue_.empty() || !open_ || socketFailed_) return;
  writing_ = true;
  ws_.async_write(asio::buffer(writeQueue_.front()),
                  [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                    self->writing_ = false;
                    if (!self->writeQueue_.empty()) self->writeQueue_.pop_front();
                    if (ec) {
                      if (ec != asio::error::operation_aborted)
                        self->failSocket("Janus WebSocket write: " + ec.message());
                      return;
                    }
                    self->writeNext();
                  });
}

void JanusSignaling::readNext() {
  ws_.async_read(readBuffer_, [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
    if (ec) {
      if (self->closing_) return;
      self->failSocket("Janus WebSocket read: " + ec.message());
      return;
    }
    std::string text = beast::buffers_to_string(self->readBuffer_.data());
    self->readBuffer_.consume(self->readBuffer_.size());
    self->onMessage(text);
    if (!self->socketFailed_) self->readNext();
  });
}

void JanusSignaling::onMessage(const std::string& text) {
  json message = json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    fail("Janus sent a message that is not a JSON object: " + text.substr(0, 200));
    return;
  }
  const std::string type = message.value("janus", std::string());
  const std::string transaction = message.value("transaction", std::string());
  const auto it = transaction.empty() ? pending_.end() : pending_.find(transaction);
  if (it == pending_.end()) {
    // Unsolicited: webrtcup, media, slowlink, hangup, detached, events without a transaction.
    // A late ack: Janus may send a plugin's asynchronous event before the core's ack of the request.
    if (type == "ack") return;
    if (type == "timeout") fail("Janus session timed out");
    if (onEvent_ && !closing_) onEvent_(message);
    return;
  }
  if (type == "ack" && !it->second.completeOnAck) return;  // an asynchronous plugin reply follows
  Pending p = std::move(it->second);
  pending_.erase(it);
  p.timer->cancel();
  if (type == "error") {
    if (closing_) return finishClose();
    fail("Janus " + p.what + ": " + describeJanusError(message));
    return;
  }
  if (type != "success" && type != "event" && type != "ack") {
    fail("Janus " + p.what + ": unexpected reply '" + type + "'");
    return;
  }
  try {
    p.reply(message);
  } catch (const std::exception& e) {  // nlohmann: a field missing or of another type
    fail("Janus " + p.what + ": malformed reply (" + e.what() + "): " + text.substr(0, 300));
  }
}

void JanusSignaling::armKeepalive() {
  keepalive_.expires_after(options_.keepaliveInterval);
  keepalive_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->closing_ || self->socketFailed_) return;
    self->request({{"janus", "keepalive"}}, "keepalive", true, [](const json&) {});
    self->armKeepalive();
  });
}

void JanusSignaling::fail(const std::string& message) {
  if (closing_) return;
  if (onError_) onError_(message);
}

void JanusSignaling::failSocket(const std::string& message) {
  if (socketFailed_) return;
  socketFailed_ = true;
  open_ = false;
  keepalive_.cancel();
  for (auto& [transaction, p] : pending_)
    p.timer->cancel();
  const size_t lost = pending_.size();
  pending_.clear();
  boost::system::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  if (closing_) {
    finishClose();
    return;
  }
  fail(message + (lost > 0 ? " (" + std::to_string(lost) + " request(s) unanswered)" : ""));
}

}  // namespace switchyard::bench
