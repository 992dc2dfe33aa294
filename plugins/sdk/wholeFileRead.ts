// Part of the plugin contract's helpers: how whole files are read for checksums, uploads and copies — a
// mebibyte at a time (the stream default of 64 KiB made hashing a large output about 40 % slower).
export const WHOLE_FILE_READ = { highWaterMark: 1024 * 1024 } as const;
