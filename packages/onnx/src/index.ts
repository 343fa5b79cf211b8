export * from "./session.js";
export * from "./whisper/model.js";
export * from "./graph-cache.js";
export * from "./whisper/backend.js";
export * from "./wav2vec2/model.js";
export * from "./engine.js";
export * from "./diarize/segmentation.js";
export * from "./diarize/speaker-embedding.js";
