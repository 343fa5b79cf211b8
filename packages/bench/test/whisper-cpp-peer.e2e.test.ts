/**
 * The whisper.cpp peer is real: built from the nodejs-whisper package's source (once per machine,
 * ~80 s on 2 cores), it loads the files `convert --to ggml` writes and transcribes with them, and
 * its own `quantize` tool turns our f16 file into exactly our q8_0 / q4_0 files.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertWhisperToGgml } from "@whisperx-mlx/convert";
import { setUpWhisperCpp } from "../src/peers/whisper-cpp.js";
import { gnuTimeAvailable, runTimed } from "../src/timed-process.js";
import { normalizeWords, wordErrorRate } from "../src/wer.js";
import { SYNTH } from "./shared.js";

const tmp = mkdtempSync(join(tmpdir(), "whisper-cpp-peer-"));
const refs = JSON.parse(readFileSync(join(SYNTH, "refs.json"), "utf8")) as { clips: { id: string; ground_truth: string }[] };
const truth = (id: string) => refs.clips.find((c) => c.id === id)?.ground_truth ?? "";

describe("whisper.cpp peer", () => {
  const setUp = setUpWhisperCpp();
  if (!setUp.ok) throw new Error(`whisper.cpp could not be set up: ${setUp.reason}`);
  const cpp = setUp.peer;
  const model = (type: "f16" | "q8_0" | "q4_0") => {
    const file = join(tmp, `ggml-model-${type}.bin`);
    convertWhisperToGgml({ source: join(SYNTH, "synth-whisper-256.pt"), ggmlPath: file, type, force: true });
    return file;
  };
  const transcribe = (file: string, clip: string) =>
    execFileSync(cpp.cli, ["-m", file, "-f", join(SYNTH, "audio", `${clip}.wav`), "-l", "en", "-t", "2", "-bs", "1", "-bo", "1", "-nf", "-np", "-nt"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });

  it("is whisper.cpp 1.9.1 from nodejs-whisper", () => {
    expect(cpp.version).toBe("1.9.1");
    expect(cpp.origin).toBe("nodejs-whisper@0.3.1");
  });

  it("transcribes with our f16, q8_0 and q4_0 files (a training-like clip comes out near its ground truth)", () => {
    for (const type of ["f16", "q8_0"] as const) {
      const text = transcribe(model(type), "trainlike_000");
      expect(wordErrorRate([[truth("trainlike_000"), text]], normalizeWords).wer, `${type}: ${text}`).toBeLessThan(0.15);
    }
    // 4-bit blocks cost this 21 M-parameter model much of its accuracy (its bytes are checked below).
    const q4 = transcribe(model("q4_0"), "trainlike_000");
    expect(normalizeWords(q4).length, q4).toBeGreaterThan(10);
    expect(wordErrorRate([[truth("trainlike_000"), q4]], normalizeWords).wer, q4).toBeLessThan(1);
  });

  it("its quantize tool turns our f16 file into exactly our q8_0 and q4_0 files", () => {
    const f16 = model("f16");
    for (const type of ["q8_0", "q4_0"] as const) {
      const theirs = join(tmp, `theirs-${type}.bin`);
      execFileSync(cpp.quantize, [f16, theirs, type], { stdio: "ignore" });
      expect(readFileSync(theirs).equals(readFileSync(model(type))), type).toBe(true);
    }
  });

  it("GNU time gives each process its own peak RSS, not the spawning process's", async () => {
    expect(gnuTimeAvailable()).toBe(true);
    const hold = Buffer.alloc(400 * 2 ** 20, 1); // this process is now > 400 MiB
    const small = await runTimed("/bin/true", []);
    expect(small.peakRssMib).toBeLessThan(20);
    const big = await runTimed(process.execPath, ["-e", "Buffer.alloc(300 * 2 ** 20, 1)"]);
    expect(big.peakRssMib).toBeGreaterThan(300);
    expect(big.peakRssMib).toBeLessThan(400);
    expect(hold[0]).toBe(1);
    await expect(runTimed(process.execPath, ["-e", "console.error('bad input'); process.exit(3)"])).rejects.toThrow(/exited with 3: bad input/);
  });
});
