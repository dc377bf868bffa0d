'use strict';
// A case's request in the shape of the AWS SDK for JavaScript v3's HttpRequest (what
// @smithy/signature-v4, @smithy/signature-v4a and @aws-sdk/signature-v4-crt sign), and the
// wire target of a presigned request. Shared by the signature-v4-crt and signature-v4a adapters.
const { Unsupported, headerObject } = require('./protocol.js');

// The query as the SDK's HttpRequest holds it: decoded keys and values, a repeated key an
// array, a key without `=` null (the shape @smithy/querystring-parser produces).
function parseQuery(q) {
  const out = {};
  if (q === undefined || q === '') return out;
  for (const pair of q.split('&')) {
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? null : decodeURIComponent(pair.slice(eq + 1));
    if (!(key in out)) out[key] = value;
    else if (Array.isArray(out[key])) out[key].push(value);
    else out[key] = [out[key], value];
  }
  return out;
}

// RFC 3986 escaping as smithy's escapeUri does it (encodeURIComponent plus !'()*).
function escapeUri(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
}

/** {request, wirePath, rawQuery, headers} for a case; `library` names it in Unsupported reasons. */
function sdkRequest(c, library) {
  const req = c.request;
  const target = req.target;
  const q = target.indexOf('?');
  const wirePath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? undefined : target.slice(q + 1);
  const headers = headerObject(req.headers, `${library}'s HttpRequest`);
  const host = Object.entries(headers).find(([n]) => n.toLowerCase() === 'host');
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const request = {
    method: req.method,
    protocol: 'https:',
    hostname: host ? host[1] : 'localhost',
    path: wirePath,
    query: parseQuery(rawQuery),
    headers,
    body: body.length ? new Uint8Array(body) : undefined,
  };
  return { request, wirePath, rawQuery, headers, body };
}

/** The presigned wire target: the case's own query as given, then what presign added. */
function presignedTarget(wirePath, rawQuery, before, outQuery) {
  const added = [];
  for (const [k, v] of Object.entries(outQuery)) {
    if (before.has(k)) continue;
    for (const one of Array.isArray(v) ? v : [v]) added.push(one === null ? escapeUri(k) : `${escapeUri(k)}=${escapeUri(one)}`);
  }
  return wirePath + '?' + (rawQuery ? rawQuery + '&' : '') + added.join('&');
}

/** signableHeaders / unsignableHeaders for a case's signed_headers list (null: the default). */
function headerSets(st, headers, into = {}) {
  if (st.signed_headers == null) return into;
  const want = new Set(st.signed_headers.map((n) => n.toLowerCase()));
  into.signableHeaders = want;
  const unsignable = into.unsignableHeaders || new Set();
  for (const n of Object.keys(headers).map((x) => x.toLowerCase())) if (n !== 'host' && !want.has(n)) unsignable.add(n);
  into.unsignableHeaders = unsignable;
  return into;
}

function signatureOf(headers, query) {
  if (query) return query['X-Amz-Signature'];
  const auth = Object.entries(headers).find(([n]) => n.toLowerCase() === 'authorization');
  return auth ? (/Signature=([0-9a-f]+)/.exec(auth[1]) || [])[1] : undefined;
}

module.exports = { parseQuery, escapeUri, sdkRequest, presignedTarget, headerSets, signatureOf, Unsupported };
