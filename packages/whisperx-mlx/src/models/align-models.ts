/**
 * Alignment models: WhisperX's default per language (`alignment.py`; reference-semantics §1.4),
 * or a directory, Hub id or torchaudio bundle. torchaudio checkpoints come from torch's own cache
 * (`$TORCH_HOME/hub/checkpoints`) or its download server.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { TORCHAUDIO_BUNDLES } from "@whisperx-mlx/convert";
import { downloadUrl, HubError, hubOptionsFromEnv } from "@whisperx-mlx/core";
import { bundledModel, DEMO_ALIGN_MODEL, DEMO_MODEL } from "./bundled.js";
import { convertedFromHub, HUB_ID } from "./hub-models.js";
import { convertOnce, ModelResolveError, type ModelSourceOptions } from "./model-source.js";

/** WhisperX's default alignment models per language. English is torchaudio's WAV2VEC2_ASR_BASE_960H. */
export const DEFAULT_ALIGN_MODELS: Readonly<Record<string, string>> = {
  en: "torchaudio:WAV2VEC2_ASR_BASE_960H",
  fr: "torchaudio:VOXPOPULI_ASR_BASE_10K_FR",
  de: "torchaudio:VOXPOPULI_ASR_BASE_10K_DE",
  es: "torchaudio:VOXPOPULI_ASR_BASE_10K_ES",
  it: "torchaudio:VOXPOPULI_ASR_BASE_10K_IT",
  ja: "jonatasgrosman/wav2vec2-large-xlsr-53-japanese",
  zh: "jonatasgrosman/wav2vec2-large-xlsr-53-chinese-zh-cn",
  nl: "jonatasgrosman/wav2vec2-large-xlsr-53-dutch",
  uk: "Yehor/wav2vec2-xls-r-300m-uk-with-small-lm",
  pt: "jonatasgrosman/wav2vec2-large-xlsr-53-portuguese",
  ar: "jonatasgrosman/wav2vec2-large-xlsr-53-arabic",
  cs: "comodoro/wav2vec2-xls-r-300m-cs-250",
  ru: "jonatasgrosman/wav2vec2-large-xlsr-53-russian",
  pl: "jonatasgrosman/wav2vec2-large-xlsr-53-polish",
  hu: "jonatasgrosman/wav2vec2-large-xlsr-53-hungarian",
  fi: "jonatasgrosman/wav2vec2-large-xlsr-53-finnish",
  fa: "jonatasgrosman/wav2vec2-large-xlsr-53-persian",
  el: "jonatasgrosman/wav2vec2-large-xlsr-53-greek",
  tr: "mpoyraz/wav2vec2-xls-r-300m-cv7-turkish",
  da: "saattrupdan/wav2vec2-xls-r-300m-ftspeech",
  he: "imvladikon/wav2vec2-xls-r-300m-hebrew",
  vi: "nguyenvulebinh/wav2vec2-base-vi-vlsp2020",
  ko: "kresnik/wav2vec2-large-xlsr-korean",
  ur: "kingabzpro/wav2vec2-large-xls-r-300m-Urdu",
  te: "anuragshas/wav2vec2-large-xlsr-53-telugu",
  hi: "theainerd/Wav2Vec2-large-xlsr-hindi",
  ca: "softcatala/wav2vec2-large-xlsr-catala",
  ml: "gvs/wav2vec2-large-xlsr-malayalam",
  no: "NbAiLab/nb-wav2vec2-1b-bokmaal-v2",
  nn: "NbAiLab/nb-wav2vec2-1b-nynorsk",
  sk: "comodoro/wav2vec2-xls-r-300m-sk-cv8",
  sl: "anton-l/wav2vec2-large-xlsr-53-slovenian",
  hr: "classla/wav2vec2-xls-r-parlaspeech-hr",
  ro: "gigant/romanian-wav2vec2",
  eu: "stefan-it/wav2vec2-large-xlsr-53-basque",
  gl: "ifrz/wav2vec2-large-xlsr-galician",
  ka: "xsway/wav2vec2-large-xlsr-georgian",
  lv: "jimregan/wav2vec2-large-xlsr-latvian-cv",
  tl: "Khalsuu/filipino-wav2vec2-l-xls-r-300m-official",
  sv: "KBLab/wav2vec2-large-voxrex-swedish",
  id: "cahya/wav2vec2-large-xlsr-indonesian",
};

