/** Flattens a report's measurements into comparable figures (see `Figure`). */
import type { ArchitectureResult } from "../workloads/architecture.js";
import type { PeerComparison } from "../workloads/whisper-cpp-peer.js";
import type { DiarizationResult } from "../workloads/diarization.js";
import type { PipelineResult } from "../workloads/pipeline.js";
import type { LongFileResult } from "../workloads/long-file.js";
import type { LargeModelResult } from "../workloads/large-model.js";
import type { DecodingResult } from "../workloads/decoding.js";
import type { StreamMemoryResult } from "../workloads/stream-memory.js";
import type { StreamingResult } from "../workloads/streaming.js";
import type { Figure, WerSplit } from "./types.js";

/** A figure before normalisation; `best` is the fastest sample's value where there are several. */
type Raw = Omit<Figure, "normalized"> & { best?: number };

/** Builds the figure list; `gflops` is the run's calibration throughput. */
export function buildFigures(gflops: number, arch: ArchitectureResult[], pipeline: PipelineResult[], wer: WerSplit[], decoding: DecodingResult[] = [], longFile: LongFileResult[] = [], large: LargeModelResult[] = [], streaming: StreamingResult[] = [], diarization: DiarizationResult[] = [], streamMemory: StreamMemoryResult[] = [], peers?: PeerComparison): Figure[] {
  const raw: Raw[] = [];
  for (const c of peers?.cases ?? []) {
    // Ratios of two programs measured in the same run, paired: steady across noisy machines, so gated.
    raw.push({ id: `peer/whisper.cpp/${c.id}/speedup`, label: `${c.label}: whisper.cpp's time ÷ ours (whole processes)`, unit: "×", value: c.speedup, better: "higher", gated: true });
    raw.push({ id: `peer/whisper.cpp/${c.id}/rss-ratio`, label: `${c.label}: our peak RSS ÷ whisper.cpp's`, unit: "×", value: c.rssRatio, better: "lower", gated: true });
    raw.push({ id: `peer/whisper.cpp/${c.id}/seconds`, label: `${c.label}: our wall time`, unit: "s", value: c.ours.seconds, better: "lower", gated: false });
  }
  for (const d of diarization) {
    const engine = d.engine === "onnx" ? "ONNX Runtime" : "MLX";
    const clips = d.configs[0]?.clips.length ?? 0;
    for (const [stage, seconds] of Object.entries({ ...d.seconds, clustering: d.configs.reduce((n, c) => n + c.clusteringSeconds, 0) / Math.max(1, d.configs.length) })) {
      raw.push({ id: `diar/${d.engine}/rtf/${stage}`, label: `diarization (${engine}, ${clips} clips), ${stage}: real-time factor (stage seconds per audio second)`, unit: "", value: seconds / d.audioSeconds, better: "lower", gated: false });
    }
    for (const n of d.numerics) {
      raw.push({ id: `diar/${d.engine}/numerics/${n.uri}/logprob-max-abs-diff`, label: `diarization networks (${engine}), ${n.uri}: max |Δ| of the segmentation log-probabilities vs PyTorch`, unit: "", value: n.logProbMaxAbsDiff, better: "lower", gated: false });
      raw.push({ id: `diar/${d.engine}/numerics/${n.uri}/embedding-min-cosine`, label: `diarization networks (${engine}), ${n.uri}: smallest embedding cosine to PyTorch's`, unit: "", value: n.embeddingMinCosine, better: "higher", gated: false });
    }
    for (const c of d.configs) {
      const label = `diarization ${c.config} (${engine}, ${clips} clips)`;
      raw.push({ id: `diar/${d.engine}/${c.config}/der`, label: `${label}: DER (collar 0, overlap scored)`, unit: "", value: c.der, better: "lower", gated: false });
      raw.push({ id: `diar/${d.engine}/${c.config}/der-collar-0.5`, label: `${label}: DER (collar 0.5)`, unit: "", value: c.der05, better: "lower", gated: false });
      raw.push({ id: `diar/${d.engine}/${c.config}/jer`, label: `${label}: JER`, unit: "", value: c.jer, better: "lower", gated: false });
      if (c.pyannoteDer !== undefined) raw.push({ id: `diar/${d.engine}/${c.config}/der-minus-pyannote`, label: `${label}: |DER − pyannote's DER on the same clips|`, unit: "", value: Math.abs(c.der - c.pyannoteDer), better: "lower", gated: false });
    }
  }
  for (const l of large) {
    if (l.task === "generate") continue;
    raw.push({ id: `large/${l.arch}/${l.task}/peak-rss`, label: `${l.arch} dims, ${l.task}: peak RSS`, unit: "MiB", value: l.peakRssMib, better: "lower", gated: false });
    raw.push({ id: `large/${l.arch}/${l.task}/seconds`, label: `${l.arch} dims, ${l.task}: wall time`, unit: "s", value: l.seconds, better: "lower", gated: false });
  }
  for (const s of streaming) {
    const label = `streaming at real-time pace (${s.engine === "onnx" ? "ONNX Runtime" : "MLX"}, ${s.clips} clips)`;
    raw.push({ id: `stream/${s.clock}/latency-mean`, label: `${label}: mean word latency`, unit: "s", value: s.latency.mean, better: "lower", gated: false });
    raw.push({ id: `stream/${s.clock}/latency-p95`, label: `${label}: p95 word latency`, unit: "s", value: s.latency.p95, better: "lower", gated: false });
    raw.push({ id: `stream/${s.clock}/wer-minus-offline`, label: `${label}: WER minus the offline transcript's`, unit: "", value: s.werStream - s.werOffline, better: "lower", gated: false });
    raw.push({ id: `stream/${s.clock}/max-lag`, label: `${label}: worst lag behind the input`, unit: "s", value: s.maxLagSeconds, better: "lower", gated: false });
  }
  for (const m of streamMemory) {
    const label = `${m.minutes}-minute stream (${m.engine === "onnx" ? "ONNX Runtime" : "MLX"})`;
    raw.push({ id: `stream/${m.minutes}min/rss-growth`, label: `${label}: RSS growth after GC, first sample to the end`, unit: "MiB", value: m.rssGrowthMib, better: "lower", gated: false });
    raw.push({ id: `stream/${m.minutes}min/max-buffer`, label: `${label}: longest buffer a pass saw`, unit: "s", value: m.maxBufferSeconds, better: "lower", gated: false });
  }
  for (const r of longFile) {
    const label = `2-hour file, whole pipeline (${r.engine === "onnx" ? "ONNX Runtime" : "MLX"})`;
    raw.push({ id: "e2e/2h/peak-rss", label: `${label}: peak RSS`, unit: "MiB", value: r.peakRssMib, better: "lower", gated: false });
    raw.push({ id: "e2e/2h/rtf", label: `${label}: real-time factor`, unit: "×", value: r.audioSeconds / r.seconds, better: "higher", gated: false });
  }
  for (const a of arch) {
    const p = `${a.engine === "onnx" ? "onnx/" : ""}arch/${a.arch}/${a.precision}`;
    for (const [b, s] of Object.entries(a.encoderMsPerWindow)) raw.push({ id: `${p}/encoder-ms/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} encoder per window, batch ${b}`, unit: "ms", value: s.median, best: s.min, better: "lower", gated: true });
    for (const [b, s] of Object.entries(a.decoderMsPerStep)) raw.push({ id: `${p}/decoder-ms/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} decoder per step, batch ${b}`, unit: "ms", value: s.median, best: s.min, better: "lower", gated: true });
    for (const [b, r] of Object.entries(a.rtf)) raw.push({ id: `${p}/rtf/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} real-time factor, batch ${b}`, unit: "×", value: r, best: a.rtfBest[b], better: "higher", gated: true });
  }
  for (const r of pipeline) {
    const p = `e2e/${r.engine === "onnx" ? "onnx/" : ""}${r.name}`;
    const label = `${r.engine === "onnx" ? "ONNX" : "MLX"} ${r.name}`;
    for (const stage of ["vad", "asr", "align", "total"] as const) {
      raw.push({ id: `${p}/rtf/${stage}`, label: `${label} ${stage} real-time factor`, unit: "×", value: r.rtf[stage], better: "higher", gated: stage === "total" });
    }
    raw.push({ id: `${p}/peak-rss`, label: `${label} peak RSS`, unit: "MB", value: r.peakRssMb, better: "lower", gated: false });
    // Alignment's share of the wall time (issue 5's budget is ≤ 25 % on top of VAD + ASR).
    raw.push({ id: `${p}/align-overhead`, label: `${label} alignment / (VAD + ASR)`, unit: "", value: r.stages.align / (r.stages.vad + r.stages.asr), better: "lower", gated: false });
  }
  for (const r of pipeline.filter((x) => x.engine === "onnx")) {
    const mlx = pipeline.find((x) => x.engine === "mlx" && x.name === r.name);
    if (!mlx) continue;
    const ratio = mlx.stages.total / r.stages.total;
    const id = r.name === "longform_000" ? "e2e/onnx-vs-mlx" : `e2e/${r.name}/onnx-vs-mlx`;
    raw.push({ id, label: `${r.name}: ONNX Runtime end to end, × faster than MLX`, unit: "×", value: ratio, better: "higher", gated: false });
    // The product's default engine here (ONNX Runtime off Apple Silicon) against the plain CPU
    // path, MLX on the CPU: the roadmap's "end to end vs the CPU baseline".
    if (r.name === "longform_000" && !(process.platform === "darwin" && process.arch === "arm64")) {
      raw.push({ id: "e2e/speedup-vs-cpu-baseline", label: "default engine (ONNX Runtime) end to end vs the CPU baseline (MLX on the CPU)", unit: "×", value: ratio, better: "higher", gated: false });
    }
  }
  for (const d of decoding) {
    const engine = d.engine === "onnx" ? "ONNX" : "MLX";
    raw.push({ id: `decode/${d.engine}/${d.decoding}/rtf/b${d.batchSize}`, label: `${engine} ASR stage, ${d.decoding === "beam5" ? "beam 5" : "greedy"}, batch ${d.batchSize}: real-time factor`, unit: "×", value: d.rtf, better: "higher", gated: true });
    const greedy = decoding.find((g) => g.engine === d.engine && g.batchSize === d.batchSize && g.decoding === "greedy");
    if (d.decoding === "beam5" && greedy) raw.push({ id: `decode/${d.engine}/beam5-vs-greedy/b${d.batchSize}`, label: `${engine} batch ${d.batchSize}: beam 5 takes × the time of greedy`, unit: "×", value: d.asrSeconds / greedy.asrSeconds, better: "lower", gated: false });
  }
  const all = wer.find((w) => w.split === "all");
  for (const w of wer) raw.push({ id: `wer/${w.split}`, label: `WER ${w.split}`, unit: "", value: w.ours, better: "lower", gated: w.split === "all" });
  if (all) raw.push({ id: "wer/all/minus-reference", label: "WER minus the reference's WER", unit: "", value: all.ours - all.reference, better: "lower", gated: false });
  return raw.map(({ best, ...f }) => {
    // The gate compares the fastest sample: on a shared machine noise only ever adds time.
    const v = best ?? f.value;
    // Accuracy, memory and ratios of two engines measured together do not scale with machine speed.
    const absolute = f.id.startsWith("wer/") || f.unit === "MB" || f.unit === "" || f.id.includes("-vs-") || (f.id.startsWith("peer/") && f.unit === "×");
    const normalized = absolute ? v : f.better === "higher" ? v / gflops : v * gflops;
    return { ...f, normalized };
  });
}
