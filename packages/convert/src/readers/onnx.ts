/**
 * ONNX models through `onnx-proto` (onnx.proto compiled with protobufjs): every constant tensor
 * (graph initializers and `Constant` nodes, in all nested subgraphs) with the nodes that use it.
 * A node input that no scope defines is a "missing initializer" error.
 */
import { readFileSync } from "node:fs";
import onnxProto from "onnx-proto";
import { ConvertError } from "../errors.js";
import { numel, type DType, type HostTensor } from "../tensor.js";

const { onnx } = onnxProto;
type GraphProto = onnxProto.onnx.IGraphProto;
type TensorProto = onnxProto.onnx.ITensorProto;

/** ONNX TensorProto.DataType → our dtype. */
const ONNX_DTYPES: Record<number, DType> = { 1: "float32", 2: "uint8", 3: "int8", 5: "int16", 6: "int32", 7: "int64", 9: "bool", 10: "float16", 11: "float64", 12: "uint32", 16: "bfloat16" };

/** A node of any (sub)graph, flattened. */
export interface OnnxNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  /** The chain of subgraph names from the main graph to the one holding this node. */
  scope: string[];
}

/** Constants and nodes of an ONNX model. */
export interface OnnxModel {
  tensors: Map<string, HostTensor>;
  nodes: OnnxNode[];
  opset: number;
}

function toNum(v: unknown): number {
  return typeof v === "number" ? v : Number(v as bigint);
}

/** Decodes a TensorProto into a host tensor. */
export function onnxTensor(t: TensorProto, file: string): HostTensor {
  const dtype = ONNX_DTYPES[t.dataType ?? 0];
  if (!dtype) throw new ConvertError(file, `tensor '${t.name}' has unsupported ONNX data type ${t.dataType}`);
  if (t.dataLocation === 1) throw new ConvertError(file, `tensor '${t.name}' uses external data, which is not supported`);
  const shape = (t.dims ?? []).map(toNum);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new ConvertError(file, `tensor '${t.name}' has an invalid shape`);
  const n = numel(shape);
  let data: Uint8Array;
  if (t.rawData && t.rawData.length) {
    data = Uint8Array.from(t.rawData);
  } else if (dtype === "float32" && t.floatData?.length) {
    data = new Uint8Array(Float32Array.from(t.floatData).buffer);
  } else if (dtype === "int64" && t.int64Data?.length) {
    data = new Uint8Array(BigInt64Array.from(t.int64Data.map((x) => BigInt(toNum(x)))).buffer);
  } else if ((dtype === "int32" || dtype === "int8" || dtype === "uint8" || dtype === "bool" || dtype === "int16") && t.int32Data?.length) {
    const vals = t.int32Data;
    data = dtype === "int32" ? new Uint8Array(Int32Array.from(vals).buffer) : Uint8Array.from(vals.map((x) => x & 0xff));
  } else if (dtype === "float64" && t.doubleData?.length) {
    data = new Uint8Array(Float64Array.from(t.doubleData).buffer);
  } else {
    data = new Uint8Array(0);
  }
  const size = { float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1, uint32: 4 }[dtype];
  if (data.length !== n * size) throw new ConvertError(file, `tensor '${t.name}' holds ${data.length} bytes, its shape needs ${n * size}`);
  return { dtype, shape, data };
}

/** Reads an ONNX model file. */
export function readOnnx(file: string): OnnxModel {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new ConvertError(file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseOnnx(buf, file);
}

/** Parses ONNX bytes (see `readOnnx`). */
export function parseOnnx(buf: Uint8Array, file: string): OnnxModel {
  let model: InstanceType<typeof onnx.ModelProto>;
  try {
    model = onnx.ModelProto.decode(buf);
  } catch (e) {
    throw new ConvertError(file, `not a valid ONNX protobuf (${(e as Error).message})`);
  }
  if (!model.graph || !model.graph.node?.length) throw new ConvertError(file, "ONNX model has no graph");
  const tensors = new Map<string, HostTensor>();
  const nodes: OnnxNode[] = [];
  const walk = (g: GraphProto, scope: string[], outer: Set<string>) => {
    const known = new Set(outer);
    for (const i of g.input ?? []) if (i.name) known.add(i.name);
    for (const t of g.initializer ?? []) {
      tensors.set(t.name ?? "", onnxTensor(t, file));
      known.add(t.name ?? "");
    }
    for (const n of g.node ?? []) {
      for (const i of n.input ?? []) {
        if (i && !known.has(i)) throw new ConvertError(file, `node '${n.name}' (${n.opType}) uses '${i}', which no initializer, input or earlier node defines (missing initializer?)`);
      }
      if (n.opType === "Constant") {
        const value = n.attribute?.find((a) => a.name === "value")?.t;
        if (value) tensors.set(n.output?.[0] ?? "", onnxTensor({ ...value, name: n.output?.[0] } as TensorProto, file));
      }
      nodes.push({ opType: n.opType ?? "", name: n.name ?? "", inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], scope });
      for (const a of n.attribute ?? []) {
        for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) walk(sub, [...scope, sub.name ?? ""], known);
      }
      for (const o of n.output ?? []) known.add(o);
    }
  };
  walk(model.graph, [model.graph.name ?? ""], new Set());
  const opset = Math.max(0, ...(model.opsetImport ?? []).filter((o) => !o.domain).map((o) => toNum(o.version)));
  return { tensors, nodes, opset };
}
