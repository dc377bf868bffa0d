# Your adapter: fill in HELLO and sign(msg). protocol.rb (the JSON-lines loop) is done.
require_relative 'protocol'

HELLO = {
  'name' => 'my-signer', 'version' => '0.0.0', 'language' => 'ruby',
  # The intermediate artifacts sign returns: any of canonical_request, string_to_sign, signature.
  'reveals' => []
}.freeze

# Signs one request with the library under test. Rules (harness/PROTOCOL.md):
# - sign at Protocol.signing_time(msg), never the clock (patch it where the library reads it);
# - hand msg['request']['target'] to the library as given;
# - raise Protocol::Unsupported, 'why' for a setting in msg['settings'] it cannot express;
# - raise any other error when the library refuses the input.
# Returns { 'signed' => { 'method' => ..., 'target' => ..., 'headers' => [[name, value], ...] },
#           'canonical_request' => ..., 'string_to_sign' => ..., 'signature' => ... (optional) }.
def sign(msg)
  raise Protocol::Unsupported, 'not implemented yet: fill in sign(msg) in adapter.rb'
end

Protocol.run(HELLO) { |msg| sign(msg) } # Protocol.run(HELLO, 2) for protocol 2 (SigV4a)
