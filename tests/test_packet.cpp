// Packet format: encode/decode round trips, MTU arithmetic, every decoder rejection reason, traffic
// classification and the accelerator's in-place header rewrites, checked against the byte layout in
// docs/packet-format.md.
#define BOOST_TEST_MODULE packet
#include <boost/test/unit_test.hpp>

#include "protocol/packet.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <random>
#include <stdexcept>
#include <vector>

using namespace panama;

// The models library pulls in libsystemc, whose own main() calls sc_main. Boost.Test supplies this
// executable's main, so sc_main never runs: the weak definition only satisfies the linker.
extern "C" __attribute__((weak)) int sc_main(int, char*[]) { return 0; }

namespace {

constexpr Ipv4Addr ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (Ipv4Addr(a) << 24) | (Ipv4Addr(b) << 16) | (Ipv4Addr(c) << 8) | Ipv4Addr(d);
}

// Header offsets from the start of the frame (docs/packet-format.md).
constexpr size_t kOffTos = kIpOffset + 1;          // 15: DSCP | ECN
constexpr size_t kOffIpTotal = kIpOffset + 2;      // 16
constexpr size_t kOffIpChecksum = kIpOffset + 10;  // 24
constexpr size_t kOffIpProto = kIpOffset + 9;      // 23
constexpr size_t kOffUdpLen = kUdpOffset + 4;      // 38
constexpr size_t kOffPanamaFlags = kPanamaOffset + 1;     // 43
constexpr size_t kOffPanamaType = kPanamaOffset + 2;      // 44
constexpr size_t kOffPanamaCwndCap = kPanamaOffset + 12;  // 54
constexpr size_t kOffPanamaCount = kPanamaOffset + 14;    // 56

AggregationAddressing test_addressing() {
  AggregationAddressing a;
  a.src_mac = node_mac(7);
  a.src_ip = ip4(10, 0, 0, 7);
  a.dst_ip = ip4(239, 1, 2, 3);
  a.src_port = 40001;
  a.ip_id = 0x1234;
  a.ttl = 17;
  a.ecn = kEcnEct0;
  return a;
}

PanamaHeader test_header(uint16_t count, ElementType type = ElementType::fp32) {
  PanamaHeader h;
  h.flags = kFlagRetransmit;
  h.type = type;
  h.tree = 3;
  h.job = 0x0a0b;
  h.fan_in = 5;
  h.seq = 0x01020304;
  h.cwnd_cap = 321;
  h.count = count;
  h.iteration = 0xdeadbeef;
  h.worker = 42;
  return h;
}

// A valid aggregation frame with `count` fp32 elements 1000 + i, exactly as long as encode says.
std::vector<uint8_t> valid_frame(uint16_t count) {
  std::vector<uint8_t> elems(size_t(count) * 4);
  for (uint32_t i = 0; i < count; ++i) store_be32(elems.data() + 4 * i, 1000 + i);
  std::vector<uint8_t> f(kMaxFrameBytes);
  f.resize(encode_aggregation(f.data(), f.size(), test_addressing(), test_header(count), elems.data()));
  return f;
}

// Recomputes the IPv4 header checksum after a test edits the header, so only the intended check fails.
void refresh_ip_checksum(std::vector<uint8_t>& f) {
  const size_t ihl = size_t(f[kIpOffset] & 0x0f) * 4;
  store_be16(f.data() + kOffIpChecksum, 0);
  store_be16(f.data() + kOffIpChecksum, ipv4_checksum(f.data() + kIpOffset, ihl));
}

bool ip_checksum_verifies(const std::vector<uint8_t>& f) {
  return ipv4_checksum(f.data() + kIpOffset, size_t(f[kIpOffset] & 0x0f) * 4) == 0;
}

void check_rejected(const std::vector<uint8_t>& f, DropReason want, const char* what) {
  const DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::malformed), what << ": expected a malformed frame, got class " << int(d.cls));
  BOOST_TEST((d.reason == want), what << ": drop reason " << name(d.reason) << ", expected " << name(want));
}

void check_header_equal(const PanamaHeader& got, const PanamaHeader& want) {
  BOOST_TEST(got.version == want.version);
  BOOST_TEST(got.flags == want.flags);
  BOOST_TEST((got.type == want.type));
  BOOST_TEST(got.tree == want.tree);
  BOOST_TEST(got.job == want.job);
  BOOST_TEST(got.fan_in == want.fan_in);
  BOOST_TEST(got.seq == want.seq);
  BOOST_TEST(got.cwnd_cap == want.cwnd_cap);
  BOOST_TEST(got.count == want.count);
  BOOST_TEST(got.iteration == want.iteration);
  BOOST_TEST(got.worker == want.worker);
}

