'use strict';
// sigv4 harness adapter (protocol 1) for the npm package aws-signature-v4.
// Query: createPresignedURL(method, host, path, service, payload, {key, secret, sessionToken,
// protocol, timestamp, region, expires, headers, signSessionToken, doubleEscape, query}).
// Header: the package has no header signer; the form its README shows is assembled from its
// exported parts: createCanonicalRequest(method, path, query, headers, payload, doubleEscape),
// createStringToSign(time, region, service, canonical), createSignature(secret, time, region,
// service, stringToSign), createCredentialScope, createSignedHeaders, createAuthorizationHeader.
//
// Time: the `timestamp` option / the `time` argument (the case's time, in ms).
// The library signs every header it is handed: the adapter hands it the headers the case wants
// signed (all by default) and keeps the others on the wire unsigned.
const path = require('path');
const crypto = require('crypto');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const v4 = require(path.join(nm, 'aws-signature-v4'));
const version = require(path.join(nm, 'aws-signature-v4', 'package.json')).version;

/** [[n, v]] -> {name: value | [values]} keeping the case's spelling of each name. */
function headerMap(pairs) {
  const out = {};
  const spelled = {};
  for (const [n, v] of pairs) {
    const l = n.toLowerCase();
    const key = spelled[l] || (spelled[l] = n);
    if (!(key in out)) out[key] = v;
    else out[key] = [].concat(out[key], v);
  }
  return out;
}

async function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const target = req.target;
  const q = target.indexOf('?');
  const wirePath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  // createCanonicalURI runs path.resolve (dot segments and '//' removed) whatever doubleEscape says.
  if (!st.normalize_path && pathNeedsNormalising(wirePath)) throw new Unsupported('aws-signature-v4 always normalises the path (path.resolve)');
  const doubleEscape = st.uri_encoding === 'double';
  const mode = st.payload.mode;
  if (mode === 'precomputed') throw new Unsupported('aws-signature-v4 hashes the payload it is given (only UNSIGNED-PAYLOAD passes as is)');
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const payload = mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : body;
  const when = parseTime(c.time).getTime();
  const token = cr.session_token || undefined;
  const tokenMode = st.session_token || 'include';
  const hostHeader = req.headers.find(([n]) => n.toLowerCase() === 'host');
  if (!hostHeader) throw new Error('adapter: the request has no Host header');
  const want = st.signed_headers == null ? null : new Set(st.signed_headers.map((n) => n.toLowerCase()).concat(['host']));
  const signedPairs = req.headers.filter(([n]) => want === null || want.has(n.toLowerCase()));

  if (query) {
    if (st.content_sha256_header) throw new Unsupported('aws-signature-v4 presign adds no x-amz-content-sha256');
    const expires = st.expires_in == null ? 3600 : st.expires_in;
    const headers = headerMap(signedPairs.filter(([n]) => n.toLowerCase() !== 'host'));
    const url = v4.createPresignedURL(req.method, hostHeader[1], wirePath, c.service, payload, {
      key: cr.access_key_id,
      secret: cr.secret_access_key,
      sessionToken: token,
      protocol: 'http',
      timestamp: when,
      region: c.region,
      expires,
      headers,
      signSessionToken: tokenMode === 'include',
      doubleEscape,
      query: rawQuery,
    });
    const prefix = `http://${hostHeader[1]}`;
    const signedTarget = url.slice(prefix.length);
    const outHeaders = req.headers.map(([n, v]) => [n, v]);
    return {
      signed: { method: req.method, target: signedTarget, headers: outHeaders, body_b64: body.toString('base64') },
      signature: (/[?&]X-Amz-Signature=([0-9a-f]{64})/.exec(signedTarget) || [])[1],
    };
  }

  if (token && tokenMode !== 'include') throw new Unsupported('aws-signature-v4 has no unsigned session token for header signing');
  const amzDate = new Date(when).toISOString().replace(/[:-]|\.\d{3}/g, '');
  const added = [['X-Amz-Date', amzDate]];
  if (st.content_sha256_header) {
    added.push(['X-Amz-Content-Sha256', mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : crypto.createHash('sha256').update(body).digest('hex')]);
  }
  if (token) added.push(['X-Amz-Security-Token', token]);
  const headers = headerMap(signedPairs.concat(added));
  const canonical = v4.createCanonicalRequest(req.method, wirePath, rawQuery, headers, payload, doubleEscape);
  const sts = v4.createStringToSign(when, c.region, c.service, canonical);
  const signature = v4.createSignature(cr.secret_access_key, when, c.region, c.service, sts);
  const scope = v4.createCredentialScope(when, c.region, c.service);
  const authorization = v4.createAuthorizationHeader(cr.access_key_id, scope, v4.createSignedHeaders(headers), signature);
  return {
    signed: {
      method: req.method,
      target,
      headers: req.headers.map(([n, v]) => [n, v]).concat(added, [['Authorization', authorization]]),
      body_b64: body.toString('base64'),
    },
    canonical_request: canonical,
    string_to_sign: sts,
    signature,
  };
}

run({ name: 'aws-signature-v4', version, language: 'javascript', reveals: ['canonical_request', 'string_to_sign', 'signature'] }, sign);
