#pragma once
// RAII owner of libsrtp's global state (srtp_init / srtp_shutdown). Create one from main (and one
// per test) before any SrtpSession; never from a static initialiser. Instances are reference
// counted: the first one initialises libsrtp and installs the log handler, the last one shuts it
// down, so a benchmark or test helper may hold its own while main holds another.
#include <cstdint>

namespace switchyard::media::srtp {

class SrtpLibrary {
 public:
  enum class LogLevel : uint8_t { kError, kWarning, kInfo, kDebug };
  // Receives libsrtp's own log messages (control-plane events such as a key-usage limit; never
  // per packet with the debug modules off, which is how Switchyard builds libsrtp). May be null.
  using LogSink = void (*)(LogLevel level, const char* message, void* data);

  // Throws std::runtime_error if srtp_init() fails. `sink` is used only if this instance is the
  // one that initialises libsrtp; without a sink, messages are counted and dropped.
  explicit SrtpLibrary(LogSink sink = nullptr, void* sinkData = nullptr);
  ~SrtpLibrary();
  SrtpLibrary(const SrtpLibrary&) = delete;
  SrtpLibrary& operator=(const SrtpLibrary&) = delete;
  SrtpLibrary(SrtpLibrary&&) = delete;
  SrtpLibrary& operator=(SrtpLibrary&&) = delete;

  // Whether some SrtpLibrary is alive (libsrtp is initialised).
  [[nodiscard]] static bool initialised() noexcept;
  // libsrtp log messages seen while no sink was installed.
  [[nodiscard]] static uint64_t droppedLogMessages() noexcept;
  // "libsrtp2 2.5.0" as reported by srtp_get_version_string().
  [[nodiscard]] static const char* version() noexcept;
};

}  // namespace switchyard::media::srtp
