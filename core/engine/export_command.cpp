#include "core/engine/export_command.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "core/common/error.h"
#include "core/common/run_paths.h"
#include "core/common/workspace_paths.h"
#include "core/engine/adapted_classifier.h"
#include "core/engine/model_loading.h"
#include "core/methods/classify/classify_task.h"
#include "core/model/hf_model.h"
#include "core/peft/adapter_folder.h"
#include "core/peft/lora.h"
#include "core/store/store.h"
#include "core/tokenizer/tokenizer_open.h"
#include "core/train/checkpoint.h"

namespace temper {
namespace {

namespace fs = std::filesystem;

// Files of a model folder that are the model; everything else (trainer_state.json,
// optimizer.safetensors, anything a person dropped there) stays behind.
// temper_adapter.json goes along: a SEQ_CLS adapter's labels are there.
constexpr const char* kModelFiles[] = {"config.json",         "model.safetensors.index.json",
                                       "adapter_config.json", "adapter_model.safetensors",
                                       "temper_adapter.json", "chat_template.jinja"};

fs::path sourceFolder(const RunRecord& run, const std::string& checkpoint) {
  const RunPaths paths{run.run_dir};
  std::error_code ec;
  if (checkpoint == "final" || (checkpoint.empty() && fs::is_directory(paths.finalModel(), ec))) {
    if (!fs::is_directory(paths.finalModel(), ec)) {
      throwConfigError("run " + run.id + " has no final model (" + paths.finalModel().string() + "); it is " +
                       run.status + "; give --checkpoint step-N");
    }
    return paths.finalModel();
  }
  if (checkpoint.empty()) {
    auto latest = latestCheckpoint(paths.checkpoints());
    if (!latest) throwConfigError("run " + run.id + " has no model yet: no final/ and no checkpoint");
    return *latest;
  }
  if (!checkpoint.starts_with("step-") || checkpoint.size() == 5 ||
      checkpoint.find_first_not_of("0123456789", 5) != std::string::npos) {
    throwConfigError("`checkpoint` is \"" + checkpoint + "\"; allowed: final or step-N");
  }
  const fs::path dir = paths.checkpoints() / checkpoint;
  if (!fs::is_directory(dir, ec)) {
    throwConfigError("run " + run.id + " has no checkpoint " + checkpoint + " (" + dir.string() + ")");
  }
  return dir;
}

void copyDurably(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to);
  int fd = ::open(to.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    std::string message = describeErrno("cannot sync " + to.string());
    if (fd >= 0) ::close(fd);
    throwIoError(message);
  }
  ::close(fd);
}

std::vector<fs::path> filesToExport(const fs::path& source) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const char* name : kModelFiles) {
    if (fs::is_regular_file(source / name, ec)) files.push_back(source / name);
  }
  const bool adapter = fs::is_regular_file(source / "adapter_config.json", ec);
  if (!adapter || fs::is_regular_file(source / "config.json", ec)) {
    // A full model: its weights as inspecting the folder finds them (one file or every shard).
    HfModelInfo info = inspectHfModel(source);
    files.insert(files.end(), info.weight_files.begin(), info.weight_files.end());
  }
  for (const auto& file : tokenizerFiles(source)) files.push_back(file);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

LoraAdapter& requireLora(const std::shared_ptr<Adapter>& adapter, const fs::path& source) {
  auto* lora = dynamic_cast<LoraAdapter*>(adapter.get());
  if (lora == nullptr) throwConfigError(source.string() + ": only LoRA adapters can be merged into their base");
  return *lora;
}

// A SEQ_CLS adapter (a classify run with peft lora) folded into its base's backbone, written as a
// *ForSequenceClassification folder with the adapter's head and labels.
void writeMergedClassifier(const fs::path& source, const ModelAndAdapter& folders, const fs::path& dir) {
  AdaptedClassifier adapted = loadAdaptedClassifier(folders.model_dir, folders.adapter_dir, "cpu");
  requireLora(adapted.adapter, source).mergeIntoBase();
  const SequenceClassifier& classifier = adapted.classifier;
  saveSequenceClassifier(*classifier.backbone, classifier.info.config, classifier.score, classifier.labels,
                         classifierPadId(*openTokenizer(folders.model_dir)), dir);
  for (const auto& file : tokenizerFiles(folders.model_dir)) copyDurably(file, dir / file.filename());
}

