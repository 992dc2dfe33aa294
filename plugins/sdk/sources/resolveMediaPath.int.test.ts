import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative, sep } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveMediaPath } from "./resolveMediaPath.ts";

// base/
//   outside/secret.mp4, outside/dir/       <- must never be reachable
//   real-root/                             <- the media root
//   root-link -> real-root                 <- the media root as configured: itself a symlink
let base: string;
let realRoot: string;
let rootLink: string;
let socketServer: Server;
let deviceCreated = false;

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), "webencode-media-")));
  realRoot = join(base, "real-root");
  rootLink = join(base, "root-link");
  const outside = join(base, "outside");
  await mkdir(join(outside, "dir"), { recursive: true });
  await writeFile(join(outside, "secret.mp4"), "secret");
  await mkdir(join(realRoot, "videos", "sub"), { recursive: true });
  await mkdir(join(realRoot, "folder"));
  await writeFile(join(realRoot, "videos", "a.mp4"), "a");
  await writeFile(join(realRoot, "videos", "sub", "b.mp4"), "b");
  await writeFile(join(realRoot, "café #1.mp4"), "c");
  await writeFile(join(realRoot, "%2e%2e"), "literal name");
  await symlink(realRoot, rootLink);

  const link = (target: string, name: string) => symlink(target, join(realRoot, name));
  await link("videos/a.mp4", "inside-link.mp4");
  await link("videos", "videos-link");
  await link(join(outside, "secret.mp4"), "escape-file.mp4");
  await link("../outside/secret.mp4", "escape-rel.mp4");
  await link("../outside", "escape-dir");
  await link("../../../outside", "videos/sub/deep-escape");
  await link("chain2", "chain1");
  await link("../outside/secret.mp4", "chain2");
  await link("/etc", "etc-link");
  await link("/dev/null", "devnull-link");
  await link(".", "root-self");
  await link("..", "root-parent");
  await link(join(rootLink, "videos", "a.mp4"), "via-root-link.mp4"); // inside, spelled through the link
  await link("loop", "loop");
  await link("missing.mp4", "dangling.mp4");
  execFileSync("mkfifo", [join(realRoot, "fifo.mp4")]);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(join(realRoot, "socket.mp4"), resolve));
  try {
    execFileSync("mknod", [join(realRoot, "null.mp4"), "c", "1", "3"], { stdio: "ignore" });
    deviceCreated = true;
  } catch {
    // mknod needs CAP_MKNOD; the /dev/null symlink case still covers devices then.
  }
});

