//! Kinesis (JSON 1.1, `X-Amz-Target: Kinesis_20131202.*`): CreateStream, DescribeStream,
//! DescribeStreamSummary, ListStreams, ListShards, PutRecord, PutRecords, GetShardIterator,
//! GetRecords. Records live in memory, per
//! shard, in arrival order; a record's shard comes from the MD5 of its partition key (or its
//! `ExplicitHashKey`) as AWS documents.

use std::collections::BTreeMap;

use md5::{Digest, Md5};
use serde_json::{json, Value};

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::message::Response;
use crate::services::{Ctx, OpResult};
use sigv4_signer::internal::{base64, base64_decode};

/// One record.
#[derive(Debug, Clone)]
pub struct Record {
    seq: u128,
    data: Vec<u8>,
    partition_key: String,
    arrival: i64,
}

/// One stream.
#[derive(Debug, Clone)]
pub struct Stream {
    created: i64,
    mode: String,
    shards: Vec<Vec<Record>>,
    next_seq: u128,
}

/// All streams, by name.
pub type Streams = BTreeMap<String, Stream>;

const PREFIX: &str = "Kinesis_20131202.";
const MAX_SHARDS: u64 = 64;
const MAX_RECORD: usize = 1024 * 1024;

fn err(code: &'static str, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status: 400 }, msg.into())
}

fn ok(body: &Value) -> OpResult {
    Ok(Response::new(
        200,
        "application/x-amz-json-1.1",
        body.to_string(),
    ))
}

fn arn(region: &str, name: &str) -> String {
    format!("arn:aws:kinesis:{region}:{ACCOUNT_ID}:stream/{name}")
}

fn shard_id(i: usize) -> String {
    format!("shardId-{i:012}")
}

/// Sequence numbers are decimal strings; zero-padding keeps them ordered as strings too.
fn seq_str(seq: u128) -> String {
    format!("{seq:056}")
}

fn not_found(name: &str) -> (AwsError, String) {
    err(
        "ResourceNotFoundException",
        format!("Stream {name} under account {ACCOUNT_ID} not found."),
    )
}

fn validation(field: &str, constraint: &str) -> (AwsError, String) {
    err(
        "ValidationException",
        format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"),
    )
}

/// The stream named by `StreamName` or `StreamARN`.
fn stream_name(input: &Value) -> Result<String, (AwsError, String)> {
    let name = match (
        input.get("StreamName").and_then(Value::as_str),
        input.get("StreamARN").and_then(Value::as_str),
    ) {
        (Some(n), _) => n.to_owned(),
        (None, Some(a)) => a
            .split_once(":stream/")
            .map(|(_, n)| n.to_owned())
            .ok_or_else(|| {
                err(
                    "InvalidArgumentException",
                    format!("{a} is not a Kinesis stream ARN"),
                )
            })?,
        (None, None) => {
            return Err(err(
                "InvalidArgumentException",
                "Either StreamName or StreamARN should be provided.",
            ))
        }
    };
    if name.is_empty()
        || name.len() > 128
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(validation(
            "streamName",
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128",
        ));
    }
    Ok(name)
}

fn shard_of(stream: &Stream, hash: u128) -> usize {
    let n = stream.shards.len().max(1);
    let step = u128::MAX / n as u128;
    usize::try_from(hash / step.max(1))
        .unwrap_or(n - 1)
        .min(n - 1)
}

fn hash_key(input: &Value, partition_key: &str) -> Result<u128, (AwsError, String)> {
    match input.get("ExplicitHashKey").and_then(Value::as_str) {
        Some(h) => h.parse::<u128>().map_err(|_| {
            err(
                "InvalidArgumentException",
                format!("ExplicitHashKey {h:?} is not a decimal integer in 0..2^128"),
            )
        }),
        None => Ok(u128::from_be_bytes(
            Md5::digest(partition_key.as_bytes()).into(),
        )),
    }
}

/// Validates one record's `Data` and `PartitionKey`.
fn record_input(input: &Value, at: &str) -> Result<(Vec<u8>, String), (AwsError, String)> {
    let data = input
        .get("Data")
        .and_then(Value::as_str)
        .ok_or_else(|| validation(&format!("{at}data"), "Member must not be null"))?;
    let data = base64_decode(data).ok_or_else(|| {
        err(
            "SerializationException",
            format!("{at}Data is not valid base64"),
        )
    })?;
    if data.len() > MAX_RECORD {
        return Err(validation(
            &format!("{at}data"),
            "Member must have length less than or equal to 1048576",
        ));
    }
    let key = input
        .get("PartitionKey")
        .and_then(Value::as_str)
        .ok_or_else(|| validation(&format!("{at}partitionKey"), "Member must not be null"))?;
    if key.is_empty() || key.chars().count() > 256 {
        return Err(validation(
            &format!("{at}partitionKey"),
            "Member must have length between 1 and 256",
        ));
    }
    Ok((data, key.to_owned()))
}

