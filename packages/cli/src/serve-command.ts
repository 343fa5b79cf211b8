/**
 * `whisperx serve`: the live-transcription server (`@whisperx-mlx/server`) with the model and
 * decoding flags of `whisperx stream`; runs until interrupted.
 */
import { createStreamServer } from "@whisperx-mlx/server";
import { SileroVadOnnx } from "whisperx-mlx";
import { helpText, parseFlags, UsageError, type FlagSpec } from "./args.js";
import { loadStreamModel, SHARED_FLAGS, STREAM_FLAGS } from "./stream-command.js";

const SERVE_FLAGS = {
  ...SHARED_FLAGS,
  host: { kind: "string", default: "127.0.0.1", help: "address to listen on" },
  port: { kind: "int", default: 43007, help: "port to listen on (0: any free port)" },
  min_chunk_size: STREAM_FLAGS.min_chunk_size,
  agreement: STREAM_FLAGS.agreement,
  buffer_trimming_sec: STREAM_FLAGS.buffer_trimming_sec,
  vac: STREAM_FLAGS.vac,
} as const satisfies Record<string, FlagSpec>;

/** Runs `whisperx serve`; resolves with the exit code once the server stops. */
export async function serveMain(argv: string[]): Promise<number> {
  try {
    const { flags, given, positional } = parseFlags(argv, SERVE_FLAGS);
    if (flags.help) {
      process.stdout.write(helpText("usage: whisperx serve [--host 127.0.0.1] [--port N] [options]", SERVE_FLAGS) + "\n");
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
    if (flags.port < 0 || flags.port > 65535) throw new UsageError(`--port ${flags.port}: expected 0..65535`);
    if (!(flags.min_chunk_size > 0)) throw new UsageError(`--min_chunk_size ${flags.min_chunk_size}: must be above 0`);
    const { pipeline, run } = await loadStreamModel(flags, given);
    const server = createStreamServer({ model: pipeline, language: run.call.language, minChunkSize: flags.min_chunk_size, agreement: flags.agreement, bufferTrimmingSec: flags.buffer_trimming_sec, ...(flags.vac ? { vac: { model: await SileroVadOnnx.load() } } : {}) });
    const address = await server.listen(flags.port, flags.host);
    process.stdout.write(`whisperx serve: listening on http://${address.address}:${address.port}/ (WebSocket /stream)\n`);
    await new Promise<void>((resolve) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
    });
    await server.close();
    await pipeline.close();
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`whisperx serve: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof Error && "code" in e && (e.code === "EADDRINUSE" || e.code === "EACCES")) {
      process.stderr.write(`whisperx serve: error: cannot listen (${e.code}: ${e.message})\n`);
      return 2;
    }
    throw e;
  }
}
