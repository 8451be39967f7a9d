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

// Simulator-only metadata, carried as a TLM extension (never in the wire bytes). Models that do not
// need it (switches, hosts, TCP) never touch it: it sits in lines of its own, reset lazily (see meta()).
struct PacketMeta : tlm::tlm_extension<PacketMeta> {
  uint32_t ingress_port = 0; // port it arrived on at the current block
  bool from_accelerator = false;  // built by an accelerator for the egress lane it left on (PSwitch glue)
  DecodedPacket dec;         // parse result of the current block's ingress parser
  // Bytes owned by the block holding the packet, for state that only that block reads (the
  // accelerator's arrival, parking and latency times: AccelPacketState in accelerator/accelerator.h).
  // Nothing here interprets them; the owner reads and writes them whole (memcpy), zero on allocation.
  alignas(8) unsigned char block_state[32] = {};

  tlm::tlm_extension_base* clone() const override { return new PacketMeta(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const PacketMeta&>(o); }
};

class PacketPool : public tlm::tlm_mm_interface {
 public:
  PacketPool() = default;
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;
  ~PacketPool() override;

  // Memory layout of one pooled packet: [metadata][payload][frame bytes], the payload ending where the
  // frame begins. A switch touches on each hop the payload's data pointer and length, its reference
  // count and the frame's Ethernet/IPv4/L4 headers (bytes 0..37); the frame starts 16 bytes into a cache
  // line, so the reference count (the payload's last field) and those headers share one line, and the
  // hop touches two lines of the packet (the metadata stays cold). A large fabric has ~10^5 packets in
  // flight: each line a hop touches is a likely miss.
  struct Head {
    PacketMeta meta;
  };
  static constexpr size_t kPayloadBytes = sizeof(tlm::tlm_generic_payload);
  static constexpr size_t kHeaderBytes =  // frame offset in the block: >= head + payload, = 80 mod 128
      (sizeof(Head) + kPayloadBytes + 127 - 80) / 128 * 128 + 80;
  static constexpr size_t kPayloadOffset = kHeaderBytes - kPayloadBytes;
  static constexpr size_t kHeadOffset = (kPayloadOffset - sizeof(Head)) / alignof(Head) * alignof(Head);
  static constexpr size_t kBlockAlign = 128;
  static constexpr size_t kBufferBytes = kMaxFrameBytes + 64;  // the largest class
  // Size classes: control frames and ACKs, MTU (1500) frames, jumbo frames, and MTU frames with a clean
  // tail (see allocate_clean). With the header the first, second and fourth make 512- and 1920-byte blocks.
  enum SizeClass : uint32_t { kSmall, kMtu, kJumbo, kMtuClean, kNumClasses };
  static constexpr size_t kClassBytes[kNumClasses] = {512 - kHeaderBytes, 1920 - kHeaderBytes, kBufferBytes,
                                                      1920 - kHeaderBytes};
  static_assert(kClassBytes[kSmall] >= kEthMinFrameBytes + 64 && kClassBytes[kMtu] >= kEthHeaderBytes + 1500 + 64,
                "size classes too small for the frames they hold");
  // Each class is carved from its own arenas, aligned to their size, whose first bytes name the class:
  // freeing a packet reads that (hot) line, not the packet's cold metadata. After the class word, one
  // bit per 512-byte granule (the smallest block) marks packets whose metadata is stale: allocation sets
  // it instead of rewriting the metadata (for a TCP segment, whose holders never read the metadata, that
  // write was a cache miss per packet), and meta() resets the metadata on first use.
  static constexpr size_t kArenaBytes = size_t(8) << 20;
  static constexpr size_t kGranuleBytes = 512;
  static constexpr size_t kStaleBitsOffset = 64;
  static constexpr size_t kArenaHeaderBytes = kStaleBitsOffset + kArenaBytes / kGranuleBytes / 8;
  // Clean-tail packets: buffer bytes at and beyond this offset are zero when allocated.
  static constexpr size_t kCleanFrom = 64;

  // A fresh payload with reference count 1 (the caller's), data length 0, and a buffer of at least
  // `capacity` bytes. Buffers come in size classes (small control frames, MTU frames, jumbo frames), so a
  // fabric full of 1500-byte packets does not carry 9 KB per packet.
  tlm::tlm_generic_payload* allocate(size_t capacity = kBufferBytes);
  // As allocate, for a frame whose bytes from kCleanFrom on are zeros (a TCP segment: the model's
  // payload is zeros). Where an MTU clean-tail block is free, those bytes are already zero and need not
  // be written again (clean_from() tells); the holders of such a frame must write no byte at or beyond
  // kCleanFrom (switches only edit the IPv4 header). Builds with PANAMA_CHECK_INVARIANTS verify it on
  // release. Larger frames come from the ordinary classes (clean_from() = SIZE_MAX).
  tlm::tlm_generic_payload* allocate_clean(size_t capacity);
  // Offset from which a pooled payload's buffer is known to be zero (SIZE_MAX: nothing known).
  static size_t clean_from(const tlm::tlm_generic_payload& gp) {
    return size_class(gp) == kMtuClean ? kCleanFrom : SIZE_MAX;
  }
  // tlm_mm_interface: called by release() when the last reference goes.
  void free(tlm::tlm_generic_payload* gp) override;

