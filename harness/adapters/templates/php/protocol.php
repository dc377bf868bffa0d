<?php
// The harness's JSON-lines protocol (harness/PROTOCOL.md, versions 1 and 2): one message per
// line on stdin, one answer line on stdout, in order; exit 0 when stdin closes. Nothing here
// signs: the adapter's sign function does, through the library under test.

/** Throw from the sign function when the library cannot express a setting. */
class Unsupported extends Exception
{
}

/** The first value of a header of the message's request (case-insensitive), or null. */
function request_header(array $msg, string $name): ?string
{
    foreach ($msg['request']['headers'] as [$n, $v]) {
        if (strcasecmp($n, $name) === 0) {
            return $v;
        }
    }
    return null;
}

/** The message's time as a UTC DateTimeImmutable. */
function signing_time(array $msg): DateTimeImmutable
{
    return (new DateTimeImmutable($msg['time']))->setTimezone(new DateTimeZone('UTC'));
}

function protocol_answer(string $line, array $hello, int $maxProtocol, callable $sign): array
{
    $msg = json_decode($line, true);
    if (!is_array($msg)) {
        return ['protocol' => 1, 'id' => null, 'status' => 'error', 'message' => 'not JSON: ' . json_last_error_msg()];
    }
    $proto = $msg['protocol'] ?? null;
    $base = ['protocol' => $proto, 'id' => $msg['id'] ?? null];
    if (!($proto === 1 || ($proto === 2 && $maxProtocol >= 2))) {
        return ['protocol' => 1, 'id' => $base['id'], 'status' => 'error', 'message' => "protocol $proto not supported"];
    }
    switch ($msg['op'] ?? null) {
        case 'hello':
            $out = $base + ['status' => 'ok'] + $hello;
            if ($maxProtocol >= 2) {
                $out['protocols'] = [1, 2];
            }
            return $out;
        case 'sign':
            try {
                return $base + ['status' => 'ok'] + $sign($msg);
            } catch (Unsupported $e) {
                return $base + ['status' => 'unsupported', 'reason' => $e->getMessage()];
            } catch (Throwable $e) {
                return $base + ['status' => 'error', 'message' => get_class($e) . ': ' . $e->getMessage()];
            }
        default:
            return $base + ['status' => 'error', 'message' => 'unknown op'];
    }
}

/**
 * Runs the loop. $sign(array $msg): array returns
 * ['signed' => ['method' => ..., 'target' => ..., 'headers' => [[name, value], ...]], ...].
 */
function protocol_run(array $hello, callable $sign, int $maxProtocol = 1): void
{
    while (($line = fgets(STDIN)) !== false) {
        if (trim($line) === '') {
            continue;
        }
        $answer = protocol_answer($line, $hello, $maxProtocol, $sign);
        fwrite(STDOUT, json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE) . "\n");
        fflush(STDOUT);
    }
}
