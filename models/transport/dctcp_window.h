// DCTCP's congestion window law (Alizadeh et al., SIGCOMM 2010; RFC 8257), the one both senders of the
// model use: the TCP sender (units: bytes, one unit of growth = one MSS) and the PANAMA worker, one
// window per aggregation tree (units: packets; a result is the implicit ACK of one packet). PANAMA's
// claim is that its window is DCTCP's, so that aggregation shares links with DCTCP flows by congestion
// control (R3): writing the law once makes the two windows the same by construction.
//
//   alpha <- (1 - g) alpha + g F   once per window of data (F: fraction of the ACKed units whose ACK
//                                  echoed a CE mark)
//   cwnd  <- cwnd (1 - alpha / 2)  on a marked ACK, at most once per window of data
//   cwnd  += min(acked, 2 MSS)     per ACK in slow start (RFC 3465 ABC, L = 2)
//   cwnd  += MSS x acked / cwnd    per ACK in congestion avoidance (one MSS per window)
//
// Sequence numbers are cumulative: `una` is the first unit not yet acknowledged after the ACK (TCP's
// snd_una; a tree's lowest unanswered ordinal), `nxt` the next unit to send.
#pragma once

#include <algorithm>
#include <cstdint>

namespace panama {

struct DctcpLaw {
  double g = 1.0 / 16;  // alpha gain
  double mss = 1;       // one segment, in window units (bytes for TCP, 1 packet for a tree)
  double floor = 1;     // smallest window a cut leaves, in window units
  bool ecn = true;      // react to marks (false: the window only grows, up to its cap)
};

struct DctcpWindow {
  double cwnd = 0, ssthresh = 0, alpha = 0;
  uint64_t win_end = 0, win_acked = 0, win_marked = 0;  // the current alpha observation window
  uint64_t cwr_end = 0;                                 // no further cut until una reaches this

  // `acked` new units acknowledged (una advanced), `marked` whether the ACK echoed CE: the alpha
  // estimate, once a window of data (sent before the window opened) is acknowledged.
  void observe(const DctcpLaw& law, uint64_t una, uint64_t acked, bool marked, uint64_t nxt) {
    win_acked += acked;
    if (marked) win_marked += acked;
    if (una >= win_end) {
      const double F = win_acked ? double(win_marked) / double(win_acked) : 0.0;
      alpha = (1.0 - law.g) * alpha + law.g * F;
      win_acked = win_marked = 0;
      win_end = nxt;
    }
  }
  // Growth for `acked` new units, up to `cap` units.
  void grow(const DctcpLaw& law, uint64_t acked, double cap) {
    if (cwnd < ssthresh) cwnd += std::min(double(acked), 2 * law.mss);
    else cwnd += law.mss * double(acked) / cwnd;
    cwnd = std::min(cwnd, cap);
  }
  // A marked ACK: cut once per window of data. Returns whether it cut.
  bool react(const DctcpLaw& law, bool marked, uint64_t una, uint64_t nxt) {
    if (!law.ecn || !marked || una < cwr_end) return false;
    cwnd = std::max(cwnd * (1.0 - alpha / 2), law.floor);
    ssthresh = cwnd;  // congestion avoidance from here
    cwr_end = nxt;
    return true;
  }
};

}  // namespace panama
