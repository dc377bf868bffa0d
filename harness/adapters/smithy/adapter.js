'use strict';
// sigv4 harness adapter (protocol 1, harness/PROTOCOL.md) for @smithy/signature-v4 (the signer
// of the AWS SDK for JavaScript v3), hashing with @aws-crypto/sha256-js.
// SignatureV4({credentials, region, service, sha256, uriEscapePath, applyChecksum}),
// .sign(request, {signingDate, signableHeaders, unsignableHeaders}) and
// .presign(request, {signingDate, expiresIn, ...}); the canonical request and string to sign
// are read from the signer's own createCanonicalRequest/createStringToSign.
const path = require('path');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const { SignatureV4 } = require(path.join(nm, '@smithy', 'signature-v4'));
const { Sha256 } = require(path.join(nm, '@aws-crypto', 'sha256-js'));
const version = require(path.join(nm, '@smithy', 'signature-v4', 'package.json')).version;

// The SDK's HttpRequest (query shape included) and smithy's escapeUri: shared with the
// signature-v4-crt and signature-v4a adapters.
const { escapeUri, sdkRequest } = require('../node/smithy-request.js');

async function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const when = parseTime(c.time);
  const target = req.target;
  const q = target.indexOf('?');
  const wirePath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? undefined : target.slice(q + 1);
  // uriEscapePath=true: normalise and encode the path again; false: sign it as given.
  const double = st.uri_encoding === 'double';
  if (double !== st.normalize_path) {
    const asGiven = !double && !pathNeedsNormalising(wirePath);
    if (!asGiven) {
      throw new Unsupported('smithy couples the path rules: uriEscapePath normalises and encodes again, '
        + `or signs the path as given; uri_encoding=${st.uri_encoding} with normalize_path=${st.normalize_path} has no switch`);
    }
  }
  if (cr.session_token && st.session_token !== 'include') throw new Unsupported('smithy always signs the session token');
  // The SDK's HttpRequest; x-amz-content-sha256 below is added to its (shared) headers object.
  const { request, headers, body } = sdkRequest(c, 'smithy');
  const names = new Set(Object.keys(headers).map((n) => n.toLowerCase()));
  const mode = st.payload.mode;
  let applyChecksum = !!st.content_sha256_header;
  const signOpts = { signingDate: when };
  if (mode === 'hash') {
    // getPayloadHash hashes the body
  } else if (mode === 'unsigned' || mode === 'precomputed') {
    // smithy takes a given payload hash from an x-amz-content-sha256 header (what the S3
    // client sets); it signs the header unless told not to.
    const value = mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : st.payload.value;
    if (query) {
      if (st.content_sha256_header) throw new Unsupported('smithy presign moves x-amz-* headers into the query');
      headers['x-amz-content-sha256'] = value;
      signOpts.unhoistableHeaders = new Set(['x-amz-content-sha256']);
      signOpts.unsignableHeaders = new Set(['x-amz-content-sha256']);
    } else if (!st.content_sha256_header) {
      throw new Unsupported('smithy takes a payload hash other than the body\'s only from an x-amz-content-sha256 header it signs');
    } else {
      headers['x-amz-content-sha256'] = value;
    }
  } else {
    throw new Error(`unknown payload mode ${mode}`);
  }
  if (query && st.content_sha256_header) throw new Unsupported('smithy presign moves x-amz-* headers into the query');
  if (st.signed_headers != null) {
    const want = new Set(st.signed_headers.map((n) => n.toLowerCase()));
    signOpts.signableHeaders = want;
    const unsignable = signOpts.unsignableHeaders || new Set();
    for (const n of names) if (n !== 'host' && !want.has(n)) unsignable.add(n);
    signOpts.unsignableHeaders = unsignable;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: cr.access_key_id, secretAccessKey: cr.secret_access_key, sessionToken: cr.session_token || undefined },
    region: c.region,
    service: c.service,
    sha256: Sha256,
    uriEscapePath: double,
    applyChecksum,
  });
  const seen = {};
  const creq = signer.createCanonicalRequest.bind(signer);
  signer.createCanonicalRequest = (...a) => (seen.canonical_request = creq(...a));
  const csts = signer.createStringToSign.bind(signer);
  signer.createStringToSign = async (...a) => (seen.string_to_sign = await csts(...a));

  let out;
  let outTarget;
  if (query) {
    signOpts.expiresIn = st.expires_in == null ? 3600 : st.expires_in;
    out = await signer.presign(request, signOpts);
    // The wire query: the case's own query as given, then what presign added (x-amz-* headers
    // it hoisted and the X-Amz-* parameters), escaped as the SDK's query builder does.
    const before = new Set(Object.keys(request.query));
    const added = [];
    for (const [k, v] of Object.entries(out.query)) {
      if (before.has(k)) continue;
      for (const one of Array.isArray(v) ? v : [v]) added.push(v === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(one)}`);
    }
    outTarget = wirePath + '?' + (rawQuery ? rawQuery + '&' : '') + added.join('&');
    if (signOpts.unhoistableHeaders) delete out.headers['x-amz-content-sha256'];
  } else {
    out = await signer.sign(request, signOpts);
    outTarget = target;
  }
  let signature;
  const auth = Object.entries(out.headers).find(([n]) => n.toLowerCase() === 'authorization');
  if (auth) signature = (/Signature=([0-9a-f]{64})/.exec(auth[1]) || [])[1];
  if (query) signature = out.query['X-Amz-Signature'];
  return {
    signed: {
      method: out.method,
      target: outTarget,
      headers: Object.entries(out.headers).map(([n, v]) => [n, String(v)]),
      body_b64: body.toString('base64'),
    },
    ...seen,
    signature,
  };
}

run({ name: 'smithy', version, language: 'javascript', reveals: ['canonical_request', 'string_to_sign', 'signature'] }, sign);
