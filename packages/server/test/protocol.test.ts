import { describe, expect, it } from "vitest";
import { ModelQueue, parseConfig, PushSource } from "../src/index.js";

describe("parseConfig", () => {
  it("accepts the config message and refuses anything else with the reason", () => {
    expect(parseConfig('{"type":"config","sampleRate":16000,"format":"s16le","language":"en"}')).toEqual({ type: "config", sampleRate: 16000, format: "s16le", language: "en" });
    expect(parseConfig('{"type":"config"}')).toEqual({ type: "config", sampleRate: 16000, format: "f32le" });
    expect(() => parseConfig("hello")).toThrow("the first message must be a JSON config");
    expect(() => parseConfig('{"type":"end"}')).toThrow('the first message must be {"type":"config",…}');
    expect(() => parseConfig('{"type":"config","format":"mp3"}')).toThrow('config.format: expected "f32le" or "s16le", got "mp3"');
    expect(() => parseConfig('{"type":"config","language":"English!"}')).toThrow(/config\.language/);
  });
});

describe("ModelQueue and PushSource", () => {
  it("runs passes one at a time in arrival order; a source yields what was pushed, then ends", async () => {
    const log: string[] = [];
    const queue = new ModelQueue({
      decodeWindows: async (audio) => {
        log.push(`start ${audio.length}`);
        await new Promise((r) => setTimeout(r, 10));
        log.push(`end ${audio.length}`);
        return { segments: [], language: "en" };
      },
    });
    await Promise.all([1, 2, 3].map((n) => queue.queued.decodeWindows(new Float32Array(n))));
    expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    expect(queue.depth).toBe(0);
    const source = new PushSource();
    source.push(new Float32Array(2));
    setTimeout(() => (source.push(new Float32Array(3)), source.end()), 5);
    const got: number[] = [];
    for await (const b of source) got.push(b.length);
    expect(got).toEqual([2, 3]);
  });
});
