export * from "./errors.js";
export * from "./tensor.js";
export * from "./readers/pickle.js";
export * from "./readers/torch.js";
export * from "./readers/safetensors.js";
export * from "./families/whisper.js";
export * from "./writers/mlx-model.js";
export * from "./convert-whisper.js";
