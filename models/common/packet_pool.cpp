#include "common/packet_pool.h"

#include <cstring>

namespace panama {

PacketPool::~PacketPool() {
  for (auto& p : store_) p->gp.clear_extension(&p->meta);  // meta is a member, not heap-owned by the gp
}

tlm::tlm_generic_payload* PacketPool::allocate() {
  Packet* p;
  if (!free_.empty()) {
    p = free_.back();
    free_.pop_back();
  } else {
    store_.push_back(std::make_unique<Packet>());
    p = store_.back().get();
    p->gp.set_mm(this);
    p->gp.set_extension(&p->meta);
    p->gp.set_data_ptr(p->bytes);
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
  // The Packet holds gp as its first member, so the payload's address is the packet's.
  free_.push_back(reinterpret_cast<Packet*>(gp));
  --in_use_;
}

PacketPool& PacketPool::instance() {
  static PacketPool pool;
  return pool;
}

tlm::tlm_generic_payload* clone_packet(PacketPool& pool, const tlm::tlm_generic_payload& src) {
  tlm::tlm_generic_payload* gp = pool.allocate();
  std::memcpy(gp->get_data_ptr(), src.get_data_ptr(), src.get_data_length());
  gp->set_data_length(src.get_data_length());
  PacketMeta* sm = nullptr;
  src.get_extension(sm);
  const uint64_t id = meta(*gp).id;
  const ps_t created = meta(*gp).created_ps;
  meta(*gp) = *sm;
  meta(*gp).id = id;
  meta(*gp).created_ps = created;
  return gp;
}

}  // namespace panama
