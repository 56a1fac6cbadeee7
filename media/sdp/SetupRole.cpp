#include "media/sdp/SetupRole.h"

namespace switchyard::media::sdp {

std::optional<SetupRole> parseSetupRole(std::string_view value) noexcept {
  if (value == "actpass") return SetupRole::kActPass;
  if (value == "active") return SetupRole::kActive;
  if (value == "passive") return SetupRole::kPassive;
  if (value == "holdconn") return SetupRole::kHoldConn;
  return std::nullopt;
}

std::string_view toString(SetupRole role) noexcept {
  switch (role) {
    case SetupRole::kActPass:
      return "actpass";
    case SetupRole::kActive:
      return "active";
    case SetupRole::kPassive:
      return "passive";
    case SetupRole::kHoldConn:
      return "holdconn";
  }
  return "actpass";
}

}  // namespace switchyard::media::sdp
