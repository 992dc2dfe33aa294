// Uploads one file as the request body, reporting progress: fetch cannot tell upload progress yet,
// XMLHttpRequest can.
import { ApiRequestError, apiHeaders } from "./apiFetch.ts";

export interface Uploaded {
  url: string;
  size_bytes: number;
}

export function uploadFile(file: File, onProgress: (pct: number) => void): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/v1/files/upload?name=${encodeURIComponent(file.name)}`);
    for (const [name, value] of Object.entries(apiHeaders("POST"))) request.setRequestHeader(name, value);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.floor((event.loaded / event.total) * 100));
    };
    request.onload = () => {
      const body = JSON.parse(request.responseText || "{}");
      if (request.status >= 200 && request.status < 300) {
        onProgress(100);
        resolve(body as Uploaded);
      } else {
        reject(
          new ApiRequestError({
            status: request.status,
            code: body.error?.code ?? `HTTP-${request.status}`,
            details: body.error?.details ?? request.statusText,
            hint: body.error?.hint ?? "",
          }),
        );
      }
    };
    request.onerror = () =>
      reject(
        new ApiRequestError({ status: 0, code: "NETWORK", details: "the upload was interrupted", hint: "" }),
      );
    request.send(file);
  });
}
