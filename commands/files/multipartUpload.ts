// POST /v1/files/upload as a multipart form (`curl -F file=@movie.mp4`), the spec's form: the `file`
// part streams into storage like a raw upload body does, never buffered. The file's name is `?name=`,
// else an `object_key` field sent before the file, else the part's own file name. A `plugin_id` field
// sent before the file that names another storage plugin (storage-s3) sends the file there instead, to
// `bucket` and `object_key` when given.
import { Readable } from "node:stream";
import busboy from "busboy";
import { type Uploaded, type UploadRefused, type UploadStorage, uploadToStorage } from "./uploadToStorage.ts";

export interface MultipartUploadOptions {
  storage: UploadStorage;
  maxBytes: number;
  /** From the query string: wins over the form's names. */
  fileName?: string;
  signal?: AbortSignal;
}

/** Why a form could not be taken at all (before any file was written). */
export interface FormRefused {
  readonly _tag: "FormRefused";
  readonly message: string;
  readonly hint: string;
}

export const isMultipart = (contentType: string | undefined) =>
  /^multipart\/form-data\s*(;|$)/i.test(contentType ?? "");

type Outcome = Uploaded | UploadRefused | FormRefused;

/**
 * Rejects only on a programming error (a nonsensical limit). A form that fails, during its file part
 * or after it, leaves no file behind: the part still streaming is stopped, and a file already stored
 * is removed before the answer.
 */
export function uploadMultipart(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  options: MultipartUploadOptions,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        limits: { files: 1, fields: 20, fieldSize: 64 * 1024, parts: 40 },
      });
    } catch (error) {
      resolve(refused(`the multipart form cannot be read: ${(error as Error).message}`));
      return;
    }
    const input = Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
    const formFailed = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, formFailed.signal]) : formFailed.signal;
    let objectKey: string | undefined;
    let pluginId: string | undefined;
    let bucket: string | undefined;
    let upload: Promise<Uploaded | UploadRefused> | null = null;
    let settled = false;

    const end = async (outcome: Outcome | { _tag: "Thrown"; error: unknown }) => {
      if (settled) return;
      settled = true;
      input.unpipe(parser);
      input.resume(); // whatever is left of the body is read and dropped, not left hanging
      if (outcome._tag !== "Uploaded") {
        formFailed.abort();
        const stored = await upload?.catch(() => undefined);
        if (stored?._tag === "Uploaded") await stored.remove().catch(() => undefined);
      }
      if (outcome._tag === "Thrown") reject(outcome.error);
      else resolve(outcome);
    };
    const thrown = (error: unknown) => end({ _tag: "Thrown", error });

    parser.on("field", (name, value) => {
      if (name === "object_key") objectKey = value;
      else if (name === "plugin_id") pluginId = value;
      else if (name === "bucket") bucket = value;
    });
    parser.on("file", (name, file, info) => {
      if (name !== "file" || upload) {
        file.resume();
        return;
      }
      const fileName = options.fileName ?? objectKey ?? info.filename;
      if (!fileName) {
        file.resume();
        void end(
          refused("the file part has no name", "Send the file as -F file=@<path>, or add ?name=<file name>"),
        );
        return;
      }
      upload = uploadToStorage(
        options.storage,
        {
          fileName,
          ...(pluginId === undefined ? {} : { pluginId }),
          ...(bucket === undefined ? {} : { bucket }),
          ...(objectKey === undefined ? {} : { objectKey }),
        },
        file,
        { maxBytes: options.maxBytes, signal, ...(info.mimeType ? { contentType: info.mimeType } : {}) },
      );
      // a refused file (too large, aborted, a failing disk) ends the form at once; a stored one
      // when the form ends well
      upload.then((result) => (result._tag === "UploadRefused" ? end(result) : undefined), thrown);
    });
    parser.on("error", (error) =>
      end(refused(`the multipart form is malformed: ${(error as Error).message}`)),
    );
    parser.on("close", () => {
      if (upload) upload.then(end, thrown);
      else void end(refused("the form has no `file` part", "Send the file as -F file=@<path>"));
    });
    input.on("error", () => parser.destroy());
    input.pipe(parser);
  });
}

const refused = (
  message: string,
  hint = "POST the file as multipart/form-data with a `file` part, or as the raw body with ?name=",
): FormRefused => ({ _tag: "FormRefused", message, hint });
