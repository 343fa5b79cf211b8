import { ort } from "@whisperx-mlx/onnx";
const acc = new Map();
const orig = ort.InferenceSession.prototype.run;
ort.InferenceSession.prototype.run = async function (...a) {
  const t = performance.now(); const r = await orig.apply(this, a);
  const k = this.inputNames.slice(0, 3).join(",") + " b" + (Object.values(a[0])[0]?.dims?.[0] ?? "?");
  const e = acc.get(k) ?? [0, 0]; e[0] += performance.now() - t; e[1]++; acc.set(k, e); return r;
};
const { loadModel } = await import("./dist/index.js");
const { readdirSync } = await import("node:fs");
const A = "/work/shared/fixtures/synth-whisper-256/audio";
const files = process.argv[2] === "long" ? [`${A}/longform_000.wav`] : readdirSync(A).filter((f) => f !== "longform_000.wav").sort().slice(0, 30).map((f) => `${A}/${f}`);
const p = await loadModel("synth-whisper-256", { language: "en", asrOptions: { beamSize: 1 } });
const t = performance.now(); let n = 0;
for await (const r of p.transcribeFiles(files, {})) n++;
console.log(n, ((performance.now() - t) / 1000).toFixed(2));
for (const [k, [ms, c]] of [...acc].sort((a, b) => b[1][0] - a[1][0])) console.log(ms.toFixed(0).padStart(6), "ms", String(c).padStart(5), k);
await p.close();
