#include "cosim/transactor.h"

#include "accelerator/buffer_sram.h"
#include "protocol/packet.h"

#include <algorithm>
#include <stdexcept>

namespace panama::cosim {

Transactor::Transactor(const sc_core::sc_module_name& name, const RtlVariant& v, double clock_mhz,
                       bool start_at_elaboration)
    : sc_module(name),
      clk_(clock_mhz),
      rtl_slots_(v.slots),
      rtl_children_(v.children),
      start_now_(start_at_elaboration),
      owner_(v.slots, Owner{0, 0}) {
  if (v.lanes != kRtlLanes)
    throw std::invalid_argument(std::string("RTL top '") + v.name + "' has " + std::to_string(v.lanes) +
                                " lanes; the transactor drives " + std::to_string(kRtlLanes));
  if (clk_.period_ps() % 2)
    throw std::invalid_argument("the RTL clock needs an even period in ps");
  rtl_.reset(v.make("rtl", pins));
  for (int32_t s = int32_t(v.slots) - 1; s >= 0; --s) free_.push_back(s);
  SC_HAS_PROCESS(Transactor);
  SC_THREAD(run);
}

Transactor::~Transactor() = default;

void Transactor::push(uint64_t present, uint32_t child, const uint8_t* frame, size_t len, uint64_t mask) {
  const DecodedPacket d = decode(frame, len);
  if (d.cls != PacketClass::aggregation || (d.hdr.flags & kFlagResult))
    throw std::invalid_argument("transactor: frame is not a PANAMA contribution");
  if (d.hdr.type != ElementType::fp32) throw std::invalid_argument("transactor: the RTL datapath sums fp32 only");
  if (child >= rtl_children_ || (rtl_children_ < 64 && (mask >> rtl_children_)) || mask == 0)
    throw std::invalid_argument("transactor: child or children mask beyond the RTL's " +
                                std::to_string(rtl_children_) + " children");
  if (!queue_.empty() && present < queue_.back().present)
    throw std::invalid_argument("transactor: contributions must be pushed in arrival order");
  const uint32_t count = d.hdr.count;
  if (count == 0) throw std::invalid_argument("transactor: empty contribution");
  const uint64_t key = SlotKey::of(d.hdr).packed();
  const uint32_t beats = uint32_t(div_ceil(count, kRtlLanes));
  Contribution c{present, key, child, 0, std::vector<uint32_t>(size_t(beats) * kRtlLanes, 0u)};
  for (uint32_t i = 0; i < count; ++i) c.elements[i] = load_be32(frame + kElementsOffset + 4 * i);

  auto it = slots_.find(key);
  if (it == slots_.end()) {
    SlotState s;
    s.mask = mask;
    s.count = count;
    s.beats = beats;
    s.first_present = present;
    s.result.key = key;
    s.result.elements.assign(size_t(beats) * kRtlLanes, 0u);
    slots_.emplace(key, std::move(s));
    to_arm_.push_back(key);
  } else if (it->second.count != count || it->second.mask != mask) {
    throw std::invalid_argument("transactor: contributions of one slot disagree on count or children");
  }
  queue_.push_back(std::move(c));
}

void Transactor::start() { start_ev_.notify(sc_core::SC_ZERO_TIME); }

void Transactor::trace(sc_core::sc_trace_file* tf, uint64_t from, uint64_t to) {
  const std::string p = std::string(name()) + ".";
  sc_core::sc_trace(tf, tv_.cycle, p + "cycle");
  sc_core::sc_trace(tf, tv_.arm_valid, p + "arm_valid");
  sc_core::sc_trace(tf, tv_.arm_ready, p + "arm_ready");
  sc_core::sc_trace(tf, tv_.arm_slot, p + "arm_slot");
  sc_core::sc_trace(tf, tv_.arm_children, p + "arm_children");
  sc_core::sc_trace(tf, tv_.in_valid, p + "in_valid");
  sc_core::sc_trace(tf, tv_.in_ready, p + "in_ready");
  sc_core::sc_trace(tf, tv_.in_slot, p + "in_slot");
  sc_core::sc_trace(tf, tv_.in_child, p + "in_child");
  sc_core::sc_trace(tf, tv_.in_seq, p + "in_seq");
  sc_core::sc_trace(tf, tv_.cpl_valid, p + "cpl_valid");
  sc_core::sc_trace(tf, tv_.cpl_slot, p + "cpl_slot");
  sc_core::sc_trace(tf, tv_.cpl_count, p + "cpl_count");
  sc_core::sc_trace(tf, tv_.cpl_seq, p + "cpl_seq");
  sc_core::sc_trace(tf, tv_.drop_valid, p + "drop_valid");
  for (uint32_t i = 0; i < kRtlLanes; ++i) {
    sc_core::sc_trace(tf, tv_.in_data[i], p + "in_data_lane" + std::to_string(i));
    sc_core::sc_trace(tf, tv_.cpl_data[i], p + "cpl_data_lane" + std::to_string(i));
  }
  tracing_ = true;
  trace_from_ = from;
  trace_to_ = to;
}

// ---------------------------------------------------------------- the clocked loop

void Transactor::run() {
  if (!start_now_) sc_core::wait(start_ev_);
  const ps_t period = clk_.period_ps(), half = period / 2;
  const ps_t now = to_ps(sc_core::sc_time_stamp());
  origin_ps_ = clk_.cycles(clk_.edge_at_or_after(now));
  pins.cpl_ready.write(true);
  pins.rst.write(true);
  // Reset over edges 1 and 2; the first edge that takes stimulus is 3.
  sc_core::wait(from_ps(origin_ps_ + period - half - now));
  uint64_t n = 1;
  last_progress_ = 1;
  for (;;) {
    // Falling edge: drive the inputs for rising edge n.
    pins.clk.write(false);
    if (n == 3) pins.rst.write(false);
    if (n >= 3) drive(n);
    sc_core::wait(from_ps(half));
    // Just before rising edge n: the outputs have settled on the inputs; see what edge n transfers.
    if (n >= 3) sample(n);
    pins.clk.write(true);
    ++edges_;
    cycle_ = n;
    sc_core::wait(from_ps(half));
    if (queue_.empty() && slots_.empty() && n > last_issue_ + 5) break;
    if (n > last_progress_ + kWatchdogCycles) {
      errors_.push_back("watchdog: no progress for " + std::to_string(kWatchdogCycles) + " cycles at cycle " +
                        std::to_string(n) + " (" + std::to_string(queue_.size()) + " contributions queued, " +
                        std::to_string(slots_.size()) + " slots open)");
      break;
    }
    // Idle datapath and nothing due soon: skip the edges in between (the RTL holds its state).
    if (n >= 3 && idle(n)) {
      uint64_t next = queue_.front().present;
      if (!to_arm_.empty()) next = std::min(next, slots_.at(to_arm_.front()).first_present);
      next = next > kArmLookahead + 1 ? next - kArmLookahead - 1 : 0;
      if (next > n) {
        sc_core::wait(from_ps((next - n) * period));
        last_progress_ += next - n;
        n = next;
      }
    }
    ++n;
  }
  pins.clk.write(false);
  finished_ = true;
}

bool Transactor::idle(uint64_t n) const {
  return !queue_.empty() && n > last_issue_ + 5 && !arm_driven_ && !in_driven_;
}

void Transactor::drive(uint64_t n) {
  arm_driven_ = in_driven_ = false;
  Contribution* head = queue_.empty() ? nullptr : &queue_.front();
  const bool head_due = head && head->present <= n;
  if (!to_arm_.empty()) {
    const uint64_t k = to_arm_.front();
    SlotState& s = slots_.at(k);
    const bool urgent = head_due && head->key == k;
    if (urgent || (!head_due && s.first_present <= n + kArmLookahead)) {
      int32_t id = -1;
      if (s.rtl.size() > s.armed) {
        id = s.rtl[s.armed];  // an arm that did not take effect: offer it again
      } else if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
        owner_[size_t(id)] = Owner{k, uint32_t(s.rtl.size())};
        s.rtl.push_back(id);
        peak_slots_ = std::max<uint64_t>(peak_slots_, rtl_slots_ - free_.size());
      }
      if (id >= 0) {
        pins.arm_valid.write(true);
        pins.arm_slot.write(uint32_t(id));
        pins.arm_children.write(uint32_t(s.mask));
        pins.in_valid.write(false);
        arm_driven_ = true;
        arm_key_ = k;
        return;
      }
      if (urgent) ++slot_stalls_;
    }
  }
  pins.arm_valid.write(false);
  if (head_due && slots_.at(head->key).armed == slots_.at(head->key).beats) {
    const SlotState& s = slots_.at(head->key);
    DataBus d;
    for (uint32_t i = 0; i < kRtlLanes; ++i)
      d.set_word(int(i), head->elements[size_t(head->beat) * kRtlLanes + i]);
    pins.in_valid.write(true);
    pins.in_slot.write(uint32_t(s.rtl[head->beat]));
    pins.in_child.write(head->child);
    pins.in_data.write(d);
    in_driven_ = true;
    if (tracing_ && n >= trace_from_ && n < trace_to_) {
      for (uint32_t i = 0; i < kRtlLanes; ++i) tv_.in_data[i] = head->elements[size_t(head->beat) * kRtlLanes + i];
      tv_.in_seq = uint32_t(head->key);
    }
  } else {
    pins.in_valid.write(false);
  }
}

