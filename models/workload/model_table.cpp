#include "workload/model_table.h"

#include <stdexcept>

namespace panama {

const std::vector<ModelSpec>& model_table() {
  static const std::vector<ModelSpec> table = {
      {"resnet50", 25'600'000, 256.0 / 1200.0 * 1e3, 256, "V100 16GB, mixed precision",
       "NVIDIA DeepLearningExamples resnet50v1.5 (PyTorch) README: 1x V100 AMP 1200 img/s; batch assumed"},
      {"resnet50_a100", 25'600'000, 256.0 / 2470.0 * 1e3, 256, "A100 80GB, mixed precision",
       "NVIDIA DeepLearningExamples resnet50v1.5 (PyTorch) README: 1x A100 AMP 2470 img/s; batch assumed"},
      {"resnet152", 60'200'000, 595.0, 256, "V100, mixed precision",
       "assumption: ResNet-50 throughput scaled by forward FLOPs (11.5 / 4.1 GFLOPs)"},
      {"inception_v3", 23'800'000, 301.0, 256, "V100, mixed precision",
       "assumption: ResNet-50 throughput scaled by forward FLOPs (5.7 / 4.1 GFLOPs)"},
      {"vgg16", 138'000'000, 800.0, 256, "V100, mixed precision",
       "assumption: ResNet-50 throughput scaled by forward FLOPs (15.5 / 4.1 GFLOPs)"},
      {"alexnet", 61'000'000, 51.0, 256, "V100, mixed precision",
       "assumption: ~5000 img/s, input-pipeline bound (0.72 GFLOPs per image)"},
      {"bert_large", 340'000'000, 760.0, 32, "V100, mixed precision, 512 tokens per sequence",
       "assumption: 6 x params FLOPs per token at ~35% of V100 tensor peak"},
      {"gpt2", 1'500'000'000, 1690.0, 8, "V100, mixed precision, 1024 tokens per sequence",
       "assumption: 6 x params FLOPs per token at ~35% of V100 tensor peak, memory-fitting batch"},
  };
  return table;
}

const ModelSpec& find_model(const std::string& name) {
  std::string known;
  for (const ModelSpec& m : model_table()) {
    if (m.name == name) return m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw std::invalid_argument("unknown model '" + name + "' (known: " + known + ")");
}

}  // namespace panama
