/**
 * Just enough of the protobuf wire format to write a TensorFlow SavedModel holding a small
 * GraphDef (see graph.ts): varints, fixed32 floats, strings and nested messages. Writing the few
 * messages by hand avoids shipping TensorFlow's .proto schema or a protobuf runtime.
 */
export class ProtoWriter {
  private readonly bytes: number[] = [];

  private varint(value: number): this {
    let v = value;
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`protobuf varint must be a non-negative integer: ${value}`);
    while (v >= 0x80) {
      this.bytes.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.bytes.push(v);
    return this;
  }

  private key(field: number, wireType: 0 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  int(field: number, value: number): this {
    return this.key(field, 0).varint(value);
  }

  bool(field: number, value: boolean): this {
    return this.int(field, value ? 1 : 0);
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes.push(view.getUint8(i));
    return this;
  }

  string(field: number, value: string): this {
    return this.raw(field, new TextEncoder().encode(value));
  }

  binary(field: number, data: Uint8Array): this {
    return this.raw(field, data);
  }

  message(field: number, build: (message: ProtoWriter) => void): this {
    const message = new ProtoWriter();
    build(message);
    return this.raw(field, message.bytes);
  }

  private raw(field: number, data: ArrayLike<number>): this {
    this.key(field, 2).varint(data.length);
    for (let i = 0; i < data.length; i++) this.bytes.push(data[i]!);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}
