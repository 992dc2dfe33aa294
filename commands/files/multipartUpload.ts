// POST /v1/files/upload as a multipart form (`curl -F file=@movie.mp4`), the spec's form: the `file`
// part streams into the media root like a raw upload body does, never buffered. The file's name is
// `?name=`, else an `object_key` field sent before the file, else the part's own file name. Other
// fields (`plugin_id`, `bucket`) name storage plugins that are not there yet and are ignored.
import { Readable } from "node:stream";
import busboy from "busboy";
import { streamUpload, type Uploaded, type UploadRefused } from "../sources/streamUploadToMediaRoot.ts";

export interface MultipartUploadOptions {
  mediaRoot: string;
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

export function uploadMultipart(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  options: MultipartUploadOptions,
): Promise<Uploaded | UploadRefused | FormRefused> {
  return new Promise((resolve) => {
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
    let objectKey: string | undefined;
    let upload: Promise<Uploaded | UploadRefused> | null = null;
    let settled = false;
    const finish = (result: Uploaded | UploadRefused | FormRefused) => {
      if (settled) return;
      settled = true;
      input.unpipe(parser);
      input.resume(); // whatever is left of the body is read and dropped, not left hanging
      resolve(result);
    };

    parser.on("field", (name, value) => {
      if (name === "object_key") objectKey = value;
    });
    parser.on("file", (name, file, info) => {
      if (name !== "file" || upload) {
        file.resume();
        return;
      }
      const fileName = options.fileName ?? objectKey ?? info.filename;
      if (!fileName) {
        file.resume();
        finish(
          refused("the file part has no name", "Send the file as -F file=@<path>, or add ?name=<file name>"),
        );
        return;
      }
      upload = streamUpload(file, {
        mediaRoot: options.mediaRoot,
        fileName,
        maxBytes: options.maxBytes,
        signal: options.signal,
      });
      upload.then((result) => {
        // a refused file (too large, aborted) ends the form at once; a stored one when the form ends
        if (result._tag === "UploadRefused") finish(result);
      });
    });
    parser.on("error", (error) =>
      finish(refused(`the multipart form is malformed: ${(error as Error).message}`)),
    );
    parser.on("close", () => {
      if (upload) upload.then(finish);
      else finish(refused("the form has no `file` part", "Send the file as -F file=@<path>"));
    });
    input.on("error", () => parser.destroy());
    input.pipe(parser);
  });
}

const refused = (
  message: string,
  hint = "POST the file as multipart/form-data with a `file` part, or as the raw body with ?name=",
): FormRefused => ({ _tag: "FormRefused", message, hint });
