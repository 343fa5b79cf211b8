export * from "./args.js";
export * from "./whisperx-flags.js";
