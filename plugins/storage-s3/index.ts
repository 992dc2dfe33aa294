export { createS3Storage, type S3StorageConfig } from "./createS3Storage.ts";
