import { describe, expect, it } from "vitest";
import { cutRepetitionLoop, decodePcm, LocalAgreement, pcmBlocks, type StreamWord } from "../src/index.js";

/** Words one per second: "a b c" → a [0,1), b [1,2), c [2,3) (offset shifts them). */
const words = (text: string, offset = 0): StreamWord[] => text.split(" ").map((w, i) => ({ word: ` ${w}`, start: offset + i, end: offset + i + 1 }));
const text = (ws: StreamWord[]) => ws.map((w) => w.word.trim()).join(" ");

describe("LocalAgreement", () => {
  it("commits the prefix two consecutive passes agree on (n = 2), once", () => {
    const la = new LocalAgreement(2);
    expect(la.insert(words("the cat"))).toEqual([]);
    expect(text(la.insert(words("the cat sat on")))).toBe("the cat");
    expect(text(la.tentative)).toBe("sat on");
    // A later pass repeating committed words behind the committed time does not commit them again.
    expect(text(la.insert(words("the cat sat on the mat")))).toBe("sat on");
    expect(text(la.commitTentative())).toBe("the mat");
    expect(la.tentative).toEqual([]);
  });
  it("n = 3 needs three passes; a disagreement stops the prefix", () => {
    const la = new LocalAgreement(3);
    la.insert(words("a b c"));
    expect(la.insert(words("a b x"))).toEqual([]);
    expect(text(la.insert(words("a b c d")))).toBe("a b");
  });
  it("drops an n-gram repeating the committed tail when a pass restarts near the last commit", () => {
    const la = new LocalAgreement(2);
    la.insert(words("one two three"));
    expect(text(la.insert(words("one two three four")))).toBe("one two three");
    // The next pass hears "three" again, just after the committed time: it is not committed twice.
    expect(text(la.insert(words("three four five", 2.95)))).toBe("four");
    expect(text(la.tentative)).toBe("five");
  });
});

describe("cutRepetitionLoop", () => {
  it("cuts a pass after the first occurrence of a looping n-gram", () => {
    expect(text(cutRepetitionLoop(words("so small small small small thing")))).toBe("so small");
    expect(text(cutRepetitionLoop(words("we go on and on and on and on")))).toBe("we go on and");
    expect(text(cutRepetitionLoop(words("a b a b c")))).toBe("a b a b c");
    expect(text(cutRepetitionLoop(words("very very good")))).toBe("very very good");
  });
});

describe("pcmBlocks", () => {
  it("decodes s16le and f32le split at any byte, and skips a WAV header", async () => {
    const s16 = Buffer.alloc(8);
    [0, 16384, -16384, 32767].forEach((v, i) => s16.writeInt16LE(v, i * 2));
    const header = Buffer.alloc(44);
    header.write("RIFF", 0);
    header.write("WAVEfmt ", 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt16LE(16, 34);
    header.write("data", 36);
    header.writeUInt32LE(8, 40);
    async function* split(b: Buffer) {
      for (let i = 0; i < b.length; i += 3) yield b.subarray(i, i + 3);
    }
    const collect = async (it: AsyncIterable<Float32Array>) => {
      const out: number[] = [];
      for await (const b of it) out.push(...b);
      return out;
    };
    expect(await collect(pcmBlocks(split(s16), "s16le"))).toEqual([0, 0.5, -0.5, 32767 / 32768]);
    expect(await collect(pcmBlocks(split(Buffer.concat([header, s16])), "s16le"))).toEqual([0, 0.5, -0.5, 32767 / 32768]);
    const f32 = Buffer.from(new Float32Array([0.25, -1]).buffer);
    expect(await collect(pcmBlocks(split(f32), "f32le"))).toEqual([0.25, -1]);
    expect(Array.from(decodePcm(s16.subarray(0, 4), "s16le"))).toEqual([0, 0.5]);
    const stereo = Buffer.from(header);
    stereo.writeUInt16LE(2, 22);
    await expect(collect(pcmBlocks(split(Buffer.concat([stereo, s16])), "s16le", "talk.wav"))).rejects.toThrow(/^talk\.wav: WAV input must be 16 kHz mono s16le/);
  });
});
