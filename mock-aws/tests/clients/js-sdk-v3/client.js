// The AWS SDK for JavaScript v3 with its defaults against mock-aws: S3 as a user sets it up
// for an S3-compatible endpoint (endpoint, region, static credentials, forcePathStyle; nothing
// else), so the SDK's default flexible checksums (CRC32 headers, aws-chunked bodies with a
// checksum trailer) are what mock-aws gets; lib-storage's multipart Upload; a presigned GET
// from s3-request-presigner fetched with node's own http(s) client; Kinesis over the client's
// default HTTP/2 handler; DynamoDB over HTTP/1.1.
//
// The expected values come from outside mock-aws: the bytes are the ones sent, compared by a
// sha256 computed here; the multipart ETag is S3's documented rule (the MD5 of the
// concatenated binary MD5s of the parts, in hex, then `-` and the part count; S3 User Guide,
// "Checking object integrity") computed here with node's crypto over lib-storage's documented
// default part size of 5 MiB; the HTTP versions are those of the handlers the SDK's clients
// use by default (NodeHttp2Handler for Kinesis, NodeHttpHandler for S3 and DynamoDB).
//
// Usage: node client.js ENDPOINT (over https, start node with NODE_EXTRA_CA_CERTS=CERT.pem);
// prints one line `ok CHECK` per check.
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");
const https = require("node:https");
const zlib = require("node:zlib");
const { Readable } = require("node:stream");

const {
  S3Client,
  CreateBucketCommand,
  PutObjectCommand,
  HeadObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  DeleteObjectCommand,
  DeleteBucketCommand,
} = require("@aws-sdk/client-s3");
const { Upload } = require("@aws-sdk/lib-storage");
const { getSignedUrl } = require("@aws-sdk/s3-request-presigner");
const {
  KinesisClient,
  CreateStreamCommand,
  ListShardsCommand,
  waitUntilStreamExists,
  PutRecordCommand,
  GetShardIteratorCommand,
  GetRecordsCommand,
} = require("@aws-sdk/client-kinesis");
const {
  DynamoDBClient,
  CreateTableCommand,
  PutItemCommand,
  GetItemCommand,
} = require("@aws-sdk/client-dynamodb");

const endpoint = process.argv[2];
if (!endpoint) {
  console.error("usage: node client.js ENDPOINT");
  process.exit(2);
}
const MiB = 1024 * 1024;
const common = {
  endpoint,
  region: "us-east-1",
  credentials: {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  },
};

function ok(what) {
  console.log(`ok ${what}`);
}

function assert(cond, ...why) {
  if (!cond) {
    throw new Error(`check failed: ${why.map((w) => (typeof w === "string" ? w : JSON.stringify(w))).join(" ")}`);
  }
}

const md5 = (b) => crypto.createHash("md5").update(b).digest();
/// CRC32 (zlib's, IEEE) as S3's `x-amz-checksum-crc32`: the 4 bytes big-endian, in base64.
const crc32 = (b) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(zlib.crc32(b));
  return out;
};
const sha256 = (b) => crypto.createHash("sha256").update(b).digest("hex");

