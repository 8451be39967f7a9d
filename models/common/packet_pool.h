// Pooled packets: every frame in the simulation is a tlm_generic_payload whose data pointer holds the
// wire bytes, allocated once from this pool and recycled through tlm_mm_interface when its reference
// count drops to zero, so the steady state allocates nothing per packet or per hop.
#pragma once

#include "common/clock.h"
#include "protocol/packet.h"

#include <tlm>

#include <cstdint>
#include <memory>
#include <vector>

namespace panama {

// Simulator-only metadata, carried as a TLM extension (never in the wire bytes).
struct PacketMeta : tlm::tlm_extension<PacketMeta> {
  uint64_t id = 0;           // unique per allocation, for tracing and debugging
  ps_t created_ps = 0;       // when the packet was built
  ps_t arrival_ps = 0;       // arrival at the block currently holding it
  uint32_t ingress_port = 0; // port it arrived on at the current block
  uint32_t lane = 0;         // egress lane chosen by the current block
  bool latency_pending = false;  // record (departure - latency_origin_ps) as a sample at the next egress
  ps_t latency_origin_ps = 0;
  ps_t parked_ps = 0;        // nonzero: parked since then waiting for a free slot
  uint8_t tc = 0;            // traffic class (802.1p priority) in the fabric
  uint64_t flow = 0;         // transport flow id (statistics only; the wire bytes identify the flow)
  bool from_accelerator = false;  // built by an accelerator for the egress lane it left on
  DecodedPacket dec;         // parse result of the current block's ingress parser

  tlm::tlm_extension_base* clone() const override { return new PacketMeta(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const PacketMeta&>(o); }
};

class PacketPool : public tlm::tlm_mm_interface {
 public:
  PacketPool() = default;
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;
  ~PacketPool() override;

  // A fresh payload with reference count 1 (the caller's), data length 0, and a buffer of at least
  // `capacity` bytes. Buffers come in three size classes (small control frames, MTU frames, jumbo
  // frames), so a fabric full of 1500-byte packets does not carry 9 KB per packet.
  tlm::tlm_generic_payload* allocate(size_t capacity = kBufferBytes);
  // tlm_mm_interface: called by release() when the last reference goes.
  void free(tlm::tlm_generic_payload* gp) override;

  static constexpr size_t kBufferBytes = kMaxFrameBytes + 64;  // the largest class
  static constexpr size_t kClassBytes[3] = {128, 1600, kBufferBytes};
  // Usable bytes of a pooled payload's buffer.
  static size_t capacity(const tlm::tlm_generic_payload& gp);

  uint64_t in_use() const { return in_use_; }
  uint64_t peak_in_use() const { return peak_; }
  uint64_t created() const { return store_.size(); }

  // The pool shared by every model of one simulation.
  static PacketPool& instance();

  struct Packet {
    tlm::tlm_generic_payload gp;  // first member: a payload's address is its packet's
    PacketMeta meta;
    uint32_t size_class = 0;
    // followed in memory by the frame buffer
    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this) + kHeaderBytes; }
  };
  static constexpr size_t kHeaderBytes = (sizeof(Packet) + 63) / 64 * 64;

 private:
  std::vector<Packet*> store_;
  std::vector<Packet*> free_[3];
  uint64_t next_id_ = 1;
  uint64_t in_use_ = 0, peak_ = 0;
};

// The simulator-only metadata of a pooled packet. Every payload of the simulation comes from a
// PacketPool, whose packets keep the metadata beside the payload: reached without the TLM extension
// lookup, which costs a call and a cache miss on every hop. (The extension is still set, for tools.)
inline PacketMeta& meta(tlm::tlm_generic_payload& gp) {
  return reinterpret_cast<PacketPool::Packet*>(&gp)->meta;
}
inline const PacketMeta& meta(const tlm::tlm_generic_payload& gp) {
  return reinterpret_cast<const PacketPool::Packet*>(&gp)->meta;
}

// Copy a frame into a new pooled packet (multicast replication, where each copy is edited independently).
tlm::tlm_generic_payload* clone_packet(PacketPool& pool, const tlm::tlm_generic_payload& src);

}  // namespace panama