fn put(stream: &mut Stream, data: Vec<u8>, key: String, hash: u128, now: i64) -> Value {
    let shard = shard_of(stream, hash);
    let seq = stream.next_seq;
    stream.next_seq += 1;
    stream.shards[shard].push(Record {
        seq,
        data,
        partition_key: key,
        arrival: now,
    });
    json!({"ShardId": shard_id(shard), "SequenceNumber": seq_str(seq)})
}

/// An iterator is `stream \n shard \n position`, base64: opaque to clients, as AWS's are.
fn make_iterator(name: &str, shard: usize, pos: usize) -> String {
    base64(format!("{name}\n{shard}\n{pos}").as_bytes())
}

fn read_iterator(it: &str) -> Option<(String, usize, usize)> {
    let raw = String::from_utf8(base64_decode(it)?).ok()?;
    let mut parts = raw.split('\n');
    let name = parts.next()?.to_owned();
    let shard = parts.next()?.parse().ok()?;
    let pos = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((name, shard, pos))
}

/// Handles a Kinesis request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    match crate::framing::json_operation(ctx, PREFIX) {
        Ok((op, input)) => {
            let result = run(ctx, &op, &input);
            (Some(op), result)
        }
        Err(e) => e,
    }
}

fn summary(name: &str, s: &Stream, region: &str) -> Value {
    json!({
        "StreamName": name,
        "StreamARN": arn(region, name),
        "StreamStatus": "ACTIVE",
        "StreamModeDetails": {"StreamMode": s.mode},
        "StreamCreationTimestamp": s.created,
    })
}

/// The hash key range of shard `i` of `n`, as [`shard_of`] splits 0..2^128 (AWS: the
/// `HashKeyRange` of a shard, decimal strings; one shard covers 0 to 2^128 - 1).
fn hash_range(i: usize, n: usize) -> (u128, u128) {
    let n = n.max(1);
    let step = (u128::MAX / n as u128).max(1);
    let start = step * i as u128;
    let end = if i + 1 >= n {
        u128::MAX
    } else {
        step * (i as u128 + 1) - 1
    };
    (start, end)
}

/// The stream's shards as DescribeStream and ListShards list them (AWS API reference, Shard).
fn shards(s: &Stream) -> Vec<Value> {
    (0..s.shards.len())
        .map(|i| {
            let (start, end) = hash_range(i, s.shards.len());
            json!({
                "ShardId": shard_id(i),
                "HashKeyRange": {"StartingHashKey": start.to_string(), "EndingHashKey": end.to_string()},
                "SequenceNumberRange": {"StartingSequenceNumber": seq_str(0)},
            })
        })
        .collect()
}

