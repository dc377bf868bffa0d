<?php
// The PHP adapter: AsyncAws\Core\Signer\SignerV4 of async-aws/core, Debian's
// php-async-aws-core. Time: the signer takes it from the RequestContext's currentDate (and the
// presigned URL's lifetime from its expirationDate), so no clock is read. The canonical request
// and string to sign are private to the signer: only the signature is revealed.
// The protocol loop is the PHP template's (one copy: ../templates/php/protocol.php).
require_once __DIR__ . '/../templates/php/protocol.php';
require_once 'AsyncAws/Core/autoload.php';

use AsyncAws\Core\Credentials\Credentials;
use AsyncAws\Core\Request;
use AsyncAws\Core\RequestContext;
use AsyncAws\Core\Signer\SignerV4;
use AsyncAws\Core\Stream\StringStream;

/** debian/changelog of php-async-aws-core (1.18.1-1); the package has no version constant. */
const LIBRARY_VERSION = '1.18.1';

function sign_message(array $msg): array
{
    $s = $msg['settings'];
    if (($s['algorithm'] ?? 'sigv4') !== 'sigv4') {
        throw new Unsupported('AsyncAws Core signs SigV4 only');
    }
    if ($s['uri_encoding'] !== 'double') {
        throw new Unsupported("AsyncAws Core's SignerV4 always encodes the path again (S3's single encoding is SignerV4ForS3 of async-aws/s3, not installed)");
    }
    if ($s['session_token'] === 'after-signing') {
        throw new Unsupported('SignerV4 always signs the session token');
    }
    if ($s['signed_headers'] !== null) {
        throw new Unsupported('SignerV4 has no switch for the signed headers (it signs every header but its fixed blacklist)');
    }
    $presign = $s['location'] === 'query';
    $req = $msg['request'];
    $headers = [];
    foreach ($req['headers'] as [$n, $v]) {
        $k = strtolower($n);
        if (isset($headers[$k])) {
            throw new Unsupported('the Request takes one value per header name, so a repeated header cannot be given');
        }
        $headers[$k] = $v;
    }
    $payload = $s['payload'];
    $wantHeader = $s['content_sha256_header'] && !$presign;
    $body = base64_decode($req['body_b64'], true);
    switch ($payload['mode']) {
        case 'hash':
            if ($wantHeader) {
                // As a caller does: the signer takes a hash from this header (and signs it).
                $headers['x-amz-content-sha256'] = hash('sha256', $body);
            }
            break;
        case 'unsigned':
        case 'precomputed':
            // The signer takes a given hash only from this header, which it signs; it is sent
            // so even when the case does not ask for the header (AWS accepts it).
            $headers['x-amz-content-sha256'] = $payload['mode'] === 'unsigned' ? 'UNSIGNED-PAYLOAD' : $payload['value'];
            break;
        default:
            throw new Unsupported('payload mode ' . $payload['mode']);
    }
    $host = request_header($msg, 'host');
    if ($host === null) {
        throw new InvalidArgumentException('the request has no Host header');
    }
    $request = new Request($req['method'], '/', [], $headers, StringStream::create($body));
    // The library parses the URL itself (parse_url for the path, parse_str for the query).
    $request->setEndpoint('https://' . $host . $req['target']);
    $c = $msg['credentials'];
    $credentials = new Credentials($c['access_key_id'], $c['secret_access_key'], $c['session_token']);
    $now = signing_time($msg);
    $signer = new SignerV4($msg['service'], $msg['region']);
    if ($presign) {
        $context = new RequestContext(['currentDate' => $now,
            'expirationDate' => $now->add(new DateInterval('PT' . $s['expires_in'] . 'S'))]);
        $signer->presign($request, $credentials, $context);
        $signature = $request->getQueryAttribute('X-Amz-Signature');
    } else {
        $signer->sign($request, $credentials, new RequestContext(['currentDate' => $now]));
        preg_match('/Signature=([0-9a-f]+)/', $request->getHeader('authorization') ?? '', $m);
        $signature = $m[1] ?? null;
    }
    // The request as AsyncAws sends it: its endpoint (rebuilt with http_build_query) and headers.
    $url = parse_url($request->getEndpoint());
    $target = ($url['path'] ?? '/') . (isset($url['query']) ? '?' . $url['query'] : '');
    $out = [];
    foreach ($request->getHeaders() as $k => $v) {
        $out[] = [$k, $v];
    }
    return ['signed' => ['method' => $request->getMethod(), 'target' => $target, 'headers' => $out],
        'signature' => $signature];
}

protocol_run(
    ['name' => 'async-aws', 'version' => LIBRARY_VERSION, 'language' => 'php', 'reveals' => ['signature']],
    'sign_message'
);
