/**
 * `pnpm bench --quick` for real: the report files, the HTML page in headless Chromium, and the
 * regression gate against an inflated baseline.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "@whisperx-mlx/bench";
import { runCli } from "./run.js";
import { SYNTH } from "./shared.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// .ci/run sets WHISPERX_BENCH_REPORT_DIR so its regression gate reuses this run's report instead
// of timing the same quick bench a second time (test files run one at a time, so it is quiet).
const out = process.env.WHISPERX_BENCH_REPORT_DIR ?? mkdtempSync(join(tmpdir(), "wx-bench-"));
mkdirSync(out, { recursive: true });
let report: BenchReport;
let run: { code: number | null; stdout: string; stderr: string };

describe("pnpm bench --quick", () => {
  beforeAll(async () => {
    run = await runCli("bench", ["--quick", "--out", out, "--fixtures", SYNTH]);
    if (run.code === 0) report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as BenchReport;
  }, 900_000);

  it("writes report.json, report.md and report.html", () => {
    expect(run.code, run.stderr).toBe(0);
    for (const f of ["report.json", "report.md", "report.html"]) expect(existsSync(join(out, f)), f).toBe(true);
    expect(report.mode).toBe("quick");
    expect(report.calibration.gflops).toBeGreaterThan(0);
    expect(report.architecture.map((a) => `${a.engine}-${a.arch}-${a.precision}`)).toEqual(["mlx-tiny-fp32", "mlx-tiny-q4", "onnx-tiny-fp32", "onnx-tiny-int8", "onnx-tiny-int4"]);
    for (const a of report.architecture) expect(Object.keys(a.rtf).sort()).toEqual(["1", "8"]);
    const e2e = report.pipeline[0];
    expect(e2e.name).toBe("longform_000");
    expect(e2e.stages.total).toBeGreaterThanOrEqual(e2e.stages.vad + e2e.stages.asr + e2e.stages.align - 1e-6);
    expect(report.wer.map((w) => w.split)).toContain("all");
    expect(report.micro.map((m) => m.name)).toEqual(["matmul", "quantized matmul", "attention", "layerNorm", "conv1d", "log-mel", "decode step", "CTC trellis"]);
    // Every target is either decided from a measured figure or says why it was not measured.
    for (const t of report.targets) expect(t.pass === null ? typeof t.reason : typeof t.value, t.id).toBe(t.pass === null ? "string" : "number");
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("| MLX | tiny | fp32 | 1 |");
  });

  it("renders the HTML offline in headless Chromium, every chart with data", async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (Debian's chromium; scripts/setup.sh --test installs it)`).toBe(true);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const external: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        external.push(url);
        return route.abort();
      });
      await page.goto(pathToFileURL(join(out, "report.html")).href);
      const charts = await page.evaluate(() => {
        const C = (window as unknown as { Chart: { instances: Record<string, { canvas: HTMLCanvasElement; data: { datasets: { data: unknown[] }[] } }> } }).Chart;
        return Object.values(C.instances).map((c) => ({ id: c.canvas.id, points: c.data.datasets.map((d) => d.data.filter((v) => typeof v === "number" && Number.isFinite(v)).length) }));
      });
      await page.screenshot({ path: join(out, "report.png"), fullPage: true });
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
      expect(charts.map((c) => c.id).sort()).toEqual(["chart-decoder", "chart-history", "chart-rtf", "chart-stages", "chart-wer"]);
      for (const c of charts) expect(Math.max(...c.points), c.id).toBeGreaterThan(0);
      expect(existsSync(join(out, "report.png"))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it("the gate fails naming each workload whose baseline was inflated", async () => {
    const inflated = JSON.parse(JSON.stringify(report)) as BenchReport;
    const names = ["arch/tiny/fp32/rtf/b1", "arch/tiny/fp32/decoder-ms/b8", "e2e/longform_000/rtf/total"];
    for (const f of inflated.figures) {
      if (!names.includes(f.id)) continue;
      // A baseline twice as fast as this run.
      f.value = f.better === "higher" ? f.value * 2 : f.value / 2;
      f.normalized = f.better === "higher" ? f.normalized * 2 : f.normalized / 2;
    }
    const baseline = join(out, "inflated-baseline.json");
    writeFileSync(baseline, JSON.stringify(inflated));
    const r = await runCli("bench", ["--report", join(out, "report.json"), "--check", "--baseline", baseline]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const regressions = r.stdout.split("\n").filter((l) => l.startsWith("regression: "));
    expect(regressions.map((l) => l.split(" ")[1]).sort()).toEqual([...names].sort());
    expect(r.stdout).toMatch(/gate: FAILED — 3 regression/);
  }, 60_000);

  it("the gate passes against the run's own report", async () => {
    const r = await runCli("bench", ["--report", join(out, "report.json"), "--check", "--baseline", join(out, "report.json"), "--tolerance", "0.15"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gate: passed/);
  }, 60_000);
});
