#pragma once
// RTCP packet types, feedback message types and SDES item types (RFC 3550, RFC 4585, RFC 5104,
// draft-holmer-rmcat-transport-wide-cc-extensions-01, draft-alvestrand-rmcat-remb-03).
#include <cstddef>
#include <cstdint>

namespace switchyard::media::rtcp {

inline constexpr uint8_t kVersion = 2;
inline constexpr size_t kHeaderSize = 4;

// Packet types (RFC 3550 §12.1, RFC 4585 §6.1).
inline constexpr uint8_t kPtSr = 200;
inline constexpr uint8_t kPtRr = 201;
inline constexpr uint8_t kPtSdes = 202;
inline constexpr uint8_t kPtBye = 203;
inline constexpr uint8_t kPtApp = 204;
inline constexpr uint8_t kPtRtpfb = 205;
inline constexpr uint8_t kPtPsfb = 206;

// Transport layer feedback FMT values (PT=205).
inline constexpr uint8_t kFmtNack = 1;          // RFC 4585 §6.2.1
inline constexpr uint8_t kFmtTransportCc = 15;  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1
// Payload-specific feedback FMT values (PT=206).
inline constexpr uint8_t kFmtPli = 1;   // RFC 4585 §6.3.1
inline constexpr uint8_t kFmtFir = 4;   // RFC 5104 §4.3.1
inline constexpr uint8_t kFmtAfb = 15;  // RFC 4585 §6.4, carries REMB

// SDES item types (RFC 3550 §6.5).
inline constexpr uint8_t kSdesEnd = 0;
inline constexpr uint8_t kSdesCname = 1;
inline constexpr uint8_t kSdesName = 2;
inline constexpr uint8_t kSdesEmail = 3;
inline constexpr uint8_t kSdesPhone = 4;
inline constexpr uint8_t kSdesLoc = 5;
inline constexpr uint8_t kSdesTool = 6;
inline constexpr uint8_t kSdesNote = 7;
inline constexpr uint8_t kSdesPriv = 8;

// The 5-bit count field (RC, SC) and FMT field.
inline constexpr size_t kMaxCount = 31;

}  // namespace switchyard::media::rtcp