// Offsets at which two equally long frames differ.
std::vector<size_t> differing_offsets(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  std::vector<size_t> out;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (a[i] != b[i]) out.push_back(i);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(packet_format)

BOOST_AUTO_TEST_CASE(ipv4_checksum_matches_rfc1071_word_by_word) {
  // ipv4_checksum sums 32 bits at a time in host order; RFC 1071's definition is the ones' complement of
  // the ones' complement sum of big-endian 16-bit words. Compare the two on pseudo-random headers of every
  // even length up to 60 bytes (IHL 15), and on the RFC 1071 example words 0001 f203 f4f5 f6f7 (sum
  // ddf2, checksum 220d).
  const uint8_t rfc[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  BOOST_TEST(ipv4_checksum(rfc, 8) == 0x220d);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (int round = 0; round < 200; ++round) {
    uint8_t h[60];
    for (auto& b : h) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b = uint8_t(x);
    }
    for (size_t len = 2; len <= 60; len += 2) {
      uint32_t sum = 0;
      for (size_t i = 0; i + 1 < len; i += 2) sum += uint32_t(h[i] << 8 | h[i + 1]);
      while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
      BOOST_TEST(ipv4_checksum(h, len) == uint16_t(~sum), "length " << len << ", round " << round);
    }
  }
}

BOOST_AUTO_TEST_CASE(header_view_checksum_check_agrees_with_the_checksum_function) {
  // HeaderView::ip_checksum_ok sums a 20-byte header inline (five 32-bit words, folded) and calls
  // ipv4_checksum for longer ones; it must say ok exactly when ipv4_checksum gives 0. Pseudo-random
  // headers with IHL 5 and 6: with their checksum set (ok), then with one bit flipped (not ok: a single
  // bit changes the ones'-complement sum); then an all-zero header but its first byte (sum 0x4500: not
  // ok) and an all-0xff one with its checksum set (ok).
  uint64_t x = 0x243F6A8885A308D3ull;
  auto next = [&x] { return x ^= x << 13, x ^= x >> 7, x ^= x << 17; };
  int checked = 0;
  for (int round = 0; round < 2000; ++round) {
    uint8_t f[kIpOffset + 24] = {};
    for (size_t i = kIpOffset; i < sizeof f; ++i) f[i] = uint8_t(next());
    const size_t ihl = round % 2 ? 24 : 20;
    f[kIpOffset] = uint8_t(0x40 | ihl / 4);
    f[kIpOffset + 10] = f[kIpOffset + 11] = 0;
    store_be16(f + kIpOffset + 10, ipv4_checksum(f + kIpOffset, ihl));
    const HeaderView good(f, sizeof f);
    BOOST_TEST_REQUIRE(good.ip_checksum_ok(), "round " << round);
    const size_t bit = size_t(next() % (ihl * 8 - 8)) + 8;  // (not the version/IHL byte)
    f[kIpOffset + bit / 8] ^= uint8_t(1u << (bit % 8));
    const HeaderView bad(f, sizeof f);
    BOOST_TEST_REQUIRE(bad.ip_checksum_ok() == (ipv4_checksum(f + kIpOffset, ihl) == 0), "round " << round);
    BOOST_TEST_REQUIRE(!bad.ip_checksum_ok(), "round " << round << ", bit " << bit);
    ++checked;
  }
  BOOST_TEST(checked == 2000);
  uint8_t zeros[kIpOffset + 20] = {}, ones[kIpOffset + 20];
  std::memset(ones, 0xff, sizeof ones);
  zeros[kIpOffset] = 0x45;  // (a sum of 0x4500 alone: not ok)
  BOOST_TEST(!HeaderView(zeros, sizeof zeros).ip_checksum_ok());
  BOOST_TEST(ipv4_checksum(zeros + kIpOffset, 20) != 0);
  ones[kIpOffset] = 0x45;  // version 4, IHL 5, every other byte 0xff but the checksum
  ones[kIpOffset + 10] = 0, ones[kIpOffset + 11] = 0;
  store_be16(ones + kIpOffset + 10, ipv4_checksum(ones + kIpOffset, 20));
  BOOST_TEST(HeaderView(ones, sizeof ones).ip_checksum_ok());
}

BOOST_AUTO_TEST_CASE(aggregation_packet_round_trips_every_field_and_element) {
  const uint16_t count = 10;
  const std::vector<uint8_t> f = valid_frame(count);
  // 14 Ethernet + 20 IPv4 + 8 UDP + 24 PANAMA = 66 header bytes, then 4 bytes per fp32 element: 106.
  BOOST_TEST(f.size() == 66u + 4u * count);
  BOOST_TEST(kElementsOffset == 66u);

  const DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::aggregation), "class " << int(d.cls) << ", reason " << name(d.reason));
  check_header_equal(d.hdr, test_header(count));
  BOOST_TEST(d.src_ip == ip4(10, 0, 0, 7));
  BOOST_TEST(d.dst_ip == ip4(239, 1, 2, 3));
  BOOST_TEST(d.src_port == 40001);
  BOOST_TEST(d.dst_port == kPanamaUdpPort);
  BOOST_TEST(d.ip_proto == kIpProtoUdp);
  BOOST_TEST(d.dscp == kPanamaDscp);
  BOOST_TEST(d.ecn == kEcnEct0);
  BOOST_TEST(get_ecn(f.data()) == kEcnEct0);
  // Elements in network byte order right after the PANAMA header.
  for (uint32_t i = 0; i < count; ++i) BOOST_TEST(load_be32(f.data() + kElementsOffset + 4 * i) == 1000 + i);

  // Checksum over a header that includes its own valid checksum sums to 0xffff, complemented 0.
  BOOST_TEST(ipv4_checksum(f.data() + kIpOffset, kIpv4HeaderBytes) == 0);
  // Fixed header bytes: TOS = DSCP 0x38 << 2 | ECT(0) 0b10 = 0xe2; version 4 / IHL 5 = 0x45.
  BOOST_TEST(f[kIpOffset] == 0x45);
  BOOST_TEST(f[kOffTos] == 0xe2);
  // IP total length = 20 + 8 + 24 + 40 = 92; UDP length = 92 - 20 = 72.
  BOOST_TEST(load_be16(f.data() + kOffIpTotal) == 92);
  BOOST_TEST(load_be16(f.data() + kOffUdpLen) == 72);
  BOOST_TEST(load_be16(f.data() + kIpOffset + 4) == 0x1234);  // identification
  BOOST_TEST(load_be16(f.data() + kIpOffset + 6) == 0x4000);  // DF set, fragment offset 0
  BOOST_TEST(f[kIpOffset + 8] == 17);                         // TTL as given
  BOOST_TEST(f[kOffIpProto] == kIpProtoUdp);
  BOOST_TEST(load_be16(f.data() + kUdpOffset + 6) == 0);      // UDP checksum not computed
  BOOST_TEST(load_be16(f.data() + kPanamaOffset + 22) == 0);  // reserved
  BOOST_TEST(load_be16(f.data() + 12) == kEtherTypeIpv4);

  // RFC 1112: 01:00:5e followed by the low 23 bits of the group; 239.1.2.3 -> 01:00:5e:01:02:03.
  const MacAddr want_dst{0x01, 0x00, 0x5e, 0x01, 0x02, 0x03};
  BOOST_TEST((multicast_mac(ip4(239, 1, 2, 3)) == want_dst));
  BOOST_TEST((MacAddr{f[0], f[1], f[2], f[3], f[4], f[5]} == want_dst));
  BOOST_TEST((MacAddr{f[6], f[7], f[8], f[9], f[10], f[11]} == node_mac(7)));
  // The 24th bit of the group is not mapped: 239.129.2.3 shares the MAC of 239.1.2.3.
  BOOST_TEST((multicast_mac(ip4(239, 129, 2, 3)) == want_dst));
}

