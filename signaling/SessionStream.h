#pragma once
// The two streams a front-end connection runs on: plain TCP, or TLS over TCP when a certificate is
// configured. HttpSession and WebSocketSession are templates over them (explicitly instantiated
// for both in their .cpp files), so the HTTP and WebSocket logic exists once.
#include <type_traits>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace switchyard::signaling {

using PlainStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <class Stream>
inline constexpr bool kIsTlsStream = std::is_same_v<Stream, TlsStream>;

}  // namespace switchyard::signaling
