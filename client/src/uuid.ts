/**
 * A UUID v4 from 16 random bytes. `crypto.randomUUID` exists only in secure contexts, so plain
 * http pages need this.
 */
export function uuidFromBytes(bytes: Uint8Array): string {
  let hex = ''
  for (let i = 0; i < 16; i++) {
    let byte = bytes[i] ?? 0
    if (i === 6) byte = (byte & 0x0f) | 0x40
    if (i === 8) byte = (byte & 0x3f) | 0x80
    hex += (byte + 0x100).toString(16).slice(1)
    if (i === 3 || i === 5 || i === 7 || i === 9) hex += '-'
  }
  return hex
}

/** A fresh random UUID v4. */
export function uuid(): string {
  return uuidFromBytes(crypto.getRandomValues(new Uint8Array(16)))
}
