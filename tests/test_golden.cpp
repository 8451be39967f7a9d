// Golden-file regression of the default scenario: `panama run testbench/scenarios/small-shared.yaml`, the
// run scripts/demo.sh makes, must write exactly what tests/golden/small-shared/ holds:
//   - summary.json without `host` (wall-clock time, events per second, memory, whether gnuplot ran: the
//     only part that depends on the machine), compared value by value, numbers to the last bit;
//   - every CSV file it writes, byte for byte, and no CSV more or fewer.
// The simulation is deterministic (seeded RNG, one event order), so any difference is a change of what
// the model computes. When that change is intended, scripts/update-golden.sh rewrites the files
// (PANAMA_UPDATE_GOLDEN=1 runs this test in update mode); the diff of tests/golden/ then shows what moved.
#define BOOST_TEST_MODULE golden
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kScenario = std::string(PANAMA_SOURCE_DIR) + "/testbench/scenarios/small-shared.yaml";
const fs::path kGolden = fs::path(PANAMA_SOURCE_DIR) / "tests/golden/small-shared";

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::set<std::string> csv_names(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".csv") names.insert(e.path().filename().string());
  return names;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const std::string& x : s) out += (out.empty() ? "" : " ") + x;
  return out;
}

// Line number (from 1) and text of both sides where two files first differ.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (size_t line = 1;; ++line) {
    const bool ha = bool(std::getline(a, la)), hb = bool(std::getline(b, lb));
    if (!ha && !hb) return "(line endings differ)";
    if (ha != hb || la != lb)
      return "line " + std::to_string(line) + ": golden '" + (ha ? la : "<end>") + "', now '" + (hb ? lb : "<end>") + "'";
  }
}

// The first differences between two summaries, as "path: golden G, now N".
std::string summary_differences(const json& want, const json& got) {
  std::string out;
  size_t shown = 0;
  const json patch = json::diff(want, got);
  for (const json& op : patch) {
    if (++shown > 12) {
      out += "\n  ... " + std::to_string(patch.size() - 12) + " more";
      break;
    }
    const json::json_pointer at(op["path"].get<std::string>());
    out += "\n  " + op["op"].get<std::string>() + " " + at.to_string() + ": golden " +
           (want.contains(at) ? want[at].dump() : "<none>") + ", now " + (got.contains(at) ? got[at].dump() : "<none>");
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_scenario_writes_the_golden_summary_and_csv_files) {
  const char* bin = std::getenv("PANAMA_BIN");
  BOOST_TEST_REQUIRE(bin != nullptr, "PANAMA_BIN is not set (CTest sets it to the panama binary)");
  const fs::path out = fs::absolute("test_golden_out");
  fs::remove_all(out);
  const std::string cmd = "'" + std::string(bin) + "' run '" + kScenario + "' --out '" + out.string() + "' > '" +
                          out.string() + ".log' 2>&1";
  const int st = std::system(cmd.c_str());
  BOOST_TEST_REQUIRE((WIFEXITED(st) && WEXITSTATUS(st) == 0), "panama run failed: see " << out.string() << ".log");

  json summary = json::parse(read_file(out / "summary.json"));
  BOOST_TEST_REQUIRE(summary.contains("host"));
  summary.erase("host");

  if (const char* update = std::getenv("PANAMA_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    fs::remove_all(kGolden);
    fs::create_directories(kGolden);
    std::ofstream(kGolden / "summary.json") << summary.dump(2) << '\n';
    for (const std::string& csv : csv_names(out)) fs::copy_file(out / csv, kGolden / csv);
    BOOST_TEST_MESSAGE("updated " << kGolden.string() << ": summary.json and " << join(csv_names(out)));
    return;
  }

  BOOST_TEST_REQUIRE(fs::exists(kGolden / "summary.json"),
                     "no golden files in " << kGolden.string() << ": write them with scripts/update-golden.sh");
  const json golden = json::parse(read_file(kGolden / "summary.json"));
  BOOST_TEST(golden == summary, "summary.json (without host) differs from " << (kGolden / "summary.json").string()
                                    << ":" << summary_differences(golden, summary)
                                    << "\nif the change is intended: scripts/update-golden.sh");

  const std::set<std::string> want = csv_names(kGolden), got = csv_names(out);
  BOOST_TEST(want == got, "CSV files: golden {" << join(want) << "}, written {" << join(got) << "}");
  BOOST_TEST(want.size() >= 5u);  // flows, iterations, jobs, queues, windows at least
  for (const std::string& csv : want) {
    if (!got.count(csv)) continue;
    const std::string a = read_file(kGolden / csv), b = read_file(out / csv);
    BOOST_TEST(a == b, csv << " differs from the golden file, " << first_difference(a, b)
                           << "\nif the change is intended: scripts/update-golden.sh");
  }
}
