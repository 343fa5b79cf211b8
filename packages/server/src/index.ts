export { createStreamServer, type StreamServer, type StreamServerOptions } from "./stream-server.js";
export { parseConfig, type ServerMessage, type StreamConfig } from "./protocol.js";
export { ModelQueue } from "./model-queue.js";
export { PushSource } from "./push-source.js";
