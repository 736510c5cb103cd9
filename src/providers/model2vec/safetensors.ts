/**
 * A reader for the safetensors format: 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Only what static embedding models use is
 * decoded; anything else is reported by name so the message says what is missing.
 */

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8';

export interface TensorInfo {
  dtype: string;
  shape: number[];
  /** Byte range inside the data section (after the header). */
  dataOffsets: [number, number];
}

export interface Safetensors {
  tensors: Map<string, TensorInfo>;
  /** The `__metadata__` entry, when present. */
  metadata: Record<string, string>;
  /** Decodes one tensor into float64 values, row-major. Throws SafetensorsError for unknown names or dtypes. */
  read(name: string): Float64Array;
  /** The same into float32, for large embedding matrices (half the memory; model2vec computes in f32 too). */
  readFloat32(name: string): Float32Array;
}

/** A malformed or unsupported file; the caller wraps it with the path and what to do. */
export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
}

const BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
};

// A header is a few KB; anything near this limit means the file is not safetensors at all.
const MAX_HEADER_BYTES = 100_000_000;

export function parseSafetensors(file: Buffer): Safetensors {
  if (file.length < 8) throw new SafetensorsError('the file is shorter than the 8-byte header length');
  const headerLength = Number(file.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > file.length) {
    throw new SafetensorsError(`the header length (${headerLength} bytes) does not fit the file`);
  }
  let header: unknown;
  try {
    header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8'));
  } catch {
    throw new SafetensorsError('the header is not JSON');
  }
  if (!isRecord(header)) throw new SafetensorsError('the header is not a JSON object');

  const data = file.subarray(8 + headerLength);
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (isRecord(entry))
        metadata = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
      continue;
    }
    tensors.set(name, tensorInfo(name, entry, data.length));
  }

  return {
    tensors,
    metadata,
    read: (name) => decodeInto(name, (count) => new Float64Array(count)),
    readFloat32: (name) => decodeInto(name, (count) => new Float32Array(count)),
  };

  function decodeInto<T extends Float32Array | Float64Array>(
    name: string,
    allocate: (count: number) => T,
  ): T {
    const info = tensors.get(name);
    if (info === undefined) throw new SafetensorsError(`there is no tensor named "${name}"`);
    return decode(name, info, data.subarray(info.dataOffsets[0], info.dataOffsets[1]), allocate);
  }
}

function tensorInfo(name: string, entry: unknown, dataLength: number): TensorInfo {
  if (
    !isRecord(entry) ||
    typeof entry.dtype !== 'string' ||
    !Array.isArray(entry.shape) ||
    !entry.shape.every((n) => Number.isInteger(n) && n >= 0) ||
    !Array.isArray(entry.data_offsets) ||
    entry.data_offsets.length !== 2 ||
    !entry.data_offsets.every((n) => Number.isInteger(n) && n >= 0)
  ) {
    throw new SafetensorsError(`the header entry of tensor "${name}" is malformed`);
  }
  const [start, end] = entry.data_offsets as [number, number];
  if (start > end || end > dataLength) {
    throw new SafetensorsError(
      `tensor "${name}" points outside the file (bytes ${start}-${end} of ${dataLength})`,
    );
  }
  return { dtype: entry.dtype, shape: entry.shape as number[], dataOffsets: [start, end] };
}

function decode<T extends Float32Array | Float64Array>(
  name: string,
  info: TensorInfo,
  bytes: Buffer,
  allocate: (count: number) => T,
): T {
  if (!isKnownDtype(info.dtype)) {
    throw new SafetensorsError(
      `tensor "${name}" has dtype ${info.dtype}; supported: ${Object.keys(BYTES).join(', ')}`,
    );
  }
  const count = info.shape.reduce((product, n) => product * n, 1);
  const width = BYTES[info.dtype];
  if (count * width !== bytes.length) {
    throw new SafetensorsError(
      `tensor "${name}" has ${bytes.length} bytes but shape [${info.shape.join(', ')}] of ${info.dtype} needs ${count * width}`,
    );
  }
  const out = allocate(count);
  const read = reader(info.dtype, bytes);
  for (let i = 0; i < count; i++) out[i] = read(i * width);
  return out;
}

function reader(dtype: SafetensorsDtype, bytes: Buffer): (offset: number) => number {
  const scratch = Buffer.alloc(4);
  switch (dtype) {
    case 'F64':
      return (o) => bytes.readDoubleLE(o);
    case 'F32':
      return (o) => bytes.readFloatLE(o);
    case 'F16':
      return (o) => halfToFloat(bytes.readUInt16LE(o));
    case 'BF16':
      // bfloat16 is the top half of a float32.
      return (o) => {
        scratch.writeUInt16LE(bytes.readUInt16LE(o), 2);
        return scratch.readFloatLE(0);
      };
    case 'I64':
      return (o) => Number(bytes.readBigInt64LE(o));
    case 'I32':
      return (o) => bytes.readInt32LE(o);
    case 'I16':
      return (o) => bytes.readInt16LE(o);
    case 'I8':
      return (o) => bytes.readInt8(o);
    case 'U8':
      return (o) => bytes.readUInt8(o);
  }
}

/** IEEE 754 half precision to a JS number (Node 20 has no readFloat16). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function isKnownDtype(dtype: string): dtype is SafetensorsDtype {
  return Object.hasOwn(BYTES, dtype);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
