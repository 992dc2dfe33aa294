// The files API of the storage plugins: what each can do, where browsing starts, folder listings and
// signed upload URLs. Sizes are bytes, times ISO 8601.
import { z } from "zod";

export const storageCapabilitySchema = z.object({
  plugin_id: z.string(),
  storage_type: z.enum(["fs", "s3"]),
  supports_browse: z.boolean(),
  supports_upload: z.boolean(),
  supports_ranges: z.boolean(),
  supports_signed_download_urls: z.boolean(),
  supports_signed_upload_urls: z.boolean(),
  supports_multipart: z.boolean(),
});
export const storageCapabilitiesResponseSchema = z.array(storageCapabilitySchema);
export type StorageCapabilitiesResponse = z.infer<typeof storageCapabilitiesResponseSchema>;

export const storageRootSchema = z.object({
  plugin_id: z.string(),
  name: z.string(),
  /** What to pass as `path` to browse it: "" is the plugin's root. */
  path: z.string(),
  storage_type: z.enum(["fs", "s3"]),
  /** The bucket to pass to browse (S3); null for storage-fs. */
  bucket: z.string().nullable(),
});
export const storageRootsResponseSchema = z.array(storageRootSchema);
export type StorageRootsResponse = z.infer<typeof storageRootsResponseSchema>;

// the default is given as the query would carry it, so the document shows a string as the default
const flag = z
  .enum(["true", "false", "1", "0"])
  .default("false")
  .transform((v) => v === "true" || v === "1");

export const browseQuerySchema = z.object({
  plugin: z.string().min(1).default("storage-fs"),
  bucket: z.string().min(1).optional(),
  path: z.string().default(""),
  media_only: flag,
  show_hidden: flag,
  search: z.string().optional(),
});

export const browseEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  is_directory: z.boolean(),
  size: z.number(),
  modified_at: z.string().nullable(),
  extension: z.string(),
  kind: z.enum(["video", "audio", "image", "other"]),
  is_video: z.boolean(),
});
export const browseResponseSchema = z.object({
  plugin_id: z.string(),
  bucket: z.string().nullable(),
  current_path: z.string(),
  parent_path: z.string().nullable(),
  entries: z.array(browseEntrySchema),
});
export type BrowseResponse = z.infer<typeof browseResponseSchema>;

export const uploadUrlRequestSchema = z.object({
  plugin_id: z.string().min(1).default("storage-fs"),
  bucket: z.string().min(1).optional(),
  object_key: z.string().min(1),
  content_type: z.string().min(1).optional(),
  /** 1 s to 7 days; one hour by default. */
  expires_in_seconds: z
    .int()
    .min(1)
    .max(7 * 24 * 3600)
    .default(3600),
});
export const uploadUrlResponseSchema = z.object({
  plugin_id: z.string(),
  /** PUT the whole file here, with `headers`. Absolute for S3; for storage-fs a kernel path unless a public URL is configured. */
  upload_url: z.string(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()),
  expires_at: z.string(),
  /** The source URL to submit a job with once the upload is done. */
  source_url: z.string(),
});
export type UploadUrlResponse = z.infer<typeof uploadUrlResponseSchema>;

export const uploadQuerySchema = z.object({
  name: z.string().min(1).optional().meta({
    description:
      "The file's name: required for a raw body (or an X-File-Name header); for a form it wins over object_key and the part's file name",
  }),
  plugin_id: z.string().min(1).optional().meta({
    description: "A raw body's storage plugin (storage-fs when left out), as a form's plugin_id field",
  }),
  bucket: z.string().min(1).optional().meta({ description: "A raw body's bucket, for storage-s3" }),
  object_key: z.string().min(1).optional().meta({
    description: "A raw body's key in the chosen storage, as a form's object_key field",
  }),
});

export const uploadFormSchema = z.object({
  file: z.string().meta({ format: "binary" }),
  object_key: z.string().optional().meta({
    description:
      "Sent before the file: its name in uploads/ for storage-fs, its whole key for another plugin",
  }),
  plugin_id: z.string().optional().meta({
    description: "Sent before the file: the storage plugin to stream it to; storage-fs when left out",
  }),
  bucket: z.string().optional().meta({ description: "Sent before the file: the bucket (storage-s3)" }),
});

export const uploadedFileResponseSchema = z
  .strictObject({
    url: z.string().meta({ description: "The source URL to submit a job with (fs://…, s3://…)" }),
    size_bytes: z.int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .meta({ id: "UploadedFile" });

export const signedLinkQuerySchema = z.object({
  key: z.string().meta({ description: "The object's key in storage" }),
  expires: z.string().meta({ description: "Unix seconds after which the link stops" }),
  signature: z.string(),
});
