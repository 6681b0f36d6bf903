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

}  // namespace temper::studio::testing
