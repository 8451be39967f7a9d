// The physics validation suite (testbench/harness/validate.h, also `panama validate`): every case
// against its analytic bound. The bounds and tolerances are derived in validate.h/.cpp:
//   idle all-reduce: PANAMA and single-tree >= 95 % of 100 Gbps x 1448/1538 = 94.15 Gbps; ring >= 85 %
//     of 100 x 1460/1538 x N/(2(N-1));
//   sharing: T/(N + jobs T) of the bottleneck (judged within 20 % by `panama validate`; see the case);
//   datapath: the busiest stage's bound (256 bits: 2 x 48 cycles of 4 ns per 1448 B = 30.17 Gbps) within 3 %;
//   lossless: 0 lossless drops under 85 % web-search load; a 512 KiB buffer refused.
#define BOOST_TEST_MODULE validate
#include <boost/test/unit_test.hpp>

#include "harness/validate.h"

using namespace panama;

namespace {
// Under the sanitizers (ten times slower) a group may run only the cases whose name contains
// `sanitized`, chosen to take every code path of the group: the plain build runs every case and checks
// the physics, the sanitizer build that those paths are clean.
void check_group(const std::string& group, const std::string& sanitized = "") {
  ValidateOptions o;
  o.only = group;
#ifdef PANAMA_SANITIZER_BUILD
  if (!sanitized.empty()) o.only = sanitized;
#else
  (void)sanitized;
#endif
  const auto results = run_validation(o);
  BOOST_TEST_MESSAGE("\n" << format_table(results));
  BOOST_REQUIRE(!results.empty());
  for (const auto& r : results) BOOST_TEST(r.pass(), r.name << ": measured " << r.measured << " against " << r.expected
                                                            << " " << r.unit << " (" << r.note << ")");
}
}  // namespace

BOOST_AUTO_TEST_SUITE(physics_validation)

// (Sanitizer build: the three protocols on the two-level fat-tree, whose trees aggregate at every tier.)
BOOST_AUTO_TEST_CASE(idle_allreduce_meets_line_rate_bounds) { check_group("idle_allreduce", "fat-tree k4 N=8"); }
// Sharing: each tree crossing the bottleneck is one DCTCP flow, so a job of T trees beside N flows
// gets T/(N + jobs T) of it, within 20 % (the criterion; the split follows from ECN alone under
// the fifo queue: CE results seen), the DCTCP flows share fairly among themselves (Jain >= 0.95) and no
// lossless frame is dropped. Two more points move the trees' loop by a fraction of a frame time
// against the flows': the split must not depend on that phase.
BOOST_AUTO_TEST_CASE(aggregation_shares_a_bottleneck_with_dctcp_by_congestion_control) {
  ValidateOptions o;
  o.only = "sharing";
  size_t cases = 14;
#ifdef PANAMA_SANITIZER_BUILD
  // Under the sanitizers the four cases beside 4 flows: one and two jobs, one and four trees.
  o.only = "beside N=4 DCTCP";
  cases = 4;
#endif
  const auto results = run_validation(o);
  BOOST_TEST_MESSAGE("\n" << format_table(results));
  BOOST_REQUIRE(results.size() == cases);
  for (const auto& r : results) {
    BOOST_TEST(r.pass(), r.name << ": share " << r.measured << " against " << r.expected << " (" << r.note << ")");
    BOOST_TEST(r.note.find("CE results 0") == std::string::npos, r.name << ": no CE result: " << r.note);
  }
}
BOOST_AUTO_TEST_CASE(a_narrow_datapath_caps_throughput_at_its_own_bound) { check_group("datapath"); }
BOOST_AUTO_TEST_CASE(the_lossless_class_loses_nothing_or_is_refused) { check_group("lossless"); }

BOOST_AUTO_TEST_SUITE_END()
