// Known-answer tests: a fixed master key, SSRC and sequence number must give exactly the SRTP and
// SRTCP bytes that libsrtp's own reference vectors (and, for AES-256-GCM, an independent model
// built on OpenSSL's raw AES primitives) expect.
#include <openssl/evp.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

#include "media/srtp/SrtpLibrary.h"
#include "media/srtp/SrtpSession.h"
#include "media/util/BigEndian.h"
#include "tests/TestHex.h"

using namespace switchyard::media::srtp;
using switchyard::test::hex;

namespace {

SrtpKeySalt keySaltFrom(SrtpProfile profile, const std::vector<uint8_t>& bytes) {
  REQUIRE(bytes.size() == srtpKeySaltLength(profile));
  SrtpKeySalt keySalt;
  keySalt.profile = profile;
  std::copy(bytes.begin(), bytes.end(), keySalt.bytes.begin());
  return keySalt;
}

// The 28-byte RTP packet of libsrtp's srtp_validate*(): SSRC 0xcafebabe, seq 0x1234, PT 15,
// 16 payload bytes of 0xab. The RTCP one is an SR header with SSRC 0xcafebabe and 16 bytes 0xab.
const std::vector<uint8_t> kRtpPlain = hex("800f1234 decafbad cafebabe abababab abababab abababab abababab");
const std::vector<uint8_t> kRtcpPlain = hex("81c8000b cafebabe abababab abababab abababab abababab");

void checkVector(SrtpProfile profile, const std::vector<uint8_t>& keySaltBytes,
                 const std::vector<uint8_t>& srtp, const std::vector<uint8_t>& srtcp) {
  const SrtpKeySalt keySalt = keySaltFrom(profile, keySaltBytes);
  auto out = SrtpSession::create(SrtpDirection::kOutbound, keySalt);
  auto in = SrtpSession::create(SrtpDirection::kInbound, keySalt);
  REQUIRE(out);
  REQUIRE(in);

  std::vector<uint8_t> buffer(512);
  std::copy(kRtpPlain.begin(), kRtpPlain.end(), buffer.begin());
  size_t length = kRtpPlain.size();
  REQUIRE(out->protectRtp(buffer, length) == SrtpResult::kOk);
  CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)) == srtp);
  // And the reference ciphertext decrypts back.
  std::copy(srtp.begin(), srtp.end(), buffer.begin());
  length = srtp.size();
  REQUIRE(in->unprotectRtp(buffer, length) == SrtpResult::kOk);
  CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)) ==
        kRtpPlain);

  if (srtcp.empty()) return;
  std::copy(kRtcpPlain.begin(), kRtcpPlain.end(), buffer.begin());
  length = kRtcpPlain.size();
  REQUIRE(out->protectRtcp(buffer, length) == SrtpResult::kOk);
  CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)) == srtcp);
  std::copy(srtcp.begin(), srtcp.end(), buffer.begin());
  length = srtcp.size();
  REQUIRE(in->unprotectRtcp(buffer, length) == SrtpResult::kOk);
  CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)) ==
        kRtcpPlain);
}

// --- An independent model of AEAD-AES-GCM SRTP (RFC 7714) on OpenSSL's AES primitives ---

std::vector<uint8_t> aesCtr(const EVP_CIPHER* cipher, std::span<const uint8_t> key,
                            const std::array<uint8_t, 16>& iv, size_t length) {
  std::vector<uint8_t> out(length);
  const std::vector<uint8_t> zeros(length);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(ctx != nullptr);
  int len = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, cipher, nullptr, key.data(), iv.data()) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, zeros.data(), static_cast<int>(length)) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

// RFC 3711 §4.3.1/§4.3.3 key derivation with the AES-CM PRF (RFC 6188 §7 for 256-bit keys), as
// RFC 7714 §11 uses it for GCM with a 96-bit master salt: the counter block is
// (master salt || 0x0000) XOR (label at byte 7), index DIV kdr = 0, and the low 16 bits count.
std::vector<uint8_t> deriveKey(const EVP_CIPHER* ctr, std::span<const uint8_t> masterKey,
                               std::span<const uint8_t> masterSalt, uint8_t label, size_t length) {
  std::array<uint8_t, 16> iv{};
  std::copy(masterSalt.begin(), masterSalt.end(), iv.begin());
  iv[7] ^= label;
  return aesCtr(ctr, masterKey, iv, length);
}

