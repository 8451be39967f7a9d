// Published data-parallel training workloads: parameter counts (reference.md) and a per-GPU compute
// time per iteration (forward + backward of one local mini-batch), each with its source or marked as an
// assumption. The gradient all-reduced every iteration is parameters x 4 bytes (FP32).
//
// Compute time per iteration = local batch / single-GPU training throughput.
//
// | model        | params  | GPU, precision  | batch | throughput     | compute/iter | source                      |
// |--------------|---------|-----------------|-------|----------------|--------------|-----------------------------|
// | resnet50     | 25.6 M  | V100 16GB, AMP  | 256   | 1200 img/s     | 213 ms       | [1] DGX-1 1-GPU table       |
// | resnet50_a100| 25.6 M  | A100 80GB, AMP  | 256   | 2470 img/s     | 104 ms       | [1] DGX A100 1-GPU table    |
// | resnet152    | 60.2 M  | V100, AMP       | 256   | ~430 img/s     | 595 ms       | assumption (a)              |
// | inception_v3 | 23.8 M  | V100, AMP       | 256   | ~850 img/s     | 301 ms       | assumption (a)              |
// | vgg16        | 138 M   | V100, AMP       | 256   | ~320 img/s     | 800 ms       | assumption (a)              |
// | alexnet      | 61 M    | V100, AMP       | 256   | ~5000 img/s    | 51 ms        | assumption (a)              |
// | bert_large   | 340 M   | V100, AMP       | 32 x 512 tokens | ~42 seq/s | 760 ms     | assumption (b)              |
// | gpt2         | 1.5 B   | V100, AMP       | 8 x 1024 tokens | ~4.7 seq/s | 1690 ms   | assumption (b)              |
//
// [1] NVIDIA DeepLearningExamples, PyTorch/Classification/ConvNets/resnet50v1.5/README.md, "Training
//     performance results" (pytorch-21.03 NGC container): 1x V100 16GB mixed precision 1200 img/s, FP32
//     367 img/s; 1x A100 80GB mixed precision 2470 img/s, TF32 938 img/s. The local batch of 256 per GPU
//     is our assumption (the README's benchmark default for AMP as we recall it; not re-checked).
// (a) No per-GPU training throughput was found for these with the search tools available when this table
//     was written. Scaled from ResNet-50's measured 1200 img/s by forward FLOPs per image (ResNet-50 4.1,
//     ResNet-152 11.5, Inception-v3 5.7, VGG-16 15.5, AlexNet 0.72 GFLOPs; the usual published counts),
//     with AlexNet limited by input pipeline rather than FLOPs. Treat as order-of-magnitude figures.
// (b) Assumption: no published per-GPU figure was checked. Transformer training costs ~6 x params FLOPs per
//     token; at ~35 % of V100's 125 TFLOPS tensor peak (43.75 TFLOPS) this gives
//     6 x 340e6 x 32 x 512 / 43.75e12 = 0.76 s for BERT-large at 32 x 512 tokens and
//     6 x 1.5e9 x 8 x 1024 / 43.75e12 = 1.69 s for GPT-2 (1.5 B) at 8 x 1024 tokens.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace panama {

struct ModelSpec {
  std::string name;
  uint64_t parameters = 0;
  double compute_ms = 0;      // per-GPU compute time of one iteration (forward + backward), ms
  uint32_t batch = 0;         // local batch the compute time is for
  std::string gpu;            // GPU and precision the compute time is for
  std::string source;         // where the figures come from ("assumption: ..." when unsourced)
  uint64_t gradient_bytes() const { return parameters * 4; }  // FP32 gradient per iteration
};

// Every model of the table, in the order above.
const std::vector<ModelSpec>& model_table();
// The model called `name`; throws std::invalid_argument listing the known names otherwise.
const ModelSpec& find_model(const std::string& name);

}  // namespace panama
