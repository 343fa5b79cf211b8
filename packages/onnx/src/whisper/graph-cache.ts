/**
 * The cache of converted graphs: an MLX model directory gets its ONNX graphs built once, into
 * `<model dir>/.onnx-cache/<sha256 of the weights, 16 hex>/` (or, when the model directory is
 * read-only, `$XDG_CACHE_HOME/whisperx-mlx/onnx/<same>/`), and reused while the weights match.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { convertWhisperToOnnx, fileSha256, type WhisperOnnxManifest } from "@whisperx-mlx/convert";
import { OnnxModelError } from "../session.js";

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The directory of ONNX graphs for `dir` (an ONNX model directory, or an MLX one to convert). */
export function onnxGraphDir(dir: string, onBuild?: (message: string) => void): string {
  if (existsSync(join(dir, "onnx.json"))) return dir;
  const weights = join(dir, "weights.safetensors");
  if (!existsSync(join(dir, "config.json")) || !existsSync(weights)) throw new OnnxModelError(`${dir}: neither an ONNX model directory (onnx.json) nor an MLX Whisper directory (config.json + weights.safetensors)`);
  const sha = fileSha256(weights);
  const key = sha.slice(0, 16);
  const candidates = [join(dir, ".onnx-cache"), join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "onnx")];
  for (const root of candidates) {
    const target = join(root, key);
    try {
      const m = JSON.parse(readFileSync(join(target, "onnx.json"), "utf8")) as WhisperOnnxManifest;
      if (m.sourceSha256 === sha) return target;
    } catch {
      // not built here yet
    }
  }
  const root = candidates.find(writableDir);
  if (!root) throw new OnnxModelError(`${dir}: cannot build ONNX graphs (no writable cache directory among ${candidates.join(", ")})`);
  const target = join(root, key);
  onBuild?.(`building ONNX graphs for ${dir} (once) → ${target}`);
  convertWhisperToOnnx(dir, target, { force: true });
  return target;
}
