/** The versions of this package and the runtimes it drives (`whisperx -P`). */
import { mlxPackageVersion } from "@whisperx-mlx/mlx-native";
import { ort } from "@whisperx-mlx/onnx";
import { VERSION } from "./version.js";

/** Component → version. */
export function runtimeVersions(): Record<string, string> {
  return { "Node.js": process.versions.node, "whisperx-mlx": VERSION, "onnxruntime-node": ort.env.versions.node ?? "unknown", "@frost-beta/mlx": mlxPackageVersion() };
}