BOOST_AUTO_TEST_CASE(explicit_destination_mac_overrides_multicast_mapping) {
  AggregationAddressing a = test_addressing();
  a.dst_mac = node_mac(9);
  std::vector<uint8_t> f(kMaxFrameBytes);
  f.resize(encode_aggregation(f.data(), f.size(), a, test_header(0), nullptr));
  BOOST_TEST((MacAddr{f[0], f[1], f[2], f[3], f[4], f[5]} == node_mac(9)));
  // Zero elements: 66 bytes, already above the 60-byte Ethernet minimum, so no padding.
  BOOST_TEST(f.size() == 66u);
  BOOST_TEST((decode(f.data(), f.size()).cls == PacketClass::aggregation));
}

BOOST_AUTO_TEST_CASE(bf16_and_fp16_elements_take_two_bytes) {
  for (ElementType t : {ElementType::bf16, ElementType::fp16}) {
    std::vector<uint8_t> elems(2 * 7);
    for (uint16_t i = 0; i < 7; ++i) store_be16(elems.data() + 2 * i, uint16_t(0x3c00 + i));
    std::vector<uint8_t> f(kMaxFrameBytes);
    f.resize(encode_aggregation(f.data(), f.size(), test_addressing(), test_header(7, t), elems.data()));
    BOOST_TEST(f.size() == 66u + 2u * 7);  // 80
    BOOST_TEST(f[kOffPanamaType] == uint8_t(t));
    const DecodedPacket d = decode(f.data(), f.size());
    BOOST_TEST((d.cls == PacketClass::aggregation), element_type_name(t));
    BOOST_TEST((d.hdr.type == t));
    for (uint16_t i = 0; i < 7; ++i) BOOST_TEST(load_be16(f.data() + kElementsOffset + 2 * i) == 0x3c00 + i);
  }
  // Codes on the wire: fp32 = 0, bf16 = 1, fp16 = 2.
  BOOST_TEST(uint8_t(ElementType::fp32) == 0);
  BOOST_TEST(uint8_t(ElementType::bf16) == 1);
  BOOST_TEST(uint8_t(ElementType::fp16) == 2);
}

BOOST_AUTO_TEST_CASE(mtu_element_counts_fill_the_ip_datagram) {
  // IP datagram overhead: 20 IPv4 + 8 UDP + 24 PANAMA = 52 bytes.
  // 1500 - 52 = 1448 bytes of elements: 1448 / 4 = 362 fp32, 1448 / 2 = 724 bf16/fp16 (exact).
  BOOST_TEST(max_elements_for_mtu(1500, ElementType::fp32) == 362u);
  BOOST_TEST(max_elements_for_mtu(1500, ElementType::bf16) == 724u);
  BOOST_TEST(max_elements_for_mtu(1500, ElementType::fp16) == 724u);
  // 9000 - 52 = 8948 bytes: 8948 / 4 = 2237 fp32, 8948 / 2 = 4474 16-bit (exact).
  BOOST_TEST(max_elements_for_mtu(9000, ElementType::fp32) == 2237u);
  BOOST_TEST(max_elements_for_mtu(9000, ElementType::bf16) == 4474u);
  BOOST_TEST(max_elements_for_mtu(9000, ElementType::fp16) == 4474u);

  // Frames: 14 + 1500 = 1514 bytes (1538 on the wire with 8 preamble/SFD + 4 FCS + 12 IFG);
  // 14 + 9000 = 9014 bytes (9038 on the wire), which is kMaxFrameBytes.
  BOOST_TEST(aggregation_frame_bytes(362, ElementType::fp32) == 1514u);
  BOOST_TEST(aggregation_frame_bytes(724, ElementType::bf16) == 1514u);
  BOOST_TEST(aggregation_frame_bytes(2237, ElementType::fp32) == 9014u);
  BOOST_TEST(aggregation_frame_bytes(4474, ElementType::fp16) == 9014u);
  BOOST_TEST(aggregation_frame_bytes(2237, ElementType::fp32) == kMaxFrameBytes);
  BOOST_TEST(aggregation_frame_bytes(362, ElementType::fp32) + kEthWireOverheadBytes == 1538u);
  BOOST_TEST(aggregation_frame_bytes(2237, ElementType::fp32) + kEthWireOverheadBytes == 9038u);
  // Tiny packets are padded to the 60-byte Ethernet minimum (66 header bytes already exceed it).
  BOOST_TEST(aggregation_frame_bytes(0, ElementType::fp32) == 66u);

  // The encoded 1500-MTU fp32 packet's IP total length is exactly the MTU, and one more element is not.
  const std::vector<uint8_t> f = valid_frame(362);
  BOOST_TEST(f.size() == 1514u);
  BOOST_TEST(load_be16(f.data() + kOffIpTotal) <= 1500);
  BOOST_TEST(load_be16(f.data() + kOffIpTotal) == 1500);
  BOOST_TEST(load_be16(valid_frame(363).data() + kOffIpTotal) == 1504);
  BOOST_TEST((decode(f.data(), f.size()).cls == PacketClass::aggregation));
}

