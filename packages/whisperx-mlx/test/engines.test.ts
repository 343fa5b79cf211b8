/** The `--backend` decision on every host class, and its notices and errors. */
import { describe, expect, it } from "vitest";
import { decideEngine, EngineError, needsMlxProbe } from "whisperx-mlx";

const APPLE = { platform: "darwin", arch: "arm64" } as const;
const LINUX = { platform: "linux", arch: "x64" } as const;
const INTEL_MAC = { platform: "darwin", arch: "x64" } as const;
const up = { ok: true, device: "Device(gpu, 0)", buildDir: "/x" } as const;
const down = { ok: false, reason: "cannot reach https://github.com/… (ENOTFOUND); connect to the internet once, or set WHISPERX_MLX_RELEASE_URL to a mirror" } as const;

describe("engine choice", () => {
  it("auto is MLX on Apple Silicon when MLX starts", () => {
    expect(needsMlxProbe("auto", APPLE)).toBe(true);
    expect(decideEngine("auto", APPLE, up)).toEqual({ engine: "mlx" });
  });
  it("auto falls back to ONNX Runtime on Apple Silicon with one notice saying why", () => {
    const d = decideEngine("auto", APPLE, down);
    expect(d.engine).toBe("onnx");
    expect(d.notice).toBe(`MLX cannot start (${down.reason}); using ONNX Runtime`);
    expect(d.notice?.includes("\n")).toBe(false);
  });
  it("auto is ONNX Runtime elsewhere, without probing MLX", () => {
    for (const host of [LINUX, INTEL_MAC]) {
      expect(needsMlxProbe("auto", host)).toBe(false);
      expect(decideEngine("auto", host)).toEqual({ engine: "onnx" });
    }
  });
  it("--backend mlx that cannot start is an error saying why and what to do", () => {
    expect(needsMlxProbe("mlx", LINUX)).toBe(true);
    expect(decideEngine("mlx", LINUX, { ok: true, device: "Device(cpu, 0)", buildDir: "/x" })).toEqual({ engine: "mlx" });
    expect(() => decideEngine("mlx", APPLE, down)).toThrow(EngineError);
    expect(() => decideEngine("mlx", APPLE, down)).toThrow(`--backend mlx: MLX cannot start: ${down.reason}`);
  });
  it("--backend onnx never probes MLX", () => {
    expect(needsMlxProbe("onnx", APPLE)).toBe(false);
    expect(decideEngine("onnx", APPLE)).toEqual({ engine: "onnx" });
  });
});
