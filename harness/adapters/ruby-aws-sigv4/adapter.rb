# The Ruby adapter: Aws::Sigv4::Signer of the aws-sigv4 gem, Debian's ruby-aws-sigv4
# (pure-Ruby signing; the aws-crt gem, which its SigV4a and path normalisation need, is not
# packaged). Time: presign_url takes `time:`; sign_request reads Time.now when the request
# has no X-Amz-Date header, so Time.now is patched to the message's time for the call.
# The protocol loop is the Ruby template's (one copy: ../templates/ruby/protocol.rb).
require_relative '../templates/ruby/protocol'
require 'aws-sigv4'

VERSION = Gem.loaded_specs['aws-sigv4']&.version&.to_s || Aws::Sigv4::VERSION rescue '1.5.1'

HELLO = {
  'name' => 'ruby-aws-sigv4', 'version' => VERSION, 'language' => 'ruby',
  'reveals' => %w[canonical_request string_to_sign signature]
}.freeze

# Time.now returns FIXED_TIME[:t] while it is set (only for the sign_request call).
module FixedClock
  def now(*args, **kw)
    t = Thread.current[:sigv4_fixed_time]
    t ? t.dup : super
  end
end
Time.singleton_class.prepend(FixedClock)

# The headers the signer never signs (signer.rb, initialize).
ALWAYS_UNSIGNED = %w[authorization x-amzn-trace-id expect].freeze

def sign(msg)
  s = msg['settings']
  raise Protocol::Unsupported, "aws-sigv4 (without aws-crt) signs SigV4 only" if s.fetch('algorithm', 'sigv4') != 'sigv4'
  if s['session_token'] == 'after-signing'
    raise Protocol::Unsupported, 'omit_session_token works only with the aws-crt gem, which is not installed'
  end
  presign = s['location'] == 'query'
  req = msg['request']
  names = req['headers'].map { |n, _| n.downcase }
  if names.uniq.size != names.size
    raise Protocol::Unsupported, 'the signer takes a hash of headers: one value per name, so a repeated header cannot be given'
  end
  headers = req['headers'].to_h
  body = Protocol.body(msg)
  payload = s['payload']
  digest = case payload['mode']
           when 'hash' then nil
           when 'unsigned' then 'UNSIGNED-PAYLOAD'
           when 'precomputed' then payload['value']
           else raise Protocol::Unsupported, "payload mode #{payload['mode']}"
           end
  want_header = s['content_sha256_header'] && !presign
  # sign_request takes a given hash only from an X-Amz-Content-Sha256 header, which it signs;
  # it is sent so even when the case does not ask for the header (AWS accepts it).
  unsigned = []
  if s['signed_headers']
    want = s['signed_headers'].map(&:downcase)
    unsigned = names - want - ['host']
  end
  creds = msg['credentials']
  signer = Aws::Sigv4::Signer.new(
    service: msg['service'], region: msg['region'],
    access_key_id: creds['access_key_id'], secret_access_key: creds['secret_access_key'],
    session_token: creds['session_token'],
    uri_escape_path: s['uri_encoding'] == 'double',
    apply_checksum_header: want_header,
    unsigned_headers: unsigned
  )
  url = "https://#{Protocol.header(msg, 'host')}#{req['target']}"
  time = Protocol.signing_time(msg)
  if presign
    out = nil
    # presign_url returns the URL only; the canonical request and string to sign are
    # private. Capture them from the signer's own private methods' results.
    creq = sts = nil
    signer.define_singleton_method(:canonical_request) { |*a| creq = super(*a) }
    signer.define_singleton_method(:string_to_sign) { |*a| sts = super(*a) }
    opts = { http_method: req['method'], url: url, headers: headers, body: body,
             expires_in: s['expires_in'], time: time }
    opts[:body_digest] = digest if digest
    uri = signer.presign_url(opts)
    target = uri.path.to_s + (uri.query ? "?#{uri.query}" : '')
    sig = uri.query.to_s[/X-Amz-Signature=([0-9a-f]+)/, 1]
    return { 'signed' => { 'method' => req['method'], 'target' => target, 'headers' => req['headers'] },
             'canonical_request' => creq, 'string_to_sign' => sts, 'signature' => sig }
  end
  headers = headers.merge('X-Amz-Content-Sha256' => digest) if digest
  Thread.current[:sigv4_fixed_time] = time
  begin
    sig = signer.sign_request(http_method: req['method'], url: url, headers: headers, body: body)
  ensure
    Thread.current[:sigv4_fixed_time] = nil
  end
  out_headers = req['headers'].map(&:dup)
  out_headers << ['X-Amz-Content-Sha256', digest] if digest
  sig.headers.each do |k, v|
    next if k == 'host' && Protocol.header(msg, 'host')
    next if digest && k == 'x-amz-content-sha256'
    out_headers << [k, v]
  end
  { 'signed' => { 'method' => req['method'], 'target' => req['target'], 'headers' => out_headers },
    'canonical_request' => sig.canonical_request, 'string_to_sign' => sig.string_to_sign,
    'signature' => sig.headers['authorization'][/Signature=([0-9a-f]+)/, 1] }
end

Protocol.run(HELLO) { |msg| sign(msg) }
