// `panama topo FILE`: build a topology, check it, and print its summary (and Graphviz with --dot).
#include "commands.h"
#include "experiment/report.h"
#include "common/config.h"
#include "harness/isolated.h"
#include "network/topology.h"

#include <fstream>
#include <iostream>
#include <memory>

namespace panama::cli {

void add_topo_command(CLI::App& app) {
  struct Opts {
    std::string file, dot, json;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("topo", "Build a topology file, validate it and print its summary");
  cmd->add_option("file", o->file, "topology YAML file (topology.* keys)")->required();
  cmd->add_option("--set", o->sets, "override a key: --set topology.k=8")->take_all()->allow_extra_args(false);
  cmd->add_option("--dot", o->dot, "write the graph in Graphviz format to this file");
  cmd->add_option("--json", o->json, "write the summary as JSON to this file");
  cmd->callback([o] {
    TopologyConfig t;
    ConfigRegistry reg;
    t.register_params(reg);
    try {
      reg.load_file(o->file);
      for (auto& s : o->sets) reg.apply_override(s);
      t.validate();
      if (!o->dot.empty()) config_check_output_file(o->dot, "--dot");
      if (!o->json.empty()) config_check_output_file(o->json, "--json");
      Fabric f("fabric", t);
      nlohmann::json j = f.summary();
      std::cout << "topology " << o->file << " (" << t.type << ")\n"
                << "  hosts            : " << j["hosts"] << "\n"
                << "  switches         : " << j["switches"] << " (" << j["switch_ports"] << " ports)\n"
                << "  links            : " << j["links"] << "\n"
                << "  bisection        : " << j["bisection_gbps"].get<double>() << " Gbps\n"
                << "  accelerators     : " << t.pswitches << "\n"
                << "  build time       : " << f.build_seconds() << " s (routes included)\n";
      j["build_s"] = f.build_seconds();
      if (!o->dot.empty()) {
        report_write(o->dot, f.to_dot(), "--dot file");
        std::cout << "  graph            : " << o->dot << "\n";
      }
      if (!o->json.empty()) report_write_json(o->json, j, "--json file");
    } catch (const ConfigError& e) {
      std::cerr << "panama topo: " << e.what() << "\n";
      set_exit_code(2);
    }
  });
}

}  // namespace panama::cli
