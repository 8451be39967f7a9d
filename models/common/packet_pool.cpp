#include "common/packet_pool.h"

#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace panama {

PacketPool::~PacketPool() {
  for (tlm::tlm_generic_payload* gp : store_) {
    Head& h = head(*gp);
    gp->clear_extension(&h.meta);  // meta lives in the block, not heap-owned by the payload
    gp->~tlm_generic_payload();
    h.~Head();
  }
  for (void* a : arenas_) std::free(a);
}

// Packets are carved from 2 MiB-aligned arenas marked for transparent huge pages: a large fabric holds
// ~10^5 packets in flight (hundreds of MB), and with 4 KiB pages nearly every packet touched on a hop
// is also a TLB miss. Carving also keeps packets of one size class dense.
void* PacketPool::carve(size_t bytes) {
  bytes = (bytes + kBlockAlign - 1) / kBlockAlign * kBlockAlign;
  if (arena_left_ < bytes) {
    constexpr size_t kArena = size_t(8) << 20;
    void* a = std::aligned_alloc(size_t(2) << 20, kArena);
    if (!a) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    madvise(a, kArena, MADV_HUGEPAGE);  // advisory: without THP the pool still works, on small pages
#endif
    arenas_.push_back(a);
    arena_next_ = static_cast<uint8_t*>(a);
    arena_left_ = kArena;
  }
  void* m = arena_next_;
  arena_next_ += bytes;
  arena_left_ -= bytes;
  return m;
}

size_t PacketPool::capacity(const tlm::tlm_generic_payload& gp) {
  return kClassBytes[head(gp).size_class];
}

tlm::tlm_generic_payload* PacketPool::allocate(size_t capacity) {
  const uint32_t cls = capacity <= kClassBytes[0] ? 0 : capacity <= kClassBytes[1] ? 1 : 2;
  if (capacity > kClassBytes[2]) throw std::length_error("packet buffer larger than a jumbo frame requested");
  tlm::tlm_generic_payload* gp;
  if (!free_[cls].empty()) {
    gp = free_[cls].back();
    free_[cls].pop_back();
  } else {
    uint8_t* mem = static_cast<uint8_t*>(carve(kHeaderBytes + kClassBytes[cls]));
    Head* h = new (mem + kHeadOffset) Head();
    h->size_class = cls;
    gp = new (mem + kPayloadOffset) tlm::tlm_generic_payload();
    store_.push_back(gp);
    gp->set_mm(this);
    gp->set_extension(&h->meta);
    gp->set_data_ptr(frame_bytes(*gp));
  }
  PacketMeta& m = head(*gp).meta;
  m = PacketMeta{};
  m.id = next_id_++;
  m.created_ps = to_ps(sc_core::sc_time_stamp());
  gp->set_data_length(0);
  gp->set_streaming_width(0);
  gp->set_command(tlm::TLM_WRITE_COMMAND);
  gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  gp->acquire();
  if (++in_use_ > peak_) peak_ = in_use_;
  return gp;
}

void PacketPool::free(tlm::tlm_generic_payload* gp) {
  free_[head(*gp).size_class].push_back(gp);
  --in_use_;
}

PacketPool& PacketPool::instance() {
  static PacketPool pool;
  return pool;
}

tlm::tlm_generic_payload* clone_packet(PacketPool& pool, const tlm::tlm_generic_payload& src) {
  tlm::tlm_generic_payload* gp = pool.allocate(src.get_data_length());
  std::memcpy(gp->get_data_ptr(), src.get_data_ptr(), src.get_data_length());
  gp->set_data_length(src.get_data_length());
  const uint64_t id = meta(*gp).id;
  const ps_t created = meta(*gp).created_ps;
  meta(*gp) = meta(src);
  meta(*gp).id = id;
  meta(*gp).created_ps = created;
  return gp;
}

}  // namespace panama
