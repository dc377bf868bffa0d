'use strict';
// A sigv4 harness adapter for MY-LIBRARY (copy of harness/adapters/templates/node).
//
// The protocol (harness/PROTOCOL.md) is done by the shared loop ../node/protocol.js: it reads
// the harness's JSON lines, answers `hello`, echoes ids, turns exceptions into answers. Fill
// in `sign` below; nothing else needs to change. Add the library to
// harness/adapters/node/package.json with an exact version and commit package-lock.json.
const fs = require('fs');
const path = require('path');

// harness/adapters/<name>/ -> ../node; harness/adapters/templates/node/ -> ../../node
const nodeDir = [path.join(__dirname, '..', 'node'), path.join(__dirname, '..', '..', 'node')]
  .find((d) => fs.existsSync(path.join(d, 'protocol.js')));
const { run, Unsupported, parseTime } = require(path.join(nodeDir, 'protocol.js'));
// const lib = require(path.join(nodeDir, 'node_modules', 'my-library'));

const NAME = 'my-library'; // the folder's name (sigv4 check --adapter-name NAME)
const VERSION = '0.0.0'; // e.g. require(path.join(nodeDir, 'node_modules', 'my-library', 'package.json')).version
const REVEALS = []; // e.g. ['canonical_request', 'string_to_sign', 'signature']

/**
 * One `sign` message -> the answer's fields (harness/PROTOCOL.md):
 *   c.request      {method, target (path and raw query as on the wire: hand it to the library
 *                  as is), headers [[name, value], ...], body_b64}
 *   c.credentials  {access_key_id, secret_access_key, session_token (or null)}
 *   c.time         RFC 3339 UTC: sign at this time, never the clock (parseTime(c.time) -> Date)
 *   c.region, c.service
 *   c.settings     {location: 'header'|'query', expires_in, uri_encoding: 'double'|'single',
 *                  normalize_path, payload: {mode: 'hash'|'unsigned'|'precomputed', value},
 *                  content_sha256_header, session_token: 'include'|'after-signing',
 *                  signed_headers: null|[...]}
 * Throw new Unsupported('why') for a setting the library has no switch for (never approximate
 * it); any other error becomes an `error` answer. Return {signed: {method, target, headers,
 * body_b64}} plus canonical_request / string_to_sign / signature where the library exposes them.
 */
async function sign(c) {
  if (c.settings.location === 'query') throw new Unsupported('presigning is not written yet');
  const body = Buffer.from(c.request.body_b64 || '', 'base64');
  const when = parseTime(c.time);
  void body; void when;
  // const out = await lib.sign(...);
  // return { signed: { method, target, headers, body_b64: body.toString('base64') } };
  throw new Unsupported('this adapter is the template: fill in sign()');
}

// For SigV4a too: run(..., { protocols: [1, 2], algorithms: ['sigv4', 'sigv4a'] }) and read
// c.settings.algorithm ('sigv4' when absent, or 'sigv4a'; for sigv4a c.region is the region set).
run({ name: NAME, version: VERSION, language: 'javascript', reveals: REVEALS }, sign);
