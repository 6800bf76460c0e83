// Java DataOutput / DataInput framing as Peergos' Serialize uses it (reference §4.2 Claim
// signedContents): big-endian int/long/short, booleans, writeUTF (modified UTF-8 with a u16 length)
// and Serialize's length-prefixed byte arrays and strings, with a bounded reader for untrusted bytes.
import { PeergosError } from '../errors.ts'

/** Bytes that do not follow the DataInput framing (truncated, over a bound, bad UTF-8), or a value DataOutput cannot write. */
export class DataFormatError extends PeergosError {}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: true })

/** Java's modified UTF-8 (DataOutput.writeUTF body): U+0000 as 2 bytes, surrogates encoded one by one. */
export function modifiedUtf8(s: string): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x01 && c <= 0x7f) out.push(c)
    else if (c <= 0x7ff) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f))
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f))
  }
  return Uint8Array.from(out)
}

function decodeModifiedUtf8(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length;) {
    const x = b[i]
    if (x < 0x80) {
      if (x === 0) throw new DataFormatError('Modified UTF-8 may not contain a raw zero byte')
      s += String.fromCharCode(x)
      i += 1
    } else if ((x & 0xe0) === 0xc0) {
      if (i + 1 >= b.length || (b[i + 1] & 0xc0) !== 0x80) throw new DataFormatError(`Malformed modified UTF-8 at byte ${i}`)
      s += String.fromCharCode(((x & 0x1f) << 6) | (b[i + 1] & 0x3f))
      i += 2
    } else if ((x & 0xf0) === 0xe0) {
      if (i + 2 >= b.length || (b[i + 1] & 0xc0) !== 0x80 || (b[i + 2] & 0xc0) !== 0x80) throw new DataFormatError(`Malformed modified UTF-8 at byte ${i}`)
      s += String.fromCharCode(((x & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f))
      i += 3
    } else {
      throw new DataFormatError(`Malformed modified UTF-8 at byte ${i}`)
    }
  }
  return s
}

/** A growable big-endian writer with Java DataOutputStream semantics. */
export class DataOutputWriter {
  private buf = new Uint8Array(64)
  private view = new DataView(this.buf.buffer)
  private pos = 0

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  write(bytes: Uint8Array): this {
    this.ensure(bytes.length)
    this.buf.set(bytes, this.pos)
    this.pos += bytes.length
    return this
  }

  writeByte(v: number): this {
    this.ensure(1)
    this.buf[this.pos++] = v & 0xff
    return this
  }

  writeBoolean(v: boolean): this {
    return this.writeByte(v ? 1 : 0)
  }

  writeShort(v: number): this {
    this.ensure(2)
    this.view.setUint16(this.pos, v & 0xffff)
    this.pos += 2
    return this
  }

  /** Java writeInt: a signed 32-bit big-endian integer. */
  writeInt(v: number): this {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new DataFormatError(`writeInt: ${v} is not a 32-bit integer`)
    this.ensure(4)
    this.view.setInt32(this.pos, v)
    this.pos += 4
    return this
  }

  /** Java writeLong: a signed 64-bit big-endian integer. */
  writeLong(v: bigint | number): this {
    const b = BigInt(v)
    if (b < -(1n << 63n) || b >= 1n << 63n) throw new DataFormatError(`writeLong: ${v} is not a 64-bit integer`)
    this.ensure(8)
    this.view.setBigInt64(this.pos, b)
    this.pos += 8
    return this
  }

  /** Java writeUTF: u16 byte length, then modified UTF-8 (at most 65535 bytes). */
  writeUTF(s: string): this {
    const b = modifiedUtf8(s)
    if (b.length > 0xffff) throw new DataFormatError(`writeUTF: encoded string of ${b.length} bytes is too long`)
    return this.writeShort(b.length).write(b)
  }

  /** Serialize.serialize(byte[]): int length, then the bytes. */
  writeByteArray(b: Uint8Array): this {
    return this.writeInt(b.length).write(b)
  }

  /**
   * Serialize.serialize(String): int s.length() (UTF-16 code units, as Java counts them), then the
   * UTF-8 bytes. For ASCII (every username, every ISO date) the two lengths agree.
   */
  writeJavaString(s: string): this {
    return this.writeInt(s.length).write(utf8Encoder.encode(s))
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.pos)
  }
}

/** A bounded big-endian reader with Java DataInputStream semantics; every failure is a DataFormatError. */
export class DataInputReader {
  private pos = 0
  private readonly view: DataView

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get offset(): number {
    return this.pos
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  private need(n: number): void {
    if (n > this.remaining) throw new DataFormatError(`Unexpected end of input: need ${n} bytes at offset ${this.pos}, ${this.remaining} left`)
  }

  readFully(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new DataFormatError(`Invalid length ${n}`)
    this.need(n)
    const out = this.bytes.slice(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  readByte(): number {
    this.need(1)
    return (this.bytes[this.pos++] << 24) >> 24
  }

  readUnsignedByte(): number {
    this.need(1)
    return this.bytes[this.pos++]
  }

  /** Java readBoolean: any non-zero byte is true. */
  readBoolean(): boolean {
    return this.readUnsignedByte() !== 0
  }

  readUnsignedShort(): number {
    this.need(2)
    const v = this.view.getUint16(this.pos)
    this.pos += 2
    return v
  }

  readInt(): number {
    this.need(4)
    const v = this.view.getInt32(this.pos)
    this.pos += 4
    return v
  }

  readLong(): bigint {
    this.need(8)
    const v = this.view.getBigInt64(this.pos)
    this.pos += 8
    return v
  }

  readUTF(): string {
    const n = this.readUnsignedShort()
    return decodeModifiedUtf8(this.readFully(n))
  }

  /** Serialize.deserializeByteArray: int length in [0, maxLength], then the bytes. */
  readByteArray(maxLength: number): Uint8Array {
    const n = this.readInt()
    if (n < 0 || n > maxLength) throw new DataFormatError(`Byte array of size ${n} is outside [0, ${maxLength}]`)
    return this.readFully(n)
  }

  /** Serialize.deserializeString: int length in [0, maxLength], then that many UTF-8 bytes (strictly decoded). */
  readJavaString(maxLength: number): string {
    const n = this.readInt()
    if (n < 0 || n > maxLength) throw new DataFormatError(`String size ${n} is outside [0, ${maxLength}]`)
    const b = this.readFully(n)
    try {
      return utf8Decoder.decode(b)
    } catch {
      throw new DataFormatError('Invalid UTF-8 in string')
    }
  }

  /** Throws unless every byte was consumed. */
  expectEnd(): void {
    if (this.remaining !== 0) throw new DataFormatError(`${this.remaining} trailing bytes`)
  }
}
