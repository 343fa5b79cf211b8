/**
 * The peer ratios in figures, targets, the gate and the Markdown report, from a comparison as
 * `runWhisperCppComparison` returns it (the e2e test and `.ci/run` run the real one).
 */
import { describe, expect, it } from "vitest";
import { buildFigures, checkRegressions, evaluateTargets, renderMarkdown, type BenchReport, type PeerComparison, type PeerCaseResult } from "../src/index.js";

const side = (seconds: number, peakRssMib: number) => ({ seconds, runs: [seconds], peakRssMib, wer: 0.5, settings: "--no_align" });
const peerCase = (id: string, ours: number, theirs: number, rss = 1.5): PeerCaseResult => ({ id, label: id, files: 1, audioSeconds: 161.7, ours: side(ours, 200 * rss), peer: side(theirs, 200), speedup: theirs / ours, rssRatio: rss });

function report(peers: PeerComparison | undefined, peersOnly = true): BenchReport {
  const figures = buildFigures(100, [], [], [], [], [], [], [], [], [], peers);
  const calibration = { n: 1024, gflops: { samples: [100], median: 100, min: 100, max: 100 } };
  return {
    schema: 1, date: "2026-11-30T00:00:00Z", mode: "quick",
    environment: { machine: "test-2c", cpuModel: "test", cores: 2, memoryGb: 24, platform: "linux", arch: "x64", node: "20", mlxVersion: "0", commit: "x" },
    calibration: { before: calibration, after: calibration, gflops: 100 } as unknown as BenchReport["calibration"],
    architecture: [], pipeline: [], wer: [], micro: [], baselines: [], figures, targets: evaluateTargets(figures), wallSeconds: 1,
    ...(peers ? { peers } : {}), ...(peersOnly ? { peersOnly } : {}),
  };
}

const measured = (cases: PeerCaseResult[]): PeerComparison => ({ peer: "whisper.cpp 1.9.1", measured: true, rounds: 3, cases });

describe("whisper.cpp peer figures", () => {
  const base = report(measured([peerCase("longform-no-align", 2, 3), peerCase("30-clips", 5, 10)]));

  it("gates the speed and RSS ratios, not the absolute seconds, and feeds issue 15's targets", () => {
    const gated = base.figures.filter((f) => f.gated).map((f) => f.id).sort();
    expect(gated).toEqual(["peer/whisper.cpp/30-clips/rss-ratio", "peer/whisper.cpp/30-clips/speedup", "peer/whisper.cpp/longform-no-align/rss-ratio", "peer/whisper.cpp/longform-no-align/speedup"]);
    // Ratios are not scaled by the calibration.
    expect(base.figures.find((f) => f.id === "peer/whisper.cpp/longform-no-align/speedup")?.normalized).toBe(1.5);
    const t = base.targets.find((x) => x.id === "peer-longform-speed");
    expect([t?.value, t?.pass]).toEqual([1.5, true]);
    expect(base.targets.find((x) => x.id === "peer-30-clips-speed")?.pass).toBe(true);
    expect(base.targets.find((x) => x.id === "peer-startup")?.pass).toBe(null);
  });

  it("flags a ratio that fell, passes one that held, and skips peers a run could not measure", () => {
    expect(checkRegressions(report(measured([peerCase("longform-no-align", 2, 2.9), peerCase("30-clips", 5, 10)])), base, 0.15).regressions).toEqual([]);
    const slower = checkRegressions(report(measured([peerCase("longform-no-align", 3, 3), peerCase("30-clips", 5, 10, 2.5)])), base, 0.15);
    expect(slower.regressions.map((r) => r.id).sort()).toEqual(["peer/whisper.cpp/30-clips/rss-ratio", "peer/whisper.cpp/longform-no-align/speedup"]);
    const none = checkRegressions(report({ peer: "whisper.cpp", measured: false, reason: "cmake missing", rounds: 0, cases: [] }), base, 0.15);
    expect([none.checked, none.regressions, none.missing]).toEqual([0, [], []]);
    // A run that measured the peer but lost a case reports it missing.
    expect(checkRegressions(report(measured([peerCase("30-clips", 5, 10)])), base, 0.15).missing.sort()).toEqual(["peer/whisper.cpp/longform-no-align/rss-ratio", "peer/whisper.cpp/longform-no-align/speedup"]);
  });

  it("renders the peer table, or why it was not measured", () => {
    const md = renderMarkdown(base);
    expect(md).toMatch(/## Against whisper\.cpp/);
    expect(md).toMatch(/\| longform-no-align \| 161\.7 \| 1 \| 2\.00 \| 3\.00 \| 1\.50 \| 300 \| 200 \| 1\.50 \|/);
    expect(md).not.toMatch(/## Architecture workloads/);
    expect(renderMarkdown(report({ peer: "whisper.cpp", measured: false, reason: "GNU time is not installed", rounds: 0, cases: [] }))).toMatch(/Not measured: GNU time is not installed\./);
  });
});
