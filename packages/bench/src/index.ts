export * from "./wer.js";
export * from "./rtf.js";
