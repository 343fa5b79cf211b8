// The page: microphone → AudioWorklet (16 kHz float32, ~100 ms frames) → WebSocket /stream;
// committed words in black (appended), the tentative tail in grey (replaced on every update).
const $ = (id) => document.getElementById(id);
const status = (text, state) => {
  $("status").textContent = text;
  $("status").dataset.state = state;
};
let ws;
let ctx;
let stream;

function show(message) {
  if (message.type === "ready") status("listening", "listening");
  if (message.type === "update" || message.type === "final") {
    $("committed").textContent += message.committed.map((w) => w.word).join("");
    $("tentative").textContent = message.tentative.map((w) => w.word).join("");
  }
  if (message.type === "done") status("done", "done");
  if (message.type === "error") status(`error: ${message.message}`, "error");
}

async function start() {
  $("start").disabled = true;
  $("committed").textContent = "";
  $("tentative").textContent = "";
  // Raw microphone: no echo cancellation, noise suppression or gain control.
  stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
  try {
    ctx = new AudioContext({ sampleRate: 16000 });
  } catch {
    ctx = new AudioContext(); // the worklet resamples to 16 kHz
  }
  await ctx.audioWorklet.addModule("capture-worklet.js");
  const node = new AudioWorkletNode(ctx, "capture");
  ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/stream`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (e) => show(JSON.parse(e.data));
  ws.onclose = () => {
    if ($("status").dataset.state !== "done" && $("status").dataset.state !== "error") status("disconnected", "closed");
    $("start").disabled = false;
    $("stop").disabled = true;
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const language = $("language").value.trim();
  ws.send(JSON.stringify({ type: "config", sampleRate: 16000, format: "f32le", ...(language ? { language } : {}) }));
  node.port.onmessage = (e) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(e.data);
  };
  ctx.createMediaStreamSource(stream).connect(node);
  $("stop").disabled = false;
}

function stop() {
  $("stop").disabled = true;
  stream?.getTracks().forEach((t) => t.stop());
  ctx?.close();
  if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "end" }));
  status("finishing", "finishing");
}

$("start").onclick = () => start().catch((e) => status(`error: ${e.message}`, "error"));
$("stop").onclick = stop;
