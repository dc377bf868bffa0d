'use strict';
// sigv4 harness adapter (protocol 1, harness/PROTOCOL.md) for the `aws4` npm package.
// aws4.RequestSigner(opts, creds): prepareRequest(), canonicalString(), stringToSign(), sign().
// The signing time: aws4 reads `new Date` (no argument) when no X-Amz-Date/Date is given; the
// adapter replaces the global Date for the call with one whose clock is the case's time.
const path = require('path');
const crypto = require('crypto');
const { run, Unsupported, parseTime, pathNeedsNormalising, headerObject } = require('../node/protocol.js');
const aws4 = require(path.join(__dirname, '..', 'node', 'node_modules', 'aws4'));
const version = require(path.join(__dirname, '..', 'node', 'node_modules', 'aws4', 'package.json')).version;

function withFixedDate(when, fn) {
  const Real = global.Date;
  class FixedDate extends Real {
    constructor(...args) {
      if (args.length === 0) super(when.getTime());
      else super(...args);
    }
    static now() { return when.getTime(); }
  }
  global.Date = FixedDate;
  try {
    return fn();
  } finally {
    global.Date = Real;
  }
}

function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  const s3 = c.service === 's3';
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const when = parseTime(c.time);
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const target = req.target;
  const wirePath = target.split('?')[0];
  const opts = { method: req.method, path: target, service: c.service, region: c.region };
  // Path rules: aws4 keys them on the service name. s3: encode once (decode, re-encode each
  // segment), no normalisation; other services: normalise and encode again, or with
  // doNotEncodePath normalise and encode once.
  const double = st.uri_encoding === 'double';
  if (s3) {
    if (double || st.normalize_path) {
      throw new Unsupported('aws4 applies S3 path rules (encode once, no normalisation) to service s3, always');
    }
  } else if (!double) {
    if (!st.normalize_path && pathNeedsNormalising(wirePath)) {
      throw new Unsupported('aws4 normalises the path of every service but s3 (no switch)');
    }
    opts.doNotEncodePath = true;
  } else if (!st.normalize_path && pathNeedsNormalising(wirePath)) {
    throw new Unsupported('aws4 normalises the path of every service but s3 (no switch)');
  }
  if (cr.session_token && st.session_token !== 'include') {
    throw new Unsupported('aws4 always signs the session token');
  }
  const headers = headerObject(req.headers, 'aws4');
  const names = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  const mode = st.payload.mode;
  if (mode !== 'hash' && mode !== 'unsigned' && mode !== 'precomputed') throw new Error(`unknown payload mode ${mode}`);
  const payloadValue = () => (mode === 'hash' ? crypto.createHash('sha256').update(body).digest('hex')
    : mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : st.payload.value);
  if (query) {
    opts.signQuery = true;
    if (s3 && mode !== 'unsigned') throw new Unsupported('aws4 presigns s3 with UNSIGNED-PAYLOAD, always');
    if (s3 && st.content_sha256_header) throw new Unsupported('aws4 adds no X-Amz-Content-Sha256 when presigning');
    if (!s3) {
      if (st.content_sha256_header) headers['X-Amz-Content-Sha256'] = payloadValue();
      else if (mode !== 'hash') throw new Unsupported('aws4 takes a payload hash other than the body\'s only from an X-Amz-Content-Sha256 header it signs');
    }
    // aws4 presigns with the X-Amz-Expires the caller puts in the query (s3 default 86400).
    if (st.expires_in != null) opts.path = target + (target.includes('?') ? '&' : '?') + `X-Amz-Expires=${st.expires_in}`;
  } else if (s3) {
    // aws4 adds X-Amz-Content-Sha256 (the body's hash) for s3, unless the caller set it.
    if (!st.content_sha256_header) throw new Unsupported('aws4 always adds X-Amz-Content-Sha256 for s3');
    if (mode !== 'hash') headers['X-Amz-Content-Sha256'] = payloadValue();
  } else if (st.content_sha256_header) {
    headers['X-Amz-Content-Sha256'] = payloadValue();
  } else if (mode !== 'hash') {
    throw new Unsupported('aws4 takes a payload hash other than the body\'s only from an X-Amz-Content-Sha256 header it signs');
  }
  opts.headers = headers;
  if (body.length) opts.body = body;
  if (st.signed_headers != null) {
    const want = new Set(st.signed_headers.map((n) => n.toLowerCase()));
    opts.extraHeadersToInclude = Object.create(null);
    opts.extraHeadersToIgnore = Object.create(null);
    for (const n of want) opts.extraHeadersToInclude[n] = true;
    for (const n of names) if (n !== 'host' && !want.has(n)) opts.extraHeadersToIgnore[n] = true;
  }
  const creds = { accessKeyId: cr.access_key_id, secretAccessKey: cr.secret_access_key };
  if (cr.session_token) creds.sessionToken = cr.session_token;

  return withFixedDate(when, () => {
    const signer = new aws4.RequestSigner(opts, creds);
    signer.prepareRequest();
    const canonical = signer.canonicalString();
    const sts = signer.stringToSign();
    const signature = signer.signature();
    const out = signer.sign();
    const outHeaders = [];
    for (const [n, v] of Object.entries(out.headers)) outHeaders.push([n, String(v)]);
    return {
      signed: {
        method: out.method || req.method,
        target: out.path,
        headers: outHeaders,
        body_b64: out.body ? Buffer.from(out.body).toString('base64') : '',
      },
      canonical_request: canonical,
      string_to_sign: sts,
      signature,
    };
  });
}

run({ name: 'aws4', version, language: 'javascript', reveals: ['canonical_request', 'string_to_sign', 'signature'] }, sign);