  // Usable bytes of a pooled payload's buffer.
  static size_t capacity(const tlm::tlm_generic_payload& gp) { return kClassBytes[size_class(gp)]; }

  // Creates `n` more packets of class `cls` now, ready on its free list. A packet's first use is
  // otherwise also the first touch of its memory, which the kernel must fault in and zero (about 5 % of
  // a large fabric's run while it fills); a model that knows what it will hold can pay that while it is
  // being built.
  void reserve(SizeClass cls, size_t n);

  uint64_t in_use() const { return in_use_; }
  uint64_t peak_in_use() const { return peak_; }
  uint64_t created() const { return store_.size(); }
  uint64_t created(SizeClass cls) const { return made_[cls]; }

  // The pool shared by every model of one simulation.
  static PacketPool& instance();

  // The metadata of a pooled packet, reset to its defaults if stale (see kArenaBytes).
  static PacketMeta& fresh_meta(tlm::tlm_generic_payload& gp) {
    uint64_t& word = stale_word(gp);
    const uint64_t bit = stale_bit(gp);
    PacketMeta& m = head(gp).meta;
    if (word & bit) {
      word &= ~bit;
      m = PacketMeta{};
    }
    return m;
  }

  static Head& head(tlm::tlm_generic_payload& gp) {
    return *reinterpret_cast<Head*>(reinterpret_cast<uint8_t*>(&gp) - (kPayloadOffset - kHeadOffset));
  }
  static const Head& head(const tlm::tlm_generic_payload& gp) {
    return *reinterpret_cast<const Head*>(reinterpret_cast<const uint8_t*>(&gp) - (kPayloadOffset - kHeadOffset));
  }
  // The frame's bytes, at a fixed offset from the payload object: the payload's data pointer, read
  // without loading the payload's first cache line.
  static uint8_t* frame_bytes(tlm::tlm_generic_payload& gp) {
    return reinterpret_cast<uint8_t*>(&gp) + sizeof(tlm::tlm_generic_payload);
  }
  static const uint8_t* frame_bytes(const tlm::tlm_generic_payload& gp) {
    return reinterpret_cast<const uint8_t*>(&gp) + sizeof(tlm::tlm_generic_payload);
  }

 private:
  static uint32_t size_class(const tlm::tlm_generic_payload& gp) {
    return *reinterpret_cast<const uint32_t*>(reinterpret_cast<uintptr_t>(&gp) & ~(kArenaBytes - 1));
  }
  static uintptr_t arena_of(const tlm::tlm_generic_payload& gp) {
    return reinterpret_cast<uintptr_t>(&gp) & ~(kArenaBytes - 1);
  }
  static size_t granule(const tlm::tlm_generic_payload& gp) {
    return (reinterpret_cast<uintptr_t>(&gp) & (kArenaBytes - 1)) / kGranuleBytes;
  }
  static uint64_t& stale_word(const tlm::tlm_generic_payload& gp) {
    return reinterpret_cast<uint64_t*>(arena_of(gp) + kStaleBitsOffset)[granule(gp) / 64];
  }
  static uint64_t stale_bit(const tlm::tlm_generic_payload& gp) { return uint64_t(1) << (granule(gp) % 64); }
  tlm::tlm_generic_payload* take(uint32_t cls);
  tlm::tlm_generic_payload* make(uint32_t cls);  // a new packet carved from the class's arenas
  uint8_t* carve(uint32_t cls);
  std::vector<void*> arenas_;
  uint8_t* arena_next_[kNumClasses] = {};
  size_t arena_left_[kNumClasses] = {};
  std::vector<tlm::tlm_generic_payload*> store_;
  std::vector<tlm::tlm_generic_payload*> free_[kNumClasses];
  uint64_t in_use_ = 0, peak_ = 0;
  uint64_t made_[kNumClasses] = {};
};

// The simulator-only metadata of a pooled packet. Every payload of the simulation comes from a
// PacketPool, whose packets keep the metadata beside the payload: reached without the TLM extension
// lookup, which costs a call and a cache miss on every hop. (The extension is still set, for tools.)
// A packet's metadata is in its default state when first read after allocation.
inline PacketMeta& meta(tlm::tlm_generic_payload& gp) { return PacketPool::fresh_meta(gp); }
inline const PacketMeta& meta(const tlm::tlm_generic_payload& gp) {
  return PacketPool::fresh_meta(const_cast<tlm::tlm_generic_payload&>(gp));  // a reset keeps it logically const
}

// Copy a frame into a new pooled packet (multicast replication, where each copy is edited independently).
tlm::tlm_generic_payload* clone_packet(PacketPool& pool, const tlm::tlm_generic_payload& src);

}  // namespace panama