void Transactor::sample(uint64_t n) {
  const bool arm_fire = arm_driven_ && pins.arm_ready.read();
  const bool in_fire = in_driven_ && pins.in_ready.read();
  if (arm_fire) {
    SlotState& s = slots_.at(arm_key_);
    ++s.armed;
    ++arms_;
    last_progress_ = n;
    if (s.armed == s.beats) to_arm_.pop_front();
  }
  if (in_driven_) {
    if (in_fire) {
      Contribution& c = queue_.front();
      ++beats_;
      last_issue_ = n;
      last_progress_ = n;
      if (++c.beat == slots_.at(c.key).beats) queue_.pop_front();
    } else {
      ++in_stalls_;
    }
  }
  const bool cpl = pins.cpl_valid.read();  // cpl_ready is 1: it transfers on this edge
  if (cpl) {
    last_progress_ = n;
    const uint32_t id = pins.cpl_slot.read();
    const Owner o = id < owner_.size() ? owner_[id] : Owner{~0ull, 0};
    auto it = slots_.find(o.key);
    if (it == slots_.end() || o.beat >= it->second.rtl.size() || it->second.rtl[o.beat] != int32_t(id)) {
      errors_.push_back("cycle " + std::to_string(n) + ": completion of RTL slot " + std::to_string(id) +
                        " that holds no aggregation");
    } else {
      SlotState& s = it->second;
      const uint32_t expect = uint32_t(__builtin_popcountll(s.mask));
      if (pins.cpl_count.read() != expect)
        errors_.push_back("cycle " + std::to_string(n) + ": RTL slot " + std::to_string(id) + " completed with count " +
                          std::to_string(pins.cpl_count.read()) + ", expected " + std::to_string(expect));
      const DataBus d = pins.cpl_data.read();
      for (uint32_t i = 0; i < kRtlLanes; ++i)
        s.result.elements[size_t(o.beat) * kRtlLanes + i] = uint32_t(d.get_word(int(i)));
      if (o.beat == 0) s.result.head_cycle = n;
      s.result.last_cycle = std::max(s.result.last_cycle, n);
      free_.push_back(int32_t(id));
      if (++s.completed == s.beats) {
        s.result.elements.resize(s.count);
        completions_.push_back(std::move(s.result));
        slots_.erase(it);
      }
    }
  }
  if (pins.drop_valid.read())
    errors_.push_back("cycle " + std::to_string(n) + ": RTL dropped the contribution of child " +
                      std::to_string(pins.drop_child.read()) + " to RTL slot " + std::to_string(pins.drop_slot.read()) +
                      " (reason " + std::to_string(pins.drop_reason.read()) + ")");
  if (tracing_ && n >= trace_from_ && n < trace_to_) {
    tv_.cycle = n;
    tv_.arm_valid = arm_driven_;
    tv_.arm_ready = pins.arm_ready.read();
    tv_.arm_slot = pins.arm_slot.read();
    tv_.arm_children = pins.arm_children.read();
    tv_.in_valid = in_driven_;
    tv_.in_ready = pins.in_ready.read();
    tv_.in_slot = pins.in_slot.read();
    tv_.in_child = pins.in_child.read();
    tv_.cpl_valid = cpl;
    tv_.cpl_slot = pins.cpl_slot.read();
    tv_.cpl_count = pins.cpl_count.read();
    if (cpl) {
      const DataBus d = pins.cpl_data.read();
      for (uint32_t i = 0; i < kRtlLanes; ++i) tv_.cpl_data[i] = uint32_t(d.get_word(int(i)));
      tv_.cpl_seq = owner_[pins.cpl_slot.read() % owner_.size()].key & 0xffffffffu;
    }
    tv_.drop_valid = pins.drop_valid.read();
  }
}

}  // namespace panama::cosim
