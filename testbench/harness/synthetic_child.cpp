#include "harness/synthetic_child.h"

#include <cmath>
#include <cstring>
#include <random>

namespace panama {

namespace {
uint32_t encode_value(ElementType t, double v) {
  float f = float(v);  // exact: v is a small multiple of 2^-8 (or an integer for 16-bit types)
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  switch (t) {
    case ElementType::fp32: return bits;
    case ElementType::bf16: return bits >> 16;  // exact: integer values need at most 8 significant bits
    case ElementType::fp16: {
      // exact conversion of a small integer to binary16
      if (v == 0) return std::signbit(v) ? 0x8000u : 0u;
      const uint32_t sign = v < 0 ? 0x8000u : 0u;
      double a = std::fabs(v);
      int e = 0;
      double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
      return sign | (uint32_t(e - 1 + 15) << 10) | (uint32_t(std::ldexp(m, 11)) & 0x3ffu);
    }
  }
  return 0;
}
}  // namespace

ContributionPatterns::ContributionPatterns(uint64_t seed, ElementType type, uint32_t elements)
    : type_(type), elements_(elements), stride_(size_t(elements) * element_bytes(type)) {
  std::mt19937_64 rng(seed);
  bytes_.assign(stride_ * kPatterns, 0);
  values_.assign(size_t(elements) * kPatterns, 0);
  // Magnitudes keep every partial sum of <= 64 operands exact: fp32 needs <= 24 significant bits
  // (|v| <= 1024 in steps of 2^-8: 64 * 1024 * 2^8 = 2^24), bf16 <= 8 bits (|v| <= 2, integers:
  // 64 * 2 = 128), fp16 <= 11 bits (|v| <= 16, integers: 64 * 16 = 1024).
  for (size_t i = 0; i < values_.size(); ++i) {
    double v;
    if (type == ElementType::fp32) v = double(int64_t(rng() % (2 * 1024 * 256 + 1)) - 1024 * 256) / 256.0;
    else if (type == ElementType::bf16) v = double(int64_t(rng() % 5) - 2);
    else v = double(int64_t(rng() % 33) - 16);
    values_[i] = v;
    uint8_t* p = bytes_.data() + i * element_bytes(type);
    if (type == ElementType::fp32) store_be32(p, encode_value(type, v));
    else store_be16(p, uint16_t(encode_value(type, v)));
  }
}

const uint8_t* ContributionPatterns::expected(uint32_t children, uint16_t job, uint32_t seq) const {
  const uint64_t key = (uint64_t(children) << 40) | (uint64_t(job) << 8) | ((seq + 3u * job) % kPatterns);
  auto it = expected_.find(key);
  if (it != expected_.end()) return it->second.data();
  std::vector<uint8_t>& out = expected_[key];
  out.resize(stride_);
  for (uint32_t e = 0; e < elements_; ++e) {
    double sum = 0;
    for (uint32_t c = 0; c < children; ++c) sum += values_[size_t(index(c, job, seq)) * elements_ + e];
    uint8_t* p = out.data() + size_t(e) * element_bytes(type_);
    if (type_ == ElementType::fp32) store_be32(p, encode_value(type_, sum));
    else store_be16(p, uint16_t(encode_value(type_, sum)));
  }
  return out.data();
}

SyntheticChild::SyntheticChild(const sc_core::sc_module_name& name, const ChildSpec& spec,
                               const ContributionPatterns& patterns, PacketPool& pool)
    : sc_module(name), out("out"), in("in"), spec_(spec), pat_(patterns), pool_(pool), events_("events") {
  out.register_nb_transport_bw(this, &SyntheticChild::bw);
  in.register_nb_transport_fw(this, &SyntheticChild::fw);
  total_ = uint64_t(spec.slots) * spec.jobs.size();
  frame_bytes_ = aggregation_frame_bytes(pat_.elements(), pat_.type());
  ser_ps_ = serialization_ps((frame_bytes_ + kEthWireOverheadBytes) * 8, spec.port_gbps);
  gap_ps_ = ps_t(std::llround(double(ser_ps_) / spec.load));
  if (total_) events_.schedule(ser_ps_, this, 0);  // first frame's last bit arrives after one frame time
}

void SyntheticChild::send_next() {
  const uint64_t i = sent_;
  const uint16_t job = spec_.jobs[i % spec_.jobs.size()];
  const uint32_t seq = uint32_t(i / spec_.jobs.size());
  tlm::tlm_generic_payload* gp = pool_.allocate(frame_bytes_);
  AggregationAddressing a;
  a.src_mac = node_mac(spec_.index + 1);
  a.src_ip = host_ip(spec_.index);
  const uint8_t tree = uint8_t(seq % spec_.trees);
  a.dst_ip = group_ip(job, tree);
  a.ecn = spec_.ecn;
  PanamaHeader h;
  h.type = pat_.type();
  h.tree = tree;
  h.job = job;
  h.fan_in = uint16_t(spec_.children);
  h.seq = seq;
  h.cwnd_cap = spec_.cwnd_cap;
  h.count = uint16_t(pat_.elements());
  h.worker = uint16_t(spec_.index);
  gp->set_data_length(uint32_t(encode_aggregation(gp->get_data_ptr(), PacketPool::capacity(*gp), a, h,
                                                  pat_.pattern(spec_.index, job, seq))));
  ++sent_;
  last_arrival_ps_ = to_ps(sc_core::sc_time_stamp());
  tlm::tlm_phase ph = tlm::BEGIN_REQ;
  sc_core::sc_time d = sc_core::SC_ZERO_TIME;
  const tlm::tlm_sync_enum st = out->nb_transport_fw(*gp, ph, d);
  gp->release();  // the accelerator holds its own reference
  if (st == tlm::TLM_ACCEPTED) {
    waiting_ = true;  // backpressure: the next frame waits for BEGIN_RESP
    return;
  }
  if (sent_ < total_) events_.schedule(last_arrival_ps_ + gap_ps_, this, 0);
}

void SyntheticChild::on_event(uint32_t, void*, uint64_t) { send_next(); }

tlm::tlm_sync_enum SyntheticChild::bw(tlm::tlm_generic_payload&, tlm::tlm_phase& ph, sc_core::sc_time&) {
  if (ph == tlm::BEGIN_RESP && waiting_) {
    waiting_ = false;
    // The paused port resumes: the next frame needs a full frame time on the wire from now.
    const ps_t now = to_ps(sc_core::sc_time_stamp());
    if (sent_ < total_) events_.schedule(std::max(last_arrival_ps_ + gap_ps_, now + ser_ps_), this, 0);
  }
  return tlm::TLM_COMPLETED;
}

tlm::tlm_sync_enum SyntheticChild::fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) {
  if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
  ++results_;
  last_result_ps_ = to_ps(sc_core::sc_time_stamp());
  const DecodedPacket d = decode(gp.get_data_ptr(), gp.get_data_length());
  if (d.cls != PacketClass::aggregation || !(d.hdr.flags & kFlagResult)) {
    ++mismatches_;
    return tlm::TLM_COMPLETED;
  }
  if (d.ecn == kEcnCe) ++results_ce_;
  if (d.hdr.cwnd_cap < min_cap_) min_cap_ = d.hdr.cwnd_cap;
  if (spec_.verify) {
    const uint8_t* expect = pat_.expected(spec_.children, d.hdr.job, d.hdr.seq);
    if (d.hdr.count != pat_.elements() ||
        std::memcmp(gp.get_data_ptr() + kElementsOffset, expect, size_t(d.hdr.count) * element_bytes(pat_.type())) != 0)
      ++mismatches_;
  }
  return tlm::TLM_COMPLETED;
}

}  // namespace panama
