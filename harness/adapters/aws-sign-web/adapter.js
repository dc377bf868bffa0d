'use strict';
// sigv4 harness adapter (protocol 1) for aws-sign-web (a browser SigV4 signer on crypto-js):
// new AwsSigner({accessKeyId, secretAccessKey, sessionToken, region, service,
// defaultContentType: null, defaultAcceptType: null, uriParserFactory}).sign({method, url,
// headers, body}, signDate) -> the headers to add (Authorization, x-amz-date, ...).
//
// Time: the `signDate` argument (the case's time). The package parses URLs with a DOM <a>
// element (SimpleUriParser); outside a browser it needs a `uriParserFactory`: the one here
// does what SimpleUriParser does, on WHATWG URL in place of <a> (host without :80/:443,
// decodeURI of the path, the query split on '&' with /^(.+)=(.*)$/ and decodeURI).
// defaultContentType / defaultAcceptType are null, or it would add and sign its own
// Content-Type and Accept. The library exposes no canonical request; signature only.
const path = require('path');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const { AwsSigner } = require(path.join(nm, 'aws-sign-web'));
const version = require(path.join(nm, 'aws-sign-web', 'package.json')).version;

function urlUriParserFactory() {
  return function parse(uri) {
    const u = new URL(uri);
    const queryParams = u.search.replace(/^\?/, '').split('&').reduce((result, arg) => {
      const m = /^(.+)=(.*)$/.exec(arg);
      if (m) {
        const key = decodeURI(m[1]);
        result[key] = (Array.isArray(result[key]) ? result[key] : []).concat(decodeURI(m[2]));
      }
      return result;
    }, {});
    return {
      protocol: u.protocol,
      host: u.host.replace(/^(.*):((80)|(443))$/, '$1'),
      path: (u.pathname.charAt(0) !== '/' ? '/' : '') + decodeURI(u.pathname),
      queryParams,
    };
  };
}

async function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  if (st.location !== 'header') throw new Unsupported('aws-sign-web signs with an Authorization header only (no presigning)');
  if (st.payload.mode !== 'hash') throw new Unsupported('aws-sign-web always signs the SHA-256 of the body');
  if (st.content_sha256_header) throw new Unsupported('aws-sign-web adds no x-amz-content-sha256');
  const token = cr.session_token || undefined;
  if (token && (st.session_token || 'include') === 'include') {
    throw new Unsupported('aws-sign-web returns x-amz-security-token to add after signing (it never signs it)');
  }
  const target = req.target;
  const q = target.indexOf('?');
  const wirePath = q < 0 ? target : target.slice(0, q);
  // The path: URL removes dot segments, '//' is kept; decodeURI then encodeURIComponent per
  // segment encodes it once.
  if (pathNeedsNormalising(wirePath)) {
    const dots = wirePath.split('/').slice(1).some((s) => s === '.' || s === '..');
    if (dots && !st.normalize_path) throw new Unsupported('aws-sign-web removes dot segments (URL parsing) always');
    if (wirePath.includes('//') && st.normalize_path) throw new Unsupported('aws-sign-web never collapses //');
  }
  if (st.uri_encoding === 'double' && wirePath.includes('%')) throw new Unsupported('aws-sign-web encodes the decoded path once (no double encoding)');
  const hostHeader = req.headers.find(([n]) => n.toLowerCase() === 'host');
  if (!hostHeader) throw new Error('adapter: the request has no Host header');
  const lower = req.headers.map(([n]) => n.toLowerCase());
  if (new Set(lower).size !== lower.length) throw new Unsupported('aws-sign-web holds one value per header name');
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const text = body.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(body)) throw new Unsupported('aws-sign-web hashes the body as a (UTF-8) string; this body is not UTF-8');
  const want = st.signed_headers == null ? null : new Set(st.signed_headers.map((n) => n.toLowerCase()).concat(['host']));
  // The library signs every header it is handed (and host, from the URL): hand it the ones to sign.
  const toSign = {};
  for (const [n, v] of req.headers) {
    if (n.toLowerCase() === 'host') continue;
    if (want === null || want.has(n.toLowerCase())) toSign[n] = v;
  }
  const signer = new AwsSigner({
    accessKeyId: cr.access_key_id,
    secretAccessKey: cr.secret_access_key,
    sessionToken: token,
    region: c.region,
    service: c.service,
    defaultContentType: null,
    defaultAcceptType: null,
    uriParserFactory: urlUriParserFactory,
  });
  const added = signer.sign({ method: req.method, url: `http://${hostHeader[1]}${target}`, headers: toSign, body: text || undefined },
    parseTime(c.time));
  const headers = [];
  const replaced = new Set();
  for (const [n, v] of req.headers) {
    const hit = Object.keys(added).find((k) => k.toLowerCase() === n.toLowerCase() && added[k] !== undefined);
    if (hit) { headers.push([n, added[hit]]); replaced.add(hit); } else headers.push([n, v]);
  }
  for (const [k, v] of Object.entries(added)) if (v !== undefined && !replaced.has(k)) headers.push([k, v]);
  return {
    signed: { method: req.method, target, headers, body_b64: body.toString('base64') },
    signature: (/Signature=([0-9a-f]{64})/.exec(added.Authorization || '') || [])[1],
  };
}

run({ name: 'aws-sign-web', version, language: 'javascript', reveals: ['signature'] }, sign);
