// storage.sync items as another browser writes them (ARCHITECTURE.md "Sync"): entries
// `[id, "modified", name, domain?]` or `[id, "deleted"]` in chunks `syncChunk.<generation>.<n>`,
// and the manifest `syncGeneration` `{version, generation, chunks, checksum}` whose checksum is
// FNV-1a (64 bit) over each chunk's key, a newline, its JSON text and a newline. A test uses this
// to play a browser that wrote something this one must judge; `checksum` is checked against the
// session fixtures' hand-checked manifests (tests/fixtures/session/sync.json).

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** The manifest checksum of `chunks`, `[[key, value], …]` in manifest order. */
export function checksum(chunks) {
  let hash = OFFSET;
  for (const [key, value] of chunks) {
    for (const byte of Buffer.from(`${key}\n${JSON.stringify(value)}\n`, 'utf8')) {
      hash ^= BigInt(byte);
      hash = (hash * PRIME) & MASK;
    }
  }
  return hash.toString(16).padStart(16, '0');
}

/** The items of a complete generation `number` holding `entries` in one chunk. */
export function generationItems(number, entries) {
  const key = `syncChunk.${number}.0`;
  return {
    [key]: entries,
    syncGeneration: { version: 1, generation: number, chunks: [key], checksum: checksum([[key, entries]]) },
  };
}

/** A live entry for `tenant`, modified at `at`. */
export const liveEntry = (tenant, at) =>
  [tenant.id, String(at), tenant.name, ...(tenant.domain ? [tenant.domain] : [])];
