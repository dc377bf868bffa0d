'use strict';
// sigv4 harness adapter (protocols 1 and 2) for aws-crt for Node.js, directly:
// crt.auth.aws_sign_request(new crt.http.HttpRequest(method, target, headers), config), the
// aws-c-auth signer in the prebuilt native module the package ships. SigV4 and SigV4a
// (AwsSigningAlgorithm.SigV4Asymmetric), header and query.
//
// Time: the config's `date` (the case's time); aws-c-auth reads no clock when it is given.
// The request-target goes to the CRT as given (path and raw query). The body's SHA-256 is
// passed as `signed_body_value`, as @aws-sdk/signature-v4-crt does: handing the body as an
// InputStream makes aws_sign_request spin here (its own doc comment warns of an endless loop
// when the body has not fully loaded). Reveals the signature only (the CRT exposes no
// canonical request or string to sign).
const path = require('path');
const crypto = require('crypto');
const { run, Unsupported, parseTime } = require('../node/protocol.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const crt = require(path.join(nm, 'aws-crt'));
const version = require(path.join(nm, 'aws-crt', 'package.json')).version;

async function sign(c) {
  const req = c.request;
  const st = c.settings;
  const cr = c.credentials;
  const alg = st.algorithm || 'sigv4';
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const body = Buffer.from(req.body_b64 || '', 'base64');
  const mode = st.payload.mode;
  let bodyValue;
  if (mode === 'hash') bodyValue = crypto.createHash('sha256').update(body).digest('hex');
  else if (mode === 'unsigned') bodyValue = crt.auth.AwsSignedBodyValue.UnsignedPayload;
  else if (mode === 'precomputed') bodyValue = st.payload.value;
  else throw new Error(`unknown payload mode ${mode}`);
  const tokenMode = st.session_token || 'include';
  if (tokenMode !== 'include' && tokenMode !== 'after-signing') throw new Error(`unknown session_token mode ${tokenMode}`);
  const names = req.headers.map(([n]) => n.toLowerCase());
  const config = {
    algorithm: alg === 'sigv4a' ? crt.auth.AwsSigningAlgorithm.SigV4Asymmetric : crt.auth.AwsSigningAlgorithm.SigV4,
    signature_type: query ? crt.auth.AwsSignatureType.HttpRequestViaQueryParams : crt.auth.AwsSignatureType.HttpRequestViaHeaders,
    provider: crt.auth.AwsCredentialsProvider.newStatic(cr.access_key_id, cr.secret_access_key, cr.session_token || undefined),
    region: c.region,
    service: c.service,
    date: parseTime(c.time),
    use_double_uri_encode: st.uri_encoding === 'double',
    should_normalize_uri_path: !!st.normalize_path,
    signed_body_value: bodyValue,
    signed_body_header: st.content_sha256_header ? crt.auth.AwsSignedBodyHeaderType.XAmzContentSha256 : crt.auth.AwsSignedBodyHeaderType.None,
    omit_session_token: tokenMode === 'after-signing',
  };
  if (query) {
    const expires = st.expires_in == null ? 3600 : st.expires_in;
    if (!Number.isInteger(expires) || expires < 1) throw new Error(`aws-crt takes expiration_in_seconds > 0, not ${expires}`);
    config.expiration_in_seconds = expires;
  }
  if (st.signed_headers != null) {
    // header_blacklist: the case's headers that are not to be signed (headers the CRT adds
    // itself are signed whatever the list says).
    const want = new Set(st.signed_headers.map((n) => n.toLowerCase()).concat(['host']));
    config.header_blacklist = [...new Set(names.filter((n) => !want.has(n)))];
  }
  const request = new crt.http.HttpRequest(req.method, req.target, new crt.http.HttpHeaders(req.headers.map(([n, v]) => [n, v])));
  const out = await crt.auth.aws_sign_request(request, config);
  const headers = out.headers._flatten().map(([n, v]) => [n, String(v)]);
  let signature;
  if (query) signature = (/[?&]X-Amz-Signature=([0-9a-f]+)/.exec(out.path) || [])[1];
  else {
    const auth = headers.find(([n]) => n.toLowerCase() === 'authorization');
    if (auth) signature = (/Signature=([0-9a-f]+)/.exec(auth[1]) || [])[1];
  }
  if (alg === 'sigv4a' && !signature) throw new Unsupported('aws-crt produced no SigV4a signature');
  return {
    signed: { method: out.method, target: out.path, headers, body_b64: body.toString('base64') },
    signature,
  };
}

run({ name: 'aws-crt', version, language: 'javascript', reveals: ['signature'] }, sign,
  { protocols: [1, 2], algorithms: ['sigv4', 'sigv4a'] });