/// GET `url` with node's own client; resolves to { status, body }.
function get(url) {
  const mod = url.startsWith("https:") ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

async function verdicts() {
  const r = await get(`${endpoint}/_mock-aws/verdicts`);
  assert(r.status === 200, "GET /_mock-aws/verdicts:", r.status);
  return JSON.parse(r.body.toString("utf8")).verdicts;
}

async function s3Flow() {
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const Bucket = "js-sdk-v3";
  await s3.send(new CreateBucketCommand({ Bucket }));
  ok("CreateBucket");

  const small = "hello from the JS SDK v3";
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: "small.txt", Body: small }));
  ok("PutObject");

  // A stream of known length: the SDK sends it as aws-chunked with a CRC32 trailer.
  const streamed = crypto.randomBytes(256 * 1024 + 7);
  await s3.send(
    new PutObjectCommand({
      Bucket,
      Key: "streamed.bin",
      Body: Readable.from([streamed.subarray(0, 100000), streamed.subarray(100000)]),
      ContentLength: streamed.length,
    }),
  );
  const back = await s3.send(new GetObjectCommand({ Bucket, Key: "streamed.bin" }));
  assert(sha256(Buffer.from(await back.Body.transformToByteArray())) === sha256(streamed), "streamed body differs");
  ok("PutObject (stream, aws-chunked)");

  const big = crypto.randomBytes(20 * MiB);
  const partSize = 5 * MiB; // lib-storage's default (and S3's minimum) part size
  const upload = new Upload({ client: s3, params: { Bucket, Key: "dir/big.bin", Body: big } });
  const done = await upload.done();
  const parts = Math.ceil(big.length / partSize);
  const md5s = [];
  for (let i = 0; i < big.length; i += partSize) md5s.push(md5(big.subarray(i, i + partSize)));
  const want = `"${md5(Buffer.concat(md5s)).toString("hex")}-${parts}"`;
  assert(parts > 1 && done.ETag === want, "multipart ETag:", done.ETag, "want", want);
  ok("Upload 20 MiB (lib-storage multipart)");

  // The SDK's default CRC32s, as S3 answers them: a PutObject's is the body's; a multipart
  // object's is COMPOSITE, the CRC32 of the parts' concatenated CRC32s, `-` and the part count
  // (S3 User Guide, "Checking object integrity", multipart uploads). GetObject sends
  // x-amz-checksum-mode: ENABLED, and the SDK checks the answer's CRC32 against the body.
  assert(put.ChecksumCRC32 === crc32(Buffer.from(small)).toString("base64"), "PutObject CRC32:", put.ChecksumCRC32);
  const crcs = [];
  for (let i = 0; i < big.length; i += partSize) crcs.push(crc32(big.subarray(i, i + partSize)));
  const composite = `${crc32(Buffer.concat(crcs)).toString("base64")}-${parts}`;
  assert(done.ChecksumCRC32 === composite && done.ChecksumType === "COMPOSITE", "Upload CRC32:", done.ChecksumCRC32, done.ChecksumType, "want", composite);
  const smallBack = await s3.send(new GetObjectCommand({ Bucket, Key: "small.txt" }));
  assert((await smallBack.Body.transformToString()) === small && smallBack.ChecksumCRC32 === put.ChecksumCRC32, "GetObject CRC32:", smallBack.ChecksumCRC32);
  ok("CRC32 checksums (PutObject, COMPOSITE multipart, GetObject)");

  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "dir/big.bin" }));
  assert(head.ContentLength === big.length && head.ETag === want, "HeadObject:", head.ContentLength, head.ETag);
  ok("HeadObject");

  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "dir/big.bin" }));
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  assert(bytes.length === big.length && sha256(bytes) === sha256(big), "GetObject 20 MiB differs");
  ok("GetObject 20 MiB");

  const list = await s3.send(new ListObjectsV2Command({ Bucket }));
  const keys = (list.Contents || []).map((o) => o.Key);
  assert(JSON.stringify(keys) === JSON.stringify(["dir/big.bin", "small.txt", "streamed.bin"]), "ListObjectsV2:", keys);
  ok("ListObjectsV2");

  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "small.txt" }), { expiresIn: 300 });
  assert(url.includes("X-Amz-Signature="), "not a SigV4 presigned URL:", url);
  const pre = await get(url);
  assert(pre.status === 200 && pre.body.toString() === "hello from the JS SDK v3", "presigned GET:", pre.status, pre.body.toString());
  ok("presigned GET (s3-request-presigner)");

  for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
  ok("DeleteObject");
  await s3.send(new DeleteBucketCommand({ Bucket }));
  ok("DeleteBucket");
  s3.destroy();
}

