/**
 * The cache of converted graphs: an MLX model directory (Whisper or wav2vec2) gets its ONNX graphs
 * built once, into
 * `<model dir>/.onnx-cache/<sha256 of the weights, 16 hex>/` (or, when the model directory is
 * read-only, `$XDG_CACHE_HOME/whisperx-mlx/onnx/<same>/`), and reused while the weights and the
 * graph version match.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { convertMlxToOnnx, fileSha256, mlxWeightsFile, ONNX_GRAPH_VERSION, type OnnxManifest, type WeightFormat } from "@whisperx-mlx/convert";
import { writeFileAtomic } from "@whisperx-mlx/core";
import { OnnxModelError } from "./session.js";

/** Reads `onnx.json` of a graph directory, checking the family and graph version. */
export function readManifest<F extends OnnxManifest["family"]>(dir: string, family: F): Extract<OnnxManifest, { family: F }> {
  let m: OnnxManifest;
  try {
    m = JSON.parse(readFileSync(join(dir, "onnx.json"), "utf8")) as OnnxManifest;
  } catch (e) {
    throw new OnnxModelError(`${dir}: no readable onnx.json (${(e as Error).message.split("\n")[0]}); write one with pnpm convert … --to onnx`);
  }
  if (m.format !== "whisperx-mlx-onnx" || m.family !== family) throw new OnnxModelError(`${dir}/onnx.json: not a ${family} ONNX model`);
  if (m.graphVersion !== ONNX_GRAPH_VERSION[family]) throw new OnnxModelError(`${dir}: ${family} graphs of version ${m.graphVersion ?? 1}, this engine needs version ${ONNX_GRAPH_VERSION[family]}; convert again with --to onnx --force`);
  return m as Extract<OnnxManifest, { family: F }>;
}

function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * SHA-256 of the weights file, remembered in `<dir>/.onnx-cache/source.json` under the file's
 * size, mtime and inode (git's trick): hashing costs 0.1–0.25 s a run at the bundled models' size
 * and far more for real ones; a rewritten file changes its mtime and is hashed again.
 */
export function weightsSha256(dir: string, weightsFile = join(dir, "weights.safetensors")): string {
  const st = statSync(weightsFile);
  const stamp = { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  const memo = join(dir, ".onnx-cache", "source.json");
  try {
    const m = JSON.parse(readFileSync(memo, "utf8")) as typeof stamp & { sha256: string };
    if (m.size === stamp.size && m.mtimeMs === stamp.mtimeMs && m.ino === stamp.ino && /^[0-9a-f]{64}$/.test(m.sha256)) return m.sha256;
  } catch {
    // not remembered yet
  }
  const sha256 = fileSha256(weightsFile);
  try {
    mkdirSync(join(dir, ".onnx-cache"), { recursive: true });
    writeFileAtomic(memo, JSON.stringify({ ...stamp, sha256 }) + "\n");
  } catch {
    // a read-only model directory: hash every time
  }
  return sha256;
}

/** The directory of ONNX graphs for `dir` (an ONNX model directory, or an MLX one to convert). */
export function onnxGraphDir(dir: string, onBuild?: (message: string) => void, weights: WeightFormat = "float32"): string {
  if (existsSync(join(dir, "onnx.json"))) return dir;
  const weightsFile = mlxWeightsFile(dir);
  if (!existsSync(join(dir, "config.json")) || !weightsFile) throw new OnnxModelError(`${dir}: neither an ONNX model directory (onnx.json) nor an MLX model directory (config.json + weights.safetensors or weights.npz)`);
  let sha: string;
  try {
    sha = weightsSha256(dir, weightsFile);
  } catch (e) {
    throw new OnnxModelError(`${weightsFile}: cannot read (${(e as Error).message.split("\n")[0]})`);
  }
  const key = sha.slice(0, 16) + (weights === "float32" ? "" : `-${weights}`);
  const candidates = [join(dir, ".onnx-cache"), join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "whisperx-mlx", "onnx")];
  for (const root of candidates) {
    const target = join(root, key);
    try {
      const m = JSON.parse(readFileSync(join(target, "onnx.json"), "utf8")) as OnnxManifest;
      const weighted = m.family === "whisper" ? m.graphs.decoder : m.graphs.wav2vec2;
      // Graphs cached before weights went to external data are built again (see below).
      if (m.sourceSha256 === sha && m.graphVersion === ONNX_GRAPH_VERSION[m.family] && (m.family !== "whisper" || m.weights === weights) && existsSync(join(target, `${weighted}.data`))) return target;
    } catch {
      // not built here yet
    }
  }
  const root = candidates.find(writableDir);
  if (!root) throw new OnnxModelError(`${dir}: cannot build ONNX graphs (no writable cache directory among ${candidates.join(", ")})`);
  const target = join(root, key);
  onBuild?.(`building ${weights === "float32" ? "" : `${weights} `}ONNX graphs for ${dir} (once) → ${target}`);
  try {
    // Weights as external data: ONNX Runtime maps the file instead of parsing a 68 MB protobuf,
    // which cut the bundled decoder's session creation from ~215 to ~100 ms.
    convertMlxToOnnx(dir, target, { force: true, weights, sourceSha256: sha, externalData: true });
  } catch (e) {
    // A bad MLX directory is reported like any other model error: one line, naming it.
    throw new OnnxModelError((e as Error).message.split("\n")[0]);
  }
  return target;
}
