export * from "./runtime.js";
export * from "./npy.js";
export * from "./whisper/log-mel.js";
export * from "./whisper/load-model.js";
export * from "./whisper/model.js";
export * from "./whisper/backend.js";
export * from "./vad/silero.js";
export * from "./wav2vec2/model.js";
