/**
 * `report.html`: one self-contained page (chart.js inlined, no network) with the run's charts:
 * real-time factor per model × batch against the targets, the stage breakdown, decoder ms per
 * step against batch size, WER per split, and the history of committed reports.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { HistoryPoint } from "./history.js";
import type { BenchReport } from "./types.js";

const require = createRequire(import.meta.url);

/** chart.js's UMD build, read from the installed package. */
function chartJsSource(): string {
  // The package's exports map hides dist/; its CommonJS entry sits beside the UMD build.
  return readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
}

/** JSON that is safe inside a <script> element. */
function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] as string);

/** The data the charts are drawn from (computed here, so the page's script stays small). */
export function chartData(r: BenchReport, history: HistoryPoint[]) {
  const rtfLabels: string[] = [];
  const rtfValues: number[] = [];
  const rtfTargets: (number | null)[] = [];
  const targetOf = (fig: string) => r.targets.find((t) => t.figure === fig)?.threshold ?? null;
  for (const a of r.architecture) {
    for (const [b, v] of Object.entries(a.rtf)) {
      const engine = a.engine === "onnx" ? "onnx/" : "";
      rtfLabels.push(`${engine}${a.arch} ${a.precision} b${b}`);
      rtfValues.push(v);
      rtfTargets.push(targetOf(`${engine}arch/${a.arch}/${a.precision}/rtf/b1`));
    }
  }
  const batches = [...new Set(r.architecture.flatMap((a) => Object.keys(a.decoderMsPerStep).map(Number)))].sort((x, y) => x - y);
  const historyIds = ["arch/tiny/fp32/rtf/b1", "onnx/arch/tiny/fp32/rtf/b1", ...r.pipeline.map((p) => `e2e/${p.engine === "onnx" ? "onnx/" : ""}${p.name}/rtf/total`)];
  return {
    rtf: { labels: rtfLabels, values: rtfValues, targets: rtfTargets },
    stages: { labels: r.pipeline.map((p) => `${p.engine === "onnx" ? "ONNX" : "MLX"} ${p.name}`), vad: r.pipeline.map((p) => p.stages.vad), asr: r.pipeline.map((p) => p.stages.asr), align: r.pipeline.map((p) => p.stages.align) },
    decoder: { batches, series: r.architecture.map((a) => ({ label: `${a.engine === "onnx" ? "ONNX " : "MLX "}${a.arch} ${a.precision}`, values: batches.map((b) => a.decoderMsPerStep[b]?.median ?? null) })) },
    peers: { labels: (r.peers?.cases ?? []).map((c) => c.id), speedup: (r.peers?.cases ?? []).map((c) => c.speedup), rss: (r.peers?.cases ?? []).map((c) => c.rssRatio) },
    wer: { labels: r.wer.map((w) => w.split), ours: r.wer.map((w) => 100 * w.ours), reference: r.wer.map((w) => 100 * w.reference) },
    history: {
      labels: history.map((h) => `${h.date.slice(0, 16).replace("T", " ")} ${h.machine}`),
      series: historyIds.map((id) => ({ label: id, values: history.map((h) => h.figures[id] ?? null) })),
    },
  };
}

const PAGE_SCRIPT = `
const d = JSON.parse(document.getElementById("chart-data").textContent);
const colors = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#4b5563"];
// A chart whose canvas this page has (a --peers-only report has only the peer chart).
const chart = (id, config) => { const el = document.getElementById("chart-" + id); if (el) new Chart(el, config); };
const opts = (title, extra) => Object.assign({ animation: false, responsive: true, plugins: { title: { display: true, text: title } } }, extra || {});
chart("rtf", { type: "bar", data: { labels: d.rtf.labels, datasets: [
  { label: "real-time factor", data: d.rtf.values, backgroundColor: colors[0] },
  { type: "line", label: "target", data: d.rtf.targets, borderColor: colors[1], pointStyle: "line", showLine: false, pointRadius: 12, borderWidth: 3 } ] },
  options: opts("Real-time factor per model × batch (30 s, 90 tokens) vs target") });
chart("stages", { type: "bar", data: { labels: d.stages.labels, datasets: [
  { label: "VAD", data: d.stages.vad, backgroundColor: colors[2] },
  { label: "ASR", data: d.stages.asr, backgroundColor: colors[0] },
  { label: "alignment", data: d.stages.align, backgroundColor: colors[4] } ] },
  options: opts("End-to-end stage breakdown (seconds)", { scales: { x: { stacked: true }, y: { stacked: true } } }) });
chart("decoder", { type: "line", data: { labels: d.decoder.batches, datasets:
  d.decoder.series.map((s, i) => ({ label: s.label, data: s.values, borderColor: colors[i % colors.length] })) },
  options: opts("Decoder ms per step vs batch size") });
chart("peers", { type: "bar", data: { labels: d.peers.labels, datasets: [
  { label: "whisper.cpp's time ÷ ours (> 1: we are faster)", data: d.peers.speedup, backgroundColor: colors[0] },
  { label: "our peak RSS ÷ whisper.cpp's", data: d.peers.rss, backgroundColor: colors[4] } ] },
  options: opts("Against whisper.cpp (same checkpoint, whole processes, paired medians)") });
chart("wer", { type: "bar", data: { labels: d.wer.labels, datasets: [
  { label: "ours (%)", data: d.wer.ours, backgroundColor: colors[0] },
  { label: "openai-whisper reference (%)", data: d.wer.reference, backgroundColor: colors[6] } ] },
  options: opts("WER per split (%)") });
chart("history", { type: "line", data: { labels: d.history.labels, datasets:
  d.history.series.map((s, i) => ({ label: s.label, data: s.values, borderColor: colors[i % colors.length], spanGaps: true })) },
  options: opts("History across reports (real-time factor)") });
`;

/** Renders the HTML page, with `markdown` (the same run as tables) below the charts. */
export function renderHtml(r: BenchReport, history: HistoryPoint[], markdown: string): string {
  const data = chartData(r, history);
  const charts = [...(r.peers?.cases.length ? ["peers"] : []), ...(r.peersOnly ? [] : ["rtf", "stages", "decoder", "wer", "history"])].map((id) => `<div class="chart"><canvas id="chart-${id}"></canvas></div>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>whisperx-mlx bench ${esc(r.date.slice(0, 10))} ${esc(r.environment.machine)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}.chart{margin:1.5em 0}pre{white-space:pre-wrap;background:#f6f6f6;padding:1em}</style>
</head><body>
<h1>whisperx-mlx bench</h1>
<p>${esc(r.date)} · ${esc(r.environment.cpuModel)} · ${r.environment.cores} cores · ${esc(r.mode)} · commit ${esc(r.environment.commit)}</p>
${charts}
<h2>Tables</h2><pre>${esc(markdown)}</pre>
<script>${chartJsSource().replace(/<\/script/gi, "<\\/script")}</script>
<script type="application/json" id="chart-data">${scriptJson(data)}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
