#include "media/srtp/SrtpLibrary.h"

#include <srtp2/srtp.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>

namespace switchyard::media::srtp {

namespace {

// Constant-initialised (no static constructors run): the reference count of live SrtpLibrary
// objects and the sink installed by the first one.
std::mutex gMutex;
int gUsers = 0;
SrtpLibrary::LogSink gSink = nullptr;
void* gSinkData = nullptr;
std::atomic<uint64_t> gDroppedLogMessages{0};

void forwardLog(srtp_log_level_t level, const char* message, void* /*data*/) {
  if (gSink == nullptr) {
    gDroppedLogMessages.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  SrtpLibrary::LogLevel mapped = SrtpLibrary::LogLevel::kDebug;
  switch (level) {
    case srtp_log_level_error:
      mapped = SrtpLibrary::LogLevel::kError;
      break;
    case srtp_log_level_warning:
      mapped = SrtpLibrary::LogLevel::kWarning;
      break;
    case srtp_log_level_info:
      mapped = SrtpLibrary::LogLevel::kInfo;
      break;
    case srtp_log_level_debug:
      break;
  }
  gSink(mapped, message != nullptr ? message : "", gSinkData);
}

}  // namespace

SrtpLibrary::SrtpLibrary(LogSink sink, void* sinkData) {
  const std::lock_guard lock(gMutex);
  if (gUsers == 0) {
    gSink = sink;
    gSinkData = sinkData;
    // Installed before srtp_init() so that start-up messages are captured too.
    srtp_install_log_handler(forwardLog, nullptr);
    const srtp_err_status_t status = srtp_init();
    if (status != srtp_err_status_ok) {
      srtp_install_log_handler(nullptr, nullptr);
      gSink = nullptr;
      gSinkData = nullptr;
      throw std::runtime_error("srtp_init failed with libsrtp status " + std::to_string(int{status}));
    }
  }
  ++gUsers;
}

SrtpLibrary::~SrtpLibrary() {
  const std::lock_guard lock(gMutex);
  if (--gUsers == 0) {
    srtp_shutdown();
    srtp_install_log_handler(nullptr, nullptr);
    gSink = nullptr;
    gSinkData = nullptr;
  }
}

bool SrtpLibrary::initialised() noexcept {
  const std::lock_guard lock(gMutex);
  return gUsers > 0;
}

uint64_t SrtpLibrary::droppedLogMessages() noexcept {
  return gDroppedLogMessages.load(std::memory_order_relaxed);
}

const char* SrtpLibrary::version() noexcept {
  return srtp_get_version_string();
}

}  // namespace switchyard::media::srtp
