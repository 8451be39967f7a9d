// Test helpers for the accelerator's ports: contribution frames with raw element bit patterns, and the
// FrameInjector port stub (testbench/harness/frame_injector.h).
#pragma once

#include "common/event_queue.h"
#include "common/packet_pool.h"
#include "harness/frame_injector.h"
#include "protocol/packet.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstring>
#include <deque>
#include <vector>

namespace panama::test {

using Bytes = std::vector<uint8_t>;

// An fp32/bf16/fp16 contribution frame with raw element bit patterns.
inline Bytes contribution(uint16_t job, uint8_t tree, uint32_t seq, uint16_t worker, const std::vector<uint32_t>& elems,
                          ElementType type = ElementType::fp32, uint8_t ecn = kEcnEct0, uint16_t cwnd_cap = 0xffff,
                          uint8_t flags = 0, uint16_t fan_in = 2) {
  Bytes f(PacketPool::kBufferBytes);
  AggregationAddressing a;
  a.src_mac = node_mac(worker + 1);
  a.src_ip = host_ip(worker);
  a.dst_ip = group_ip(job, tree);
  a.ecn = ecn;
  PanamaHeader h;
  h.type = type;
  h.tree = tree;
  h.job = job;
  h.fan_in = fan_in;
  h.seq = seq;
  h.cwnd_cap = cwnd_cap;
  h.count = uint16_t(elems.size());
  h.worker = worker;
  h.flags = flags;
  size_t n = encode_aggregation(f.data(), f.size(), a, h, nullptr);
  for (size_t i = 0; i < elems.size(); ++i) {
    if (type == ElementType::fp32) store_be32(f.data() + kElementsOffset + 4 * i, elems[i]);
    else store_be16(f.data() + kElementsOffset + 2 * i, uint16_t(elems[i]));
  }
  f.resize(n);
  return f;
}

using panama::FrameInjector;

}  // namespace panama::test
