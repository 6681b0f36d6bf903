<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>EngineInfo</name>
    <message>
        <source>`%1`: the field `%2` is missing or not an array</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: methods[%1] has no `name`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: train_keys[%1] has no `key`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: train_keys[%1] (`%2`) has kind &quot;%3&quot;; expected integer, number, text, choice or boolean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: presets[%1] has no `name`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper data inspect`: the field `format` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper train --dry-run`: the field `bytes.total` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: methods[%1] (`%2`) has no `%3` (%4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: methods[%1] (`%2`) has base &quot;%3&quot;; expected %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper model inspect`: the field `%1` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper export`: the field `out` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper eval`: the field `mean_nll` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper info`: peft_kinds[%1] has no `name`</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EngineLocator</name>
    <message>
        <source>TEMPER_ENGINE is set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>path set in Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU build chosen in Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU build chosen in Settings, but it is not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA build chosen in Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA build chosen in Settings, but it is not installed (make cuda-engine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic: a CUDA device is visible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic: a CUDA device is visible, but the CUDA build is not installed (make cuda-engine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic: no CUDA device is visible</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic: only the CUDA build is installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no engine found: set its path in Settings or TEMPER_ENGINE</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EngineReply</name>
    <message>
        <source>`temper %1` stopped before answering (killed or crashed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper %1` failed with exit code %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper %1 --json` printed no JSON object (%2).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MethodCatalog</name>
    <message>
        <source>Pretrain from scratch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new model learns a language or a code base from nothing; needs a lot of text and time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Continued pretraining</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An existing model reads more raw text of your domain (your code, your field) before any task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Supervised finetuning (SFT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Teach a model to answer the way your examples do: prompt/response pairs or chats.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classification head</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort texts into your labels (spam or not, topic, sentiment) instead of generating text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Few-shot prompting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No training at all: examples are put in the prompt; a baseline to beat before finetuning.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learn to score answers from chosen/rejected pairs; the judge that PPO trains against.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Direct preference optimization (DPO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Align a finetuned model with chosen/rejected pairs directly, without a reward model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reinforcement learning (PPO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs a base model: choose one on the first page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starts from nothing: choose &quot;Pretrain from scratch&quot; on the first page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs %1 data; the chosen data is %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base is a classifier, not a language model: only the classification head trains it further.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kahneman-Tversky optimization (KTO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Like DPO, but each answer counts on its own as good or bad: steadier when labels are noisy.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Simple preference optimization (SimPO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Like DPO without the frozen copy of the model: half the memory, answers compared per token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Odds-ratio preference optimization (ORPO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finetune and align in one run: learns the chosen answers and to prefer them over the rejected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group relative policy optimization (GRPO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward answers you can check (a format, the right number) or score with a reward model: the model samples several answers per prompt and learns from the better ones.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>REINFORCE leave-one-out (RLOO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Like GRPO, each answer compared with the other answers to its prompt; a simpler, steady baseline.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Improve a finetuned model by sampling answers to prompts and rewarding them with a reward model or rules, a value head judging each step.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From raw text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From examples</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From preference pairs (chosen / rejected)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From rewards (the model samples, rewards judge)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MetricGroups</name>
    <message>
        <source>Rewards of chosen and rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log-probabilities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spread of the rewards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward by rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KL to the reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clipped share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completion length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Truncated completions, flat groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling speed (tokens/s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per class</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PeftCatalog</name>
    <message>
        <source>Full finetuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every weight trains: the most capacity, but the most memory and a full model per run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA adapters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finetune a large model on a small machine: trains small low-rank matrices, the model stays frozen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bottleneck adapters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Small trainable layers inserted in each block; one base model, many cheap task modules.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learn a few soft prompt vectors only: the cheapest adaptation, good for narrow tasks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prefix tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learn key/value prefixes for every layer: more capacity than prompt tuning, still tiny.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not in this engine yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not available for this method.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model or adapter folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompts (*.txt *.jsonl *.json *.csv *.gz)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>imported %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, temperature %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tie</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>both bad</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>skipped</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RewardRules</name>
    <message>
        <source>The whole answer has this shape; each ... stands for any text, e.g. &lt;answer&gt;...&lt;/answer&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name of the example&apos;s field the answer must equal (the text of its last &lt;answer&gt;...&lt;/answer&gt;, else all of it).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The name of the example&apos;s field holding a number; the answer&apos;s last number must equal it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PCRE2 pattern; the answer must contain a match, e.g. \d+.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text the answer must contain (case-sensitive).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text the answer must not contain (case-sensitive).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A length in characters, MIN-MAX or MIN-; the score falls to 0 at twice the distance outside the range.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Summary</name>
    <message>
        <source>engine info unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>CPU, %n thread(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Temper Studio: train language models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workspace folder (default: TEMPER_WORKSPACE or ~/.local/share/Temper).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::AdapterDiagram</name>
    <message>
        <source>Adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Norm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Attention</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MLP</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adapter placement: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>trained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>frozen</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ArenaPanel</name>
    <message>
        <source>Source A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preference set the votes go to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Votes into set:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt for both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One prompt for both (Ctrl+Enter asks)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer A, shown left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer B, shown right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The answers appear here side by side; which source is which is shown after the vote.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A is better (Ctrl+1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B is better (Ctrl+2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tie (Ctrl+3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both bad (Ctrl+0)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source %1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model or adapter folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading both sources…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both are answering…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which answer is better? The sources are named after the vote.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No workspace store to vote into.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name the preference set the vote goes to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An empty answer, or the same answer twice: there is nothing to compare. Ask again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved in “%1”. A was %2; B was %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The vote was not saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::BaseModelPage</name>
    <message>
        <source>%1 (%2) · %3 parameters · %4 · %5 layers, %6 wide, context %7 · tokenizer: %8 · chat template: %9</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new model from scratch, or finetune one you already have.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start from:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill every page from a saved template or the values of your last run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pretrain a new model from scratch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Hugging Face model folder on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model of a previous run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A folder with config.json, *.safetensors and tokenizer files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run being duplicated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last used values</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No finished runs yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the engine what it can do…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2 layers, %3 wide, %4 heads, context %5 — %6 parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This engine cannot start from a base model yet (its train config has no `base` key).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspecting %1…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ChatSession</name>
    <message>
        <source>Could not start the engine (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine stopped (killed or crashed). %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine ended (exit code %1). %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::CheckpointEvaluation</name>
    <message>
        <source>accuracy %1 · macro-F1 %2 · mean NLL %3 on %4 records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 cut to the model&apos;s context)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>
  %1: precision %2, recall %3, F1 %4 (%5 records)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>mean NLL %1 · perplexity %2 over %3 predicted tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>there is no engine to ask</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ComparePage</name>
    <message>
        <source>Compare runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter runs: name, id, method, dataset, tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unpick every run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the picked runs&apos; curves again (for runs still training)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the run (Runs page) to evaluate its checkpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the run (Runs page) to chat with its checkpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) picked</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Tick runs on the left (or select runs on the Runs page and choose Compare) to overlay their loss curves and compare their settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Reading %n run(s) from the store…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Could not read the store: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pick another run to see what differs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n setting(s) differ between the picked runs (highlighted, first).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>temper::studio::DataPage</name>
    <message>
        <source>Format: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fields used: &lt;b&gt;%1&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(whole text)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens: choose a tokenizer to count them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>files: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 skipped: binary or not UTF-8)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files or folders to learn from. The engine detects the format and shows what it will read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A tokenizer.model (temper tokenizer train) to count tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First records (the fields used for training in bold):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hold out a fraction of the documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A held-out file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data (*.jsonl *.json *.csv *.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizers (*.model tokenizer.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine trains on one file or folder: put the files in one folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add the files or folders to train on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation comes from the prepared dataset here (temper data prepare --val-fraction or --val-input).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preference set &lt;b&gt;%1&lt;/b&gt;: %2 pairs, %3 labelled; &lt;b&gt;%4 to train on&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 unlabelled or skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tie or both bad</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 without a majority</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · %1 labellers, %2 pairs labelled twice or more: agreement %3, Krippendorff&apos;s α %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · no pair has two labellers&apos; votes yet (no agreement figure)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preference set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 pairs, %3 labelled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No preference set in this workspace yet: label pairs on the Label page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train on the pairs of a set labelled in the studio.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::DataPreviewModel</name>
    <message>
        <source>Used for training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not used for training</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::DatasetsPage</name>
    <message>
        <source>Datasets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a dataset, or add a file or folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fields used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer (.model, tokenizer.json) or model folder, for token counts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Count tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>First records (fields training reads in bold)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a record above to see it whole.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New run with this data…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a data file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Records (*.jsonl *.json *.csv);;Text (*.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizers (*.model tokenizer.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From dataset %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing: the file or folder is gone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prepared %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 train tokens, %2 validation tokens; tokenizer %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspecting… (temper data inspect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine could not read this data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by the engine (temper data inspect).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (token ids)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 skipped: binary or not UTF-8)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (give a tokenizer or model folder below to count them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (not classification data)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget this entry (the files stay)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prepared datasets belong to the workspace; only added entries can be removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the New run wizard with this data chosen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine must read the data first (select it and wait for the inspection)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::EngineJob</name>
    <message>
        <source>The engine `temper` was not found: set its path in Settings or TEMPER_ENGINE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not start the engine %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine did not stop in time after the cancel and was killed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine process was killed or crashed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped on request.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine exited with code %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last engine output: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::EngineQuery</name>
    <message>
        <source>The engine `temper` was not found: set its path in Settings or TEMPER_ENGINE.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot start the engine `%1`: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper %1` did not answer within %2 s.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::EngineSession</name>
    <message>
        <source>Cannot write a temporary config file: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::FinetuneWizard</name>
    <message>
        <source>New run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Launch</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::GeneratePairsDialog</name>
    <message>
        <source>Generate pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a .txt file (a prompt per line) or records with prompt / messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompts file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a model folder, a run&apos;s final/ or checkpoint, or an adapter folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>empty: the same as A, sampled with B&apos;s temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairs per prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Longest answer (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::HyperparametersPage</name>
    <message>
        <source>CUDA: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no CUDA device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This machine: CPU threads: %1 (%2); %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>BLAS unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defaults chosen for the method and the model&apos;s size. An empty field leaves the choice to the engine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of a new model, preset &lt;b&gt;%2&lt;/b&gt; (%3 parameters).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; of a %2 model with %3 parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from the preset: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Values to fix before going on: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Estimating memory…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The memory estimate waits for valid values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine refuses this config: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory on %1: %2 in all — weights %3, gradients %4, optimizer %5, activations %6. %7 parameters, %8 trained.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 with %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The total holds %1 of frozen models beside it (the reference, a reward model).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::KeyField</name>
    <message>
        <source>a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on or off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine found no CUDA device.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected a whole number, %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected a number, %1.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::LabelPage</name>
    <message>
        <source>Preference set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New set…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Create a preference set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labeller name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Second labeller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only pairs someone else labelled, their votes hidden: agreement figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Second-labeller mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reveal sources after each vote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monospace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labeller</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labelling progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%v of %m labelled by you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate pairs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate pairs into this set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop generating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A  (1 or ←)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B  (2 or →)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer A, shown left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer B, shown right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 ← A better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>2 → B better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>3 Tie</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tie</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 Both bad</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Both bad</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>U Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo the last vote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E Rewrite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rewrite the better answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>N Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>? Guidelines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the guidelines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The store cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No preference sets yet. Create one with “New set…” and add pairs with `temper prefs import FILE --set NAME` or `temper prefs generate`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type your name as labeller to start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This set cannot be opened: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing left to label: you have labelled every pair someone else labelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing left to label in this set. Add pairs with `temper prefs generate` or `temper prefs import`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vote not saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous pair saved: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A was %1; B was %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing to undo in this session.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undone: the pair is back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note for this pair: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A note saved with your vote on this pair:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A (left) is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>B (right) is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which answer is better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The better answer, rewritten</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as my vote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Better</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rewritten</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This set has no guidelines. Prefer the answer that is more helpful, correct and harmless; a tie when neither is better.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidelines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New preference set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labelling guidelines</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set not created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 labelled by you, %2 to go</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 labels/hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>agreement with %1: %2 of %3 pairs, κ %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the left answer won %1% of your A/B votes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> — more than chance (p = %1): check for a side bias</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generating into “%1”: %2 of %3 prompts, %4 pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation into “%1” finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation into “%1” stopped; what it made is kept, and running it again goes on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generation failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting the generation into “%1”…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train a reward model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new run that learns to score answers from this set&apos;s labelled pairs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train with DPO…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new run that aligns a model with this set&apos;s labelled pairs directly</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reward model on set %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>DPO on set %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::LibraryModel</name>
    <message>
        <source>added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::LibraryPage</name>
    <message>
        <source>Add file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine&apos;s answer could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::LiveRunPlot</name>
    <message>
        <source>X axis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exponential moving average of the noisy curves (bias-corrected, as in TensorBoard); the raw curve stays faint beneath</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log x</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Logarithmic loss axis; values at or below zero are left out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reset view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show all data and follow new points (wheel zooms, drag pans)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plot as PNG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plot as SVG…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This build has no SVG support</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plot as PDF…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data as CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in playground</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoint at step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Click near a checkpoint marker (◆) to select it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate this checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generate text with this checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export plot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV file (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::LoraTargetsField</name>
    <message>
        <source>attention-qv (q and v)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>attention (q, k, v, o)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all-linear (attention and MLP)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom modules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose modules…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>module names (c_attn,attn.c_proj) or a regex</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the projections in the model&apos;s blocks.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This engine&apos;s `model inspect` does not list the model&apos;s modules yet: choose a preset, or type module names or a regex.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name at least one module, or choose a preset.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&quot;%1&quot; selects no module of this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adapts %1 of the model&apos;s %2 projections (%3 base parameters).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::MainWindow</name>
    <message>
        <source>Temper Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Playground</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Datasets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>asking the engine…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workspace: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not read the run history: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Re-attached to %n live run(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>; %n run(s) whose engine had stopped marked failed</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n live run(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Temper Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The wizard walks through base model, data, method, hyperparameters and review.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start the wizard…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not tag run %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run did not start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete run “%1” (%2) from the history, with its folder %3 (checkpoints, samples, model)? This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine info unavailable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>still asking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Temper Studio %1&lt;/h3&gt;&lt;p&gt;Train language models on your own machine.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;%4&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Temper Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs are still training</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n run(s) are still training. Keep them running after the studio closes? You can follow them again when you reopen it.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Keep running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping runs (each saves a checkpoint)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine: %1 (%2)
%3
LibTorch %4
BLAS: %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA build, CUDA %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine: temper %1, %2 (%3)&lt;br&gt;LibTorch %4&lt;br&gt;SentencePiece %5&lt;br&gt;SQLite %6&lt;br&gt;Device: %7</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · slow BLAS kernels (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · OpenBLAS %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OpenBLAS kernels: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A policy rewarded by %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::MethodMetricsView</name>
    <message>
        <source> (val)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (train)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::MethodPage</name>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How the model learns from your data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the engine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This engine does not know this method.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not in this engine yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ModelTreeModel</name>
    <message>
        <source>The base of the adapters below; not in the list (Add folder… keeps it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The base of the adapters below; its folder is not on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model (added)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model (run)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model (not added)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>val loss %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>base %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Best</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ModelsPage</name>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A Hugging Face model folder (config.json, safetensors, tokenizer files)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Family</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Vocabulary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New run from this model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From model %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>missing: the folder is gone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 run %2, base %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Inspecting… (temper model inspect)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine could not read this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by the engine (temper model inspect: headers only).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>layers %1, hidden %2, heads %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 key/value heads)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Forget this folder (its files stay)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run models belong to their runs; delete the run on the Runs page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An export is running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy this run&apos;s model as a clean Hugging Face folder (temper export)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export copies a run&apos;s model out of the workspace; an added folder is already yours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the New run wizard with this model as the base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine must read the model first (select it and wait for the inspection)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the folder in the file manager</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a model first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the model to a new folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting %1 to %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported to %1: %2 (%3).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Task</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>classifier over %n label(s): %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>language model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a model or adapter, or add a Hugging Face folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in Playground</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export merged…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete adapter…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>`temper model inspect`: the field `kind` is missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trainable parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read by the engine (temper model inspect: an adapter folder).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (not on this machine)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>targets %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only an adapter is deleted here; a run&apos;s model goes with its run (Runs page)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An added folder is yours: Remove forgets it and its files stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1 is not in the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1 is still training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This folder is not the final model of run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other adapters use this folder as their base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a model or adapter whose folder is on this machine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A classifier is not a chat model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with its base model with this adapter on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with this model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An evaluation is running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Score it on a file (temper eval)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy this adapter folder out of the workspace (temper export)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fold the LoRA adapter into its base: a plain model folder (temper export --merge)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only a LoRA run&apos;s adapter can be merged into its base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete this adapter&apos;s folder; the run stays in the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select its base model to start a new run from it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the merged model to a new folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Merging %1 into its base, to %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate %1 on…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labelled records (*.jsonl *.json *.csv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>evaluating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete “%1” (%2) of run %3, its folder %4? The run stays in the history with its curves and checkpoints; the base model is not touched. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The folder %1 could not be deleted completely.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The Playground has this adapter on; switch to another there first</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ModulePickerDialog</name>
    <message>
        <source>Modules LoRA adapts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick the projections that get a LoRA adapter. Each adds rank × (in + out) trained parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Module</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in → out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outside the blocks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Block %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No module chosen: LoRA needs at least one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n module(s) with %1 base parameters; rank %2 trains %3 parameters on them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>temper::studio::PeftKindSettings</name>
    <message>
        <source>Expected all, or blocks and ranges such as 0-3,6 (this model has 0 to %1).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expected all, or blocks and ranges such as 0-3,6.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>More settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default: 2 × r = %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>default: 2 × r</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none: the frozen base keeps its full-precision weights.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>int8: 8-bit base projections, about a quarter of their fp32 bytes; the adapter trains in full precision.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quantised base (QLoRA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nf4: 4-bit NormalFloat base projections, about an eighth of their fp32 bytes (4.1 bits a weight); the adapter trains in full precision.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::PeftPage</name>
    <message>
        <source>&lt; 0.01 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What is trained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every weight, or a small adapter on the frozen model: less memory, and a small file per task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for the method.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every weight of the model trains: nothing to set here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: nothing to set; the engine&apos;s defaults apply.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The estimate waits for valid values.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asking the engine what this trains…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine refuses this config: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trains every weight: %1 parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trains %1 parameters, %2 of the model&apos;s %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory on %1: %2 in all — weights %3, gradients %4, optimizer %5, activations %6.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::PlaygroundPage</name>
    <message>
        <source>the model ended its answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a stop text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>max new tokens reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the context is full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Playground</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat with any model folder (config.json, weights, tokenizer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a model, write a message, press Ctrl+Enter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message (Ctrl+Enter sends; Enter adds a line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ctrl+Enter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>End the answer here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2, %3 parameters): %4 chat template, context %5 tokens%6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, stops at %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens · %2 tokens/s · prompt %3 tokens, %4 from the cache · %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New conversation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not chat with %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optional: instructions placed before the conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>0 always picks the most likely token (greedy)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the smallest set of tokens with this much probability; 1 keeps all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the k most likely tokens; off keeps all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new seed restarts the random choices; the same seed after New conversation gives the same answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max new tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes apply from the next message.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a classifier (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;This model is a classifier, not a chat model.&lt;/b&gt;&lt;/p&gt;&lt;p&gt;It reads a text and picks one of its labels: %1. It cannot write answers.&lt;/p&gt;&lt;p&gt;Evaluate it on labelled records from its run&apos;s view (select a checkpoint, Evaluate), or with &lt;code&gt;temper eval --model DIR --data FILE&lt;/code&gt;.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none listed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answering…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>there is no engine to ask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bottleneck adapters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A PEFT adapter on the loaded base: switched without reloading the base; each answer says which adapter gave it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adapter:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready, with %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No adapter: the base model answers (context %1 tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now with %1 (context %2 tokens).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the base model answers without an adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 stays on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not switch the adapter: %1 (%2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA adapter “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bottleneck adapters “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>soft prompt “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>adapter “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— base model, no adapter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— with %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None (base model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
base %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put any adapter folder of this base on it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adapter folder (adapter_config.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an adapter folder (no adapter_config.json of a LoRA, bottleneck adapters or prompt tuning).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 was trained on %2, not on the loaded %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The adapter can be switched when the model is ready and not answering.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Taking the adapter off…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Putting on %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is %2 for the base %3, which is not a folder on disk: load the base, then add the adapter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prefix tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>prefix “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a classifier&apos;s adapter (a classify run&apos;s): it scores labels and does not chat. The Models page evaluates it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare answers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare answers: one prompt, two models, both answers blind, your vote stored as a preference pair</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::ReviewPage</name>
    <message>
        <source>Review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is exactly the config the engine will run. Launch starts it and opens the live view.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma-separated, e.g. baseline, small-data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save as template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the template a name first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Template &quot;%1&quot; replaced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved as template &quot;%1&quot;.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RewardPage</name>
    <message>
        <source>Rewards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What each sampled answer is rewarded with: rules checked in its text, a reward model&apos;s score, or both added up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rule rewards</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove rule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reward-model run&apos;s final/ folder, or a transformers one-label classifier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Earlier run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The reward model&apos;s score is multiplied by this before the rules&apos; rewards are added.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preview</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type answers the model might give; each is scored as training will score it (the rules at once, the reward model by the engine).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a rule or choose a reward model: nothing rewards the answers yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a reward-model run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the reward model&apos;s folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is a %2 language model, not a reward model (a one-label classifier).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 classifies into %2 labels; a reward model has one (a reward-model run&apos;s final/).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A reward model: %1, %2 parameters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No prompt to score the answer against.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine&apos;s answer has no `reward`.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RewardPreviewModel</name>
    <message>
        <source>preview row %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type an answer the model might give; double-click to edit.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, weight %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RewardRulesModel</name>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Argument</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RolloutTableModel</name>
    <message>
        <source>KL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The sample&apos;s KL to the reference: the sum over its tokens of log π − log π_ref.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Completion</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reward</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunComparisonModel</name>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Best val loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last val loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not in this run&apos;s config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>differs between the picked runs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunFollower</name>
    <message>
        <source>The run was deleted from the store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The engine process ended without finishing the run.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>store: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunHistoryModel</name>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Best val loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last val loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No run %1 in the history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1 is still training; stop it first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run was removed from the history, but its folder %1 could not be deleted.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunManager</name>
    <message>
        <source>engine process ended while the studio was closed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunPlotCanvas</name>
    <message>
        <source>Could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: the size %2 x %3 is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temper training curves</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: this build has no SVG support (Qt SVG was not found when it was built)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1: unknown picture format &quot;%2&quot; (expected png, pdf or svg)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not write %1 (is the folder writable?)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checkpoint · step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (smoothed %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 · %2 tokens · %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>train loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>val loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>grad norm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>tokens seen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>wall time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loss (solid: train, dashed: val)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loss</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunView</name>
    <message>
        <source>No run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop (keeps a checkpoint)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %v of %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Samples appear after each evaluation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run&apos;s log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop requested: the engine finishes its step and saves a checkpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Evaluate the checkpoint of step %1 on…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Labelled records (*.jsonl *.json *.csv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text (*.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 on %2: </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>evaluating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A classifier is not a chat model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumed at step %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Following run %1 from the store.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1: validation loss %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— step %1 —</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checkpoint at step %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run %1 at step %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1/%2  loss %3  lr %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loss %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %v</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>elapsed %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train a policy with this reward model…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::RunsPage</name>
    <message>
        <source>Filter runs: name, id, dataset, tags, notes (Ctrl+F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overlay the selected runs&apos; curves and compare their settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select two or more runs (Ctrl+click or Shift+click) to compare them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate into the wizard…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extend run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train until step:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare selected runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select two or more runs to compare them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>temper::studio::SettingsPage</name>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workspace folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads for new runs; this machine has %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (CUDA when available)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Threads and device apply to runs started from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (the CUDA build when a CUDA device is visible)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CUDA build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The studio starts one of the engine builds: the CPU build, or the CUDA build (LibTorch 2 with CUDA, made by `make cuda-engine`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine build</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic: TEMPER_ENGINE, or the build chosen above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine path (temper)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