BOOST_AUTO_TEST_CASE(every_truncation_is_rejected_without_reading_past_the_end) {
  for (uint16_t count : {0, 1, 362}) {
    const std::vector<uint8_t> full = valid_frame(count);
    for (size_t len = 0; len < full.size(); ++len) {
      // An exact-size heap copy, so AddressSanitizer flags any read beyond `len`.
      const std::vector<uint8_t> cut(full.begin(), full.begin() + std::ptrdiff_t(len));
      const DecodedPacket d = decode(cut.data(), cut.size());
      // Below 14 + 20 = 34 bytes the Ethernet or IPv4 header is incomplete: truncated. From 34 bytes the
      // IPv4 header verifies but its total length (frame - 14) exceeds what is left: ip_total_length.
      const DropReason want = len < kIpOffset + kIpv4HeaderBytes ? DropReason::truncated : DropReason::ip_total_length;
      BOOST_TEST((d.cls == PacketClass::malformed), "count " << count << " cut to " << len << " bytes was accepted");
      BOOST_TEST((d.reason == want),
                 "count " << count << " cut to " << len << " bytes: " << name(d.reason) << ", expected " << name(want));
    }
  }
}

BOOST_AUTO_TEST_CASE(truncated_udp_and_panama_headers_are_rejected_as_truncated) {
  // An IP datagram too short for the UDP header: total length 20 + 4 = 24 < 20 + 8.
  std::vector<uint8_t> f = valid_frame(4);
  store_be16(f.data() + kOffIpTotal, 24);
  refresh_ip_checksum(f);
  check_rejected(f, DropReason::truncated, "IP datagram shorter than a UDP header");

  // A PANAMA-marked UDP datagram too short for the 24-byte PANAMA header: UDP length 8 + 23 = 31.
  f = valid_frame(4);
  store_be16(f.data() + kOffIpTotal, 20 + 31);
  store_be16(f.data() + kOffUdpLen, 31);
  refresh_ip_checksum(f);
  check_rejected(f, DropReason::truncated, "UDP payload shorter than the PANAMA header");
}

BOOST_AUTO_TEST_CASE(wrong_ip_version_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);
  f[kIpOffset] = 0x65;  // version 6, IHL 5; checked before the checksum
  check_rejected(f, DropReason::ip_version, "IP version 6");
  f[kIpOffset] = 0x05;
  check_rejected(f, DropReason::ip_version, "IP version 0");
}

BOOST_AUTO_TEST_CASE(bad_ip_header_length_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);
  f[kIpOffset] = 0x44;  // IHL 4 = 16 bytes < 20
  check_rejected(f, DropReason::ip_header_length, "IHL 4");
  f[kIpOffset] = 0x40;  // IHL 0
  check_rejected(f, DropReason::ip_header_length, "IHL 0");
  // IHL 15 = 60 bytes; a 0-element frame of 66 bytes holds only 66 - 14 = 52 after Ethernet.
  f = valid_frame(0);
  f[kIpOffset] = 0x4f;
  check_rejected(f, DropReason::ip_header_length, "IHL 15 beyond the frame");
}

BOOST_AUTO_TEST_CASE(panama_packet_with_ip_options_is_rejected) {
  // Insert one 4-byte option word (NOPs) after the IPv4 header: IHL 6, total length + 4, valid checksum.
  // The accelerator rewrites PANAMA fields at fixed offsets, so PANAMA packets must carry no options.
  const std::vector<uint8_t> base = valid_frame(4);
  std::vector<uint8_t> f(base.begin(), base.begin() + std::ptrdiff_t(kUdpOffset));
  f.insert(f.end(), {1, 1, 1, 1});
  f.insert(f.end(), base.begin() + std::ptrdiff_t(kUdpOffset), base.end());
  f[kIpOffset] = 0x46;
  store_be16(f.data() + kOffIpTotal, uint16_t(load_be16(base.data() + kOffIpTotal) + 4));
  refresh_ip_checksum(f);
  BOOST_TEST(ip_checksum_verifies(f));
  check_rejected(f, DropReason::ip_header_length, "PANAMA packet with IP options");

  // The same datagram to another UDP port is ordinary traffic: options are parsed, ports found after them.
  store_be16(f.data() + kUdpOffset + 4 + 2, 4791);
  const DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::ipv4_other));
  BOOST_TEST(d.dst_port == 4791);
  BOOST_TEST(d.src_port == 40001);
}

