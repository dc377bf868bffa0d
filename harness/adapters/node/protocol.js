'use strict';
// The protocol loop shared by the node adapters (harness/PROTOCOL.md, version 1): one JSON
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

/** run(hello, sign): sign(case) returns the answer's fields or throws Unsupported/Error. */
function run(hello, sign) {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  let chain = Promise.resolve();
  rl.on('line', (line) => {
    if (!line.trim()) return;
    chain = chain.then(() => answer(line, hello, sign)).then((a) => {
      process.stdout.write(JSON.stringify(a) + '\n');
    });
  });
  rl.on('close', () => { chain.then(() => process.exit(0)); });
}

async function answer(line, hello, sign) {
  let msg;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return { protocol: PROTOCOL, id: null, status: 'error', message: `bad JSON: ${e.message}` };
  }
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
    return { protocol: PROTOCOL, id: null, status: 'error', message: 'not a JSON object' };
  }
  const base = { protocol: PROTOCOL, id: msg.id === undefined ? null : msg.id };
  if (msg.protocol !== PROTOCOL) return { ...base, status: 'error', message: `protocol ${msg.protocol} not supported` };
  if (msg.op === 'hello') return { ...base, status: 'ok', ...hello };
  if (msg.op !== 'sign') return { ...base, status: 'error', message: `unknown op ${JSON.stringify(msg.op)}` };
  try {
    return { ...base, status: 'ok', ...(await sign(msg)) };
  } catch (e) {
    if (e instanceof Unsupported) return { ...base, status: 'unsupported', reason: e.message };
    process.stderr.write(`${msg.id}: ${e && e.stack ? e.stack : e}\n`);
    return { ...base, status: 'error', message: `${e && e.name ? e.name : 'Error'}: ${e && e.message ? e.message : e}` };
  }
}

module.exports = { run, Unsupported, parseTime, pathNeedsNormalising, headerObject, PROTOCOL };