/** Where an alignment model name leads, before anything is downloaded. */
export type AlignModelSource = { kind: "directory"; path: string } | { kind: "bundled"; path: string } | { kind: "hub"; repo: string } | { kind: "torchaudio"; bundle: string; file: string };

/**
 * Classifies an alignment model name as `resolveAlignModel` will load it: a directory, a bundled
 * demo model, a Hub id (converted from transformers' Wav2Vec2ForCTC) or a torchaudio bundle
 * (`torchaudio:NAME` or `NAME`). Throws for anything else.
 */
export function alignModelSource(name: string): AlignModelSource {
  if (existsSync(name) && statSync(name).isDirectory()) return { kind: "directory", path: name };
  const bundled = bundledModel(name);
  if (bundled) return { kind: "bundled", path: bundled };
  if (HUB_ID.test(name)) return { kind: "hub", repo: name };
  const bundle = name.replace(/^torchaudio:/, "");
  const spec = TORCHAUDIO_BUNDLES[bundle];
  if (spec) return { kind: "torchaudio", bundle, file: spec.file };
  if (name.startsWith("torchaudio:")) throw new ModelResolveError(`align model '${name}': not a torchaudio wav2vec2 ASR bundle this build knows (${Object.keys(TORCHAUDIO_BUNDLES).join(", ")})`);
  throw new ModelResolveError(`align model '${name}': not a model directory, Hub id or torchaudio bundle`);
}

/**
 * The aligner for `language` when none is named: WhisperX's default, except that English with the
 * bundled demo Whisper model gets the bundled demo aligner (both know only the same synthetic speech).
 */
export function defaultAlignModelName(language: string, asrModelDir?: string): string {
  const demoAsr = bundledModel(DEMO_MODEL);
  if (language === "en" && asrModelDir !== undefined && demoAsr !== undefined && sameDir(asrModelDir, demoAsr)) return DEMO_ALIGN_MODEL;
  const name = DEFAULT_ALIGN_MODELS[language];
  if (!name) throw new ModelResolveError(`no default alignment model for language '${language}'; pass --align_model or --no_align`);
  return name;
}

function sameDir(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** The MLX directory of an alignment model given by directory, bundled name, Hub id or torchaudio bundle (`torchaudio:NAME` or `NAME`). */
export async function resolveAlignModel(name: string, options: ModelSourceOptions = {}): Promise<string> {
  const source = alignModelSource(name);
  switch (source.kind) {
    case "directory":
    case "bundled":
      return source.path;
    case "hub":
      return convertedFromHub(source.repo, "wav2vec2", options);
    case "torchaudio":
      return fromTorchaudio(source.bundle, source.file, options);
  }
}

/** A torchaudio bundle's checkpoint, from `$TORCH_HOME/hub/checkpoints` (torch's cache) or downloaded there, converted once. */
async function fromTorchaudio(bundle: string, file: string, options: ModelSourceOptions): Promise<string> {
  const torchHome = process.env.TORCH_HOME ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "torch");
  const dest = join(torchHome, "hub", "checkpoints", file);
  const base = (process.env.WHISPERX_TORCHAUDIO_URL ?? "https://download.pytorch.org/torchaudio/models").replace(/\/+$/, "");
  try {
    await downloadUrl(`${base}/${file}`, dest, { onProgress: options.onLog, offline: options.localFilesOnly ?? hubOptionsFromEnv().offline });
  } catch (e) {
    if (e instanceof HubError) throw new ModelResolveError(`align model torchaudio:${bundle}: ${e.message}`);
    throw e;
  }
  // Keyed by the checkpoint's size and time, so a replaced file is converted again.
  const stat = statSync(dest);
  return convertOnce("wav2vec2", dest, join(`torchaudio--${bundle}`, `${stat.size}-${Math.round(stat.mtimeMs)}-float32`), "float32", options.onLog);
}