BOOST_AUTO_TEST_CASE(corrupted_ip_header_fails_the_checksum) {
  std::vector<uint8_t> f = valid_frame(4);
  f[kIpOffset + 12] ^= 0x01;  // one bit of the source address
  check_rejected(f, DropReason::ip_checksum, "flipped source address bit");
  f = valid_frame(4);
  f[kOffIpChecksum + 1] ^= 0xff;  // the checksum itself
  check_rejected(f, DropReason::ip_checksum, "flipped checksum byte");
  f = valid_frame(4);
  f[kIpOffset + 8] = uint8_t(f[kIpOffset + 8] - 1);  // TTL decremented without updating the checksum
  check_rejected(f, DropReason::ip_checksum, "TTL changed without checksum update");
}

BOOST_AUTO_TEST_CASE(ip_total_length_inconsistent_with_frame_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);  // 82 bytes, IP total 68
  store_be16(f.data() + kOffIpTotal, uint16_t(f.size() - kIpOffset + 1));  // 69: one byte beyond the frame
  refresh_ip_checksum(f);
  check_rejected(f, DropReason::ip_total_length, "IP total length one beyond the frame");
  store_be16(f.data() + kOffIpTotal, 19);  // shorter than its own header
  refresh_ip_checksum(f);
  check_rejected(f, DropReason::ip_total_length, "IP total length below IHL");
}

BOOST_AUTO_TEST_CASE(udp_length_disagreeing_with_ip_payload_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);  // UDP length 8 + 24 + 16 = 48 = IP total 68 - 20
  store_be16(f.data() + kOffUdpLen, 49);
  check_rejected(f, DropReason::udp_length, "UDP length one more than the IP payload");
  store_be16(f.data() + kOffUdpLen, 47);
  check_rejected(f, DropReason::udp_length, "UDP length one less than the IP payload");
  store_be16(f.data() + kOffUdpLen, 7);
  check_rejected(f, DropReason::udp_length, "UDP length below the UDP header");
}

BOOST_AUTO_TEST_CASE(unknown_panama_version_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);
  f[kPanamaOffset] = 2;
  check_rejected(f, DropReason::panama_version, "PANAMA version 2");
  f[kPanamaOffset] = 0;
  check_rejected(f, DropReason::panama_version, "PANAMA version 0");
}

BOOST_AUTO_TEST_CASE(unknown_element_type_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);
  f[kOffPanamaType] = 3;  // codes 0..2 are fp32, bf16, fp16
  check_rejected(f, DropReason::element_type, "element type 3");
  f[kOffPanamaType] = 0xff;
  check_rejected(f, DropReason::element_type, "element type 255");
  BOOST_TEST(valid_element_type(2));
  BOOST_TEST(!valid_element_type(3));
}

BOOST_AUTO_TEST_CASE(element_count_beyond_the_frame_is_rejected) {
  std::vector<uint8_t> f = valid_frame(4);  // 82 bytes: 66 + 16
  store_be16(f.data() + kOffPanamaCount, 5);  // needs 66 + 20 = 86 > 82
  check_rejected(f, DropReason::element_count_beyond_frame, "count 5 in a 4-element frame");
  store_be16(f.data() + kOffPanamaCount, 0xffff);
  check_rejected(f, DropReason::element_count_beyond_frame, "count 65535");
  // Reinterpreting 4 fp32 as 16-bit elements needs 8 bytes fewer, so count 8 would fit; 9 does not.
  f = valid_frame(4);
  f[kOffPanamaType] = uint8_t(ElementType::bf16);
  store_be16(f.data() + kOffPanamaCount, 9);  // 66 + 18 = 84 > 82
  check_rejected(f, DropReason::element_count_beyond_frame, "9 bf16 elements in 16 payload bytes");
}

BOOST_AUTO_TEST_CASE(element_count_not_filling_the_payload_is_a_length_mismatch) {
  std::vector<uint8_t> f = valid_frame(4);
  store_be16(f.data() + kOffPanamaCount, 3);  // 12 element bytes, payload holds 16
  check_rejected(f, DropReason::length_mismatch, "count 3 in a 4-element payload");
  store_be16(f.data() + kOffPanamaCount, 0);
  check_rejected(f, DropReason::length_mismatch, "count 0 in a 4-element payload");

  // A count that reaches into Ethernet padding beyond the datagram is inside the frame but not the
  // payload: frame of 82 + 8 padding bytes, count 5 needs 86 <= 90 bytes, but the payload holds 16.
  f = valid_frame(4);
  f.resize(f.size() + 8, 0);
  BOOST_TEST((decode(f.data(), f.size()).cls == PacketClass::aggregation));  // padding alone is legal
  store_be16(f.data() + kOffPanamaCount, 5);
  check_rejected(f, DropReason::length_mismatch, "count reaching into Ethernet padding");
}

