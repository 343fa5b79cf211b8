/** `convert pyannote`: the visible diarization checkpoints, WeSpeaker's own layout, and hostile inputs. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConvertError, convertPyannote, isHostTensor, PYANNOTE_PICKLE_GLOBALS, readSafetensors, readTorchCheckpoint, type HostTensor } from "../src/index.js";
import { call, g, pickle, torchZip } from "./pickle-writer.js";
import { SHARED } from "./shared.js";

const MODELS = `${SHARED}/fixtures/synth-diarization/models`;
const WESPEAKER_PT = fileURLToPath(new URL("../../../fixtures/diarization/wespeaker.pt", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "wx-pyannote-"));

function sourceTensors(file: string): Map<string, HostTensor> {
  const v = readTorchCheckpoint(file, { allow: PYANNOTE_PICKLE_GLOBALS }) as { state_dict: Record<string, unknown> };
  return new Map(Object.entries(v.state_dict).filter((e): e is [string, HostTensor] => isHostTensor(e[1])));
}

function expectOneLineRefusal(run: () => unknown, pattern: RegExp, out: string): void {
  let err: unknown;
  try {
    run();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConvertError);
  expect((err as Error).message).toMatch(pattern);
  expect((err as Error).message.includes("\n")).toBe(false);
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(tmp).filter((f) => f.includes(".tmp-"))).toEqual([]);
}

describe("convert pyannote", () => {
  it("reads the checkpoints' documented tensors: 54 for PyanNet, 218 for WeSpeaker ResNet34", () => {
    const seg = sourceTensors(`${MODELS}/segmentation/pytorch_model.bin`);
    expect(seg.size).toBe(54);
    expect(seg.get("sincnet.conv1d.0.filterbank.low_hz_")?.shape).toEqual([40, 1]);
    expect(seg.get("sincnet.conv1d.0.filterbank.n_")?.shape).toEqual([1, 125]);
    expect(seg.get("sincnet.conv1d.1.weight")?.shape).toEqual([60, 80, 5]);
    expect(seg.get("lstm.weight_ih_l0_reverse")?.shape).toEqual([512, 60]);
    expect(seg.get("lstm.weight_ih_l3")?.shape).toEqual([512, 256]);
    expect(seg.get("lstm.weight_hh_l2")?.shape).toEqual([512, 128]);
    expect(seg.get("classifier.weight")?.shape).toEqual([7, 128]);
    const emb = sourceTensors(`${MODELS}/embedding/pytorch_model.bin`);
    expect(emb.size).toBe(218);
    expect(emb.get("resnet.conv1.weight")?.shape).toEqual([32, 1, 3, 3]);
    expect(emb.get("resnet.layer4.0.shortcut.0.weight")?.shape).toEqual([256, 128, 1, 1]);
    expect(emb.get("resnet.seg_1.weight")?.shape).toEqual([256, 5120]);
    expect(emb.get("resnet.bn1.num_batches_tracked")?.dtype).toBe("int64");
  });

  it("writes a community-1 pipeline: Sinc filters precomputed, BatchNorm folded, the PLDA solved; and a 3.1 config beside it", () => {
    const out = join(tmp, "community-1");
    expect(convertPyannote({ torchNameOrPath: MODELS, mlxPath: out }).kind).toBe("pipeline");
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8")) as { clustering: { method: string; threshold: number; Fa: number; Fb: number } };
    expect(config.clustering).toMatchObject({ method: "vbx", threshold: 0.6, Fa: 0.07, Fb: 0.8 });
    const seg = readSafetensors(join(out, "segmentation", "weights.safetensors"));
    expect(seg.get("sincnet.conv1d.0.weight")?.shape).toEqual([80, 1, 251]);
    expect([...seg.keys()].some((k) => k.includes("filterbank"))).toBe(false);
    const emb = readSafetensors(join(out, "embedding", "weights.safetensors"));
    expect(emb.get("layer1.0.conv1.bias")?.shape).toEqual([32]);
    expect([...emb.keys()].some((k) => /bn|running|num_batches/.test(k))).toBe(false);
    const plda = JSON.parse(readFileSync(join(out, "plda.json"), "utf8")) as { phi: number[]; transform: number[] };
    expect(plda.phi).toHaveLength(128);
    expect(plda.phi[0]).toBeCloseTo(119.18527389, 6); // scipy's eigh(B, W), largest first
    expect(plda.transform).toHaveLength(128 * 128);
    const ahc = join(tmp, "3.1");
    convertPyannote({ torchNameOrPath: `${MODELS}/config-3.1.yaml`, mlxPath: ahc });
    expect((JSON.parse(readFileSync(join(ahc, "config.json"), "utf8")) as { clustering: unknown }).clustering).toMatchObject({ method: "agglomerative", threshold: 0.7045654963945799, min_cluster_size: 12 });
    expect(existsSync(join(ahc, "plda.json"))).toBe(false);
  });

  it("a WeSpeaker-layout wespeaker.pt (no resnet. prefix, plus the ArcMargin head) converts to the same weights as pyannote's .bin", () => {
    const a = join(tmp, "from-pt");
    const b = join(tmp, "from-bin");
    expect(convertPyannote({ torchNameOrPath: WESPEAKER_PT, mlxPath: a }).kind).toBe("embedding");
    expect(convertPyannote({ torchNameOrPath: `${MODELS}/embedding/pytorch_model.bin`, mlxPath: b }).kind).toBe("embedding");
    expect(readFileSync(join(a, "weights.safetensors")).equals(readFileSync(join(b, "weights.safetensors")))).toBe(true);
    expect(readFileSync(join(a, "config.json"), "utf8")).toBe(readFileSync(join(b, "config.json"), "utf8"));
  });

  it("refuses a checkpoint with a foreign global, in one line, writing nothing", () => {
    const evil = join(tmp, "evil.bin");
    const marker = join(tmp, "pwned");
    writeFileSync(evil, torchZip(pickle({ t: "dict", entries: [["state_dict", { t: "dict", entries: [] }], ["pyannote.audio", { t: "dict", entries: [["specifications", call(g("os", "system"), `touch ${marker}`)]] }]] })));
    const out = join(tmp, "evil-out");
    expectOneLineRefusal(() => convertPyannote({ torchNameOrPath: evil, mlxPath: out }), /refused global 'os\.system'/, out);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a config.yaml that names a callable, or a Python tag, in one line, writing nothing", () => {
    for (const [name, extra] of [
      ["preprocessors", "preprocessors:\n  audio:\n    name: os.system\n    params:\n      command: touch /tmp/pwned\n"],
      ["python tag", "pipeline_hook: !!python/name:os.system\n"],
    ] as const) {
      const dir = join(tmp, `evil-${name.replace(" ", "-")}`);
      cpSync(MODELS, dir, { recursive: true });
      writeFileSync(join(dir, "config.yaml"), readFileSync(join(MODELS, "config.yaml"), "utf8") + extra);
      const out = join(tmp, `evil-${name.replace(" ", "-")}-out`);
      expectOneLineRefusal(() => convertPyannote({ torchNameOrPath: dir, mlxPath: out }), name === "preprocessors" ? /'preprocessors' is not part of a speaker-diarization pipeline config/ : /nothing in it was executed/, out);
    }
  });
});
