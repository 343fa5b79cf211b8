/** `report.md`: the run as tables for people. */
import type { BenchReport } from "./types.js";

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "–");
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

const drift = (r: BenchReport) => {
  const [a, b] = [r.calibration.before.gflops.median, r.calibration.after.gflops.median];
  return Math.abs(a - b) / Math.max(a, b) > 0.25;
};

/** Renders the Markdown report. */
export function renderMarkdown(r: BenchReport): string {
  const e = r.environment;
  const out: string[] = [];
  out.push(`# whisperx-mlx bench — ${r.date.slice(0, 10)} — ${e.machine} (${r.mode})`, "");
  out.push(`${e.cpuModel}, ${e.cores} cores, ${f(e.memoryGb, 0)} GB, ${e.platform}/${e.arch}, Node ${e.node}, MLX ${e.mlxVersion}, commit ${e.commit}. Bench wall time ${f(r.wallSeconds, 0)} s.`, "");
  out.push(`Calibration (fp32 sgemm ${r.calibration.before.n}³): ${f(r.calibration.before.gflops.median)} GFLOP/s before, ${f(r.calibration.after.gflops.median)} after. Normalised figures use ${f(r.calibration.gflops)} GFLOP/s.${drift(r) ? " **The two differ by more than 25 %: the machine's load changed during the run.**" : ""}`, "");
  out.push("## Targets", "");
  out.push(table(["target", "value", "result", "source"], r.targets.map((t) => [t.description, t.value === null ? "not measured" : f(t.value, t.figure.startsWith("wer") ? 3 : 1), t.pass === null ? `not measured: ${t.reason}` : t.pass ? "pass" : `**miss** (${t.op} ${t.threshold})`, t.source])), "");
  if (r.peers) {
    out.push(`## Against whisper.cpp (\`--peers\`): whole processes, ${r.peers.rounds} paired rounds, medians`, "");
    if (!r.peers.measured) out.push(`Not measured: ${r.peers.reason}.`, "");
    else {
      out.push(`Peer: ${r.peers.peer}. Ours: \`whisperx --beam_size 1 --language en\` with the settings shown, on the default engine. Both run the fixture's checkpoint (whisper.cpp's file written by \`convert --to ggml\`).`, "");
      out.push(table(["case", "audio s", "files", "ours s", "whisper.cpp s", "× faster (theirs ÷ ours)", "ours RSS MiB", "whisper.cpp RSS MiB", "RSS ratio", "WER ours", "WER whisper.cpp", "ours", "whisper.cpp"], r.peers.cases.map((c) => [c.label, f(c.audioSeconds), c.files, f(c.ours.seconds, 2), f(c.peer.seconds, 2), f(c.speedup, 2), f(c.ours.peakRssMib, 0), f(c.peer.peakRssMib, 0), f(c.rssRatio, 2), pct(c.ours.wer), pct(c.peer.wer), c.ours.settings, c.peer.settings])), "");
    }
  }
  if (r.peersOnly) return out.join("\n");
  out.push("## Architecture workloads (random weights at the released dims; both engines)", "");
  const rows: (string | number)[][] = [];
  for (const a of r.architecture) {
    for (const b of Object.keys(a.decoderMsPerStep)) {
      rows.push([a.engine === "onnx" ? "ONNX Runtime" : "MLX", a.arch, a.precision, b, f(a.melMs.median), `${f(a.encoderMsPerWindow[a.bestEncoderBatch].median, 0)} (batch ${a.bestEncoderBatch})`, f(a.decoderMsPerStep[b].median, 2), f(a.rtf[b])]);
    }
  }
  out.push(table(["engine", "dims", "weights", "batch", "log-mel ms", "encoder ms/window", "decoder ms/step", "real-time factor (30 s, 90 tokens)"], rows), "");
  out.push("## End to end (bundled synthetic model: VAD → batched ASR → alignment, on each engine)", "");
  out.push(table(["engine", "input", "audio s", "chunks", "batch", "VAD s", "ASR s", "alignment s", "total s", "total RTF", "peak RSS MB"], r.pipeline.map((p) => [p.engine === "onnx" ? "ONNX Runtime" : "MLX", p.name, f(p.audioSeconds), p.chunks, p.batchSize, f(p.stages.vad, 2), f(p.stages.asr, 2), f(p.stages.align, 2), f(p.stages.total, 2), f(p.rtf.total), f(p.peakRssMb, 0)])), "");
  if (r.decoding?.length) {
    out.push("## Decoding: greedy vs beam 5 (WhisperX's default), ASR stage on longform_000's chunks", "");
    out.push(table(["engine", "decoding", "batch", "chunks", "ASR s", "real-time factor", "× greedy's time"], r.decoding.map((d) => {
      const g = r.decoding?.find((x) => x.engine === d.engine && x.batchSize === d.batchSize && x.decoding === "greedy");
      return [d.engine === "onnx" ? "ONNX Runtime" : "MLX", d.decoding === "beam5" ? "beam 5" : "greedy", d.batchSize, d.chunks, f(d.asrSeconds, 2), f(d.rtf), g ? f(d.asrSeconds / g.asrSeconds, 2) : "–"];
    })), "");
  }
  if (r.streaming?.length) {
    out.push("## Streaming (`--streaming`): committed text at real-time pace vs the offline transcript (same model and decoding, DTW word times)", "");
    out.push(table(["engine", "clips", "audio s", "WER stream", "WER offline", "mean latency s", "p50 s", "p95 s", "words timed", "max buffer s", "worst lag s"], r.streaming.map((s) => [s.engine === "onnx" ? "ONNX Runtime" : "MLX", s.clips, f(s.audioSeconds, 0), pct(s.werStream), pct(s.werOffline), f(s.latency.mean, 2), f(s.latency.p50, 2), f(s.latency.p95, 2), s.latency.words, f(s.maxBufferSeconds, 1), f(s.maxLagSeconds, 1)])), "");
    out.push("Latency of a word: its emission time minus its end in the offline transcript, by ÚFAL's latency tool (continuous Levenshtein alignment of the characters; `asr-latency.ts`). Mean latency is the tool's figure.", "");
  }
  if (r.streamMemory?.length) {
    out.push("## A long stream (`--streaming --long`): buffer bound and memory in a fresh process", "");
    out.push(table(["engine", "minutes", "s per pass", "passes", "words committed", "max buffer s", "RSS after GC MiB (every 5 min)", "growth MiB", "peak RSS MiB", "wall s"], r.streamMemory.map((m) => [m.engine === "onnx" ? "ONNX Runtime" : "MLX", m.minutes, m.minChunkSize, m.passes, m.words, f(m.maxBufferSeconds, 1), m.rss.map((x) => f(x.rssMib, 0)).join(" "), f(m.rssGrowthMib, 1), f(m.peakRssMib, 0), f(m.seconds, 0)])), "");
    out.push("The fixture clips (longform_000, the eval clips) looped with 3–15 s silences, fed on the audio clock with greedy passes; RSS is read after a full GC.", "");
  }
  if (r.diarization?.length) {
    out.push("## Speaker diarization (`--diarization`): the visible synthetic conversations, pyannote's two pipeline configurations", "");
    const pct2 = (x: number) => `${(100 * x).toFixed(2)} %`;
    out.push(table(["engine", "config", "clips", "audio s", "DER", "pyannote's DER", "DER collar 0.5", "miss", "false alarm", "confusion", "JER", "speaker count exact", "|count error|", "worst DER vs pyannote per clip"], r.diarization.flatMap((d) => d.configs.map((c) => [
      d.engine === "onnx" ? "ONNX Runtime" : "MLX", c.config, c.clips.length, f(d.audioSeconds, 0), pct2(c.der), c.pyannoteDer === undefined ? "–" : pct2(c.pyannoteDer), pct2(c.der05), pct2(c.miss), pct2(c.falseAlarm), pct2(c.confusion), pct2(c.jer), `${c.speakerCountExact}/${c.clips.length}`, c.speakerCountAbsError, pct2(Math.max(...c.clips.map((x) => x.derVsPyannote ?? 0)))]))), "");
    out.push(table(["engine", "audio s", "segmentation RTF", "fbank RTF", "embeddings RTF", "clustering RTF (per config)", "total RTF"], r.diarization.map((d) => {
      const clustering = d.configs.reduce((n, c) => n + c.clusteringSeconds, 0) / Math.max(1, d.configs.length);
      const rtf = (s: number) => f(s / d.audioSeconds, 4);
      return [d.engine === "onnx" ? "ONNX Runtime" : "MLX", f(d.audioSeconds, 0), rtf(d.seconds.segmentation), rtf(d.seconds.fbank), rtf(d.seconds.embeddings), rtf(clustering), rtf(d.seconds.segmentation + d.seconds.fbank + d.seconds.embeddings + clustering)];
    })), "");
    out.push(table(["engine", "clip", "log-prob max |Δ| vs PyTorch", "argmax agreement", "min embedding cosine", "active (chunk, speaker) pairs"], r.diarization.flatMap((d) => (d.numerics ?? []).map((n) => [d.engine === "onnx" ? "ONNX Runtime" : "MLX", n.uri, n.logProbMaxAbsDiff.toExponential(2), pct2(n.argmaxAgreement), n.embeddingMinCosine.toFixed(7), n.activePairs]))), "");
    out.push("DER convention as pyannote's: no collar, overlap scored, UEM = the whole file. Real-time factor = stage seconds per audio second (lower is faster). pyannote's DER: its own run on the same checkpoints (refs.json).", "");
  }
  if (r.longFile?.length) {
    out.push("## Long file (`--long`): a 2-hour recording through the whole pipeline in a fresh process", "");
    out.push(table(["engine", "audio s", "wall s", "real-time factor", "segments", "words", "peak RSS MiB"], r.longFile.map((l) => [l.engine === "onnx" ? "ONNX Runtime" : "MLX", f(l.audioSeconds, 0), f(l.seconds, 1), f(l.audioSeconds / l.seconds), l.segments, l.words, f(l.peakRssMib, 0)])), "");
  }
  if (r.largeModels?.length) {
    const gib = (b?: number) => (b === undefined ? "–" : `${f(b / 2 ** 30, 2)} GiB`);
    out.push("## Large models (`--large`): random fp16 weights at large-v3 and large-v3-turbo dims, each step in a fresh process", "");
    out.push(table(["dims", "step", "wall s", "peak RSS MiB", "sizes", "encoder ms/window", "decoder ms/step", "log-mel ms"], r.largeModels.map((l) => [
      l.arch,
      l.task,
      f(l.seconds, 1),
      f(l.peakRssMib, 0),
      l.weightsBytes !== undefined ? `weights ${gib(l.weightsBytes)}` : l.graphBytes ? `encoder ${gib(l.graphBytes.encoder)}, decoder ${gib(l.graphBytes.decoder)}${l.external ? " (external data)" : ""}` : "",
      l.encoderMs === undefined ? "" : f(l.encoderMs, 0),
      l.decoderMsPerStep === undefined ? "" : f(l.decoderMsPerStep, 1),
      l.melMs === undefined ? "" : f(l.melMs, 1),
    ])), "");
  }
  out.push("## WER (visible clips, VAD + batched ASR; beam-5 rows prefixed)", "");
  out.push(table(["split", "clips", "ref words", "ours", "reference (openai-whisper)", "ours, EnglishTextNormalizer", "reference, EnglishTextNormalizer"], r.wer.map((w) => [w.split, w.clips, w.refWords, pct(w.ours), pct(w.reference), pct(w.oursEnglish), pct(w.referenceEnglish)])), "");
  out.push("## Micro-benchmarks (tinybench)", "");
  out.push(table(["kernel", "shape", "median ms", "min", "max", "runs"], r.micro.map((m) => [m.name, m.shape, f(m.ms.median, 3), f(m.ms.min, 3), f(m.ms.max, 3), m.runs])), "");
  out.push("## Baselines", "");
  for (const b of r.baselines) out.push(`- ${b.name}: ${b.measured ? "measured" : "not measured"}${b.reason ? ` — ${b.reason}` : ""}`);
  out.push("");
  return out.join("\n");
}
