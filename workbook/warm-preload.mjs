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

// Lesson 05's first document check compiles the OpenAPI 3.1 schema with ajv: about 0.2 s the first
// time in a process, less each time after, as V8 compiles ajv's own code better. Each Validator
// compiles its own schema, so this only warms ajv up: after three rounds (0.4 s here, in the
// spare's idle time) the suite's first check took 0.05 s on this machine.
if (process.argv.includes('@seriousme/openapi-schema-validator')) {
  try {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    for (let round = 0; round < 3; round++) {
      await new Validator().validate({ openapi: '3.1.0', info: { title: 'warm', version: '1' }, paths: {} });
    }
  } catch {
    // only a warm-up: the run works without it
  }
}
