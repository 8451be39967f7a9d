#include "harness/udp_traffic.h"

namespace panama {

UdpSource::UdpSource(Host& host, const UdpFlowSpec& spec) : host_(host), spec_(spec) {
  const double rate = spec.rate_gbps > 0 ? spec.rate_gbps : host.port(0).gbps();
  gap_ps_ = serialization_ps(uint64_t(spec.frame_bytes + kEthWireOverheadBytes) * 8, rate);
  if (spec.count) host.ctx().events.schedule(spec.start_ps, this, 0);
}

void UdpSource::on_event(uint32_t, void*, uint64_t) {
  NetContext& ctx = host_.ctx();
  tlm::tlm_generic_payload* gp = ctx.pool.allocate(spec_.frame_bytes);
  UdpAddressing a;
  a.src_mac = host_.mac();
  a.src_ip = host_.ip();
  a.dst_ip = host_ip(spec_.dst_host);
  a.src_port = spec_.src_port;
  a.dst_port = spec_.dst_port;
  a.dscp = spec_.lossless ? kPanamaDscp : 0;
  a.ecn = kEcnEct0;
  a.ip_id = uint16_t(sent_);
  const size_t payload = spec_.frame_bytes - kEthHeaderBytes - kIpv4HeaderBytes - kUdpHeaderBytes;
  gp->set_data_length(uint32_t(encode_udp(gp->get_data_ptr(), PacketPool::capacity(*gp), a, nullptr, payload)));
  host_.send(gp);
  if (++sent_ < spec_.count) ctx.events.schedule(ctx.now() + gap_ps_, this, 0);
}

void CountingSink::on_packet(Host& host, tlm::tlm_generic_payload& gp, const DecodedPacket&) {
  const ps_t now = host.ctx().now();
  if (!frames) first_ps = now;
  last_ps = now;
  ++frames;
  bytes += gp.get_data_length();
  if (record_arrivals) arrivals.push_back(now);
}

}  // namespace panama
