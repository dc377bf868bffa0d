# The AWS SDK for Ruby's aws-sdk-s3 (Debian's ruby-aws-sdk-s3 1.117.2 with aws-sdk-core
# 3.168.1) with a Ruby S3 user's defaults against mock-aws: a client with an endpoint, region
# us-east-1, path-style addressing, static credentials and, over TLS, the certificate as its
# ssl_ca_bundle; create_bucket, put_object, Object#upload_file of 20 MiB (multipart: a
# threshold under the file's size, the SDK's default 5 MiB parts; S3's multipart ETag rule
# checked with Digest::MD5), head_object, get_object to a file and Object#download_file (by
# part number) compared by SHA-256, list_objects_v2, list_objects, a Presigner URL fetched
# with Net::HTTP, delete_object, delete_bucket.
#
# Usage: ruby ruby_aws_sdk_s3.rb ENDPOINT [CERT.pem]; prints `ok CHECK` per check.
require 'aws-sdk-s3'
require 'digest'
require 'net/http'
require 'securerandom'
require 'tmpdir'

endpoint, cert = ARGV
abort 'usage: ruby_aws_sdk_s3.rb ENDPOINT [CERT.pem]' unless endpoint
$stdout.sync = true

def ok(what)
  puts "ok #{what}"
end

def check(cond, msg)
  abort msg unless cond
end

opts = {
  endpoint: endpoint,
  region: 'us-east-1',
  force_path_style: true,
  credentials: Aws::Credentials.new('AKIDEXAMPLE', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
  http_open_timeout: 10,
  http_read_timeout: 60,
  retry_limit: 0
}
opts[:ssl_ca_bundle] = cert if cert
s3 = Aws::S3::Client.new(**opts)
bucket = 'ruby-bkt'
key = 'dir/up.bin'
small = 'dir/small.txt'

s3.create_bucket(bucket: bucket)
ok 'create_bucket'

# A single PUT's ETag is the MD5 of its body (S3's documented rule).
body = "hello from aws-sdk-s3 for Ruby\n"
r = s3.put_object(bucket: bucket, key: small, body: body)
check r.etag == %("#{Digest::MD5.hexdigest(body)}"), "put_object ETag #{r.etag}"
ok 'put_object'

size = 20 * 1024 * 1024 + 7
data = SecureRandom.random_bytes(size)
Dir.mktmpdir('ruby-aws-sdk-s3-') do |tmp|
  src = File.join(tmp, 'up.bin')
  File.binwrite(src, data)
  # With its defaults, upload_file sends a file under 100 MiB as one PutObject: the ETag is the
  # body's MD5.
  one = Aws::S3::Object.new(bucket, 'dir/one-put.bin', client: s3)
  check one.upload_file(src), 'upload_file (defaults) failed'
  check one.etag == %("#{Digest::MD5.hexdigest(data)}"), "upload_file (defaults) ETag #{one.etag}"
  one.delete
  ok 'upload_file 20 MiB (defaults: one PutObject)'

  # upload_file goes multipart at its multipart_threshold (100 MiB by default); its parts are
  # the SDK's minimum, 5 MiB, for a file this small. S3's multipart ETag: the MD5 of the parts'
  # binary MD5s, `-`, the part count.
  part = 5 * 1024 * 1024
  obj = Aws::S3::Object.new(bucket, key, client: s3)
  check obj.upload_file(src, multipart_threshold: 5 * 1024 * 1024), 'upload_file failed'
  md5s = (0...size).step(part).map { |i| Digest::MD5.digest(data.byteslice(i, part)) }
  want = %("#{Digest::MD5.hexdigest(md5s.join)}-#{md5s.size}")
  check obj.etag == want, "upload_file ETag #{obj.etag}, want #{want}"
  ok "upload_file 20 MiB (multipart, ETag -#{md5s.size})"

  h = s3.head_object(bucket: bucket, key: key)
  check h.content_length == size && h.etag == want && h.parts_count == md5s.size,
        "head_object: #{h.content_length} #{h.etag} #{h.parts_count.inspect}"
  ok 'head_object'

  dst = File.join(tmp, 'down.bin')
  s3.get_object(bucket: bucket, key: key, response_target: dst)
  check Digest::SHA256.file(dst).digest == Digest::SHA256.digest(data), 'get_object: other bytes'
  ok 'get_object 20 MiB'

  # download_file asks head_object(part_number: 1) for the part count, then GETs by part
  # number in threads when the parts are smaller than its 5 MiB chunks (here: 4 MiB ones).
  dst2 = File.join(tmp, 'down2.bin')
  check obj.download_file(dst2), 'download_file failed'
  check Digest::SHA256.file(dst2).digest == Digest::SHA256.digest(data), 'download_file: other bytes'
  ok 'download_file 20 MiB (GETs by partNumber)'
end

r = s3.list_objects_v2(bucket: bucket, prefix: 'dir/')
check r.contents.map(&:key) == [small, key] && r.key_count == 2 && r.contents[1].size == size,
      "list_objects_v2: #{r.contents.map(&:key)} #{r.key_count}"
ok 'list_objects_v2'

r = s3.list_objects(bucket: bucket, delimiter: '/')
check r.contents.empty? && r.common_prefixes.map(&:prefix) == ['dir/'], "list_objects: #{r.to_h}"
ok 'list_objects'

url = Aws::S3::Presigner.new(client: s3).presigned_url(:get_object, bucket: bucket, key: key)
check url.include?('X-Amz-Signature='), "not a SigV4 presigned URL: #{url}"
uri = URI(url)
http = Net::HTTP.new(uri.host, uri.port)
http.open_timeout = 10
http.read_timeout = 60
if uri.scheme == 'https'
  http.use_ssl = true
  http.ca_file = cert
end
resp = http.request(Net::HTTP::Get.new(uri))
check resp.code == '200' && resp.body.b == data, "presigned GET: #{resp.code} #{resp.body[0, 300]}"
ok 'presigned GET (Presigner)'

[key, small].each { |k| s3.delete_object(bucket: bucket, key: k) }
s3.delete_bucket(bucket: bucket)
ok 'delete_object, delete_bucket'