async function kinesisFlow() {
  const kinesis = new KinesisClient(common);
  const StreamName = "js-sdk-v3";
  await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
  // The SDK's waiter (DescribeStream until ACTIVE), as its docs have a user wait.
  const waited = await waitUntilStreamExists({ client: kinesis, maxWaitTime: 20 }, { StreamName });
  assert(waited.state === "SUCCESS", "waitUntilStreamExists:", waited);
  const desc = waited.reason.StreamDescription;
  // One shard covers every hash key, 0 to 2^128 - 1 (Kinesis API reference, HashKeyRange).
  const want = { StartingHashKey: "0", EndingHashKey: (2n ** 128n - 1n).toString() };
  assert(desc.Shards.length === 1 && JSON.stringify(desc.Shards[0].HashKeyRange) === JSON.stringify(want), "DescribeStream:", desc);
  const listed = await kinesis.send(new ListShardsCommand({ StreamName }));
  assert(JSON.stringify(listed.Shards) === JSON.stringify(desc.Shards), "ListShards:", listed.Shards);
  ok("Kinesis CreateStream, DescribeStream (waiter), ListShards");
  const data = crypto.randomBytes(300);
  const put = await kinesis.send(new PutRecordCommand({ StreamName, Data: data, PartitionKey: "pk" }));
  assert(put.ShardId === desc.Shards[0].ShardId && put.SequenceNumber, "PutRecord:", put);
  ok("Kinesis PutRecord");
  const it = await kinesis.send(
    new GetShardIteratorCommand({ StreamName, ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const recs = await kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
  assert(recs.Records.length === 1, "GetRecords:", recs.Records.length);
  const r = recs.Records[0];
  assert(Buffer.from(r.Data).equals(data) && r.PartitionKey === "pk" && r.SequenceNumber === put.SequenceNumber, "record differs");
  ok("Kinesis GetShardIterator, GetRecords");
  kinesis.destroy();
}

async function dynamodbFlow() {
  const ddb = new DynamoDBClient(common);
  const TableName = "js-sdk-v3";
  await ddb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  ok("DynamoDB CreateTable");
  const Item = { id: { S: "k1" }, n: { N: "42" }, tags: { SS: ["a", "b"] } };
  await ddb.send(new PutItemCommand({ TableName, Item }));
  ok("DynamoDB PutItem");
  const got = await ddb.send(new GetItemCommand({ TableName, Key: { id: { S: "k1" } } }));
  assert(got.Item && got.Item.n.N === "42" && got.Item.id.S === "k1", "GetItem:", got.Item);
  ok("DynamoDB GetItem");
  ddb.destroy();
}

async function main() {
  await s3Flow();
  await kinesisFlow();
  await dynamodbFlow();

  // Every request verified; Kinesis's over HTTP/2 (its default handler), the rest over
  // HTTP/1.1.
  const vs = await verdicts();
  const bad = vs.filter((v) => v.outcome !== "accepted");
  assert(bad.length === 0, "rejected:", bad);
  const by = (svc) => vs.filter((v) => v.service === svc);
  const kinesis = by("kinesis");
  // Its HTTP/2 handler signs `:authority` in Host's place.
  assert(
    kinesis.length >= 4 && kinesis.every((v) => v.http_version === "HTTP/2" && v.signed_headers.split(";").includes(":authority")),
    "Kinesis not over HTTP/2:", kinesis.map((v) => [v.operation, v.http_version, v.signed_headers]),
  );
  ok("Kinesis over HTTP/2");
  const h1 = [...by("s3"), ...by("dynamodb")];
  assert(h1.length > 0 && h1.every((v) => v.http_version === "HTTP/1.1"), "S3/DynamoDB not over HTTP/1.1:", h1.map((v) => [v.operation, v.http_version]));
  const chunked = vs.filter((v) => v.operation === "PutObject" && (v.streaming || "").includes("TRAILER"));
  assert(chunked.length === 1, "no aws-chunked PutObject with a trailer:", vs.map((v) => [v.operation, v.streaming]));
  ok("verdicts");
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    if (e && e.$response) console.error("response:", e.$response.statusCode, e.$response.body);
    process.exit(1);
  },
);
