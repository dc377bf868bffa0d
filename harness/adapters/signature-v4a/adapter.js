'use strict';
// sigv4 harness adapter (protocol 2) for @smithy/signature-v4a, the AWS SDK for JavaScript
// v3's pure-JavaScript SigV4a signer: new SignatureV4a({credentials, region, service, sha256,
// uriEscapePath, applyChecksum}).sign(request, {signingDate, signableHeaders,
// unsignableHeaders}). SigV4a header signing only: the package has no presign, and no SigV4.
//
// Time: `signingDate` (the case's time). `region` is the region set (the signer writes it to
// X-Amz-Region-Set). The canonical request and string to sign are read from the signer's own
// createCanonicalRequest / createStringToSign.
const path = require('path');
const { run, Unsupported, parseTime, pathNeedsNormalising } = require('../node/protocol.js');
const { sdkRequest, headerSets, signatureOf } = require('../node/smithy-request.js');
const nm = path.join(__dirname, '..', 'node', 'node_modules');
const { SignatureV4a } = require(path.join(nm, '@smithy', 'signature-v4a'));
const { Sha256 } = require(path.join(nm, '@aws-crypto', 'sha256-js'));
const version = require(path.join(nm, '@smithy', 'signature-v4a', 'package.json')).version;

async function sign(c) {
  const st = c.settings;
  const cr = c.credentials;
  if (st.location === 'query') throw new Unsupported('@smithy/signature-v4a has no presign (header signing only)');
  if (st.location !== 'header') throw new Error(`unknown location ${st.location}`);
  const { request, wirePath, headers, body } = sdkRequest(c, 'signature-v4a');
  // uriEscapePath=true: normalise and encode again; false: sign the path as given.
  const double = st.uri_encoding === 'double';
  if (double !== !!st.normalize_path && !(!double && !pathNeedsNormalising(wirePath))) {
    throw new Unsupported('signature-v4a couples the path rules: uriEscapePath normalises and encodes again, '
      + `or signs the path as given; uri_encoding=${st.uri_encoding} with normalize_path=${st.normalize_path} has no switch`);
  }
  if (cr.session_token && st.session_token !== 'include') throw new Unsupported('signature-v4a always signs the session token');
  const mode = st.payload.mode;
  if (mode === 'unsigned' || mode === 'precomputed') {
    // getPayloadHash takes a given payload hash from an x-amz-content-sha256 header, which
    // the signer then signs like any other header: its only way, so it is used even when the
    // case does not ask for the header (AWS accepts a signed x-amz-content-sha256 equal to
    // the payload value; the harness judges that `accepted`).
    headers['x-amz-content-sha256'] = mode === 'unsigned' ? 'UNSIGNED-PAYLOAD' : st.payload.value;
  } else if (mode !== 'hash') {
    throw new Error(`unknown payload mode ${mode}`);
  }
  const signOpts = headerSets(st, headers, { signingDate: parseTime(c.time) });
  const signer = new SignatureV4a({
    credentials: { accessKeyId: cr.access_key_id, secretAccessKey: cr.secret_access_key, sessionToken: cr.session_token || undefined },
    region: c.region,
    service: c.service,
    sha256: Sha256,
    uriEscapePath: double,
    applyChecksum: !!st.content_sha256_header,
  });
  const seen = {};
  const creq = signer.createCanonicalRequest.bind(signer);
  signer.createCanonicalRequest = (...a) => (seen.canonical_request = creq(...a));
  const csts = signer.createStringToSign.bind(signer);
  signer.createStringToSign = async (...a) => (seen.string_to_sign = await csts(...a));
  const out = await signer.sign(request, signOpts);
  return {
    signed: {
      method: out.method,
      target: c.request.target,
      headers: Object.entries(out.headers).map(([n, v]) => [n, String(v)]),
      body_b64: body.toString('base64'),
    },
    ...seen,
    signature: signatureOf(out.headers, null),
  };
}

run({ name: 'signature-v4a', version, language: 'javascript', reveals: ['canonical_request', 'string_to_sign', 'signature'] }, sign,
  { protocols: [1, 2], algorithms: ['sigv4a'] });
