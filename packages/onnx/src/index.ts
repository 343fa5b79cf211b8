export * from "./session.js";
export * from "./whisper/model.js";
