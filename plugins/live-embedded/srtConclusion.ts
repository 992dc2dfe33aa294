// Reads an SRT caller's conclusion handshake (HSv5) for its stream id: the packet that, once answered,
// opens the connection, so holding it until the key is checked refuses a publisher before any media.

/** The stream id of a conclusion handshake; "" when it carries none; null for any other packet. */
export function srtConclusionStreamId(packet: Buffer): string | null {
  const CIF = 16;
  if (packet.length < CIF + 48) return null;
  const isHandshake = packet.readUInt16BE(0) === 0x8000;
  if (!isHandshake || packet.readUInt32BE(CIF + 20) !== 0xffffffff) return null;
  let offset = CIF + 48;
  while (offset + 4 <= packet.length) {
    const type = packet.readUInt16BE(offset);
    const words = packet.readUInt16BE(offset + 2);
    const content = packet.subarray(offset + 4, offset + 4 + words * 4);
    if (type === SRT_CMD_SID) return decodeStreamId(content);
    offset += 4 + words * 4;
  }
  return "";
}

export const SRT_CMD_SID = 5;

/** libsrt sends the stream id as 32-bit words in host order: each word's bytes come reversed. */
function decodeStreamId(content: Buffer): string {
  const bytes = Buffer.alloc(content.length);
  for (let word = 0; word + 4 <= content.length; word += 4) {
    for (let i = 0; i < 4; i += 1) bytes[word + i] = content[word + 3 - i] ?? 0;
  }
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString("utf8");
}
