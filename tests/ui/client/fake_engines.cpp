// Bodies of the fake engines (shell). Kept out of the test's .cpp: moc does not read raw strings
// full of quotes reliably, and then silently generates nothing for the test class.
#include "fake_engines.h"

namespace temper::studio::testing {

QByteArray fakeEngineEvents() {
  static const QByteArray body =
      R"(echo '{"v":1,"type":"run_started","run_id":"fake-1","t":1,"config":{},"run_dir":"","resumed":false,"start_step":0}'
i=1
while [ $i -le 200 ]; do
  echo "{\"v\":1,\"type\":\"step\",\"run_id\":\"fake-1\",\"t\":2,\"step\":$i,\"max_steps\":1000,\"loss\":3.5}"
  i=$((i+1))
done
echo 'not an event'
echo 'loading model' >&2
echo 'fatal: CUDA out of memory (tried to allocate 2.00 GiB)' >&2
)";
  return body;
}

QByteArray finishedLine() {
  return R"(echo '{"v":1,"type":"run_finished","run_id":"fake-1","t":3,"status":"finished","reason":"reached max-steps","step":200}'
)";
}

QByteArray errorEngine() {
  return R"(echo '{"v":1,"type":"error","run_id":"","t":1,"kind":"invalid_config","message":"`lr` must be positive"}'
echo 'error: `lr` must be positive' >&2
exit 2
)";
}

QByteArray politeEngine() { return politeEngine("fake-2"); }

QByteArray politeEngine(const QByteArray& run_id) {
  QByteArray polite =
      R"(trap 'echo "{\"v\":1,\"type\":\"run_cancelled\",\"run_id\":\"RUN\",\"t\":3,\"status\":\"cancelled\",\"reason\":\"stopped by signal\",\"step\":7}"; exit 130' TERM
echo '{"v":1,"type":"run_started","run_id":"RUN","t":1}'
while true; do sleep 0.05; done
)";
  return polite.replace("RUN", run_id);
}

QByteArray sleepingEngine(const QByteArray& pid_file) { return "echo $$ > '" + pid_file + "'\nexec sleep 60\n"; }

QByteArray answeringEngine() {
  return R"(echo '{"v":1,"type":"log","run_id":"","t":1,"message":"reading headers"}'
echo '{"family":"gpt2","task":"causal-lm","parameters":124439808}'
)";
}

QByteArray refusingEngine() {
  return R"(echo '{"v":1,"type":"error","run_id":"","t":1,"kind":"invalid_input","message":"m/config.json: error: no `n_layer`"}'
echo 'loading m' >&2
echo 'error: m/config.json: error: no `n_layer`' >&2
exit 3
)";
}

QByteArray crashingEngine() { return "echo 'half an answer' >&2\nkill -9 $$\n"; }

QByteArray infoJson() {
  return R"({"temper":"0.1.0","libtorch":"1.13.0","sentencepiece":"0.1.97","sqlite":"3.40.1",)"
         R"("device":{"cuda_available":true,"cuda_devices":["NVIDIA H100 80GB HBM3"],"cpu_threads":2,"blas":"openblas-openmp"},)"
         R"("methods":[{"name":"pretrain","title":"Pretrain from scratch","summary":"A new model.","available":true,)"
         R"("reason":"","needs_base":false,"base":"none","formats":["text","prepared"],"metrics":[]},)"
         R"({"name":"dpo","title":"DPO","summary":"Preferences.","available":false,"reason":"not in the engine yet",)"
         R"("needs_base":true,"base":"language-model","formats":["preference"],"metrics":[]}],)"
         R"("train_keys":[],"presets":[]})";
}

QByteArray recordingEngine(const QByteArray& args_file, const QByteArray& config_copy) {
  QByteArray body = R"(echo "$@" >> 'ARGS'
for a in "$@"; do
  case "$a" in
    info) echo 'INFO'; exit 0 ;;
    model) echo "error: $5: not a model folder" >&2; exit 3 ;;
    data) echo '{"format":"text","preview":[]}'; exit 0 ;;
    train) cat "$4" > 'CONFIG'; echo '{"estimate":{"bytes":{"total":5},"device":"cpu"}}'; exit 0 ;;
    eval) echo '{"mean_nll":1.5,"perplexity":4.48,"predicted_tokens":10}'; exit 0 ;;
    export) echo '{"run":"r1","out":"/o","files":["config.json"],"bytes":12}'; exit 0 ;;
  esac
done
exit 9
)";
  return body.replace("ARGS", args_file).replace("CONFIG", config_copy).replace("INFO", infoJson());
}

}  // namespace temper::studio::testing
