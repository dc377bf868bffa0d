'use strict';
// sigv4 harness adapter (protocol 1) for aws4fetch: new AwsV4Signer({method, url, headers, body,
// accessKeyId, secretAccessKey, sessionToken, service, region, datetime, signQuery,
// appendSessionToken, allHeaders, singleEncode}).sign() -> {method, url, headers}.
//
// Time: the `datetime` option (YYYYMMDDTHHMMSSZ, the case's time); aws4fetch reads the clock
// only without it. The URL is `http://HOST` + the target as given, parsed by WHATWG `URL` (the
// library's own input type). The canonical request and string to sign are read from the
// signer's own canonicalString() / stringToSign().
const path = require('path');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const { AwsV4Signer } = require(path.join(nm, 'aws4fetch'));
const version = require(path.join(nm, 'aws4fetch', 'package.json')).version;

// aws4fetch's UNSIGNABLE_HEADERS (dist/aws4fetch.cjs.js): left out unless allHeaders is set.
const UNSIGNABLE = new Set(['authorization', 'content-type', 'content-length', 'user-agent', 'presigned-expires',
  'expect', 'x-amzn-trace-id', 'range', 'connection']);

function amzDate(d) {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, '');
}

async function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const s3 = c.service === 's3';
  const target = req.target;
  const q = target.indexOf('?');
  const wirePath = q < 0 ? target : target.slice(0, q);
  // Path: WHATWG URL removes dot segments; non-s3 collapses '//' and encodes the path again
  // (unless singleEncode); s3 decodes the path and encodes it once, never collapsing '//'.
  if (!st.normalize_path && pathNeedsNormalising(wirePath)) {
    throw new Unsupported('aws4fetch always normalises the path (URL removes dot segments; non-s3 collapses //)');
  }
  if (st.normalize_path && s3 && pathNeedsNormalising(wirePath)) {
    throw new Unsupported('aws4fetch does not collapse // for s3');
  }
  const double = st.uri_encoding === 'double';
  if (s3 && double && wirePath.includes('%')) throw new Unsupported('aws4fetch encodes an s3 path once (no double-encoding switch for s3)');
  const singleEncode = !s3 && !double;

  const token = cr.session_token || undefined;
  const tokenMode = st.session_token || 'include';
  if (token && tokenMode !== 'include' && !query) {
    throw new Unsupported('aws4fetch appends an unsigned session token only to presigned URLs (appendSessionToken)');
  }
  const headers = [];
  for (const [n, v] of req.headers) if (n.toLowerCase() !== 'host') headers.push([n, v]);
  const hostHeader = req.headers.find(([n]) => n.toLowerCase() === 'host');
  if (!hostHeader) throw new Error('adapter: the request has no Host header');
  const names = new Set(headers.map(([n]) => n.toLowerCase()));

  // Payload: the body's hash, or the value of an X-Amz-Content-Sha256 header the caller sets
  // (which is then signed); for s3 the default is UNSIGNED-PAYLOAD.
  const mode = st.payload.mode;
  const given = mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : mode === 'precomputed' ? st.payload.value : null;
  if (query) {
    if (st.content_sha256_header) throw new Unsupported('aws4fetch presign keeps a given X-Amz-Content-Sha256 as a signed header, not in the query');
    if (s3 ? mode !== 'unsigned' : mode !== 'hash') {
      throw new Unsupported(`aws4fetch presigns ${s3 ? 's3 with UNSIGNED-PAYLOAD' : 'with the SHA-256 of the body'} only`);
    }
  } else if (given !== null) {
    // A given payload hash goes in as an X-Amz-Content-Sha256 header, which aws4fetch signs:
    // its only way, so it is used even when the case does not ask for the header (AWS accepts
    // a signed x-amz-content-sha256 equal to the payload value; the harness judges that
    // `accepted`). For s3 it sets UNSIGNED-PAYLOAD itself when no header is given.
    if (st.content_sha256_header || !(s3 && mode === 'unsigned')) headers.push(['X-Amz-Content-Sha256', given]);
  } else if (st.content_sha256_header || s3) {
    throw new Unsupported('aws4fetch signs an X-Amz-Content-Sha256 the caller sets; it never computes the body\'s hash for one (for s3 its default is UNSIGNED-PAYLOAD)');
  }

  // Signed headers: by default every header but UNSIGNABLE; allHeaders signs all of them.
  let allHeaders = false;
  if (st.signed_headers != null) {
    const want = new Set(st.signed_headers.map((n) => n.toLowerCase()));
    want.delete('host');
    const def = new Set([...names].filter((n) => !UNSIGNABLE.has(n)));
    const all = new Set(names);
    const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
    const added = new Set(['x-amz-content-sha256']);
    const strip = (s) => new Set([...s].filter((x) => !added.has(x)));
    if (same(strip(want), strip(def))) allHeaders = false;
    else if (same(strip(want), strip(all))) allHeaders = true;
    else throw new Unsupported('aws4fetch signs every header but its unsignable list, or (allHeaders) every header; no other choice');
  }
  const url = new URL(`http://${hostHeader[1]}${target}`);
  if (query) {
    const expires = st.expires_in == null ? 3600 : st.expires_in;
    url.searchParams.set('X-Amz-Expires', String(expires)); // aws4fetch's documented way to set it
  }
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const signer = new AwsV4Signer({
    method: req.method,
    url: url.toString(),
    headers,
    body: body.length ? new Uint8Array(body) : undefined,
    accessKeyId: cr.access_key_id,
    secretAccessKey: cr.secret_access_key,
    sessionToken: token,
    service: c.service,
    region: c.region,
    datetime: amzDate(parseTime(c.time)),
    signQuery: query,
    appendSessionToken: tokenMode !== 'include',
    allHeaders,
    singleEncode,
  });
  const canonical = await signer.canonicalString();
  const sts = await signer.stringToSign();
  const out = await signer.sign();
  const outHeaders = [['Host', out.url.host]];
  for (const [n, v] of out.headers) outHeaders.push([n, v]);
  let signature = out.url.searchParams.get('X-Amz-Signature') || undefined;
  if (!query) signature = (/Signature=([0-9a-f]{64})/.exec(out.headers.get('authorization') || '') || [])[1];
  return {
    signed: { method: out.method, target: out.url.pathname + out.url.search, headers: outHeaders, body_b64: body.toString('base64') },
    canonical_request: canonical,
    string_to_sign: sts,
    signature,
  };
}

run({ name: 'aws4fetch', version, language: 'javascript', reveals: ['canonical_request', 'string_to_sign', 'signature'] }, sign);
