import { ConvertError } from "../errors.js";
import type { HostTensor } from "../tensor.js";
import { readSafetensors } from "./safetensors.js";
import { isHostTensor, readTorchCheckpoint } from "./torch.js";

/**
 * A flat state dict from safetensors (single or sharded index) or a PyTorch zip checkpoint
 * (a bare state dict, or one under a `state_dict` key).
 */
export function readStateDict(file: string): Map<string, HostTensor> {
  if (file.endsWith(".safetensors") || file.endsWith(".index.json")) return readSafetensors(file);
  const sd = readTorchCheckpoint(file);
  if (!sd || typeof sd !== "object" || Array.isArray(sd) || isHostTensor(sd)) throw new ConvertError(file, "not a state dict");
  const root = ("state_dict" in sd && sd.state_dict && typeof sd.state_dict === "object" ? sd.state_dict : sd) as Record<string, unknown>;
  const out = new Map<string, HostTensor>();
  for (const [k, v] of Object.entries(root)) if (isHostTensor(v)) out.set(k, v);
  return out;
}
