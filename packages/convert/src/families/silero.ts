/**
 * Silero VAD v5/v6 → one MLX layout, from the ONNX file or the TorchScript archive.
 *
 * Layout (16 kHz; 8 kHz has a 128-tap STFT and 65 bins):
 * | name | shape | what |
 * |---|---|---|
 * | `stft.weight` | (258, 256, 1) | STFT basis as a conv (out, k, in), stride 128, real then imaginary rows |
 * | `encoder.{0..3}.weight` / `.bias` | (128,3,129) (64,3,128) (64,3,64) (128,3,64) | reparametrized convs, strides 1,2,2,1, each + ReLU |
 * | `lstm.weight_ih`, `lstm.weight_hh` | (512, 128) | one LSTM cell, PyTorch gate order i, f, g, o |
 * | `lstm.bias_ih`, `lstm.bias_hh` | (512) | |
 * | `decoder.weight` / `.bias` | (1, 1, 128) / (1) | ReLU → 1×1 conv → sigmoid, then the mean over time |
 */
import { ConvertError } from "../errors.js";
import { parseTorchCheckpoint, flattenTensors } from "../readers/torch.js";
import { readOnnx } from "../readers/onnx.js";
import { permute, type HostTensor } from "../tensor.js";
import { readFileSync } from "node:fs";

/** `config.json` of a converted Silero model. */
export interface SileroConfig {
  model_type: "silero-vad";
  sample_rate: 8000 | 16000;
  window_size_samples: number;
  context_size_samples: number;
  hidden_size: number;
  stft_hop: number;
  source: string;
}

function sileroConfig(sampleRate: 8000 | 16000, source: string): SileroConfig {
  return {
    model_type: "silero-vad",
    sample_rate: sampleRate,
    window_size_samples: sampleRate === 16000 ? 512 : 256,
    context_size_samples: sampleRate === 16000 ? 64 : 32,
    hidden_size: 128,
    stft_hop: sampleRate === 16000 ? 128 : 64,
    source,
  };
}

function toMlxConv(t: HostTensor): HostTensor {
  return permute(t, [0, 2, 1]);
}

function check(out: Map<string, HostTensor>, file: string, sampleRate: number): Map<string, HostTensor> {
  const nBins = sampleRate === 16000 ? 129 : 65;
  const expect: Record<string, number[]> = {
    "stft.weight": [2 * nBins, sampleRate === 16000 ? 256 : 128, 1],
    "encoder.0.weight": [128, 3, nBins],
    "encoder.1.weight": [64, 3, 128],
    "encoder.2.weight": [64, 3, 64],
    "encoder.3.weight": [128, 3, 64],
    "lstm.weight_ih": [512, 128],
    "lstm.weight_hh": [512, 128],
    "decoder.weight": [1, 1, 128],
  };
  for (const [k, shape] of Object.entries(expect)) {
    const t = out.get(k);
    if (!t) throw new ConvertError(file, `Silero model: '${k}' not found (is this Silero VAD v5/v6?)`);
    if (t.shape.join() !== shape.join()) throw new ConvertError(file, `Silero model: '${k}' has shape [${t.shape}], expected [${shape}]`);
  }
  return out;
}

/** Builds the MLX layout from a getter of Silero's own (PyTorch) parameter names. */
function sileroLayout(get: (name: string) => HostTensor): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  out.set("stft.weight", toMlxConv(get("stft.forward_basis_buffer")));
  for (let i = 0; i < 4; i++) {
    out.set(`encoder.${i}.weight`, toMlxConv(get(`encoder.${i}.reparam_conv.weight`)));
    out.set(`encoder.${i}.bias`, get(`encoder.${i}.reparam_conv.bias`));
  }
  for (const k of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) out.set(`lstm.${k}`, get(`decoder.rnn.${k}`));
  out.set("decoder.weight", toMlxConv(get("decoder.decoder.2.weight")));
  out.set("decoder.bias", get("decoder.decoder.2.bias"));
  return out;
}

/** Reads Silero weights from the TorchScript archive (`silero_vad.jit`). */
export function readSileroJit(file: string, sampleRate: 8000 | 16000 = 16000): { config: SileroConfig; tensors: Map<string, HostTensor> } {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (e) {
    throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const flat = flattenTensors(parseTorchCheckpoint(raw, file, { torchScript: true }));
  const p = sampleRate === 16000 ? "_model" : "_model_8k";
  const get = (k: string) => {
    const t = flat.get(`${p}.${k}`);
    if (!t) throw new ConvertError(file, `TorchScript archive has no '${p}.${k}' (is this Silero VAD v5/v6?)`);
    return t;
  };
  return { config: sileroConfig(sampleRate, "torchscript"), tensors: check(sileroLayout(get), file, sampleRate) };
}

/**
 * Reads Silero weights from the ONNX file. The v5/v6 graph holds both sample rates in `If`
 * branches whose `Constant` nodes keep the PyTorch parameter names (`…__encoder.0.reparam_conv.weight`);
 * the branch is recognised by its STFT basis shape. The exporter's slicing of the LSTM weights
 * into ONNX gate order (i, o, f, c) happens after these constants, so they are in PyTorch order.
 */
export function readSileroOnnx(file: string, sampleRate: 8000 | 16000 = 16000): { config: SileroConfig; tensors: Map<string, HostTensor> } {
  const model = readOnnx(file);
  const kernel = sampleRate === 16000 ? 256 : 128;
  const basisShape = [kernel + 2, 1, kernel].join();
  const basisKey = [...model.tensors.keys()].find((k) => k.endsWith("stft.forward_basis_buffer") && model.tensors.get(k)?.shape.join() === basisShape);
  if (!basisKey) throw new ConvertError(file, `no ${sampleRate} Hz STFT basis found (is this Silero VAD v5/v6 ONNX?)`);
  const prefix = basisKey.slice(0, basisKey.length - "stft.forward_basis_buffer".length);
  const get = (k: string) => {
    const t = model.tensors.get(prefix + k);
    if (!t) throw new ConvertError(file, `missing initializer '${prefix + k}'`);
    return t;
  };
  return { config: sileroConfig(sampleRate, "onnx"), tensors: check(sileroLayout(get), file, sampleRate) };
}

/** Reads Silero from either source, by extension or magic. */
export function readSileroSource(file: string, sampleRate: 8000 | 16000 = 16000): { config: SileroConfig; tensors: Map<string, HostTensor> } {
  return /\.(jit|pt|pth)$/i.test(file) ? readSileroJit(file, sampleRate) : readSileroOnnx(file, sampleRate);
}
