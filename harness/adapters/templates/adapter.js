#!/usr/bin/env node
// A template adapter for the sigv4 harness (harness/PROTOCOL.md), Node's standard library
// only. The protocol loop is done: copy this file, fill in `sign`, and run
// `sigv4 check --adapter 'node path/to/adapter.js'`.
//
// `sign(msg)` gets the whole `sign` message (request, credentials, time, region, service,
// settings) and returns (or resolves to) one of:
//   {status: "ok", signed: {method, target, headers: [[name, value], ...]},
//    canonical_request, string_to_sign, signature}        (the last three optional)
//   {status: "unsupported", reason}   a setting your library cannot express
//   {status: "error", message}        your library refused the input
// Sign at msg.time, never the clock. `throw new Unsupported("why")` is a shortcut.
"use strict";
const readline = require("readline");

const NAME = "my-signer";
const VERSION = "0.0.0";
const REVEALS = []; // e.g. ["canonical_request", "string_to_sign", "signature"]
// Protocol 2 (SigV4a, aws-chunked): list 2 here and what you sign.
const PROTOCOLS = [1];
const ALGORITHMS = ["sigv4"];
const FEATURES = [];

class Unsupported extends Error {}

async function sign(msg) {
  // Fill in: sign msg.request with your library under msg.settings.
  throw new Unsupported("this adapter is a template: fill in sign()");
}

async function answer(msg) {
  const id = msg && typeof msg === "object" ? msg.id : null;
  const proto = msg && typeof msg === "object" ? msg.protocol : null;
  if (!PROTOCOLS.includes(proto)) {
    return { protocol: 1, id, status: "error", message: `protocol ${proto} not supported` };
  }
  let out;
  if (msg.op === "hello") {
    out = { status: "ok", name: NAME, version: VERSION, language: "javascript", reveals: REVEALS };
    if (PROTOCOLS.includes(2)) Object.assign(out, { protocols: PROTOCOLS, algorithms: ALGORITHMS, features: FEATURES });
  } else if (msg.op === "sign") {
    const algorithm = (msg.settings && msg.settings.algorithm) || "sigv4";
    try {
      if (!ALGORITHMS.includes(algorithm)) throw new Unsupported(`${algorithm} is not implemented`);
      out = await sign(msg);
    } catch (e) {
      out = e instanceof Unsupported
        ? { status: "unsupported", reason: e.message }
        : { status: "error", message: `${e.name}: ${e.message}` };
    }
  } else {
    out = { status: "error", message: `unknown op ${JSON.stringify(msg.op)}` };
  }
  return Object.assign(out, { protocol: proto, id });
}

// Answers strictly in order, one line per line.
let chain = Promise.resolve();
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  chain = chain.then(async () => {
    let out;
    try {
      out = await answer(JSON.parse(line));
    } catch (e) {
      out = { protocol: 1, id: null, status: "error", message: `not JSON: ${e.message}` };
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  });
});
