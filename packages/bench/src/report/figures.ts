/** Flattens a report's measurements into comparable figures (see `Figure`). */
import type { ArchitectureResult } from "../workloads/architecture.js";
import type { PipelineResult } from "../workloads/pipeline.js";
import type { Figure, WerSplit } from "./types.js";

/** A figure before normalisation; `best` is the fastest sample's value where there are several. */
type Raw = Omit<Figure, "normalized"> & { best?: number };

/** Builds the figure list; `gflops` is the run's calibration throughput. */
export function buildFigures(gflops: number, arch: ArchitectureResult[], pipeline: PipelineResult[], wer: WerSplit[]): Figure[] {
  const raw: Raw[] = [];
  for (const a of arch) {
    const p = `${a.engine === "onnx" ? "onnx/" : ""}arch/${a.arch}/${a.precision}`;
    for (const [b, s] of Object.entries(a.encoderMsPerWindow)) raw.push({ id: `${p}/encoder-ms/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} encoder per window, batch ${b}`, unit: "ms", value: s.median, best: s.min, better: "lower", gated: true });
    for (const [b, s] of Object.entries(a.decoderMsPerStep)) raw.push({ id: `${p}/decoder-ms/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} decoder per step, batch ${b}`, unit: "ms", value: s.median, best: s.min, better: "lower", gated: true });
    for (const [b, r] of Object.entries(a.rtf)) raw.push({ id: `${p}/rtf/b${b}`, label: `${a.engine === "onnx" ? "ONNX " : ""}${a.arch} ${a.precision} real-time factor, batch ${b}`, unit: "×", value: r, best: a.rtfBest[b], better: "higher", gated: true });
  }
  for (const r of pipeline) {
    for (const stage of ["vad", "asr", "align", "total"] as const) {
      raw.push({ id: `e2e/${r.name}/rtf/${stage}`, label: `${r.name} ${stage} real-time factor`, unit: "×", value: r.rtf[stage], better: "higher", gated: stage === "total" });
    }
    raw.push({ id: `e2e/${r.name}/peak-rss`, label: `${r.name} peak RSS`, unit: "MB", value: r.peakRssMb, better: "lower", gated: false });
  }
  const all = wer.find((w) => w.split === "all");
  for (const w of wer) raw.push({ id: `wer/${w.split}`, label: `WER ${w.split}`, unit: "", value: w.ours, better: "lower", gated: w.split === "all" });
  if (all) raw.push({ id: "wer/all/minus-reference", label: "WER minus the reference's WER", unit: "", value: all.ours - all.reference, better: "lower", gated: false });
  return raw.map(({ best, ...f }) => {
    // The gate compares the fastest sample: on a shared machine noise only ever adds time.
    const v = best ?? f.value;
    // Accuracy and memory do not scale with machine speed.
    const normalized = f.id.startsWith("wer/") || f.unit === "MB" ? v : f.better === "higher" ? v / gflops : v * gflops;
    return { ...f, normalized };
  });
}
