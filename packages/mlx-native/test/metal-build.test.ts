/**
 * The Apple Silicon build fetch, run here against a real local HTTP server that serves release
 * assets the way GitHub's release download does. The "Metal build" it serves is this machine's
 * own linux-x64 `mlx.node` gzipped, so the child-process load check really loads it (and reports
 * a CPU device); a Metal library cannot be exercised on Linux.
 */
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetUrl, binaryMatchesHost, fetchMlxBuild, hasBuild, MlxBuildError, mlxPackage, releaseTag } from "../src/index.js";

const MAC = { platform: "darwin", arch: "arm64" } as const;
const linuxBinary = readFileSync(join(mlxPackage()!.dir, "build", "Release", "mlx.node"));
const nodeGz = gzipSync(linuxBinary);
const assets: Record<string, Buffer> = {
  "/v0.0.7/mlx-mac-arm64.node.gz": nodeGz,
  "/v0.0.7/mlx-mac-arm64.metallib.gz": gzipSync(Buffer.from("metal library")),
  // a complete gzip stream cut in half
  "/v0.0.8/mlx-mac-arm64.node.gz": nodeGz.subarray(0, nodeGz.length >> 1),
  "/v0.0.8/mlx-mac-arm64.metallib.gz": gzipSync(Buffer.from("metal library")),
  // gzip-valid, but not a loadable module
  "/v0.0.9/mlx-mac-arm64.node.gz": gzipSync(Buffer.from("\x7fELF not really a shared object")),
  "/v0.0.9/mlx-mac-arm64.metallib.gz": gzipSync(Buffer.from("metal library")),
};

let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? "");
    const body = assets[req.url ?? ""];
    if (!body) {
      res.writeHead(404).end("Not Found");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Only the files of a placed build, never a staging directory, remain. */
const entries = (dir: string) => readdirSync(dir).sort();

describe("MLX build fetch for Apple Silicon", () => {
  it("names the release assets as the package's install script does", () => {
    expect(releaseTag(MAC)).toBe("mac-arm64");
    expect(releaseTag({ platform: "linux", arch: "x64" })).toBe("linux-x64");
    expect(releaseTag({ platform: "win32", arch: "x64" })).toBeUndefined();
    expect(assetUrl("https://github.com/frost-beta/node-mlx/releases/download", "0.0.7", "mac-arm64", "mlx.metallib")).toBe("https://github.com/frost-beta/node-mlx/releases/download/v0.0.7/mlx-mac-arm64.metallib.gz");
  });

  it("tells a Mach-O arm64 module from the bundled linux-x64 one", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlx-magic-"));
    writeFileSync(join(dir, "elf.node"), linuxBinary.subarray(0, 64));
    const macho = Buffer.alloc(32);
    macho.writeUInt32LE(0xfeedfacf, 0);
    macho.writeUInt32LE(0x0100000c, 4);
    writeFileSync(join(dir, "macho.node"), macho);
    expect(binaryMatchesHost(join(dir, "elf.node"), { platform: "linux", arch: "x64" })).toBe(true);
    expect(binaryMatchesHost(join(dir, "elf.node"), MAC)).toBe(false);
    expect(binaryMatchesHost(join(dir, "macho.node"), MAC)).toBe(true);
    expect(binaryMatchesHost(join(dir, "missing.node"), MAC)).toBe(false);
  });

  it("downloads both assets, gunzips them, loads the module in a child process, then places them", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-dest-"));
    const logs: string[] = [];
    const check = await fetchMlxBuild({ host: MAC, version: "0.0.7", destDir: dest, baseUrl: base, requireGpu: false, onLog: (m) => logs.push(m) });
    expect(check).toEqual({ device: "Device(cpu, 0)", gpu: false });
    expect(entries(dest)).toEqual(["mlx.metallib", "mlx.node"]);
    expect(readFileSync(join(dest, "mlx.node")).equals(linuxBinary)).toBe(true);
    expect(readFileSync(join(dest, "mlx.metallib"), "utf8")).toBe("metal library");
    expect(logs.some((l) => l.includes("/v0.0.7/mlx-mac-arm64.node.gz"))).toBe(true);
  });

  it("on Apple Silicon a build that reports no GPU is refused and nothing is placed", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-nogpu-"));
    await expect(fetchMlxBuild({ host: MAC, version: "0.0.7", destDir: dest, baseUrl: base })).rejects.toThrow(/reports no GPU device \(Device\(cpu, 0\)\)/);
    expect(entries(dest)).toEqual([]);
    expect(hasBuild(dest, MAC)).toBe(false);
  });

  it("a 404 is one line naming the URL, and nothing is placed", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-404-"));
    const e = await fetchMlxBuild({ host: MAC, version: "1.2.3", destDir: dest, baseUrl: base, requireGpu: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MlxBuildError);
    expect((e as Error).message).toBe(`${base}/v1.2.3/mlx-mac-arm64.node.gz: HTTP 404`);
    expect(entries(dest)).toEqual([]);
  });

  it("a truncated gzip is caught by gunzip's checks, and nothing is placed", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-trunc-"));
    await expect(fetchMlxBuild({ host: MAC, version: "0.0.8", destDir: dest, baseUrl: base, requireGpu: false })).rejects.toThrow(/mlx-mac-arm64\.node\.gz: corrupt download \(unexpected end of file\)/);
    expect(entries(dest)).toEqual([]);
  });

  it("a module that does not load is refused after the child-process check, and nothing is placed", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-bad-"));
    await expect(fetchMlxBuild({ host: MAC, version: "0.0.9", destDir: dest, baseUrl: base, requireGpu: false })).rejects.toThrow(/^the fetched MLX build does not load \(.+\)$/);
    expect(entries(dest)).toEqual([]);
  });

  it("offline (nothing listening) is one line saying what to do", async () => {
    const dest = mkdtempSync(join(tmpdir(), "mlx-off-"));
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await fetchMlxBuild({ host: MAC, version: "0.0.7", destDir: dest, baseUrl: `http://127.0.0.1:${port}` }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(new RegExp(`^cannot reach http://127\\.0\\.0\\.1:${port}/v0\\.0\\.7/mlx-mac-arm64\\.node\\.gz \\(ECONNREFUSED\\); connect to the internet once, or set WHISPERX_MLX_RELEASE_URL to a mirror$`));
    expect(existsSync(join(dest, "mlx.node"))).toBe(false);
    expect(entries(dest)).toEqual([]);
  });
});