afterAll(async () => {
  await new Promise<void>((resolve) => socketServer.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});

describe("resolveMediaPath", () => {
  it.each([
    ["fs://videos/a.mp4", "videos/a.mp4"],
    ["fs://videos/sub/b.mp4", "videos/sub/b.mp4"],
    ["fs://inside-link.mp4", "videos/a.mp4"],
    ["fs://videos-link/sub/b.mp4", "videos/sub/b.mp4"],
    ["fs://via-root-link.mp4", "videos/a.mp4"],
    ["fs://caf%C3%A9%20%231.mp4", "café #1.mp4"],
  ])("resolves %s inside the root (the root itself being a symlink)", async (url, rel) => {
    const resolved = await resolveMediaPath(rootLink, url);
    expect(resolved).toEqual({ _tag: "Resolved", path: join(realRoot, ...rel.split("/")), relative: rel });
  });

  it("resolves against a root given by its real path too", async () => {
    expect(await resolveMediaPath(realRoot, "fs://videos/a.mp4")).toMatchObject({
      _tag: "Resolved",
      path: join(realRoot, "videos", "a.mp4"),
    });
  });

  it.each([
    ["fs://escape-file.mp4", "outside_media_root"],
    ["fs://escape-rel.mp4", "outside_media_root"],
    ["fs://escape-dir/secret.mp4", "outside_media_root"],
    ["fs://videos/sub/deep-escape/secret.mp4", "outside_media_root"],
    ["fs://videos-link/sub/deep-escape/secret.mp4", "outside_media_root"],
    ["fs://chain1", "outside_media_root"],
    ["fs://etc-link/passwd", "outside_media_root"],
    ["fs://etc-link/hostname", "outside_media_root"],
    ["fs://devnull-link", "outside_media_root"],
    ["fs://root-self", "outside_media_root"],
    ["fs://root-parent/outside/secret.mp4", "outside_media_root"],
    ["fs://loop", "outside_media_root"],
    ["fs://../outside/secret.mp4", "path_traversal"],
    ["fs://videos/../../outside/secret.mp4", "path_traversal"],
    ["fs://%2e%2e/outside/secret.mp4", "path_traversal"],
    ["fs://%2E%2E/outside/secret.mp4", "path_traversal"],
    ["fs://..%2foutside%2fsecret.mp4", "forbidden_character"],
    ["fs://%252e%252e", "double_encoding"], // even though a file literally named "%2e%2e" exists
    ["fs://%252e%252e/outside/secret.mp4", "double_encoding"],
    ["fs://..\\outside\\secret.mp4", "forbidden_character"],
    ["fs://videos/a.mp4%00.txt", "forbidden_character"],
    ["fs:///tmp/outside/secret.mp4", "absolute_path"],
    ["fs:///etc/passwd", "absolute_path"],
    ["fs://missing.mp4", "not_found"],
    ["fs://dangling.mp4", "not_found"],
    ["fs://videos/a.mp4/x", "not_found"],
    ["fs://folder", "not_a_file"],
    ["fs://videos", "not_a_file"],
    ["fs://fifo.mp4", "not_a_file"],
    ["fs://socket.mp4", "not_a_file"],
  ])("refuses %s (%s)", async (url, reason) => {
    const result = await resolveMediaPath(rootLink, url);
    expect(result).toMatchObject({ _tag: "SourceRefused", reason, code: "WE-JOB-002" });
  });

  it("refuses a character device inside the root", async (context) => {
    if (!deviceCreated) context.skip();
    expect(await resolveMediaPath(rootLink, "fs://null.mp4")).toMatchObject({ reason: "not_a_file" });
  });

  it("refuses the absolute real path of a file outside the root", async () => {
    const url = `fs://${join(base, "outside", "secret.mp4")}`;
    expect(await resolveMediaPath(rootLink, url)).toMatchObject({ reason: "absolute_path" });
  });

  it("does not block on a FIFO (no reader or writer is ever attached)", async () => {
    const started = Date.now();
    await resolveMediaPath(rootLink, "fs://fifo.mp4");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("throws when the media root itself is missing (a deployment fault, not the user's)", async () => {
    await expect(resolveMediaPath(join(base, "no-such-root"), "fs://a.mp4")).rejects.toThrow();
  });

  it("for any path string, resolves to a regular file inside the real root or refuses", async () => {
    const fragment = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom("videos", "a.mp4", "sub", "b.mp4", "videos-link", "inside-link.mp4"),
      },
      {
        weight: 6,
        arbitrary: fc.constantFrom(
          "escape-dir",
          "escape-file.mp4",
          "escape-rel.mp4",
          "deep-escape",
          "chain1",
          "etc-link",
          "passwd",
          "root-parent",
          "root-self",
          "outside",
          "secret.mp4",
          "real-root",
          "root-link",
          "devnull-link",
          "fifo.mp4",
        ),
      },
      {
        weight: 8,
        arbitrary: fc.constantFrom("/", "/", "..", ".", "%2e", "%2E", "%2f", "%5c", "%252e", "\\"),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom("%00", "\u0000", "\u2025", "%E2%80%A5", "\uFF0F", "//", "%", ""),
      },
      { weight: 1, arbitrary: fc.string() },
    );
    const name = fc.constantFrom(
      "videos",
      "videos-link",
      "sub",
      "a.mp4",
      "b.mp4",
      "inside-link.mp4",
      "escape-dir",
      "deep-escape",
      "root-parent",
      "root-self",
      "outside",
      "secret.mp4",
      "chain1",
      "..",
      "%2e%2e",
    );
    const pathString = fc.oneof(
      fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join("")),
      fc.array(name, { minLength: 1, maxLength: 5 }).map((names) => names.join("/")),
    );
    let resolvedCount = 0;
    await fc.assert(
      fc.asyncProperty(pathString, async (path) => {
        const result = await resolveMediaPath(rootLink, `fs://${path}`);
        if (result._tag === "SourceRefused") return;
        resolvedCount++;
        const real = await realpath(result.path);
        const rel = relative(realRoot, real);
        expect(rel).not.toBe("");
        expect(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)).toBe(false);
        expect((await stat(real)).isFile()).toBe(true);
        expect(real).toBe(result.path);
      }),
      { numRuns: 3000 },
    );
    // The property must have been exercised on successes, not only on refusals.
    expect(resolvedCount).toBeGreaterThan(10);
  });
});
