export type { AtomicFile, AtomicFileSystem } from "./atomicFileSystem.ts";
export { nodeAtomicFileSystem } from "./atomicFileSystem.ts";
export { createFsStorage, type FsStorage, type FsStorageConfig } from "./createFsStorage.ts";
export { SIGNED_DOWNLOAD_PATH, SIGNED_UPLOAD_PATH, type SignedRequest } from "./fsUrlSigner.ts";
export { PARTIAL_PREFIX } from "./writeAtomically.ts";
