// Loaded by the guide's spare test worker (warm-forks.ts) before any test file: the packages the
// lesson's suite will import, named in the arguments, so a run does not wait for Node to read them.
// A package that fails to load here is left for the run itself to report.
for (const name of process.argv.slice(2)) {
  try {
    await import(name);
  } catch {
    // the run that imports it says what is wrong
  }
}

// Node loads its fetch (undici) on the first call: 50 ms and more that the first test of every
// HTTP suite would pay. A data: URL goes through fetch without opening any connection.
await (await fetch('data:,warm')).text();

// onnxruntime compiles and starts its WebAssembly on the first InferenceSession.create: about half
// a second that lesson 08's first test loading a model paid on every run; later sessions in the
// same process take milliseconds. A one-node model pays it here: Identity on one float, 68 bytes,
// written with onnx-proto. (Only lesson 08 loads onnxruntime in the test worker itself; the serving
// lessons load it in their own threads and processes.)
const IDENTITY_MODEL = 'CAg6OgoQCgF4EgF5IghJZGVudGl0eRIEd2FybVoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=';
if (process.argv.includes('onnxruntime-web')) {
  try {
    const ort = await import('onnxruntime-web');
    const session = await ort.InferenceSession.create(Buffer.from(IDENTITY_MODEL, 'base64'));
    await session.release();
  } catch {
    // only a warm-up: the run works without it
  }
}
