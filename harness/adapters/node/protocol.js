'use strict';
// The protocol loop shared by the node adapters (harness/PROTOCOL.md, version 1, and the version 2
// additions when an adapter lists them): one JSON
// object per stdin line, one JSON answer per line on stdout, in order, exit 0 at EOF.
const readline = require('readline');

const PROTOCOL = 1;

class Unsupported extends Error {}

function parseTime(text) {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(text)) throw new Error(`time ${JSON.stringify(text)} has no UTC offset`);
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new Error(`time ${JSON.stringify(text)} is not RFC 3339`);
  return d;
}

function pathNeedsNormalising(path) {
  return path.includes('//') || path.split('/').slice(1).some((s) => s === '.' || s === '..');
}

/** [[name, value]...] → one object, or Unsupported when a name repeats (case-insensitively). */
function headerObject(pairs, library) {
  const out = {};
  const seen = new Set();
  for (const [name, value] of pairs) {
    const l = name.toLowerCase();
    if (seen.has(l)) throw new Unsupported(`${library} holds one value per header name (${l} repeats)`);
    seen.add(l);
    out[name] = value;
  }
  return out;
}

const STREAMING_MODES = ['streaming-signed', 'streaming-signed-trailer', 'streaming-unsigned-trailer'];

/**
 * run(hello, sign, opts): sign(case) returns the answer's fields or throws Unsupported/Error.
 * opts (all optional): protocols ([1] or [1, 2]: version 2 adds SigV4a and the chunked
 * extension, /harness/PROTOCOL.md and its version 2 additions), algorithms (['sigv4'],
 * ['sigv4', 'sigv4a']), features ([] or ['chunked']). A v1 adapter passes nothing.
 */
function run(hello, sign, opts = {}) {
  const caps = {
    protocols: opts.protocols || [PROTOCOL],
    algorithms: opts.algorithms || ['sigv4'],
    features: opts.features || [],
  };
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    chain = chain.then(() => answer(line, hello, sign, caps)).then((a) => {
      process.stdout.write(JSON.stringify(a) + '\n');
    });
  });
  rl.on('close', () => { chain.then(() => process.exit(0)); });
}

function helloAnswer(hello, caps) {
  const out = { status: 'ok', ...hello };
  if (caps.protocols.length !== 1 || caps.protocols[0] !== PROTOCOL) {
    out.protocols = caps.protocols;
    out.algorithms = caps.algorithms;
    if (caps.features.length) out.features = caps.features;
  }
  return out;
}

/** Unsupported for what the adapter did not list (an algorithm, a streaming payload). */
function checkCapabilities(msg, hello, caps) {
  const st = msg.settings;
  if (st === null || typeof st !== 'object') throw new Error('the message has no settings object');
  const alg = st.algorithm || 'sigv4';
  if (alg !== 'sigv4' && alg !== 'sigv4a') throw new Error(`unknown algorithm ${JSON.stringify(alg)}`);
  if (!caps.algorithms.includes(alg)) throw new Unsupported(`${hello.name} does not sign ${alg}`);
  const mode = st.payload && st.payload.mode;
  if (STREAMING_MODES.includes(mode) && !caps.features.includes('chunked')) {
    throw new Unsupported(`${hello.name} does not sign aws-chunked bodies (${mode})`);
  }
}

async function answer(line, hello, sign, caps = { protocols: [PROTOCOL], algorithms: ['sigv4'], features: [] }) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return { protocol: PROTOCOL, id: null, status: 'error', message: `bad JSON: ${e.message}` };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    return { protocol: PROTOCOL, id: null, status: 'error', message: 'not a JSON object' };
  }
  const known = caps.protocols.includes(msg.protocol);
  const base = { protocol: known ? msg.protocol : PROTOCOL, id: msg.id === undefined ? null : msg.id };
  if (!known) return { ...base, status: 'error', message: `protocol ${msg.protocol} not supported` };
  if (msg.op === 'hello') return { ...base, ...helloAnswer(hello, caps) };
  if (msg.op !== 'sign') return { ...base, status: 'error', message: `unknown op ${JSON.stringify(msg.op)}` };
  try {
    checkCapabilities(msg, hello, caps);
    return { ...base, status: 'ok', ...(await sign(msg)) };
  } catch (e) {
    if (e instanceof Unsupported) return { ...base, status: 'unsupported', reason: e.message };
    process.stderr.write(`${msg.id}: ${e && e.stack ? e.stack : e}\n`);
    return { ...base, status: 'error', message: `${e && e.name ? e.name : 'Error'}: ${e && e.message ? e.message : e}` };
  }
}

module.exports = { run, Unsupported, parseTime, pathNeedsNormalising, headerObject, PROTOCOL };