fn run(ctx: &mut Ctx<'_>, op: &str, input: &Value) -> OpResult {
    let region = ctx.region;
    let now = ctx.now;
    let streams = &mut ctx.state.kinesis;
    match op {
        "CreateStream" => {
            let name = stream_name(input)?;
            let mode = input
                .pointer("/StreamModeDetails/StreamMode")
                .and_then(Value::as_str)
                .unwrap_or("PROVISIONED")
                .to_owned();
            let count = match input.get("ShardCount") {
                None | Some(Value::Null) if mode == "ON_DEMAND" => 4,
                None | Some(Value::Null) => {
                    return Err(err(
                        "InvalidArgumentException",
                        "ShardCount is required for a PROVISIONED stream.",
                    ))
                }
                Some(v) => v.as_u64().filter(|n| (1..=MAX_SHARDS).contains(n)).ok_or_else(|| {
                    validation(
                        "shardCount",
                        &format!("Member must be between 1 and {MAX_SHARDS} (mock-aws's limit)"),
                    )
                })?,
            };
            if streams.contains_key(&name) {
                return Err(err(
                    "ResourceInUseException",
                    format!("Stream {name} under account {ACCOUNT_ID} already exists."),
                ));
            }
            streams.insert(
                name,
                Stream {
                    created: now,
                    mode,
                    shards: vec![Vec::new(); usize::try_from(count).unwrap_or(1)],
                    next_seq: 1,
                },
            );
            ok(&json!({}))
        }
        "DescribeStreamSummary" => {
            let name = stream_name(input)?;
            let s = streams.get(&name).ok_or_else(|| not_found(&name))?;
            let mut d = summary(&name, s, region);
            d["RetentionPeriodHours"] = json!(24);
            d["EnhancedMonitoring"] = json!([{"ShardLevelMetrics": []}]);
            d["EncryptionType"] = json!("NONE");
            d["OpenShardCount"] = json!(s.shards.len());
            d["ConsumerCount"] = json!(0);
            ok(&json!({ "StreamDescriptionSummary": d }))
        }
        "DescribeStream" => {
            // All shards in one page (mock-aws's 64 are under AWS's page limit of 100).
            let name = stream_name(input)?;
            let s = streams.get(&name).ok_or_else(|| not_found(&name))?;
            let mut d = summary(&name, s, region);
            d["Shards"] = json!(shards(s));
            d["HasMoreShards"] = json!(false);
            d["RetentionPeriodHours"] = json!(24);
            d["EnhancedMonitoring"] = json!([{"ShardLevelMetrics": []}]);
            d["EncryptionType"] = json!("NONE");
            ok(&json!({ "StreamDescription": d }))
        }
        "ListShards" => {
            let name = stream_name(input)?;
            let s = streams.get(&name).ok_or_else(|| not_found(&name))?;
            ok(&json!({ "Shards": shards(s) }))
        }
        "ListStreams" => {
            let limit = match input.get("Limit") {
                None | Some(Value::Null) => 100,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=10_000).contains(n))
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| {
                        validation("limit", "Member must be between 1 and 10000")
                    })?,
            };
            let start = match input.get("NextToken").and_then(Value::as_str) {
                Some(t) => Some(
                    base64_decode(t)
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(|| {
                            err("InvalidArgumentException", "NextToken is not valid")
                        })?,
                ),
                None => input
                    .get("ExclusiveStartStreamName")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            };
            let names: Vec<&String> = streams
                .keys()
                .filter(|n| start.as_deref().is_none_or(|s| n.as_str() > s))
                .collect();
            let more = names.len() > limit;
            let page = &names[..names.len().min(limit)];
            let mut out = json!({
                "StreamNames": page,
                "HasMoreStreams": more,
                "StreamSummaries": page
                    .iter()
                    .filter_map(|n| streams.get(*n).map(|s| summary(n, s, region)))
                    .collect::<Vec<_>>(),
            });
            if more {
                if let Some(last) = page.last() {
                    out["NextToken"] = json!(base64(last.as_bytes()));
                }
            }
            ok(&out)
        }
        "PutRecord" => {
            let name = stream_name(input)?;
            let s = streams.get_mut(&name).ok_or_else(|| not_found(&name))?;
            let (data, key) = record_input(input, "")?;
            let hash = hash_key(input, &key)?;
            let mut out = put(s, data, key, hash, now);
            out["EncryptionType"] = json!("NONE");
            ok(&out)
        }
        "PutRecords" => {
            let name = stream_name(input)?;
            let s = streams.get_mut(&name).ok_or_else(|| not_found(&name))?;
            let records = input
                .get("Records")
                .and_then(Value::as_array)
                .ok_or_else(|| validation("records", "Member must not be null"))?;
            if records.is_empty() || records.len() > 500 {
                return Err(validation(
                    "records",
                    "Member must have length between 1 and 500",
                ));
            }
            // Validate every record before storing any, as AWS rejects the whole call.
            let mut parsed = Vec::with_capacity(records.len());
            for (i, r) in records.iter().enumerate() {
                let (data, key) = record_input(r, &format!("records.{}.member.", i + 1))?;
                let hash = hash_key(r, &key)?;
                parsed.push((data, key, hash));
            }
            let out: Vec<Value> = parsed
                .into_iter()
                .map(|(data, key, hash)| put(s, data, key, hash, now))
                .collect();
            ok(&json!({"FailedRecordCount": 0, "Records": out, "EncryptionType": "NONE"}))
        }
        "GetShardIterator" => {
            let name = stream_name(input)?;
            let s = streams.get(&name).ok_or_else(|| not_found(&name))?;
            let sid = input
                .get("ShardId")
                .and_then(Value::as_str)
                .ok_or_else(|| validation("shardId", "Member must not be null"))?;
            let shard = (0..s.shards.len())
                .find(|&i| shard_id(i) == sid)
                .ok_or_else(|| {
                    err(
                        "ResourceNotFoundException",
                        format!("Shard {sid} in stream {name} under account {ACCOUNT_ID} does not exist"),
                    )
                })?;
            let records = &s.shards[shard];
            let seq_arg = || -> Result<u128, (AwsError, String)> {
                input
                    .get("StartingSequenceNumber")
                    .and_then(Value::as_str)
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| {
                        err(
                            "InvalidArgumentException",
                            "StartingSequenceNumber must be a decimal sequence number for this ShardIteratorType",
                        )
                    })
            };
            let pos = match input.get("ShardIteratorType").and_then(Value::as_str) {
                Some("TRIM_HORIZON") => 0,
                Some("LATEST") => records.len(),
                Some("AT_SEQUENCE_NUMBER") => {
                    let n = seq_arg()?;
                    records.partition_point(|r| r.seq < n)
                }
                Some("AFTER_SEQUENCE_NUMBER") => {
                    let n = seq_arg()?;
                    records.partition_point(|r| r.seq <= n)
                }
                Some("AT_TIMESTAMP") => {
                    let t = input
                        .get("Timestamp")
                        .and_then(Value::as_f64)
                        .ok_or_else(|| {
                            err(
                                "InvalidArgumentException",
                                "Timestamp is required for AT_TIMESTAMP",
                            )
                        })?;
                    records.partition_point(|r| (r.arrival as f64) < t)
                }
                _ => {
                    return Err(validation(
                        "shardIteratorType",
                        "Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]",
                    ))
                }
            };
            ok(&json!({"ShardIterator": make_iterator(&name, shard, pos)}))
        }
        "GetRecords" => {
            let it = input
                .get("ShardIterator")
                .and_then(Value::as_str)
                .ok_or_else(|| validation("shardIterator", "Member must not be null"))?;
            let limit = match input.get("Limit") {
                None | Some(Value::Null) => 10_000,
                Some(v) => v
                    .as_u64()
                    .filter(|n| (1..=10_000).contains(n))
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| validation("limit", "Member must be between 1 and 10000"))?,
            };
            let (name, shard, pos) = read_iterator(it)
                .ok_or_else(|| err("InvalidArgumentException", "Invalid ShardIterator."))?;
            let s = streams.get(&name).ok_or_else(|| not_found(&name))?;
            let records = s
                .shards
                .get(shard)
                .ok_or_else(|| err("InvalidArgumentException", "Invalid ShardIterator."))?;
            let pos = pos.min(records.len());
            let end = records.len().min(pos.saturating_add(limit));
            let out: Vec<Value> = records[pos..end]
                .iter()
                .map(|r| {
                    json!({
                        "SequenceNumber": seq_str(r.seq),
                        "ApproximateArrivalTimestamp": r.arrival,
                        "Data": base64(&r.data),
                        "PartitionKey": r.partition_key,
                    })
                })
                .collect();
            ok(&json!({
                "Records": out,
                "NextShardIterator": make_iterator(&name, shard, end),
                "MillisBehindLatest": 0,
            }))
        }
        other => Err(err(
            "UnknownOperationException",
            format!("mock-aws does not implement Kinesis operation {other} (it implements CreateStream, DescribeStream, DescribeStreamSummary, ListStreams, ListShards, PutRecord, PutRecords, GetShardIterator, GetRecords)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterators_round_trip_and_shards_cover_the_hash_range() {
        let it = make_iterator("s-1", 3, 17);
        assert_eq!(read_iterator(&it), Some(("s-1".to_owned(), 3, 17)));
        assert_eq!(read_iterator("not base64!"), None);
        let s = Stream {
            created: 0,
            mode: "PROVISIONED".to_owned(),
            shards: vec![Vec::new(); 3],
            next_seq: 1,
        };
        assert_eq!(shard_of(&s, 0), 0);
        assert_eq!(shard_of(&s, u128::MAX), 2);
        assert_eq!(shard_of(&s, u128::MAX / 2), 1);
        assert!(seq_str(9) < seq_str(10));
    }

    #[test]
    fn hash_ranges_are_the_shards_of_shard_of() {
        // One shard: AWS's whole range, 0 to 2^128 - 1.
        assert_eq!(hash_range(0, 1), (0, u128::MAX));
        for n in [2usize, 3, 7, 64] {
            assert_eq!(hash_range(0, n).0, 0);
            assert_eq!(hash_range(n - 1, n).1, u128::MAX);
            let s = Stream {
                created: 0,
                mode: "PROVISIONED".to_owned(),
                shards: vec![Vec::new(); n],
                next_seq: 1,
            };
            for i in 0..n {
                let (a, b) = hash_range(i, n);
                assert_eq!(
                    (shard_of(&s, a), shard_of(&s, b)),
                    (i, i),
                    "{n} shards, {i}"
                );
                if i + 1 < n {
                    assert_eq!(hash_range(i + 1, n).0, b + 1);
                }
            }
        }
    }
}
