/**
 * A small typed builder for ONNX graphs, serialised with `onnx-proto` (onnx's own schema compiled
 * by protobufjs). Nodes get unique output names; initializers carry raw little-endian data, inside
 * the protobuf or, past protobuf's 2 GiB limit, as ONNX external data in a file beside it.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { basename } from "node:path";
import onnxProto from "onnx-proto";
import type { HostTensor } from "../tensor.js";

const { onnx } = onnxProto;

/** ONNX element types we write. */
export const ONNX_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type OnnxElemType = keyof typeof ONNX_TYPE;

/** Initializer bytes above which `writeTo` moves weights out of the protobuf (its limit is 2 GiB for the whole model). */
export const EXTERNAL_DATA_THRESHOLD = 1536 * 1024 * 1024;
/** Tensors at least this large go to the external data file; smaller ones stay inline. */
const EXTERNAL_MIN_BYTES = 1024;
/** Offsets in the external data file are page-aligned, so ONNX Runtime can map them. */
const EXTERNAL_ALIGN = 4096;

/** How a graph stores linear-layer weights. */
export type WeightFormat = "float32" | "int8" | "int4";

/** An attribute value: numbers are INT unless listed in `floats`, arrays become INTS/FLOATS. */
export type AttrValue = number | number[] | string | { float: number } | { floats: number[] } | { tensor: HostTensor };

/** A graph input or output: element type and shape (strings are symbolic dims). */
export interface ValueSpec {
  type: OnnxElemType;
  shape: (number | string)[];
}