BOOST_AUTO_TEST_CASE(non_ipv4_ethertypes_pass_through_as_non_ipv4) {
  std::vector<uint8_t> f = valid_frame(4);
  for (uint16_t et : {uint16_t(0x8808) /* PFC PAUSE */, uint16_t(0x0806) /* ARP */, uint16_t(0x86dd) /* IPv6 */}) {
    store_be16(f.data() + 12, et);
    BOOST_TEST((decode(f.data(), f.size()).cls == PacketClass::non_ipv4), "ethertype 0x" << std::hex << et);
  }
  // Only the 14-byte Ethernet header is needed to classify a frame as non-IPv4.
  BOOST_TEST((decode(f.data(), kEthHeaderBytes).cls == PacketClass::non_ipv4));
  BOOST_TEST((decode(f.data(), kEthHeaderBytes - 1).reason == DropReason::truncated));
}

BOOST_AUTO_TEST_CASE(other_ipv4_traffic_passes_through_as_ipv4_other) {
  uint8_t buf[kMaxFrameBytes];
  UdpAddressing u;
  u.src_ip = ip4(10, 0, 0, 1);
  u.dst_ip = ip4(10, 0, 0, 2);
  u.src_port = 1234;

  // PANAMA's DSCP but another UDP port (RoCEv2's 4791).
  u.dscp = kPanamaDscp;
  u.dst_port = 4791;
  DecodedPacket d = decode(buf, encode_udp(buf, sizeof buf, u, nullptr, 100));
  BOOST_TEST((d.cls == PacketClass::ipv4_other));
  BOOST_TEST(d.dst_port == 4791);
  BOOST_TEST(d.dscp == kPanamaDscp);

  // PANAMA's port but another DSCP: the port alone does not make a packet PANAMA.
  u.dscp = 0;
  u.dst_port = kPanamaUdpPort;
  d = decode(buf, encode_udp(buf, sizeof buf, u, nullptr, 100));
  BOOST_TEST((d.cls == PacketClass::ipv4_other));
  BOOST_TEST(d.dst_port == kPanamaUdpPort);

  // An aggregation packet relabelled as TCP (protocol 6) is parsed as TCP: the byte where TCP keeps its
  // data offset is the PANAMA job id's high byte (0), a header shorter than 20 bytes: truncated.
  std::vector<uint8_t> f = valid_frame(4);
  f[kOffIpProto] = 6;
  refresh_ip_checksum(f);
  d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::malformed));
  BOOST_TEST((d.reason == DropReason::truncated));
  BOOST_TEST(d.ip_proto == 6);
  BOOST_TEST(d.dscp == kPanamaDscp);
  BOOST_TEST(d.src_ip == ip4(10, 0, 0, 7));
}

BOOST_AUTO_TEST_CASE(tcp_wire_cost_counts_headers_padding_and_preamble) {
  // A full segment: 1460 + 54 header bytes + 24 (preamble and SFD 8, FCS 4, gap 12) = 1538 bytes on the
  // wire (the DCTCP tests' kDataWireBits / 8); a pure ACK pads its 54 bytes to the 60-byte minimum: 84.
  BOOST_TEST(tcp_wire_bytes(1460) == 1538u);
  BOOST_TEST(tcp_wire_bytes(0) == 84u);
  BOOST_TEST(tcp_wire_bytes(6) == 84u);   // 60 bytes: exactly the minimum
  BOOST_TEST(tcp_wire_bytes(7) == 85u);   // one byte beyond it
  // The frame alone (what a sender allocates): 1514 and the 60-byte minimum.
  BOOST_TEST(tcp_frame_bytes(1460) == 1514u);
  BOOST_TEST(tcp_frame_bytes(0) == 60u);
  BOOST_TEST(tcp_frame_bytes(7) == 61u);
}

BOOST_AUTO_TEST_CASE(tcp_segment_round_trips_with_a_valid_checksum) {
  // 20 B IPv4 + 20 B TCP + 1460 B payload = 1500 B datagram, 1514 B frame.
  std::vector<uint8_t> buf(2000);
  UdpAddressing a;
  a.src_ip = ip4(10, 0, 0, 1);
  a.dst_ip = ip4(10, 0, 0, 2);
  a.ecn = kEcnEct0;
  TcpSegment s;
  s.src_port = 40000;
  s.dst_port = 80;
  s.seq = 0x01020304;
  s.ack = 0x0a0b0c0d;
  s.flags = kTcpAck | kTcpEce;
  const size_t n = encode_tcp(buf.data(), buf.size(), a, s, 1460);
  BOOST_TEST(n == 1514u);
  DecodedPacket d = decode(buf.data(), n);
  BOOST_TEST((d.cls == PacketClass::ipv4_other));
  BOOST_TEST(d.tcp.seq == 0x01020304u);
  BOOST_TEST(d.tcp.ack == 0x0a0b0c0du);
  BOOST_TEST(d.tcp.flags == (kTcpAck | kTcpEce));
  BOOST_TEST(d.tcp_payload == 1460u);
  BOOST_TEST(d.ecn == kEcnEct0);
  // RFC 793 checksum over pseudo-header + segment (payload zeros) sums to 0xffff.
  uint32_t sum = (a.src_ip >> 16) + (a.src_ip & 0xffff) + (a.dst_ip >> 16) + (a.dst_ip & 0xffff) + 6 + 1480;
  for (size_t i = 34; i + 1 < 34 + 1480; i += 2) sum += load_be16(buf.data() + i);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  BOOST_TEST(sum == 0xffffu);
}

