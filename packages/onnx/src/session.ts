/**
 * ONNX Runtime sessions for our graphs: CPU execution provider, graph optimisation 'all',
 * sequential execution, intra-op threads = physical cores (the settings measured fastest for
 * Whisper on 2 x86 cores), no memory arena. Errors from loading or running become one-line `OnnxModelError`s.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import * as ort from "onnxruntime-node";

/** A graph that cannot be loaded or does not fit the model it is used for. */
export class OnnxModelError extends Error {}

/** Threads for one session: `requested` when positive, else WHISPERX_ONNX_THREADS, else the machine's cores. */
export function onnxThreads(requested?: number): number {
  if (requested !== undefined && requested > 0) return requested;
  const env = Number.parseInt(process.env.WHISPERX_ONNX_THREADS ?? "", 10);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

/** How sessions are opened. */
export interface SessionOptions {
  /** Intra-op threads (0 or undefined: `onnxThreads()`'s default). */
  threads?: number;
}

/** What a graph must declare to be used as `role`. */
export interface GraphContract {
  role: string;
  inputs: string[];
  outputs: string[];
}

/**
 * Loads a graph (a file, or the bytes of one built in memory, named by `name`) and checks that it
 * has the inputs and outputs its role needs.
 */
export async function openSession(source: string | Uint8Array, contract: GraphContract, options: SessionOptions & { name?: string } = {}): Promise<ort.InferenceSession> {
  const file = typeof source === "string" ? source : (options.name ?? contract.role);
  if (typeof source === "string" && !existsSync(source)) throw new OnnxModelError(`${file}: no such file`);
  let session: ort.InferenceSession;
  try {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ["cpu"],
      graphOptimizationLevel: "all",
      executionMode: "sequential",
      intraOpNumThreads: onnxThreads(options.threads),
      interOpNumThreads: 1,
      // Without the arena, buffers go back to the allocator after each run: measured on a 30-min
      // file, peak RSS 1.04 GB instead of 1.75 GB (the arena keeps the largest activations of
      // every shape it has seen) at the same speed.
      enableCpuMemArena: false,
      // Nor memory patterns: the decoder's input shapes change every step, and each pattern
      // plans one block per shape; measured on a 40-minute file, peak RSS 1015 → 894 MB at the
      // same speed (70.5 vs 69.8 s).
      enableMemPattern: false,
    };
    session = typeof source === "string" ? await ort.InferenceSession.create(source, sessionOptions) : await ort.InferenceSession.create(source, sessionOptions);
  } catch (e) {
    throw new OnnxModelError(`${file}: not a loadable ONNX graph (${(e as Error).message.split("\n")[0]})`);
  }
  const missingIn = contract.inputs.filter((n) => !session.inputNames.includes(n));
  const missingOut = contract.outputs.filter((n) => !session.outputNames.includes(n));
  if (missingIn.length || missingOut.length) {
    await session.release();
    const what = [missingIn.length ? `inputs ${missingIn.join(", ")}` : "", missingOut.length ? `outputs ${missingOut.join(", ")}` : ""].filter(Boolean).join(" and ");
    throw new OnnxModelError(`${file}: not a ${contract.role} graph for this model (missing ${what})`);
  }
  return session;
}

/**
 * Runs a session (all outputs; only the `fetches` named; or those given as tensors, which ORT
 * writes into), turning ORT failures into one-line errors naming the graph.
 */
export async function runSession(session: ort.InferenceSession, name: string, feeds: Record<string, ort.Tensor>, fetches?: string[] | Record<string, ort.Tensor>): Promise<ort.InferenceSession.ReturnType> {
  try {
    return await (fetches ? session.run(feeds, fetches) : session.run(feeds));
  } catch (e) {
    throw new OnnxModelError(`${name}: inference failed (${(e as Error).message.split("\n")[0]})`);
  }
}

export { ort };