std::vector<uint8_t> modelGcmSrtp(bool aes256, const std::vector<uint8_t>& keySalt,
                                  const std::vector<uint8_t>& rtp, uint32_t roc) {
  const size_t keyLength = aes256 ? 32 : 16;
  const std::span<const uint8_t> masterKey(keySalt.data(), keyLength);
  const std::span<const uint8_t> masterSalt(keySalt.data() + keyLength, 12);
  const EVP_CIPHER* ctr = aes256 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
  const auto sessionKey = deriveKey(ctr, masterKey, masterSalt, 0x00, keyLength);  // SRTP encryption key
  const auto sessionSalt = deriveKey(ctr, masterKey, masterSalt, 0x02, 12);        // SRTP salting key
  // RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt; AAD = the RTP header (§8.2).
  std::array<uint8_t, 12> iv{};
  std::memcpy(iv.data() + 2, rtp.data() + 8, 4);
  switchyard::media::util::write32(iv.data() + 6, roc);
  std::memcpy(iv.data() + 10, rtp.data() + 2, 2);
  for (size_t i = 0; i < 12; ++i)
    iv[i] ^= sessionSalt[i];
  const size_t headerLength = 12;  // no CSRC, no extension in the model's input
  std::vector<uint8_t> out(rtp.begin(), rtp.begin() + headerLength);
  out.resize(rtp.size() + 16);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(ctx != nullptr);
  int len = 0;
  REQUIRE(EVP_EncryptInit_ex(ctx, aes256 ? EVP_aes_256_gcm() : EVP_aes_128_gcm(), nullptr, nullptr,
                             nullptr) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) == 1);
  REQUIRE(EVP_EncryptInit_ex(ctx, nullptr, nullptr, sessionKey.data(), iv.data()) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, rtp.data(), static_cast<int>(headerLength)) == 1);
  REQUIRE(EVP_EncryptUpdate(ctx, out.data() + headerLength, &len, rtp.data() + headerLength,
                            static_cast<int>(rtp.size() - headerLength)) == 1);
  REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + headerLength + static_cast<size_t>(len), &len) == 1);
  REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out.data() + rtp.size()) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

}  // namespace

TEST_CASE("SRTP KAT: AES_CM_128_HMAC_SHA1_80 (RFC 3711 B.3 master key, libsrtp srtp_validate)") {
  SrtpLibrary library;
  // Master key E1F97A0D3E018BE0D64FA32C06DE4139, master salt 0EC675AD498AFEEBB6960B3AABE6: the
  // key-derivation example of RFC 3711 Appendix B.3, and test_key of libsrtp 2.5.0
  // test/srtp_driver.c. Expected packets: srtp_ciphertext / srtcp_ciphertext of srtp_validate()
  // in that file (SRTCP index 1, E flag set).
  checkVector(SrtpProfile::kAes128CmSha1_80,
              hex("e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6"),
              hex("800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb"),
              hex("81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001 993e08cd 54d6c123 0798"));
}

TEST_CASE("SRTP KAT: AEAD_AES_128_GCM (libsrtp srtp_validate_gcm)") {
  SrtpLibrary library;
  // test_key_gcm (key 000102..0f, salt a0a1..ab) and srtp_validate_gcm() in libsrtp 2.5.0
  // test/srtp_driver.c; the SRTCP trailer (E flag + index 1) follows the 16-byte tag there.
  const auto keySalt = hex("000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab");
  const auto srtp = hex(
      "800f1234 decafbad cafebabe c5002ede 04cfdd2e b91159e0 880aa06e d2976826 f796b201 df3131a1 27e8a392");
  checkVector(SrtpProfile::kAeadAes128Gcm, keySalt, srtp,
              hex("81c8000b cafebabe c98b8b5d f0392a55 852b6c21 ac8e7025 c52c6fbe a2b3b446 ea31123b a88ce61e "
                  "80000001"));
  // The OpenSSL model reproduces libsrtp's reference vector: the model is right for GCM-128...
  CHECK(modelGcmSrtp(false, keySalt, kRtpPlain, 0) == srtp);
}

TEST_CASE("SRTP KAT: AEAD_AES_256_GCM against the RFC 7714 model checked on the GCM-128 vector") {
  SrtpLibrary library;
  // ...and the same model with AES-256 (RFC 7714 §11: the KDF and AEAD with a 256-bit key) gives
  // the expected bytes for GCM-256, for which libsrtp ships no SRTP-level vector.
  const auto keySalt =
      hex("000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f a0a1a2a3a4a5a6a7a8a9aaab");
  const SrtpKeySalt ks = keySaltFrom(SrtpProfile::kAeadAes256Gcm, keySalt);
  auto out = SrtpSession::create(SrtpDirection::kOutbound, ks);
  REQUIRE(out);
  std::vector<uint8_t> buffer(2048);
  // Several packets, including a 1200-byte one and the first after a sequence wrap (ROC 1).
  uint32_t roc = 0;
  const std::array<uint16_t, 8> seqs{0x1234, 0x5000, 0x9000, 0xd000, 0xfffe, 0xffff, 0x0000, 5};
  for (const uint16_t seq : seqs) {
    if (seq == 0) roc = 1;
    std::vector<uint8_t> rtp = hex("806f0000 00000000 0badf00d");
    switchyard::media::util::write16(rtp.data() + 2, seq);
    switchyard::media::util::write32(rtp.data() + 4, seq * 90U);
    rtp.resize(seq == 5 ? 1212 : 172);
    for (size_t i = 12; i < rtp.size(); ++i)
      rtp[i] = static_cast<uint8_t>(i ^ seq);
    std::copy(rtp.begin(), rtp.end(), buffer.begin());
    size_t length = rtp.size();
    REQUIRE(out->protectRtp(buffer, length) == SrtpResult::kOk);
    INFO("seq " << seq);
    CHECK(std::vector<uint8_t>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(length)) ==
          modelGcmSrtp(true, keySalt, rtp, roc));
  }
}
