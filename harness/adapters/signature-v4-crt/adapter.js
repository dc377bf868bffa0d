'use strict';
// sigv4 harness adapter (protocols 1 and 2) for @aws-sdk/signature-v4-crt: the AWS SDK for
// JavaScript v3's CRT-based signer, CrtSignerV4({credentials, region, service, sha256,
// uriEscapePath, applyChecksum, signingAlgorithm}).sign(request, {signingDate, ...}) and
// .presign(request, {signingDate, expiresIn}), on aws-crt's prebuilt native module. SigV4 and
// SigV4a (signingAlgorithm = AwsSigningAlgorithm.SigV4Asymmetric), header and query.
//
// Time: `signingDate` (the case's time), which the signer hands to aws-c-auth as `date`.
// Reveals the signature only (the CRT exposes no canonical request or string to sign).
const path = require('path');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const { sdkRequest, presignedTarget, headerSets, signatureOf } = require('../node/smithy-request.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const { CrtSignerV4 } = require(path.join(nm, '@aws-sdk', 'signature-v4-crt'));
const crt = require(path.join(nm, 'aws-crt'));
const { Sha256 } = require(path.join(nm, '@aws-crypto', 'sha256-js'));
const version = require(path.join(nm, '@aws-sdk', 'signature-v4-crt', 'package.json')).version;
const crtVersion = require(path.join(nm, 'aws-crt', 'package.json')).version;

async function sign(c) {
  const st = c.settings;
  const cr = c.credentials;
  const alg = st.algorithm || 'sigv4';
  const query = st.location === 'query';
  if (st.location !== 'header' && !query) throw new Error(`unknown location ${st.location}`);
  const { request, wirePath, rawQuery, headers, body } = sdkRequest(c, 'signature-v4-crt');
  // uriEscapePath becomes aws-c-auth's use_double_uri_encode; the signer leaves
  // should_normalize_uri_path at aws-c-auth's default (normalise).
  const double = st.uri_encoding === 'double';
  if (!st.normalize_path && pathNeedsNormalising(wirePath)) {
    throw new Unsupported('signature-v4-crt always normalises the path (it sets no should_normalize_uri_path)');
  }
  if (cr.session_token && st.session_token !== 'include') throw new Unsupported('signature-v4-crt always signs the session token (no omit_session_token)');
  const mode = st.payload.mode;
  if (mode === 'unsigned' || mode === 'precomputed') {
    // getPayloadHash takes a given payload hash from an x-amz-content-sha256 header; the
    // signer removes that header and hands the value to the CRT as signed_body_value (and the
    // CRT adds the header back when applyChecksum is on).
    if (query) throw new Unsupported('signature-v4-crt presign hoists an x-amz-content-sha256 header (its only way to take a given payload hash) into the query');
    headers['x-amz-content-sha256'] = mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : st.payload.value;
  } else if (mode !== 'hash') {
    throw new Error(`unknown payload mode ${mode}`);
  }
  if (query && st.content_sha256_header) throw new Unsupported('signature-v4-crt adds x-amz-content-sha256 for header signing only');
  const signOpts = headerSets(st, headers, { signingDate: parseTime(c.time) });
  const signer = new CrtSignerV4({
    credentials: { accessKeyId: cr.access_key_id, secretAccessKey: cr.secret_access_key, sessionToken: cr.session_token || undefined },
    region: c.region,
    service: c.service,
    sha256: Sha256,
    uriEscapePath: double,
    applyChecksum: !!st.content_sha256_header,
    signingAlgorithm: alg === 'sigv4a' ? crt.auth.AwsSigningAlgorithm.SigV4Asymmetric : crt.auth.AwsSigningAlgorithm.SigV4,
  });
  let out;
  let target;
  if (query) {
    signOpts.expiresIn = st.expires_in == null ? 3600 : st.expires_in;
    const before = new Set(Object.keys(request.query));
    out = await signer.presign(request, signOpts);
    target = presignedTarget(wirePath, rawQuery, before, out.query);
  } else {
    out = await signer.sign(request, signOpts);
    target = c.request.target;
  }
  return {
    signed: {
      method: out.method,
      target,
      headers: Object.entries(out.headers).map(([n, v]) => [n, String(v)]),
      body_b64: body.toString('base64'),
    },
    signature: signatureOf(out.headers, query ? out.query : null),
  };
}

run({ name: 'signature-v4-crt', version: `${version} (aws-crt ${crtVersion})`, language: 'javascript', reveals: ['signature'] }, sign,
  { protocols: [1, 2], algorithms: ['sigv4', 'sigv4a'] });
