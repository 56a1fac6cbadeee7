#pragma once
#include <chrono>
#include <cstdint>
#include <memory>

#include <spdlog/logger.h>

#include "signaling/HttpRouter.h"
#include "signaling/HttpServer.h"

namespace switchyard::signaling {

// What every HttpSession of one HttpServer shares. Touched only from the signaling thread.
struct HttpServer::Shared {
  HttpRouter router;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::milliseconds requestTimeout{10000};
  uint32_t openConnections = 0;
};

}  // namespace switchyard::signaling