BOOST_AUTO_TEST_CASE(encoded_checksums_match_the_bytes_for_random_headers) {
  // encode_tcp sums both checksums from the field values it writes, not from the bytes; RFC 1071/793
  // define them over the bytes. Random addresses, ports, sequence numbers, flags, windows, TTLs, DSCP
  // and ECN (every carry pattern of the folds) must give the checksums the bytes give: the IPv4 header
  // verifies (sums to 0xffff, complemented 0) and so does the pseudo-header + TCP segment.
  std::mt19937_64 rng(7);
  std::vector<uint8_t> buf(2000);
  for (int round = 0; round < 2000; ++round) {
    UdpAddressing a;
    a.src_ip = uint32_t(rng());
    a.dst_ip = uint32_t(rng());
    a.dscp = uint8_t(rng() % 64);
    a.ecn = uint8_t(rng() % 4);
    a.ttl = uint8_t(rng());
    a.ip_id = uint16_t(rng());
    TcpSegment s;
    s.src_port = uint16_t(rng());
    s.dst_port = uint16_t(rng());
    s.seq = uint32_t(rng());
    s.ack = uint32_t(rng());
    s.flags = uint8_t(rng());
    s.window = uint16_t(rng());
    const size_t payload = size_t(rng() % 1461);
    const size_t n = encode_tcp(buf.data(), buf.size(), a, s, payload);
    BOOST_TEST(ipv4_checksum(buf.data() + kIpOffset, kIpv4HeaderBytes) == 0, "round " << round);
    const size_t tcp_len = kTcpHeaderBytes + payload;
    uint64_t sum = (a.src_ip >> 16) + (a.src_ip & 0xffff) + (a.dst_ip >> 16) + (a.dst_ip & 0xffff) + 6 + tcp_len;
    for (size_t i = 0; i + 1 < tcp_len; i += 2) sum += load_be16(buf.data() + kIpOffset + kIpv4HeaderBytes + i);
    if (tcp_len % 2) sum += uint64_t(buf[kIpOffset + kIpv4HeaderBytes + tcp_len - 1]) << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    BOOST_TEST(sum == 0xffffu, "round " << round);
    BOOST_TEST(n == std::max<size_t>(kEthMinFrameBytes, kIpOffset + kIpv4HeaderBytes + tcp_len));
  }
}

BOOST_AUTO_TEST_CASE(pfc_frame_round_trips) {
  // 802.1Qbb: MAC control ethertype 0x8808, opcode 0x0101, class-enable vector, 8 pause times.
  uint8_t buf[64];
  uint16_t q[8] = {0, 0, 0, 0xffff, 0, 0, 0, 0};
  BOOST_TEST(encode_pfc(buf, sizeof buf, node_mac(3), 1u << 3, q) == 60u);
  PfcFrame f;
  BOOST_TEST(decode_pfc(buf, 60, f));
  BOOST_TEST(f.class_enable == 8u);
  BOOST_TEST(f.quanta[3] == 0xffffu);
  BOOST_TEST((decode(buf, 60).cls == PacketClass::non_ipv4));  // a switch never routes it
}

BOOST_AUTO_TEST_CASE(set_ecn_rewrites_only_ecn_and_checksum) {
  const std::vector<uint8_t> before = valid_frame(4);
  std::vector<uint8_t> f = before;
  set_ecn(f.data(), kEcnCe);
  // Byte 15 goes from 0xe2 (DSCP 0x38, ECT(0)) to 0xe3 (CE); the checksum (bytes 24-25) follows it.
  BOOST_TEST(f[kOffTos] == 0xe3);
  BOOST_TEST(get_ecn(f.data()) == kEcnCe);
  BOOST_TEST(ip_checksum_verifies(f));
  for (size_t off : differing_offsets(before, f))
    BOOST_TEST((off == kOffTos || off == kOffIpChecksum || off == kOffIpChecksum + 1), "byte " << off << " changed");
  DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::aggregation));
  BOOST_TEST(d.ecn == kEcnCe);
  BOOST_TEST(d.dscp == kPanamaDscp);
  check_header_equal(d.hdr, test_header(4));

  // Every codepoint round-trips, and setting the original back restores the original frame exactly.
  for (uint8_t ecn : {kEcnNotEct, kEcnEct1, kEcnEct0, kEcnCe}) {
    set_ecn(f.data(), ecn);
    BOOST_TEST(ip_checksum_verifies(f));
    BOOST_TEST(decode(f.data(), f.size()).ecn == ecn);
  }
  set_ecn(f.data(), kEcnEct0);
  BOOST_TEST((f == before));
}

BOOST_AUTO_TEST_CASE(set_cwnd_cap_rewrites_only_the_cwnd_cap_field) {
  const std::vector<uint8_t> before = valid_frame(4);
  std::vector<uint8_t> f = before;
  set_cwnd_cap(f.data(), 0x0102);
  for (size_t off : differing_offsets(before, f))
    BOOST_TEST((off == kOffPanamaCwndCap || off == kOffPanamaCwndCap + 1), "byte " << off << " changed");
  BOOST_TEST(load_be16(f.data() + kOffPanamaCwndCap) == 0x0102);
  BOOST_TEST(ip_checksum_verifies(f));  // the PANAMA header is not covered by the IP checksum
  const DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::aggregation));
  PanamaHeader want = test_header(4);
  want.cwnd_cap = 0x0102;
  check_header_equal(d.hdr, want);
}

