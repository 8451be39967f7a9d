// Configuration registry: defaults, YAML loading, --set overrides and the error messages that name the
// offending key and where it came from, using the accelerator's parameters as the registered set.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>

#include "accelerator/accelerator_config.h"
#include "common/config.h"
#include "common/limits.h"

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <utility>
#include <unistd.h>

using namespace panama;

// The models library pulls in libsystemc, whose own main() calls sc_main. Boost.Test supplies this
// executable's main, so sc_main never runs: the weak definition only satisfies the linker.
extern "C" __attribute__((weak)) int sc_main(int, char*[]) { return 0; }

namespace {

// An accelerator config registered under "accelerator".
struct RegisteredConfig {
  AcceleratorConfig cfg;
  ConfigRegistry reg;
  RegisteredConfig() { cfg.register_params(reg); }
};

// Runs `f`, expecting a ConfigError whose message contains every one of `needles`.
template <class F>
void check_config_error(F&& f, std::initializer_list<std::string> needles, const char* what) {
  try {
    f();
    BOOST_ERROR(what << ": no ConfigError thrown");
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    for (const std::string& n : needles)
      BOOST_TEST(msg.find(n) != std::string::npos, what << ": message \"" << msg << "\" does not mention \"" << n << "\"");
  }
}

// A YAML file in the temp directory, removed when the test ends.
struct TempYaml {
  std::filesystem::path path;
  explicit TempYaml(const std::string& text) {
    path = std::filesystem::temp_directory_path() /
           ("panama_test_config_" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(path) << text;
  }
  ~TempYaml() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(config_registry)

BOOST_FIXTURE_TEST_CASE(defaults_are_readable_through_get, RegisteredConfig) {
  // The documented 100 Gbps-class defaults: 512-bit datapath at 250 MHz, 1 MiB 1R1W SRAM.
  BOOST_TEST(reg.get("accelerator.clock_mhz") == "250");
  BOOST_TEST(reg.get("accelerator.datapath_bits") == "512");
  BOOST_TEST(reg.get("accelerator.mtu_bytes") == "1500");
  BOOST_TEST(reg.get("accelerator.sram_kib") == "1024");
  BOOST_TEST(reg.get("accelerator.sram_ports") == "2");
  BOOST_TEST(reg.get("accelerator.fan_in") == "2");
  BOOST_TEST(reg.get("accelerator.max_jobs") == "16");
  BOOST_TEST(reg.get("accelerator.process_nm") == "16");
  BOOST_TEST(reg.has("accelerator.lanes"));
  BOOST_TEST(!reg.has("accelerator.bogus"));
  BOOST_CHECK_THROW(reg.get("accelerator.bogus"), ConfigError);
  // values() and describe() list every registered key with its current value.
  BOOST_TEST(reg.values().at("accelerator.lanes") == "16");
  BOOST_TEST(reg.describe().find("accelerator.sram_ports: 2") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(load_text_sets_values_from_nested_yaml, RegisteredConfig) {
  reg.load_text("accelerator:\n"
                "  clock_mhz: 312.5\n"
                "  lanes: 32\n"
                "  sram_ports: 1\n"
                "  fan_in: 4\n",
                "test text");
  BOOST_TEST(cfg.clock_mhz == 312.5);
  BOOST_TEST(cfg.lanes == 32u);
  BOOST_TEST(cfg.sram_ports == 1u);
  BOOST_TEST(cfg.fan_in == 4u);
  BOOST_TEST(reg.get("accelerator.clock_mhz") == "312.5");
  BOOST_TEST(cfg.datapath_bits == 512u);  // keys not in the text keep their defaults
  // An empty document changes nothing.
  reg.load_text("", "empty text");
  BOOST_TEST(cfg.lanes == 32u);
}

BOOST_FIXTURE_TEST_CASE(unknown_key_in_a_file_names_the_key_file_and_line, RegisteredConfig) {
  // The unknown key is on line 3 of the file.
  const TempYaml file("accelerator:\n"
                      "  lanes: 8\n"
                      "  bogus_key: 1\n");
  check_config_error([&] { reg.load_file(file.path.string()); },
                     {"accelerator.bogus_key", file.path.string(), "line", "line 3"}, "unknown key in file");
  BOOST_TEST(cfg.lanes == 8u);  // keys before the error were applied

  check_config_error([&] { reg.load_text("accelerator:\n  nope: 1\n", "inline text"); },
                     {"accelerator.nope", "inline text", "line 2"}, "unknown key in text");
  check_config_error([&] { reg.load_file("/nonexistent/panama.yaml"); }, {"/nonexistent/panama.yaml"},
                     "missing file");
}

BOOST_FIXTURE_TEST_CASE(out_of_range_value_is_refused_naming_the_key, RegisteredConfig) {
  // sram_ports is 1 (shared) or 2 (1R + 1W).
  check_config_error([&] { reg.apply_override("accelerator.sram_ports=3"); }, {"accelerator.sram_ports", "'3'", "[1, 2]"},
                     "sram_ports=3");
  BOOST_TEST(cfg.sram_ports == 2u);  // the refused value is not applied
  check_config_error([&] { reg.load_text("accelerator:\n  sram_ports: 0\n", "range text"); },
                     {"accelerator.sram_ports", "range text", "line 2"}, "sram_ports: 0 in YAML");
  check_config_error([&] { reg.apply_override("accelerator.lanes=-1"); }, {"accelerator.lanes"}, "negative lanes");
  check_config_error([&] { reg.apply_override("accelerator.clock_mhz=0.5"); }, {"accelerator.clock_mhz"},
                     "clock below 1 MHz");
}

BOOST_FIXTURE_TEST_CASE(non_numeric_value_is_refused_naming_the_key, RegisteredConfig) {
  check_config_error([&] { reg.apply_override("accelerator.lanes=many"); }, {"accelerator.lanes", "many", "integer"},
                     "lanes=many");
  check_config_error([&] { reg.apply_override("accelerator.lanes=12abc"); }, {"accelerator.lanes"}, "trailing junk");
  check_config_error([&] { reg.apply_override("accelerator.lanes="); }, {"accelerator.lanes"}, "empty value");
  check_config_error([&] { reg.apply_override("accelerator.clock_mhz=fast"); }, {"accelerator.clock_mhz", "number"},
                     "clock_mhz=fast");
  check_config_error([&] { reg.apply_override("accelerator.clock_mhz=nan"); }, {"accelerator.clock_mhz"}, "NaN");
  BOOST_TEST(cfg.lanes == 16u);
  BOOST_TEST(cfg.clock_mhz == 250.0);
}

BOOST_FIXTURE_TEST_CASE(apply_override_sets_a_key_and_refuses_malformed_assignments, RegisteredConfig) {
  reg.apply_override("accelerator.clock_mhz=200");
  BOOST_TEST(cfg.clock_mhz == 200.0);
  BOOST_TEST(reg.get("accelerator.clock_mhz") == "200");
  reg.apply_override("accelerator.datapath_bits=0x100");  // integers accept C prefixes: 0x100 = 256
  BOOST_TEST(cfg.datapath_bits == 256u);

  check_config_error([&] { reg.apply_override("noequals"); }, {"noequals", "key=value"}, "no '='");
  check_config_error([&] { reg.apply_override("=5"); }, {"key=value"}, "empty key");
  check_config_error([&] { reg.apply_override("accelerator.nope=1"); }, {"accelerator.nope", "--set"},
                     "unknown key on the command line");
}

BOOST_AUTO_TEST_CASE(bool_parameters_accept_the_usual_spellings) {
  ConfigRegistry reg;
  bool flag = false;
  reg.add("test.flag", &flag, "a switch");
  for (const char* v : {"true", "on", "yes", "1"}) {
    flag = false;
    reg.set("test.flag", v, "test");
    BOOST_TEST(flag, v << " should parse as true");
    BOOST_TEST(reg.get("test.flag") == "true");
  }
  for (const char* v : {"false", "off", "no", "0"}) {
    flag = true;
    reg.set("test.flag", v, "test");
    BOOST_TEST(!flag, v << " should parse as false");
    BOOST_TEST(reg.get("test.flag") == "false");
  }
  flag = true;
  check_config_error([&] { reg.set("test.flag", "maybe", "test origin"); }, {"test.flag", "maybe", "test origin"},
                     "flag=maybe");
  BOOST_TEST(flag);
  reg.load_text("test:\n  flag: off\n", "bool text");
  BOOST_TEST(!flag);
}

BOOST_AUTO_TEST_CASE(add_choice_refuses_values_outside_its_choices) {
  ConfigRegistry reg;
  std::string policy = "ecmp";
  reg.add_choice("test.policy", &policy, "load balancing", {"ecmp", "spray", "flowlet"});
  reg.set("test.policy", "spray", "test");
  BOOST_TEST(policy == "spray");
  BOOST_TEST(reg.get("test.policy") == "spray");
  check_config_error([&] { reg.apply_override("test.policy=random"); }, {"test.policy", "random", "ecmp spray flowlet"},
                     "policy=random");
  BOOST_TEST(policy == "spray");
  // Registering a key twice is a programming error, not a configuration error.
  BOOST_CHECK_THROW(reg.add_choice("test.policy", &policy, "again", {"ecmp"}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(validate_refuses_inconsistent_accelerator_configs) {
  AcceleratorConfig ok;
  BOOST_CHECK_NO_THROW(ok.validate());

  AcceleratorConfig c;
  c.datapath_bits = 100;  // within the registered range [32, 8192] but not a multiple of 32
  check_config_error([&] { c.validate(); }, {"accelerator.datapath_bits", "multiple of 32"}, "datapath_bits=100");

  c = AcceleratorConfig{};
  c.sram_kib = 16;  // 16384 / 1472 = 11 slots < 16 jobs
  check_config_error([&] { c.validate(); }, {"accelerator.sram_kib", "11", "accelerator.max_jobs"}, "16 KiB SRAM");
  c.sram_kib = 1;  // 1024 / 1472 = 0 slots
  check_config_error([&] { c.validate(); }, {"accelerator.sram_kib", "1472"}, "1 KiB SRAM");
  c.sram_kib = 24;  // 24576 / 1472 = 16 slots: exactly one per job
  BOOST_CHECK_NO_THROW(c.validate());
}

BOOST_AUTO_TEST_CASE(derived_slot_figures_follow_from_mtu_and_sram_geometry) {
  const AcceleratorConfig c;
  // MTU 1500: (1500 - 20 - 8 - 24) / 4 = 362 fp32 elements = 1448 payload bytes.
  BOOST_TEST(c.max_payload_bytes() == 1448u);
  // One SRAM row = 512 bits x 1 bank = 64 B; slot = ceil(1448 / 64) * 64 = 23 * 64 = 1472 B.
  BOOST_TEST(c.slot_bytes() == 1472u);
  // 1024 KiB = 1,048,576 B / 1472 = 712.3 -> 712 slots.
  BOOST_TEST(c.total_slots() == 712u);
  // 512 bits x 250 MHz = 128 Gbps.
  BOOST_TEST(c.datapath_gbps() == 128.0);

  AcceleratorConfig two_banks;
  two_banks.sram_banks = 2;  // 128 B rows: ceil(1448 / 128) * 128 = 12 * 128 = 1536 B; 1048576 / 1536 = 682
  BOOST_TEST(two_banks.slot_bytes() == 1536u);
  BOOST_TEST(two_banks.total_slots() == 682u);
}

BOOST_AUTO_TEST_CASE(adder_levels_are_ceil_log2_of_fan_in) {
  // ceil(log2(n)): 2 -> 1, 3 -> 2, 4 -> 2, 5 -> 3, 8 -> 3; latency = levels x 3 cycles per level.
  const std::pair<uint32_t, uint32_t> cases[] = {{2, 1}, {3, 2}, {4, 2}, {5, 3}, {8, 3}, {64, 6}};
  for (auto [fan_in, levels] : cases) {
    AcceleratorConfig c;
    c.fan_in = fan_in;
    BOOST_TEST(c.adder_levels() == levels, "fan_in " << fan_in);
    BOOST_TEST(c.adder_tree_latency_cycles() == 3 * levels, "fan_in " << fan_in);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_numbers)

BOOST_AUTO_TEST_CASE(leading_zero_is_decimal_not_octal) {
  // `lanes: 010` means ten lanes; octal would silently make it eight.
  panama::AcceleratorConfig cfg;
  panama::ConfigRegistry reg;
  cfg.register_params(reg);
  reg.set("accelerator.lanes", "010", "test");
  BOOST_TEST(cfg.lanes == 10u);
  reg.set("accelerator.lanes", "08", "test");
  BOOST_TEST(cfg.lanes == 8u);
}

BOOST_AUTO_TEST_CASE(typed_readers_take_whole_or_finite_numbers_in_range_only) {
  BOOST_TEST(config_int("k", "0x10", "t", 0, 100) == 16);
  BOOST_TEST(config_number("k", "1e-3", "t", 0.0, 1.0) == 1e-3);
  // Truncation, wrap-around and non-finite values are refused, naming the key, the value and the range.
  for (const char* v : {"1.5", "1e10", "4294967296", "", "12abc", "-1"})
    check_config_error([&] { config_int("jobs[0].iterations", v, "file f, line 3", 0, 1 << 30); },
                       {"jobs[0].iterations", "file f, line 3", "integer in [0, 1073741824]"}, v);
  for (const char* v : {"inf", "-inf", "nan", "1e300", "1e-300", "1e999", ""})
    check_config_error([&] { config_number("topology.links[0].gbps", v, "t", 0.001, 1600.0); },
                       {"topology.links[0].gbps", "finite number in [0.001, 1600]"}, v);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(config_input)

BOOST_FIXTURE_TEST_CASE(yaml_keys_are_plain_names_each_once_in_one_document, RegisteredConfig) {
  check_config_error([&] { reg.load_text("accelerator:\n  lanes: 8\n  lanes: 16\n", "dup"); },
                     {"accelerator.lanes", "appears twice", "dup, line 3"}, "a duplicate leaf");
  check_config_error([&] { reg.load_text("accelerator: {lanes: 8}\naccelerator: {ports: 2}\n", "dup map"); },
                     {"'accelerator' appears twice"}, "a duplicate map");
  check_config_error([&] { reg.load_text("accelerator:\n  ? {a: 1}\n  : 3\n", "map key"); },
                     {"under 'accelerator' is a map", "map key, line 2"}, "a map as a key");
  check_config_error([&] { reg.load_text("? [a]\n: 3\n", "list key"); }, {"is a list", "list key, line 1"},
                     "a list as a key");
  check_config_error([&] { reg.load_text("accelerator: {lanes: 8}\n---\naccelerator: {lanes: 4}\n", "docs"); },
                     {"more than one document"}, "two documents");
  check_config_error([&] { reg.load_text("{accelerator: {lanes: 8}},\n", "comma"); }, {"a ',' outside", "comma, line 1"},
                     "a stray comma (yaml-cpp 0.7 LoadAll loops on it)");
  BOOST_TEST(cfg.lanes == 16u);  // a map is checked before any of its keys is set: the default stays
}

BOOST_AUTO_TEST_CASE(input_files_must_be_regular_files_of_limited_size) {
  check_config_error([] { config_read_file(std::filesystem::temp_directory_path().string(), "test file"); },
                     {"test file", "is a directory"}, "a directory");
  check_config_error([] { config_read_file("/dev/zero", "test file"); }, {"/dev/zero", "is a device"}, "a device");
  check_config_error([] { config_read_file("/nonexistent/x.yaml", "test file"); }, {"cannot open test file"},
                     "a missing file");
  {
    TempYaml big(std::string(limits::kInputFileBytes + 1, '#'));
    check_config_error([&] { config_read_file(big.path.string(), "test file"); }, {"larger than 4 MiB"}, "a big file");
  }
  TempYaml ok("accelerator: {lanes: 8}\n");
  BOOST_TEST(config_read_file(ok.path.string(), "test file") == "accelerator: {lanes: 8}\n");
}

BOOST_AUTO_TEST_CASE(output_paths_are_tried_before_a_run_and_nothing_is_left) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("panama_test_out_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  config_check_output_file((dir / "x.json").string(), "--json");
  config_check_output_dir((dir / "new" / "deeper").string(), "--out");
  BOOST_TEST(fs::is_empty(dir), "the checks left something in " << dir);
  check_config_error([&] { config_check_output_file((dir / "no" / "x.json").string(), "--json"); },
                     {"--json", "no directory"}, "a missing directory");
  check_config_error([&] { config_check_output_file(dir.string(), "--json"); }, {"is a directory"}, "a directory");
  // A file in the --out directory the run is about to make is fine.
  config_check_output_file((dir / "out" / "x.json").string(), "--json", (dir / "out").string());
  TempYaml file("x");
  check_config_error([&] { config_check_output_dir(file.path.string(), "--out"); }, {"--out", "not a directory"},
                     "a file as --out");
  check_config_error([&] { config_check_output_dir((file.path / "sub").string(), "--out"); },
                     {"a file, not a directory"}, "a folder under a file");
  check_config_error([] { config_check_output_dir("/proc/panama-nowhere/out", "--out"); }, {"cannot write in"},
                     "an unwritable place");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
