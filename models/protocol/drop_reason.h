// Every reason a model may drop a packet. No model drops silently: each drop increments a counter
// indexed by one of these, and the statistics report them by name.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace panama {

enum class DropReason : uint8_t {
  // Wire-format errors found by the decoder (models/protocol/packet.cpp).
  truncated,                // frame shorter than the headers it claims
  ip_version,               // IPv4 version field is not 4
  ip_header_length,         // IHL below 5 or beyond the frame
  ip_checksum,              // IPv4 header checksum does not verify
  ip_total_length,          // IPv4 total length disagrees with the frame
  udp_length,               // UDP length disagrees with the IPv4 payload
  panama_version,           // unknown PANAMA header version
  element_type,             // unknown element type code
  element_count_beyond_frame,  // element count needs more bytes than the frame holds
  length_mismatch,          // element bytes do not fill the UDP payload exactly
  // Accelerator semantics (models/accelerator/).
  unknown_job,              // no job/tree state installed for this packet
  not_a_child,              // arrived on a port that is not a child of this tree here
  duplicate,                // retransmitted contribution from a child that already contributed
  slot_mismatch,            // element count or type differs from the slot's first contribution
  count_
};

constexpr std::array<std::string_view, size_t(DropReason::count_)> kDropReasonNames = {
    "truncated",      "ip_version",    "ip_header_length", "ip_checksum",   "ip_total_length",
    "udp_length",     "panama_version", "element_type",    "element_count_beyond_frame",
    "length_mismatch", "unknown_job",  "not_a_child",      "duplicate",     "slot_mismatch"};

constexpr std::string_view name(DropReason r) { return kDropReasonNames[size_t(r)]; }

// Per-reason drop counters.
struct DropCounters {
  std::array<uint64_t, size_t(DropReason::count_)> n{};
  void count(DropReason r) { ++n[size_t(r)]; }
  uint64_t operator[](DropReason r) const { return n[size_t(r)]; }
  uint64_t total() const {
    uint64_t t = 0;
    for (auto v : n) t += v;
    return t;
  }
};

}  // namespace panama
