// A debugger for debug.test.ts, speaking the inspector protocol as DevTools does:
//   node inspector-client.mjs <ws://…> <exercise path ending> <text on the line to stop at>
// It attaches, lets the test process start, and at the first stop (debug-pause.mjs) sets a
// breakpoint on the exercise's line that holds the text; at the second stop it notes the function.
// Prints one JSON line per stop, and ends when the test process closes the connection.
// Plain JavaScript with the WebSocket built into Node (behind --experimental-websocket on Node 20).
const [url, exerciseEnding, text] = process.argv.slice(2);
const socket = new WebSocket(url);
const scripts = new Map();
const waiting = new Map();
let lastId = 0;
let stops = 0;

function send(method, params = {}) {
  const id = (lastId += 1);
  socket.send(JSON.stringify({ id, method, params }));
  return new Promise((resolve) => waiting.set(id, resolve));
}

/** The exercise as the test process runs it: vite's output, so its line is looked up, not assumed. */
async function breakpointInExercise() {
  const [scriptId] = [...scripts].find(([, scriptUrl]) => scriptUrl.endsWith(exerciseEnding)) ?? [];
  if (scriptId === undefined) return false;
  const { scriptSource } = await send('Debugger.getScriptSource', { scriptId });
  const lineNumber = scriptSource.split('\n').findIndex((line) => line.includes(text));
  const { breakpointId } = await send('Debugger.setBreakpoint', { location: { scriptId, lineNumber } });
  return breakpointId !== undefined;
}

socket.onmessage = async ({ data }) => {
  const message = JSON.parse(data);
  if (message.id !== undefined) return waiting.get(message.id)?.(message.result ?? {});
  if (message.method === 'Debugger.scriptParsed') scripts.set(message.params.scriptId, message.params.url);
  if (message.method !== 'Debugger.paused') return;
  stops += 1;
  const [frame] = message.params.callFrames;
  const stop = { stop: stops, url: scripts.get(frame.location.scriptId), functionName: frame.functionName };
  if (stops === 1) stop.breakpointSet = await breakpointInExercise();
  console.log(JSON.stringify(stop));
  await send('Debugger.resume');
};
socket.onopen = async () => {
  await send('Debugger.enable');
  await send('Runtime.runIfWaitingForDebugger');
};
socket.onclose = () => process.exit(0);
