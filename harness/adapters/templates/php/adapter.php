<?php
// Your adapter: fill in the hello fields and sign_message. protocol.php (the loop) is done.
require_once __DIR__ . '/protocol.php';

/**
 * Signs one request with the library under test. Rules (harness/PROTOCOL.md):
 * - sign at signing_time($msg), never the clock (patch it where the library reads it);
 * - hand $msg['request']['target'] to the library as given;
 * - throw new Unsupported('why') for a setting in $msg['settings'] it cannot express;
 * - throw any other exception when the library refuses the input.
 * Returns ['signed' => ['method' => ..., 'target' => ..., 'headers' => [[name, value], ...]],
 *          'canonical_request' => ..., 'string_to_sign' => ..., 'signature' => ...] (the last
 * three optional).
 */
function sign_message(array $msg): array
{
    throw new Unsupported('not implemented yet: fill in sign_message() in adapter.php');
}

protocol_run(
    // reveals: the artifacts sign_message returns (canonical_request, string_to_sign, signature).
    ['name' => 'my-signer', 'version' => '0.0.0', 'language' => 'php', 'reveals' => []],
    'sign_message'
    // , 2  for protocol 2 (SigV4a: add 'algorithms' => ['sigv4', 'sigv4a'] to the hello)
);