// The adapter folder `source` folded into its base, written as a model folder into `dir`.
void writeMergedModel(const fs::path& source, const fs::path& dir) {
  if (!isAdapterFolder(source)) {
    throwConfigError(source.string() + " is a full model, not an adapter; --merge applies to adapter runs (peft lora)");
  }
  const ModelAndAdapter folders = resolveModelAndAdapter(source, {});
  if (inspectAdapterFolder(folders.adapter_dir).task_type == "SEQ_CLS") {
    writeMergedClassifier(source, folders, dir);
    return;
  }
  LoadedModel loaded = loadModelForInference(folders.model_dir, "cpu", "fp32", folders.adapter_dir);
  requireLora(loaded.adapter, source).mergeIntoBase();
  saveHfModel(*loaded.model, loaded.info.config, dir);
  for (const auto& file : tokenizerFiles(folders.model_dir)) copyDurably(file, dir / file.filename());
}

void checkTarget(const fs::path& out, bool force) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec)) throwConfigError("--out " + out.string() + " exists and is not a folder");
  if (!fs::is_empty(out, ec) && !force) {
    throwConfigError("--out " + out.string() + " is not empty; choose another folder or pass --force to replace it");
  }
}

}  // namespace

Json ExportResult::toJson() const {
  return Json{{"run", run_id}, {"source", source.string()}, {"out", out.string()}, {"files", files}, {"bytes", bytes}};
}

ExportResult exportRun(const ExportRequest& request) {
  WorkspacePaths workspace = resolveWorkspace(request.workspace);
  if (!fs::exists(workspace.database())) {
    throwConfigError("no experiment store at " + workspace.database().string() + " (no runs yet)");
  }
  Store store = Store::openReadOnly(workspace.database());
  std::optional<RunRecord> run = store.findRun(request.run);
  if (!run) throwConfigError("no run `" + request.run + "` in " + workspace.database().string());
  if (request.out.empty()) throwConfigError("--out is empty; give the folder to write");

  ExportResult result;
  result.run_id = run->id;
  result.source = sourceFolder(*run, request.checkpoint);
  result.out = fs::absolute(request.out).lexically_normal();
  if (result.out.filename().empty()) result.out = result.out.parent_path();
  checkTarget(result.out, request.force);
  std::vector<fs::path> files;
  if (!request.merge) files = filesToExport(result.source);

  const fs::path parent = result.out.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throwIoError("cannot create " + parent.string() + ": " + ec.message());
  std::string pattern = (parent / (result.out.filename().string() + ".tmp-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throwIoError(describeErrno("cannot create a folder in " + parent.string()));
  const fs::path tmp = pattern;
  try {
    if (request.merge) {
      writeMergedModel(result.source, tmp);
      for (const auto& entry : fs::directory_iterator(tmp)) {
        result.files.push_back(entry.path().filename().string());
        result.bytes += fs::file_size(entry.path());
      }
      std::sort(result.files.begin(), result.files.end());
    }
    for (const auto& file : files) {
      const fs::path relative = file.lexically_relative(result.source);
      copyDurably(file, tmp / relative);
      result.files.push_back(relative.string());
      result.bytes += fs::file_size(file);
    }
    syncDirectory(tmp);
    fs::path old;
    if (fs::exists(result.out)) {
      if (fs::is_empty(result.out)) {
        fs::remove(result.out);
      } else {  // --force: move the old folder aside, put the new one in place, then delete the old
        std::string old_pattern = (parent / (result.out.filename().string() + ".old-XXXXXX")).string();
        if (::mkdtemp(old_pattern.data()) == nullptr) throwIoError(describeErrno("cannot create a folder"));
        old = old_pattern;
        fs::rename(result.out, old / "previous");
      }
    }
    fs::rename(tmp, result.out);
    syncDirectory(parent);
    if (!old.empty()) fs::remove_all(old, ec);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throwIoError("cannot export to " + result.out.string() + ": " + e.what());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  return result;
}

}  // namespace temper