BOOST_AUTO_TEST_CASE(set_flags_rewrites_only_the_flags_byte) {
  const std::vector<uint8_t> before = valid_frame(4);
  std::vector<uint8_t> f = before;
  set_flags(f.data(), kFlagResult);
  const std::vector<size_t> diff = differing_offsets(before, f);
  // Retransmit (0x02) becomes result (0x01): only byte 43 changes.
  BOOST_TEST(diff.size() == 1u);
  BOOST_TEST(f[kOffPanamaFlags] == kFlagResult);
  BOOST_TEST(ip_checksum_verifies(f));
  const DecodedPacket d = decode(f.data(), f.size());
  BOOST_TEST((d.cls == PacketClass::aggregation));
  PanamaHeader want = test_header(4);
  want.flags = kFlagResult;
  check_header_equal(d.hdr, want);
}

BOOST_AUTO_TEST_CASE(encode_aggregation_throws_when_the_buffer_is_too_small) {
  const PanamaHeader h = test_header(4);  // 66 + 16 = 82 bytes
  std::vector<uint8_t> buf(82);
  BOOST_CHECK_THROW(encode_aggregation(buf.data(), 81, test_addressing(), h, nullptr), std::length_error);
  BOOST_CHECK_THROW(encode_aggregation(buf.data(), 0, test_addressing(), h, nullptr), std::length_error);
  BOOST_TEST(encode_aggregation(buf.data(), 82, test_addressing(), h, nullptr) == 82u);
  // 65535 fp32 elements: an IP datagram of 52 + 262140 bytes cannot be expressed in 16 bits.
  std::vector<uint8_t> huge(66 + 4 * size_t(65535));
  BOOST_CHECK_THROW(encode_aggregation(huge.data(), huge.size(), test_addressing(), test_header(65535), nullptr),
                    std::length_error);
}

BOOST_AUTO_TEST_CASE(encode_udp_round_trips_and_pads_to_the_ethernet_minimum) {
  UdpAddressing u;
  u.src_mac = node_mac(1);
  u.dst_mac = node_mac(2);
  u.src_ip = ip4(192, 168, 0, 1);
  u.dst_ip = ip4(192, 168, 0, 2);
  u.src_port = 5000;
  u.dst_port = 6000;
  u.dscp = 10;
  u.ecn = kEcnEct1;
  u.ttl = 3;
  u.ip_id = 77;
  const uint8_t payload[5] = {'h', 'e', 'l', 'l', 'o'};
  uint8_t buf[128];
  // 14 + 20 + 8 + 5 = 47 bytes, padded to 60.
  size_t len = encode_udp(buf, sizeof buf, u, payload, sizeof payload);
  BOOST_TEST(len == 60u);
  DecodedPacket d = decode(buf, len);
  BOOST_TEST((d.cls == PacketClass::ipv4_other));
  BOOST_TEST(d.src_ip == u.src_ip);
  BOOST_TEST(d.dst_ip == u.dst_ip);
  BOOST_TEST(d.src_port == 5000);
  BOOST_TEST(d.dst_port == 6000);
  BOOST_TEST(d.dscp == 10);
  BOOST_TEST(d.ecn == kEcnEct1);
  BOOST_TEST(d.ip_proto == kIpProtoUdp);
  BOOST_TEST(buf[kIpOffset + 8] == 3);
  BOOST_TEST(load_be16(buf + kIpOffset + 4) == 77);
  BOOST_TEST(ipv4_checksum(buf + kIpOffset, kIpv4HeaderBytes) == 0);
  for (size_t i = 0; i < sizeof payload; ++i) BOOST_TEST(buf[kUdpOffset + kUdpHeaderBytes + i] == payload[i]);

  // A 1-byte payload: 14 + 20 + 8 + 1 = 43 bytes, padded with zeros to the 60-byte minimum. The IP
  // total length (29) and UDP length (9) still describe the datagram, not the padding.
  std::fill(std::begin(buf), std::end(buf), uint8_t(0xaa));
  const uint8_t one = 0x5a;
  len = encode_udp(buf, sizeof buf, u, &one, 1);
  BOOST_TEST(len == 60u);
  BOOST_TEST(load_be16(buf + kOffIpTotal) == 29);
  BOOST_TEST(load_be16(buf + kOffUdpLen) == 9);
  BOOST_TEST(buf[42] == 0x5a);
  for (size_t i = 43; i < 60; ++i) BOOST_TEST(buf[i] == 0, "padding byte " << i);
  BOOST_TEST((decode(buf, len).cls == PacketClass::ipv4_other));

  // A null payload is zero-filled; a buffer below the frame size throws.
  len = encode_udp(buf, sizeof buf, u, nullptr, 50);  // 14 + 20 + 8 + 50 = 92
  BOOST_TEST(len == 92u);
  for (size_t i = 42; i < 92; ++i) BOOST_TEST(buf[i] == 0);
  BOOST_CHECK_THROW(encode_udp(buf, 59, u, &one, 1), std::length_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(packet_limits)

BOOST_AUTO_TEST_CASE(encode_udp_refuses_a_datagram_beyond_the_ip_length_field) {
  // 20 B IPv4 + 8 B UDP + 65508 B payload = 65536 > 65535: must throw, not wrap the length to 0.
  std::vector<uint8_t> buf(70000);
  panama::UdpAddressing u;
  BOOST_CHECK_THROW(panama::encode_udp(buf.data(), buf.size(), u, nullptr, 65508), std::length_error);
  BOOST_CHECK_NO_THROW(panama::encode_udp(buf.data(), buf.size(), u, nullptr, 65507));  // exactly 65535
}

BOOST_AUTO_TEST_SUITE_END()
