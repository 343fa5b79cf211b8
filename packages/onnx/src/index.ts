export * from "./session.js";
export * from "./whisper/model.js";
export * from "./whisper/graph-cache.js";
export * from "./whisper/backend.js";