/** Builds one ONNX graph. */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /**
   * How linear layers store their weights in this graph: float32; int8 with per-column scales
   * run through ONNX Runtime's dynamic quantisation (`DynamicQuantizeMatMul`); or int4 blocks of
   * 32 with a scale each, run by `com.microsoft` `MatMulNBits` (weight-only).
   */
  constructor(
    readonly name: string,
    readonly weights: WeightFormat = "float32",
    /**
     * A file to stream initializers of 1 KiB and more into as they are added (ONNX external
     * data), so the builder never holds the graph's weights; `writeTo` must then be given the
     * graph file whose name plus `.data` this is.
     */
    readonly externalData?: string,
  ) {
    if (externalData) this.sink = { fd: openSync(externalData, "w"), offset: 0, name: basename(externalData) };
  }

  private sink?: { fd: number; offset: number; name: string };

  private valueInfo(name: string, spec: ValueSpec): onnxProto.onnx.IValueInfoProto {
    return {
      name,
      type: { tensorType: { elemType: ONNX_TYPE[spec.type], shape: { dim: spec.shape.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) } } },
    };
  }

  /** Declares a graph input and returns its name. */
  input(name: string, spec: ValueSpec): string {
    this.claim(name);
    this.inputs.push(this.valueInfo(name, spec));
    return name;
  }

  /** Declares `value` as a graph output named `name` (through an Identity when renamed). */
  output(value: string, name: string, spec: ValueSpec): void {
    if (value !== name) this.node("Identity", [value], { outputs: [name] });
    this.outputs.push(this.valueInfo(name, spec));
  }

  /** Adds a constant tensor and returns its name. */
  initializer(name: string, t: HostTensor): string {
    this.claim(name);
    return this.addInitializer(name, t);
  }

  private addInitializer(name: string, t: HostTensor): string {
    const dataType = ONNX_TYPE[t.dtype as OnnxElemType];
    if (!dataType) throw new Error(`ONNX initializer '${name}': unsupported dtype ${t.dtype}`);
    if (this.sink && t.data.length >= EXTERNAL_MIN_BYTES) {
      this.initializers.push(externalTensor({ name, dims: t.shape, dataType }, t.data, this.sink));
    } else {
      this.initializers.push({ name, dims: t.shape, dataType, rawData: t.data });
    }
    return name;
  }

  /** A float32 constant from numbers. */
  constFloat(values: number[] | Float32Array, shape: number[] = [values.length]): string {
    const f = Float32Array.from(values);
    return this.addInitializer(this.fresh("c"), { dtype: "float32", shape, data: new Uint8Array(f.buffer) });
  }

  /** An int64 constant from numbers. */
  constInt(values: number[], shape: number[] = [values.length]): string {
    const f = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.addInitializer(this.fresh("c"), { dtype: "int64", shape, data: new Uint8Array(f.buffer) });
  }

  /** Adds a node; returns its output names (one unless `outputs` or `nOutputs` says otherwise). */
  node(op: string, inputs: string[], o: { attrs?: Record<string, AttrValue>; outputs?: string[]; nOutputs?: number; domain?: string } = {}): string[] {
    const outputs = o.outputs ?? Array.from({ length: o.nOutputs ?? 1 }, () => this.fresh(op));
    for (const n of o.outputs ?? []) this.claim(n);
    const attribute = Object.entries(o.attrs ?? {}).map(([name, v]) => attr(name, v));
    this.nodes.push({ opType: op, domain: o.domain ?? "", name: this.fresh(`${op}_node`), input: inputs, output: outputs, attribute });
    return outputs;
  }

  /** `node` with a single output. */
  op(op: string, inputs: string[], attrs?: Record<string, AttrValue>, domain?: string): string {
    return this.node(op, inputs, { attrs, domain })[0];
  }

  private fresh(prefix: string): string {
    let n: string;
    do n = `${prefix}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`ONNX graph '${this.name}': duplicate name '${name}'`);
    this.names.add(name);
  }

  /** Metadata written with the model (`metadata_props`). */
  readonly metadata: Record<string, string> = {};

  /** Bytes of all initializers' data. */
  get initializerBytes(): number {
    return this.initializers.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
  }

  private encode(initializer: onnxProto.onnx.ITensorProto[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: "whisperx-mlx convert",
      opsetImport: [{ domain: "", version: 17 }, { domain: "com.microsoft", version: 1 }],
      metadataProps: Object.entries(this.metadata).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /** Serialises the model (opset 17 plus `com.microsoft` 1) with every initializer inline. */
  toBytes(): Uint8Array {
    return this.encode(this.initializers);
  }

  /**
   * Writes the model to `file`. Past `EXTERNAL_DATA_THRESHOLD` (or with `external: true`) the
   * initializers of 1 KiB and more are streamed, tensor by tensor, into `<file>.data` beside it
   * (`data_location = EXTERNAL`, page-aligned offsets) and the protobuf keeps only the graph.
   * Returns the names of the files written.
   */
  writeTo(file: string, options: { external?: boolean } = {}): string[] {
    if (this.sink) {
      closeSync(this.sink.fd);
      if (this.sink.name !== `${basename(file)}.data`) throw new Error(`ONNX graph '${this.name}': its external data ${this.sink.name} does not belong to ${basename(file)}`);
      writeFileAll(file, this.encode(this.initializers));
      return [basename(file), this.sink.name];
    }
    const external = options.external ?? this.initializerBytes > EXTERNAL_DATA_THRESHOLD;
    if (!external) {
      writeFileAll(file, this.encode(this.initializers));
      return [basename(file)];
    }
    const sink = { fd: openSync(`${file}.data`, "w"), offset: 0, name: `${basename(file)}.data` };
    const protos: onnxProto.onnx.ITensorProto[] = [];
    try {
      for (const t of this.initializers) {
        const raw = t.rawData;
        protos.push(raw && raw.length >= EXTERNAL_MIN_BYTES ? externalTensor({ name: t.name, dims: t.dims, dataType: t.dataType }, raw, sink) : t);
      }
    } finally {
      closeSync(sink.fd);
    }
    writeFileAll(file, this.encode(protos));
    return [basename(file), sink.name];
  }
}

/** Appends `data` to the external data file (page-aligned) and returns the tensor pointing at it. */
function externalTensor(t: Pick<onnxProto.onnx.ITensorProto, "name" | "dims" | "dataType">, data: Uint8Array, sink: { fd: number; offset: number; name: string }): onnxProto.onnx.ITensorProto {
  const pad = (EXTERNAL_ALIGN - (sink.offset % EXTERNAL_ALIGN)) % EXTERNAL_ALIGN;
  if (pad) sink.offset += writeSync(sink.fd, new Uint8Array(pad));
  const offset = sink.offset;
  sink.offset += writeChunked(sink.fd, data);
  return {
    ...t,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: sink.name },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(data.length) },
    ],
  };
}

/** Writes all of `bytes` at the file's current position, in pieces under 1 GiB. */
function writeChunked(fd: number, bytes: Uint8Array): number {
  const CHUNK = 1 << 30;
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, Math.min(CHUNK, bytes.length - at));
  return bytes.length;
}

function writeFileAll(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, "w");
  try {
    writeChunked(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

function attr(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === "number") return { name, type: T.INT, i: v };
  if (typeof v === "string") return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ("float" in v) return { name, type: T.FLOAT, f: v.float };
  if ("floats" in v) return { name, type: T.FLOATS, floats: v.floats };
  const t = v.tensor;
  return { name, type: T.TENSOR, t: { dims: t.shape, dataType: ONNX_TYPE[t.dtype as OnnxElemType], rawData: t.data } };
}
