#include "common/packet_pool.h"

#include <cstring>
#include <new>

namespace panama {

PacketPool::~PacketPool() {
  for (Packet* p : store_) {
    p->gp.clear_extension(&p->meta);  // meta is a member, not heap-owned by the payload
    p->~Packet();
    ::operator delete(p, std::align_val_t(64));
  }
}

size_t PacketPool::capacity(const tlm::tlm_generic_payload& gp) {
  return kClassBytes[reinterpret_cast<const Packet*>(&gp)->size_class];
}

tlm::tlm_generic_payload* PacketPool::allocate(size_t capacity) {
  const uint32_t cls = capacity <= kClassBytes[0] ? 0 : capacity <= kClassBytes[1] ? 1 : 2;
  if (capacity > kClassBytes[2]) throw std::length_error("packet buffer larger than a jumbo frame requested");
  Packet* p;
  if (!free_[cls].empty()) {
    p = free_[cls].back();
    free_[cls].pop_back();
  } else {
    void* mem = ::operator new(kHeaderBytes + kClassBytes[cls], std::align_val_t(64));
    p = new (mem) Packet();
    p->size_class = cls;
    store_.push_back(p);
    p->gp.set_mm(this);
    p->gp.set_extension(&p->meta);
    p->gp.set_data_ptr(p->bytes());
  }
  p->meta = PacketMeta{};
  p->meta.id = next_id_++;
  p->meta.created_ps = to_ps(sc_core::sc_time_stamp());
  p->gp.set_data_length(0);
  p->gp.set_streaming_width(0);
  p->gp.set_command(tlm::TLM_WRITE_COMMAND);
  p->gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  p->gp.acquire();
  if (++in_use_ > peak_) peak_ = in_use_;
  return &p->gp;
}

void PacketPool::free(tlm::tlm_generic_payload* gp) {
  Packet* p = reinterpret_cast<Packet*>(gp);
  free_[p->size_class].push_back(p);
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
