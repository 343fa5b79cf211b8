import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ConvertError } from "../errors.js";
import { writeSafetensors } from "../readers/safetensors.js";
import type { HostTensor } from "../tensor.js";

/**
 * Writes `config.json` + `weights.safetensors` into `dir` atomically: everything goes into a
 * sibling temp directory that is renamed into place, so a failure never leaves a partial model.
 */
export function writeMlxModel(dir: string, config: object, tensors: Map<string, HostTensor>, options: { force?: boolean } = {}): void {
  const target = resolve(dir);
  if (existsSync(target) && !options.force) throw new ConvertError(dir, "output already exists (use --force to overwrite)");
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.tmp-${process.pid}-${Date.now()}`);
  try {
    mkdirSync(tmp);
    writeFileSync(join(tmp, "config.json"), JSON.stringify(config, null, 2) + "\n");
    writeSafetensors(join(tmp, "weights.safetensors"), tensors, { format: "mlx" });
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof ConvertError) throw e;
    throw new ConvertError(dir, `cannot write output (${(e as Error).message})`);
  }
}
