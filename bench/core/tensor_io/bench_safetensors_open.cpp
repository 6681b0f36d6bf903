// Times opening a GPT-2-124M-shaped safetensors file (about 500 MB of F32) and turning every tensor
// into a torch::Tensor, with the page cache warm. Not a test: run it by hand and read the JSON.
//
//   build/bin/bench_safetensors_open [path]     (default /tmp/temper_bench_gpt2_124m.safetensors)
//
// The file is written once (and rewritten when its size is wrong); the figures are medians of 5.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/tensor_io/safetensors_file.h"
#include "core/tensor_io/safetensors_writer.h"
#include "core/tensor_io/torch_safetensors.h"

namespace {

using temper::DType;

struct Shape {
  std::string name;
  std::vector<int64_t> dims;
};

// Hugging Face GPT-2 small: Conv1D weights stored (in, out).
std::vector<Shape> gpt2Shapes() {
  const int64_t d = 768;
  std::vector<Shape> shapes{{"wte.weight", {50257, d}}, {"wpe.weight", {1024, d}}};
  for (int layer = 0; layer < 12; ++layer) {
    const std::string h = "h." + std::to_string(layer) + ".";
    std::vector<Shape> block{{h + "ln_1.weight", {d}},
                             {h + "ln_1.bias", {d}},
                             {h + "attn.c_attn.weight", {d, 3 * d}},
                             {h + "attn.c_attn.bias", {3 * d}},
                             {h + "attn.c_proj.weight", {d, d}},
                             {h + "attn.c_proj.bias", {d}},
                             {h + "ln_2.weight", {d}},
                             {h + "ln_2.bias", {d}},
                             {h + "mlp.c_fc.weight", {d, 4 * d}},
                             {h + "mlp.c_fc.bias", {4 * d}},
                             {h + "mlp.c_proj.weight", {4 * d, d}},
                             {h + "mlp.c_proj.bias", {d}}};
    shapes.insert(shapes.end(), block.begin(), block.end());
  }
  shapes.push_back({"ln_f.weight", {d}});
  shapes.push_back({"ln_f.bias", {d}});
  return shapes;
}

uint64_t numel(const Shape& shape) {
  uint64_t count = 1;
  for (int64_t dim : shape.dims) count *= uint64_t(dim);
  return count;
}

double msSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path path = argc > 1 ? argv[1] : "/tmp/temper_bench_gpt2_124m.safetensors";
  const std::vector<Shape> shapes = gpt2Shapes();
  uint64_t parameters = 0, largest = 0;
  for (const Shape& shape : shapes) {
    parameters += numel(shape);
    largest = std::max(largest, numel(shape));
  }

  std::error_code ec;
  double writeMs = -1;
  if (std::filesystem::file_size(path, ec) < parameters * 4 || ec) {
    // One buffer, sized for the largest tensor, backs every tensor: the values do not matter here.
    std::vector<float> buffer(largest);
    for (size_t i = 0; i < buffer.size(); ++i) buffer[i] = float(i % 1000) * 1e-3f;
    std::vector<temper::TensorToWrite> tensors;
    for (const Shape& shape : shapes) {
      tensors.push_back({shape.name, DType::F32, shape.dims, buffer.data(), numel(shape) * 4});
    }
    auto start = std::chrono::steady_clock::now();
    temper::writeSafetensors(path, tensors, {{"format", "pt"}});
    writeMs = msSince(start);
  }

  // Warm the page cache the way a second load would find it.
  {
    auto file = temper::SafetensorsFile::open(path);
    double checksum = 0;
    for (const auto& info : file->tensors()) checksum += temper::tensorFromSafetensors(file, info).sum().item<double>();
    std::fprintf(stderr, "warm-up checksum %.3f\n", checksum);
  }

  std::vector<double> openMs, openAndMapMs;
  size_t zeroCopy = 0;
  for (int run = 0; run < 5; ++run) {
    auto start = std::chrono::steady_clock::now();
    auto file = temper::SafetensorsFile::open(path);
    openMs.push_back(msSince(start));
    std::vector<torch::Tensor> tensors;
    tensors.reserve(file->tensors().size());
    for (const auto& info : file->tensors()) tensors.push_back(temper::tensorFromSafetensors(file, info));
    openAndMapMs.push_back(msSince(start));
    zeroCopy = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
      zeroCopy += tensors[i].data_ptr() == static_cast<const void*>(file->data(file->tensors()[i]));
    }
  }

  // write_ms is null when an existing file was reused.
  const std::string writeText = writeMs < 0 ? "null" : std::to_string(writeMs);
  std::printf(
      "{\"file_bytes\": %llu, \"tensors\": %zu, \"parameters\": %llu, \"zero_copy_tensors\": %zu, "
      "\"write_ms\": %s, \"open_ms\": %.3f, \"open_and_map_all_ms\": %.3f}\n",
      static_cast<unsigned long long>(std::filesystem::file_size(path)), shapes.size(),
      static_cast<unsigned long long>(parameters), zeroCopy, writeText.c_str(), median(openMs), median(openAndMapMs));
  return 0;
}
