// AMF0, the encoding of RTMP commands and of FLV script data: what a publishing client writes (numbers,
// strings, objects, null) and what servers answer with (the same, plus ECMA and strict arrays).

export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Amf0Value[]
  | { readonly [key: string]: Amf0Value };

function encodeString(text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(bytes.length, 0);
  return Buffer.concat([head, bytes]);
}

function encodeValue(value: Amf0Value, parts: Buffer[]): void {
  if (typeof value === "number") {
    const out = Buffer.allocUnsafe(9);
    out.writeUInt8(0x00, 0);
    out.writeDoubleBE(value, 1);
    parts.push(out);
  } else if (typeof value === "boolean") {
    parts.push(Buffer.from([0x01, value ? 1 : 0]));
  } else if (typeof value === "string") {
    parts.push(Buffer.from([0x02]), encodeString(value));
  } else if (value === null) {
    parts.push(Buffer.from([0x05]));
  } else if (value === undefined) {
    parts.push(Buffer.from([0x06]));
  } else if (Array.isArray(value)) {
    const head = Buffer.allocUnsafe(5);
    head.writeUInt8(0x0a, 0);
    head.writeUInt32BE(value.length, 1);
    parts.push(head);
    for (const item of value) encodeValue(item, parts);
  } else {
    parts.push(Buffer.from([0x03]));
    for (const [key, item] of Object.entries(value)) {
      parts.push(encodeString(key));
      encodeValue(item, parts);
    }
    parts.push(Buffer.from([0, 0, 0x09]));
  }
}

/** The values one after the other, as a command's body is written. */
export function encodeAmf0(...values: Amf0Value[]): Buffer {
  const parts: Buffer[] = [];
  for (const value of values) encodeValue(value, parts);
  return Buffer.concat(parts);
}

/** Every value of a body, in order. Throws on a marker it does not know (AMF0's rarer types). */
export function decodeAmf0(body: Buffer): Amf0Value[] {
  let offset = 0;
  const string = (length: number) => {
    const text = body.toString("utf8", offset, offset + length);
    offset += length;
    return text;
  };
  const properties = () => {
    const object: Record<string, Amf0Value> = {};
    for (;;) {
      const length = body.readUInt16BE(offset);
      offset += 2;
      if (length === 0 && body[offset] === 0x09) {
        offset += 1;
        return object;
      }
      const key = string(length);
      object[key] = value();
    }
  };
  const value = (): Amf0Value => {
    const marker = body.readUInt8(offset);
    offset += 1;
    switch (marker) {
      case 0x00: {
        const number = body.readDoubleBE(offset);
        offset += 8;
        return number;
      }
      case 0x01:
        offset += 1;
        return body[offset - 1] !== 0;
      case 0x02: {
        const length = body.readUInt16BE(offset);
        offset += 2;
        return string(length);
      }
      case 0x03:
        return properties();
      case 0x05:
        return null;
      case 0x06:
        return undefined;
      case 0x08:
        offset += 4; // the count is a hint; the pairs end with the object end marker
        return properties();
      case 0x0a: {
        const count = body.readUInt32BE(offset);
        offset += 4;
        return Array.from({ length: count }, () => value());
      }
      case 0x0b: {
        const date = body.readDoubleBE(offset);
        offset += 10;
        return date;
      }
      case 0x0c: {
        const length = body.readUInt32BE(offset);
        offset += 4;
        return string(length);
      }
      default:
        throw new Error(`AMF0 marker ${marker} not supported`);
    }
  };
  const values: Amf0Value[] = [];
  while (offset < body.length) values.push(value());
  return values;
}
