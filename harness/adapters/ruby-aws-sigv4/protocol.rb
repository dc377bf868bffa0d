# The harness's JSON-lines protocol (harness/PROTOCOL.md, versions 1 and 2): one message per
# line on stdin, one answer line on stdout, in order; exit 0 when stdin closes. Nothing here
# signs: the adapter's `sign(msg)` does, through the library under test.
require 'json'
require 'base64'
require 'time'

module Protocol
  # Raise from sign(msg) when the library cannot express a setting.
  class Unsupported < StandardError; end

  module_function

  def header(msg, name)
    pair = msg['request']['headers'].find { |n, _| n.casecmp?(name) }
    pair && pair[1]
  end

  def body(msg)
    Base64.strict_decode64(msg['request']['body_b64'])
  end

  def signing_time(msg)
    Time.iso8601(msg['time']).utc
  end

  # hello: the adapter's fields ({'name', 'version', 'language', 'reveals', ...}).
  # max_protocol 2 adds "protocols":[1,2] (list "algorithms" in hello then).
  def answer(line, hello, max_protocol, &sign)
    msg = JSON.parse(line)
    proto = msg['protocol']
    base = { 'protocol' => proto, 'id' => msg['id'] }
    unless proto == 1 || (proto == 2 && max_protocol >= 2)
      return base.merge('protocol' => 1, 'status' => 'error', 'message' => "protocol #{proto} not supported")
    end
    case msg['op']
    when 'hello'
      out = base.merge('status' => 'ok').merge(hello)
      out['protocols'] = [1, 2] if max_protocol >= 2
      out
    when 'sign'
      begin
        base.merge('status' => 'ok').merge(sign.call(msg))
      rescue Unsupported => e
        base.merge('status' => 'unsupported', 'reason' => e.message)
      rescue StandardError => e
        base.merge('status' => 'error', 'message' => "#{e.class}: #{e.message}")
      end
    else
      base.merge('status' => 'error', 'message' => "unknown op #{msg['op'].inspect}")
    end
  rescue JSON::ParserError => e
    { 'protocol' => 1, 'id' => nil, 'status' => 'error', 'message' => "not JSON: #{e.message}" }
  end

  # Runs the loop; the block signs one message and returns
  # {'signed' => {'method','target','headers'}, optionally 'canonical_request', ...}.
  def run(hello, max_protocol = 1, &sign)
    $stdout.sync = true
    $stdin.each_line do |line|
      next if line.strip.empty?
      $stdout.write(JSON.generate(answer(line, hello, max_protocol, &sign)) + "\n")
    end
  end
end
