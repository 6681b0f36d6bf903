// `temper model inspect`, `temper export`, `temper generate --stop` and `temper chat` end to end.
// Model folders for inspect are written here with the torch-free safetensors writer, so every
// expected number (parameters, shapes, bytes) comes from what the test wrote, not from the engine.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/tensor_io/safetensors_writer.h"
#include "tests/core/engine/engine_test_support.h"

extern char** environ;

namespace temper::engine_test {
namespace {

namespace fs = std::filesystem;

struct FakeTensor {
  std::string name;
  std::vector<int64_t> shape;
};

int64_t numelOf(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// Writes `tensors` (values 0.01 · i; only shapes matter to inspect) in `dtype` to dir/model.safetensors
// and returns the element count of the tensors named as parameters.
void writeWeights(const fs::path& file, const std::vector<FakeTensor>& tensors, DType dtype) {
  const uint64_t element = dtype == DType::F32 ? 4 : 2;
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<TensorToWrite> out;
  for (const auto& t : tensors) {
    buffers.emplace_back(static_cast<size_t>(numelOf(t.shape)) * element, uint8_t{0x3c});
    out.push_back({t.name, dtype, t.shape, buffers.back().data(), buffers.back().size()});
  }
  writeSafetensors(file, out, {{"format", "pt"}});
}

// A GPT-2 folder as transformers writes it: n_layer 2, n_embd 8, n_head 2, n_positions 16, vocab 11,
// with the `attn.bias` causal-mask buffers older exporters store (not parameters).
int64_t writeGpt2Folder(const fs::path& dir) {
  fs::create_directories(dir);
  writeFile(dir / "config.json", R"({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2",
    "vocab_size": 11, "n_positions": 16, "n_embd": 8, "n_layer": 2, "n_head": 2, "n_inner": null,
    "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "bos_token_id": 10, "eos_token_id": 10})");
  std::vector<FakeTensor> tensors = {{"wte.weight", {11, 8}}, {"wpe.weight", {16, 8}}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string h = "h." + std::to_string(layer) + ".";
    for (const FakeTensor& t : std::vector<FakeTensor>{{h + "ln_1.weight", {8}},
                                                       {h + "ln_1.bias", {8}},
                                                       {h + "attn.c_attn.weight", {8, 24}},
                                                       {h + "attn.c_attn.bias", {24}},
                                                       {h + "attn.c_proj.weight", {8, 8}},
                                                       {h + "attn.c_proj.bias", {8}},
                                                       {h + "ln_2.weight", {8}},
                                                       {h + "ln_2.bias", {8}},
                                                       {h + "mlp.c_fc.weight", {8, 32}},
                                                       {h + "mlp.c_fc.bias", {32}},
                                                       {h + "mlp.c_proj.weight", {32, 8}},
                                                       {h + "mlp.c_proj.bias", {8}}}) {
      tensors.push_back(t);
    }
  }
  tensors.push_back({"ln_f.weight", {8}});
  tensors.push_back({"ln_f.bias", {8}});
  int64_t parameters = 0;
  for (const auto& t : tensors) parameters += numelOf(t.shape);
  tensors.push_back({"h.0.attn.bias", {1, 1, 16, 16}});
  tensors.push_back({"h.1.attn.bias", {1, 1, 16, 16}});
  writeWeights(dir / "model.safetensors", tensors, DType::F32);
  return parameters;
}

// A Llama folder with grouped-query attention (4 heads, 2 kv heads), an untied head and BF16 weights.
int64_t writeLlamaFolder(const fs::path& dir) {
  fs::create_directories(dir);
  writeFile(dir / "config.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama",
    "vocab_size": 20, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2,
    "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 32,
    "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "hidden_act": "silu", "tie_word_embeddings": false,
    "torch_dtype": "bfloat16"})");
  std::vector<FakeTensor> tensors = {{"model.embed_tokens.weight", {20, 16}}};
  for (int layer = 0; layer < 2; ++layer) {
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    for (const FakeTensor& t : std::vector<FakeTensor>{{p + "input_layernorm.weight", {16}},
                                                       {p + "self_attn.q_proj.weight", {16, 16}},
                                                       {p + "self_attn.k_proj.weight", {8, 16}},
                                                       {p + "self_attn.v_proj.weight", {8, 16}},
                                                       {p + "self_attn.o_proj.weight", {16, 16}},
                                                       {p + "post_attention_layernorm.weight", {16}},
                                                       {p + "mlp.gate_proj.weight", {24, 16}},
                                                       {p + "mlp.up_proj.weight", {24, 16}},
                                                       {p + "mlp.down_proj.weight", {16, 24}}}) {
      tensors.push_back(t);
    }
  }
  tensors.push_back({"model.norm.weight", {16}});
  tensors.push_back({"lm_head.weight", {20, 16}});
  int64_t parameters = 0;
  for (const auto& t : tensors) parameters += numelOf(t.shape);
  writeWeights(dir / "model.safetensors", tensors, DType::BF16);
  return parameters;
}

Json inspectJson(const fs::path& dir) {
  auto r = runTemper({"model", "inspect", dir.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  Json json = Json::parse(r.out, nullptr, false);
  EXPECT_TRUE(json.is_object()) << r.out;
  return json;
}

const char* kChatMlTemplate =
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
    "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

TEST(ModelInspect, Gpt2FolderFromConfigAndHeaders) {
  TempDir dir("inspect-gpt2");
  const int64_t parameters = writeGpt2Folder(dir / "m");
  // wte 88 + wpe 128 + 2 × (ln 16 + c_attn 216 + c_proj 72 + ln 16 + c_fc 288 + c_proj 264) + ln_f 16
  EXPECT_EQ(parameters, 1976);
  Json json = inspectJson(dir / "m");
  std::set<std::string> keys;
  for (const auto& item : json.items()) keys.insert(item.key());
  for (const char* key : {"family", "architecture", "model_type", "parameters", "dtype", "layers", "hidden", "heads",
                          "kv_heads", "ctx", "vocab", "tokenizer", "chat_template", "files", "bytes"}) {
    EXPECT_TRUE(keys.count(key)) << "missing " << key << " in " << json;
  }
  EXPECT_EQ(json["family"], "gpt2");
  EXPECT_EQ(json["architecture"], "GPT2LMHeadModel");
  EXPECT_EQ(json["model_type"], "gpt2");
  EXPECT_EQ(json["parameters"], parameters) << "the attn.bias buffers are not parameters";
  EXPECT_EQ(json["dtype"], "F32");
  EXPECT_EQ(json["layers"], 2);
  EXPECT_EQ(json["hidden"], 8);
  EXPECT_EQ(json["heads"], 2);
  EXPECT_EQ(json["kv_heads"], 2);
  EXPECT_EQ(json["ctx"], 16);
  EXPECT_EQ(json["vocab"], 11);
  EXPECT_EQ(json["tokenizer"], "none");
  EXPECT_EQ(json["chat_template"], "none");
  EXPECT_EQ(json["files"], Json::array({"model.safetensors"}));
  EXPECT_EQ(json["bytes"].get<uint64_t>(), fs::file_size(dir / "m" / "model.safetensors"));
  // The projections a LoRA may target, with the counts of the comment above (weight + bias).
  const Json& modules = json["modules"];
  ASSERT_EQ(modules.size(), 8u) << modules;
  EXPECT_EQ(modules[0], (Json{{"name", "transformer.h.0.attn.c_attn"},
                              {"block", 0},
                              {"role", "qkv"},
                              {"in", 8},
                              {"out", 24},
                              {"parameters", 216}}));
  EXPECT_EQ(modules[7]["name"], "transformer.h.1.mlp.c_proj");
  EXPECT_EQ(modules[7]["role"], "mlp-down");
  EXPECT_EQ(modules[7]["parameters"], 264);

  // Tokenizer and chat template are recognised from the folder's files.
  writeFile(dir / "m" / "tokenizer.json", "{}");
  writeFile(dir / "m" / "tokenizer_config.json", Json{{"chat_template", kChatMlTemplate}}.dump());
  json = inspectJson(dir / "m");
  EXPECT_EQ(json["tokenizer"], "byte-level-bpe");
  EXPECT_EQ(json["chat_template"], "chatml");
  writeFile(dir / "m" / "tokenizer_config.json",
            Json{{"chat_template", "{{ messages[0]['content'] }} and nothing Temper knows"}}.dump());
  EXPECT_EQ(inspectJson(dir / "m")["chat_template"], "unsupported");

  auto text = runTemper({"model", "inspect", (dir / "m").string()});
  ASSERT_EQ(text.exit_code, 0) << text.all();
  EXPECT_NE(text.out.find("GPT2LMHeadModel"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("1976"), std::string::npos) << text.out;
}

TEST(ModelInspect, LlamaFolderWithGroupedQueryAttention) {
  TempDir dir("inspect-llama");
  const int64_t parameters = writeLlamaFolder(dir / "m");
  // embed 320 + 2 × (norms 32 + q 256 + k 128 + v 128 + o 256 + gate/up/down 1152) + norm 16 + head 320
  EXPECT_EQ(parameters, 4560);
  Json json = inspectJson(dir / "m");
  EXPECT_EQ(json["family"], "llama");
  EXPECT_EQ(json["architecture"], "LlamaForCausalLM");
  EXPECT_EQ(json["parameters"], parameters);
  EXPECT_EQ(json["dtype"], "BF16");
  EXPECT_EQ(json["layers"], 2);
  EXPECT_EQ(json["hidden"], 16);
  EXPECT_EQ(json["heads"], 4);
  EXPECT_EQ(json["kv_heads"], 2);
  EXPECT_EQ(json["ctx"], 32);
  EXPECT_EQ(json["vocab"], 20);
  EXPECT_EQ(json["tied"], false);
  EXPECT_EQ(json["intermediate"], 24);
  const Json& modules = json["modules"];
  ASSERT_EQ(modules.size(), 14u) << modules;
  std::vector<std::string> roles;
  for (size_t i = 0; i < 7; ++i) roles.push_back(modules[i]["role"]);
  EXPECT_EQ(roles, (std::vector<std::string>{"q", "k", "v", "o", "mlp-gate", "mlp-up", "mlp-down"}));
  EXPECT_EQ(modules[8]["name"], "model.layers.1.self_attn.k_proj");
  EXPECT_EQ(modules[8]["parameters"], 128) << "GQA: 2 kv heads of 4";
  EXPECT_EQ(modules[13]["parameters"], 384);
}

TEST(ModelInspect, ErrorsNameTheProblem) {
  TempDir dir("inspect-errors");
  auto missing = runTemper({"model", "inspect", (dir / "absent").string(), "--json"});
  EXPECT_EQ(missing.exit_code, 3) << missing.all();
  EXPECT_NE(missing.err.find("absent"), std::string::npos) << missing.err;

  fs::create_directories(dir / "bert");
  writeFile(dir / "bert" / "config.json", R"({"architectures": ["BertModel"], "model_type": "bert"})");
  auto unknown = runTemper({"model", "inspect", (dir / "bert").string(), "--json"});
  EXPECT_EQ(unknown.exit_code, 3) << unknown.all();
  EXPECT_NE(unknown.err.find("BertModel"), std::string::npos) << unknown.err;
}

// --- a model trained once for the tests below (ctx 128 so a short chat fits; 150 steps so that greedy
// text varies) ---------------------------------------------------------------------------------------

struct TrainedRun {
  fs::path workspace;
  std::string id;
  fs::path final_dir;
};

const TrainedRun& trainedRun() {
  static TempDir dir("tools-run");
  static const TrainedRun run = [] {
    TrainedRun r;
    r.workspace = dir / "ws";
    auto train = runTemper(tinyTrainArgs(r.workspace, preparedCorpus().data,
                                         {{"ctx", "128"}, {"max-steps", "150"}, {"checkpoint-every", "50"}}));
    EXPECT_EQ(train.exit_code, 0) << train.all();
    r.id = runIdOf(train);
    r.final_dir = r.workspace / "runs" / r.id / "final";
    return r;
  }();
  return run;
}

double meanNll(const fs::path& model, const fs::path& data) {
  auto r = runTemper({"eval", "--model", model.string(), "--data", data.string(), "--json", "--threads", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  Json json = Json::parse(r.out, nullptr, false);
  return json.is_object() ? json.value("mean_nll", -1.0) : -1.0;
}

TEST(ExportCommand, CleanFolderThatEvaluatesLikeTheRunsFinalModel) {
  const TrainedRun& run = trainedRun();
  ASSERT_FALSE(run.id.empty());
  TempDir dir("export");
  const fs::path out = dir / "exported";
  auto r =
      runTemper({"export", "--workspace", run.workspace.string(), "--run", run.id, "--out", out.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  Json json = Json::parse(r.out, nullptr, false);
  ASSERT_TRUE(json.is_object()) << r.out;
  EXPECT_EQ(json["run"], run.id);
  EXPECT_EQ(fs::path(json["source"].get<std::string>()).filename(), "final");

  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(out)) files.insert(entry.path().filename().string());
  EXPECT_TRUE(files.count("config.json")) << json;
  EXPECT_TRUE(files.count("model.safetensors")) << json;
  EXPECT_TRUE(files.count("tokenizer.model")) << json;
  EXPECT_FALSE(files.count("trainer_state.json"));
  EXPECT_FALSE(files.count("optimizer.safetensors"));
  EXPECT_EQ(json["files"].size(), files.size());
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
  }
  EXPECT_EQ(readFile(out / "model.safetensors"), readFile(run.final_dir / "model.safetensors"));

  const double exported = meanNll(out, preparedCorpus().corpus);
  EXPECT_GT(exported, 0.0);
  EXPECT_EQ(exported, meanNll(run.final_dir, preparedCorpus().corpus));

  // A checkpoint: the model files only, none of the optimizer state it carries.
  const fs::path step50 = dir / "step50";
  auto c = runTemper({"export", "--workspace", run.workspace.string(), "--run", run.id.substr(0, 15), "--out",
                      step50.string(), "--checkpoint", "step-50"});
  ASSERT_EQ(c.exit_code, 0) << c.all();
  EXPECT_TRUE(fs::exists(run.workspace / "runs" / run.id / "checkpoints" / "step-50" / "optimizer.safetensors"));
  EXPECT_FALSE(fs::exists(step50 / "optimizer.safetensors"));
  EXPECT_FALSE(fs::exists(step50 / "trainer_state.json"));
  EXPECT_TRUE(fs::exists(step50 / "model.safetensors"));
  EXPECT_NE(readFile(step50 / "model.safetensors"), readFile(out / "model.safetensors"));
}

TEST(ExportCommand, RefusesUnknownRunsAndNonEmptyFolders) {
  const TrainedRun& run = trainedRun();
  TempDir dir("export-errors");
  const std::string ws = run.workspace.string();
  auto unknown = runTemper({"export", "--workspace", ws, "--run", "19990101-nope", "--out", (dir / "a").string()});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.all();
  EXPECT_NE(unknown.err.find("19990101-nope"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(dir / "a"));

  auto bad_step = runTemper(
      {"export", "--workspace", ws, "--run", run.id, "--out", (dir / "b").string(), "--checkpoint", "step-999"});
  EXPECT_EQ(bad_step.exit_code, 2) << bad_step.all();
  EXPECT_NE(bad_step.err.find("step-999"), std::string::npos) << bad_step.err;

  fs::create_directories(dir / "full");
  writeFile(dir / "full" / "notes.txt", "mine");
  auto refused = runTemper({"export", "--workspace", ws, "--run", run.id, "--out", (dir / "full").string()});
  EXPECT_EQ(refused.exit_code, 2) << refused.all();
  EXPECT_NE(refused.err.find("not empty"), std::string::npos) << refused.err;
  EXPECT_EQ(readFile(dir / "full" / "notes.txt"), "mine");

  auto forced = runTemper({"export", "--workspace", ws, "--run", run.id, "--out", (dir / "full").string(), "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.all();
  EXPECT_FALSE(fs::exists(dir / "full" / "notes.txt"));
  EXPECT_TRUE(fs::exists(dir / "full" / "model.safetensors"));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name.find(".tmp-") == std::string::npos && name.find(".old-") == std::string::npos) << name;
  }

  // An empty folder is fine without --force.
  fs::create_directories(dir / "empty");
  auto empty = runTemper({"export", "--workspace", ws, "--run", run.id, "--out", (dir / "empty").string()});
  EXPECT_EQ(empty.exit_code, 0) << empty.all();
}

TEST(GenerateCommand, StopStringsEndTheTextBeforeThem) {
  const TrainedRun& run = trainedRun();
  Args args = {"generate",
               "--model",
               run.final_dir.string(),
               "--prompt",
               "The harbour",
               "--max-new-tokens",
               "40",
               "--temperature",
               "0",
               "--threads",
               "1"};
  auto full = runTemper(args);
  ASSERT_EQ(full.exit_code, 0) << full.all();
  ASSERT_EQ(full.out.rfind("The harbour", 0), 0u) << full.out;
  const std::string generated = full.out.substr(11, full.out.size() - 12);  // without prompt and final newline
  ASSERT_GE(generated.size(), 12u) << full.out;

  // Stop at a piece of what greedy decoding produces anyway: the text ends right before its first
  // occurrence. Two stops: the earlier occurrence wins.
  const std::string stop = generated.substr(6, 3);
  const std::string later = generated.substr(9, 3);
  const size_t cut = generated.find(stop);
  Args with_stop = args;
  for (const std::string& s : {later, stop}) {
    with_stop.push_back("--stop");
    with_stop.push_back(s);
  }
  auto stopped = runTemper(with_stop);
  ASSERT_EQ(stopped.exit_code, 0) << stopped.all();
  EXPECT_EQ(stopped.out, "The harbour" + generated.substr(0, std::min(cut, generated.find(later))) + "\n")
      << "stop " << stop << " / " << later << " in " << generated;
}

// --- chat: the real binary with stdin from a file ------------------------------------------------

ProcessResult runWithStdin(const Args& args, const std::string& input) {
  TempDir io("chat-io");
  writeFile(io / "in.txt", input);
  std::vector<std::string> argv_strings = {temperBinary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "OMP_NUM_THREADS=", 16) != 0) env_strings.emplace_back(*e);
  }
  env_strings.emplace_back("OMP_NUM_THREADS=1");
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, (io / "in.txt").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, (io / "out.txt").c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, (io / "err.txt").c_str(), O_WRONLY | O_CREAT, 0644);
  pid_t pid = -1;
  ProcessResult result;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) {
    ADD_FAILURE() << "cannot start " << argv[0];
    return result;
  }
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ADD_FAILURE() << "temper chat did not finish in 120 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = readFile(io / "out.txt");
  result.err = readFile(io / "err.txt");
  return result;
}

std::vector<int64_t> reusedCounts(const std::string& err) {
  std::vector<int64_t> counts;
  std::regex line(R"(\[prompt (\d+) tokens, (\d+) from the cache)");
  for (std::sregex_iterator it(err.begin(), err.end(), line), end; it != end; ++it) {
    counts.push_back(std::stoll((*it)[2]));
  }
  return counts;
}

TEST(ChatCommand, PipedConversationIsDeterministicAndResets) {
  const TrainedRun& run = trainedRun();
  const Args args = {
      "chat", "--model",  run.final_dir.string(), "--temperature", "0", "--max-new-tokens", "8", "--threads",
      "1",    "--verbose"};
  auto first = runWithStdin(args, "Hello there\n/exit\nThis line is never read\n");
  ASSERT_EQ(first.exit_code, 0) << first.all();
  ASSERT_GT(first.out.size(), 1u) << first.all();
  EXPECT_EQ(first.out.back(), '\n');
  EXPECT_NE(first.err.find("using plain"), std::string::npos) << "no chat template in a pretrained folder";
  EXPECT_EQ(reusedCounts(first.err).size(), 1u) << first.err;

  const std::string conversation = "Hello there\nHow are you\n/reset\nHello there\n";
  auto whole = runWithStdin(args, conversation);
  ASSERT_EQ(whole.exit_code, 0) << whole.all();
  // The first answer, an answer to the second line given the first exchange, and after /reset the
  // first answer again.
  ASSERT_GT(whole.out.size(), 2 * first.out.size()) << whole.out;
  EXPECT_EQ(whole.out.substr(0, first.out.size()), first.out);
  EXPECT_EQ(whole.out.substr(whole.out.size() - first.out.size()), first.out);
  EXPECT_EQ(runWithStdin(args, conversation).out, whole.out);

  // Turn 2 extends turn 1: the cached positions are reused; after /reset nothing is.
  std::vector<int64_t> reused = reusedCounts(whole.err);
  ASSERT_EQ(reused.size(), 3u) << whole.err;
  EXPECT_EQ(reused[0], 0);
  EXPECT_GT(reused[1], 20) << "at least \"User: Hello there\\nAssistant: \" is shared";
  EXPECT_EQ(reused[2], 0);

  // Reusing the cache changes nothing in the answers.
  Args fresh = args;
  fresh.push_back("--no-cache-reuse");
  auto recomputed = runWithStdin(fresh, conversation);
  ASSERT_EQ(recomputed.exit_code, 0) << recomputed.all();
  EXPECT_EQ(recomputed.out, whole.out);
  for (int64_t count : reusedCounts(recomputed.err)) EXPECT_EQ(count, 0);
}

TEST(ChatCommand, UnknownTemplateNameIsAFlagError) {
  const TrainedRun& run = trainedRun();
  auto r = runWithStdin({"chat", "--model", run.final_dir.string(), "--chat-template", "alpaca"}, "Hi\n");
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("alpaca"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace temper::engine_test
