// `temper tokenizer ...` and `temper data ...`.
#include <cstdio>

#include "app/cli.h"
#include "core/common/json_io.h"
#include "core/common/text_utils.h"
#include "core/engine/console.h"
#include "core/engine/corpus_commands.h"
#include "core/engine/data_inspect_command.h"
#include "core/prefs/preference_set_inspection.h"
#include "core/protocol/events.h"

namespace temper::cli {
namespace {

std::vector<std::string> extensionList(const std::string& text) {
  std::vector<std::string> out;
  for (auto& part : splitString(text, ',')) {
    std::string ext = trim(part);
    if (ext.empty()) continue;
    out.push_back(ext.front() == '.' ? ext : "." + ext);
  }
  return out;
}

}  // namespace

void addCorpusCommands(CLI::App& app, GlobalOptions& global, Action& action) {
  auto* tokenizer =
      app.add_subcommand("tokenizer", "train SentencePiece tokenizers; encode and decode with any Temper reads");
  tokenizer->require_subcommand(1);

  {
    auto* train = tokenizer->add_subcommand("train", "train a tokenizer on files or folders");
    auto options = std::make_shared<TokenizerTrainOptions>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto extensions = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    train->add_option("--input", *inputs, "a file or a folder (recursive); repeatable")->required();
    train->add_option("--ext", *extensions, "extensions to take from folders, e.g. .ts,.tsx,.js,.jsx,.md,.txt");
    train->add_option("--vocab-size", options->vocab_size, "pieces in the vocabulary (an upper bound for char)")
        ->required()
        ->check(CLI::Range(4, 1 << 20));
    train->add_option("--model-type", options->model_type, "bpe, unigram or char")
        ->check(CLI::IsMember({"bpe", "unigram", "char"}));
    train->add_option("--out", *out, "where to write the .model file")->required();
    train->callback([&global, &action, options, inputs, extensions, out] {
      action = [&global, options, inputs, extensions, out] {
        for (const auto& input : *inputs) options->inputs.emplace_back(input);
        if (!extensions->empty()) options->extensions = extensionList(*extensions);
        options->out = *out;
        const TokenizerTrainResult result = trainTokenizerCommand(*options);
        const TokenizerTrainReport& report = result.report;
        Console console(global.events);
        console.emit(events::result("tokenizer train", result.payload));
        console.say("tokenizer " + report.model_path.string() + ": " + options->model_type + ", " +
                    std::to_string(report.vocab_size) + " pieces from " + std::to_string(report.files_used) +
                    " file(s), " + humanBytes(static_cast<uint64_t>(report.bytes)) + "; skipped " +
                    std::to_string(report.files_skipped_binary) + " binary, " +
                    std::to_string(report.files_skipped_not_utf8) + " not UTF-8, " +
                    std::to_string(report.files_skipped_extension) + " by extension");
        return 0;
      };
    });
  }
  {
    auto* encode = tokenizer->add_subcommand("encode", "print the ids of a text (no bos/eos added)");
    auto path = std::make_shared<std::string>();
    auto text = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    encode->add_option("--tokenizer", *path, "a .model, a tokenizer.json, or a model folder")->required();
    auto* text_option = encode->add_option("--text", *text, "the text");
    auto* file_option = encode->add_option("--file", *file, "a file whose contents are encoded");
    text_option->excludes(file_option);
    encode->add_flag("--json", *json, "print {\"ids\": [...]}");
    encode->callback([&action, path, text, file, json, text_option, file_option] {
      if (text_option->count() == 0 && file_option->count() == 0) {
        throw CLI::RequiredError("--text or --file");
      }
      action = [path, text, file, json] {
        const std::vector<int> ids = encodeCommand(*path, file->empty() ? *text : readTextFile(*file));
        if (*json) {
          std::printf("%s\n", Json{{"ids", ids}}.dump().c_str());
        } else {
          std::string line;
          for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
          std::printf("%s\n", line.c_str());
        }
        return 0;
      };
    });
  }
  {
    auto* decode = tokenizer->add_subcommand("decode", "print the text of ids");
    auto path = std::make_shared<std::string>();
    auto ids = std::make_shared<std::string>();
    decode->add_option("--tokenizer", *path, "a .model, a tokenizer.json, or a model folder")->required();
    decode->add_option("--ids", *ids, "ids: \"5 17 42\", \"5,17,42\" or a JSON array")->required();
    decode->callback([&action, path, ids] {
      action = [path, ids] {
        std::printf("%s\n", decodeCommand(*path, *ids).c_str());
        return 0;
      };
    });
  }

  auto* data = app.add_subcommand("data", "prepare datasets");
  data->require_subcommand(1);
  {
    auto* prepare = data->add_subcommand("prepare", "tokenize a corpus into packed train/validation files");
    auto options = std::make_shared<PrepareOptions>();
    auto tokenizer_path = std::make_shared<std::string>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto extensions = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    prepare->add_option("--tokenizer", *tokenizer_path, "a .model, a tokenizer.json, or a model folder")->required();
    prepare->add_option("--input", *inputs, "a file, a JSONL file with `text`, or a folder; repeatable")->required();
    prepare->add_option("--out", *out, "output folder")->required();
    auto val_inputs = std::make_shared<std::vector<std::string>>();
    prepare->add_option("--val-fraction", options->val_fraction, "share of documents for validation (0 to 0.5)");
    prepare->add_option("--val-input", *val_inputs, "validation files or folders (then --val-fraction is not used)");
    prepare->add_option("--ext", *extensions, "extensions to take from folders");
    prepare->add_option("--seed", options->seed, "seed of the document split");
    prepare->callback([&global, &action, options, tokenizer_path, inputs, val_inputs, extensions, out] {
      action = [&global, options, tokenizer_path, inputs, val_inputs, extensions, out] {
        for (const auto& input : *val_inputs) options->val_inputs.emplace_back(input);
        options->tokenizer = *tokenizer_path;
        for (const auto& input : *inputs) options->inputs.emplace_back(input);
        if (!extensions->empty()) options->extensions = extensionList(*extensions);
        options->out_dir = *out;
        const PrepareDataResult result = prepareDataCommand(*options);
        const DatasetMeta& meta = result.meta;
        Console console(global.events);
        console.emit(events::result("data prepare", result.payload));
        console.say("dataset " + options->out_dir.string() + ": " + std::to_string(meta.train_tokens) +
                    " train tokens (" + std::to_string(meta.train_documents) + " documents), " +
                    std::to_string(meta.val_tokens) + " validation tokens (" + std::to_string(meta.val_documents) +
                    " documents), " + meta.dtype + ", from " + humanBytes(static_cast<uint64_t>(meta.bytes)));
        return 0;
      };
    });
  }
  {
    auto* inspect = data->add_subcommand("inspect", "format, fields, counts and first records of a dataset");
    auto request = std::make_shared<DataInspectRequest>();
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto tokenizer_path = std::make_shared<std::string>();
    auto extensions = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    inspect
        ->add_option("inputs", *inputs,
                     "record files (.jsonl, .json, .csv) or text files and folders, or one preference set "
                     "of the workspace as set:NAME")
        ->required();
    inspect->add_option("--tokenizer", *tokenizer_path,
                        "count tokens with this tokenizer (.model, tokenizer.json or a model folder)");
    inspect->add_option("--ext", *extensions, "extensions to take from folders");
    inspect->add_option("--preview", request->preview, "records shown")->check(CLI::Range(0, 1000));
    inspect->add_flag("--json", *json, "as one JSON object");
    inspect->callback([&global, &action, request, inputs, tokenizer_path, extensions, json] {
      action = [&global, request, inputs, tokenizer_path, extensions, json] {
        auto print = [json](const Json& result) {
          std::printf("%s\n", *json ? result.dump(-1, ' ', false, Json::error_handler_t::replace).c_str()
                                    : result.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
        };
        if (inputs->size() == 1 && inputs->front().rfind("set:", 0) == 0) {
          print(inspectPreferenceSet(global.workspace, inputs->front().substr(4), request->preview));
          return 0;
        }
        for (const auto& input : *inputs) request->inputs.emplace_back(input);
        request->tokenizer = *tokenizer_path;
        if (!extensions->empty()) request->extensions = extensionList(*extensions);
        print(inspectData(*request));
        return 0;
      };
    });
  }
}

}  // namespace temper::cli
