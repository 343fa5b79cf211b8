/** The `config.json` of a model directory written by `convert` (diarization networks, Silero VAD). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OnnxModelError } from "./session.js";

/** Reads a converted model directory's `config.json`, checking its `model_type`. */
export function readModelConfig<T extends { model_type: string }>(dir: string, type: T["model_type"]): T {
  let config: T;
  try {
    config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")) as T;
  } catch (e) {
    throw new OnnxModelError(`${dir}: no readable config.json (${(e as Error).message.split("\n")[0]})`);
  }
  if (config.model_type !== type) throw new OnnxModelError(`${join(dir, "config.json")}: model_type is '${config.model_type}', expected '${type}'`);
  return config;
}
