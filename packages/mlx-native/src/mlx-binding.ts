/**
 * The part of `@frost-beta/mlx` 0.0.7 that this package uses, typed by us: the package's own
 * index.d.ts re-exports its `nn` sources as raw .ts files, which do not pass `strict` checks.
 * Signatures follow the binding (verified by the tests that run them).
 */
/* eslint-disable @typescript-eslint/no-namespace -- these declare the binding's own namespaces (core, fft, fast, random, metal) */
export declare namespace core {
  type Scalar = number | boolean;
  type ArrayLike = array | Scalar | ArrayLike[];
  class Dtype {
    readonly size: number;
  }
  const float32: Dtype;
  const float16: Dtype;
  const bfloat16: Dtype;
  const int32: Dtype;
  const int64: Dtype;
  const uint32: Dtype;
  const bool: Dtype;
  interface Slice {
    start: number | null;
    stop: number | null;
    step: number | null;
  }
  function Slice(start?: number | null, stop?: number | null, step?: number | null): Slice;
  type ArrayIndex = null | Slice | "..." | array | number;

  class array {
    constructor(value: ArrayLike, dtype?: Dtype);
    readonly shape: number[];
    readonly dtype: Dtype;
    readonly ndim: number;
    readonly size: number;
    readonly T: array;
    astype(dtype: Dtype): array;
    item(): number | boolean;
    tolist(): unknown;
    reshape(...shape: (number | number[])[]): array;
    transpose(...axes: number[]): array;
    index(...index: ArrayIndex[]): array;
    max(axis?: number | number[], keepdims?: boolean): array;
    sum(axis?: number | number[], keepdims?: boolean): array;
    abs(): array;
    logsumexp(axis?: number | number[], keepdims?: boolean): array;
    squeeze(axis?: number | number[]): array;
  }
  function array(value: ArrayLike, dtype?: Dtype): array;

  function abs(a: ArrayLike): array;
  function add(a: ArrayLike, b: ArrayLike): array;
  function subtract(a: ArrayLike, b: ArrayLike): array;
  function multiply(a: ArrayLike, b: ArrayLike): array;
  function divide(a: ArrayLike, b: ArrayLike): array;
  function maximum(a: ArrayLike, b: ArrayLike): array;
  function minimum(a: ArrayLike, b: ArrayLike): array;
  function matmul(a: ArrayLike, b: ArrayLike): array;
  function square(a: ArrayLike): array;
  function sqrt(a: ArrayLike): array;
  function rsqrt(a: ArrayLike): array;
  function exp(a: ArrayLike): array;
  function log(a: ArrayLike): array;
  function log10(a: ArrayLike): array;
  function sin(a: ArrayLike): array;
  function cos(a: ArrayLike): array;
  function erf(a: ArrayLike): array;
  function sigmoid(a: ArrayLike): array;
  function tanh(a: ArrayLike): array;
  function zerosLike(a: ArrayLike): array;
  function softmax(a: ArrayLike, axis?: number | number[], precise?: boolean): array;
  function logsumexp(a: ArrayLike, axis?: number | number[], keepdims?: boolean): array;
  function max(a: ArrayLike, axis?: number | number[], keepdims?: boolean): array;
  function sum(a: ArrayLike, axis?: number | number[], keepdims?: boolean): array;
  function mean(a: ArrayLike, axis?: number | number[], keepdims?: boolean): array;
  function argmax(a: ArrayLike, axis?: number, keepdims?: boolean): array;
  /** Indices that partition `a` along `axis` around its `kth` smallest element (unordered on each side). */
  function argpartition(a: ArrayLike, kth: number, axis?: number): array;
  function negative(a: ArrayLike): array;
  function arange(start: number, stop?: number, step?: number, dtype?: Dtype): array;
  function arange(stop: number): array;
  function ones(shape: number[], dtype?: Dtype): array;
  function zeros(shape: number[], dtype?: Dtype): array;
  function full(shape: number[], fill: ArrayLike, dtype?: Dtype): array;
  function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): array;
  function greater(a: ArrayLike, b: ArrayLike): array;
  function greaterEqual(a: ArrayLike, b: ArrayLike): array;
  function less(a: ArrayLike, b: ArrayLike): array;
  function equal(a: ArrayLike, b: ArrayLike): array;
  function logicalAnd(a: ArrayLike, b: ArrayLike): array;
  function logicalOr(a: ArrayLike, b: ArrayLike): array;
  function concatenate(arrays: array[], axis?: number): array;
  function stack(arrays: array[], axis?: number): array;
  function pad(a: ArrayLike, padWidth: number | [number, number] | [number, number][], value?: ArrayLike): array;
  function take(a: ArrayLike, indices: ArrayLike, axis?: number): array;
  function takeAlongAxis(a: ArrayLike, indices: ArrayLike, axis?: number): array;
  function asStrided(a: ArrayLike, shape: number[], strides: number[], offset?: number): array;
  function expandDims(a: ArrayLike, dims: number | number[]): array;
  function conv1d(input: ArrayLike, weight: ArrayLike, stride: number, padding: number, dilation: number, groups: number): array;
  /** NHWC input, weight (out, kh, kw, in). */
  function conv2d(input: ArrayLike, weight: ArrayLike, stride?: number | number[], padding?: number | number[], dilation?: number | number[], groups?: number): array;
  function dequantize(w: array, scales: ArrayLike, biases: ArrayLike, groupSize: number, bits: number): array;
  /** `x · w` with an MLX-quantized `w` (uint32), transposed when `transpose`; the binding names the arguments (w, x) but takes x first. */
  function quantizedMatmul(x: array, w: array, scales: ArrayLike, biases: ArrayLike, transpose: boolean, groupSize: number, bits: number): array;
  function quantize(w: array, groupSize: number, bits: number): [array, array, array];
  function load(file: string): array;
  function saveSafetensors(file: string, arrays: Record<string, array>, metadata?: Record<string, string>): void;
  function compile<A extends array[], R>(fn: (...args: A) => R, shapeless?: boolean): (...args: A) => R;
  function disableCompile(): void;
  function enableCompile(): void;
  class Stream {
    readonly device: Device;
  }
  class Device {
    readonly type: number;
  }
  /** Device types, compared with `Device.type`. */
  const cpu: number;
  const gpu: number;
  function defaultDevice(): Device;
  function setDefaultDevice(device: Device): void;
  function defaultStream(device: Device): Stream;
  function setDefaultStream(stream: Stream): void;
  function toStream(s: Stream | Device | number): Stream;
  function newStream(device: number | Device): Stream;
  function stream(s: Stream | unknown): Disposable;
  function eval(...arrays: unknown[]): void;
  function asyncEval(...arrays: unknown[]): void;
  namespace metal {
    function isAvailable(): boolean;
  }
  namespace fft {
    function rfft(a: ArrayLike, n?: number, axis?: number): array;
  }
  namespace fast {
    function layerNorm(a: ArrayLike, weight: ArrayLike | null, bias: ArrayLike | null, eps: number): array;
    function scaledDotProductAttention(q: ArrayLike, k: ArrayLike, v: ArrayLike, scale: number, mask?: ArrayLike): array;
  }
  namespace random {
    function seed(seed: number): void;
    function categorical(logits: ArrayLike, axis?: number): array;
    function normal(shape?: number[], dtype?: Dtype, loc?: number, scale?: number): array;
  }
}
