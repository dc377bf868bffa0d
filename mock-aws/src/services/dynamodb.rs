//! DynamoDB (JSON 1.0, `X-Amz-Target: DynamoDB_20120810.*`): CreateTable, DescribeTable,
//! ListTables, PutItem, GetItem, DeleteTable.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};

use crate::config::ACCOUNT_ID;
use crate::errors::AwsError;
use crate::message::Response;
use crate::services::{Ctx, OpResult};

/// One table.
#[derive(Debug, Clone)]
pub struct Table {
    key_schema: Value,
    key_names: Vec<String>,
    attribute_definitions: Value,
    provisioned: Option<Value>,
    billing_mode: String,
    created: i64,
    /// Items by their key attributes as JSON ([`key_of`]). A hash map: no operation lists
    /// items in key order, and an insert into a table of thousands of items compared its key
    /// with a dozen others that share its long prefix (`{"pk":{"S":"item-...`).
    items: HashMap<String, Value>,
}

/// All tables, by name.
pub type Tables = BTreeMap<String, Table>;

const PREFIX: &str = "DynamoDB_20120810.";

fn err(code: &'static str, msg: impl Into<String>) -> (AwsError, String) {
    (AwsError { code, status: 400 }, msg.into())
}

fn ok(body: &Value) -> OpResult {
    Ok(Response::new(
        200,
        "application/x-amz-json-1.0",
        body.to_string(),
    ))
}

fn describe(name: &str, t: &Table, region: &str, status: &str) -> Value {
    let mut d = json!({
        "TableName": name,
        "TableStatus": status,
        "KeySchema": t.key_schema,
        "AttributeDefinitions": t.attribute_definitions,
        "CreationDateTime": t.created,
        "ItemCount": t.items.len(),
        "TableSizeBytes": t.items.values().map(|v| v.to_string().len()).sum::<usize>(),
        "TableArn": format!("arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"),
        "TableId": format!("{:032x}", name.bytes().fold(0u128, |h, b| h.wrapping_mul(131).wrapping_add(u128::from(b)))),
        "BillingModeSummary": {"BillingMode": t.billing_mode},
    });
    let pt = t.provisioned.clone().unwrap_or(json!({}));
    d["ProvisionedThroughput"] = json!({
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": pt.get("ReadCapacityUnits").cloned().unwrap_or(json!(0)),
        "WriteCapacityUnits": pt.get("WriteCapacityUnits").cloned().unwrap_or(json!(0)),
    });
    d
}

/// The request's `TableName`, borrowed (a lookup needs no copy).
fn table_name(input: &Value) -> Result<&str, (AwsError, String)> {
    match input.get("TableName").and_then(Value::as_str) {
        Some(n) if (3..=255).contains(&n.len()) => Ok(n),
        Some(n) => Err(err(
            "ValidationException",
            format!("1 validation error detected: Value '{n}' at 'tableName' failed to satisfy constraint: Member must have length between 3 and 255"),
        )),
        None => Err(err(
            "ValidationException",
            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
        )),
    }
}

fn key_of(t: &Table, item: &Map<String, Value>) -> Result<String, (AwsError, String)> {
    // The key attributes as a JSON object, keys in order: borrowed, not copied into a map.
    let mut key: BTreeMap<&str, &Value> = BTreeMap::new();
    for k in &t.key_names {
        match item.get(k) {
            Some(v) => {
                key.insert(k, v);
            }
            None => {
                return Err(err(
                    "ValidationException",
                    format!(
                    "One or more parameter values were invalid: Missing the key {k} in the item"
                ),
                ))
            }
        }
    }
    Ok(serde_json::to_string(&key).unwrap_or_default())
}

fn not_found(name: &str) -> (AwsError, String) {
    err(
        "ResourceNotFoundException",
        format!("Requested resource not found: Table: {name} not found"),
    )
}

/// The operation and the JSON body of a DynamoDB request (or the answer to a malformed one),
/// parsed before the state is locked.
pub type Parsed = Result<(String, Value), (Option<String>, OpResult)>;

/// Parses a DynamoDB request's operation and body (no state needed).
pub fn parse(req: &crate::message::Request) -> Parsed {
    crate::framing::json_request(req, PREFIX)
}

/// Handles a DynamoDB request; returns the operation name and the result.
pub fn handle(ctx: &mut Ctx<'_>) -> (Option<String>, OpResult) {
    let mut parsed = parse(ctx.req);
    handle_parsed(ctx, &mut parsed)
}

/// Handles a DynamoDB request already [`parse`]d. The parsed body stays with the caller (to
/// be freed after the state lock is released), as does an item it replaces.
pub fn handle_parsed(ctx: &mut Ctx<'_>, parsed: &mut Parsed) -> (Option<String>, OpResult) {
    match parsed {
        Ok((op, input)) => {
            let result = run(ctx, op, input);
            // The name moves into the verdict: the parsed request is only freed after this.
            (Some(std::mem::take(op)), result)
        }
        Err(e) => std::mem::replace(e, (None, Ok(Response::empty(500)))),
    }
}

fn run(ctx: &mut Ctx<'_>, op: &str, input: &mut Value) -> OpResult {
    let tables = &mut ctx.state.dynamodb;
    match op {
        "CreateTable" => {
            let name = table_name(input)?.to_owned();
            let key_schema = input.get("KeySchema").cloned().unwrap_or(Value::Null);
            let key_names: Vec<String> = key_schema
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|k| k.get("AttributeName").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            if key_names.is_empty() || key_names.len() > 2 {
                return Err(err(
                    "ValidationException",
                    "1 validation error detected: KeySchema must have 1 or 2 elements with AttributeName",
                ));
            }
            if tables.contains_key(&name) {
                return Err(err(
                    "ResourceInUseException",
                    format!("Table already exists: {name}"),
                ));
            }
            let t = Table {
                key_schema,
                key_names,
                attribute_definitions: input
                    .get("AttributeDefinitions")
                    .cloned()
                    .unwrap_or(json!([])),
                provisioned: input.get("ProvisionedThroughput").cloned(),
                billing_mode: input
                    .get("BillingMode")
                    .and_then(Value::as_str)
                    .unwrap_or("PROVISIONED")
                    .to_owned(),
                created: ctx.now,
                items: HashMap::new(),
            };
            let d = describe(&name, &t, ctx.region, "ACTIVE");
            tables.insert(name, t);
            ok(&json!({ "TableDescription": d }))
        }
        "DescribeTable" => {
            let name = table_name(input)?;
            let t = tables.get(name).ok_or_else(|| not_found(name))?;
            ok(&json!({ "Table": describe(name, t, ctx.region, "ACTIVE") }))
        }
        "ListTables" => {
            let start = input.get("ExclusiveStartTableName").and_then(Value::as_str);
            let limit = input
                .get("Limit")
                .and_then(Value::as_u64)
                .map_or(100, |l| usize::try_from(l).unwrap_or(100));
            let names: Vec<&String> = tables
                .keys()
                .filter(|n| start.is_none_or(|s| n.as_str() > s))
                .take(limit)
                .collect();
            let mut out = json!({ "TableNames": names });
            if names.len() == limit {
                if let Some(last) = names.last() {
                    out["LastEvaluatedTableName"] = json!(last);
                }
            }
            ok(&out)
        }
        "DeleteTable" => {
            let name = table_name(input)?;
            let t = tables.remove(name).ok_or_else(|| not_found(name))?;
            ok(&json!({ "TableDescription": describe(name, &t, ctx.region, "DELETING") }))
        }
        "PutItem" => {
            let name = table_name(input)?;
            let t = tables.get_mut(name).ok_or_else(|| not_found(name))?;
            // Moved out of the parsed request, not cloned.
            let item = match input.get_mut("Item") {
                Some(Value::Object(item)) => std::mem::take(item),
                _ => return Err(err("ValidationException", "Item is required")),
            };
            let key = key_of(t, &item)?;
            let old = t.items.insert(key, Value::Object(item));
            match (input.get("ReturnValues").and_then(Value::as_str), old) {
                (Some("ALL_OLD"), Some(old)) => ok(&json!({ "Attributes": old })),
                (_, old) => {
                    // The replaced item goes back into the request's emptied `Item`, to be
                    // freed with the request once the state lock is released.
                    if let (Some(old), Some(slot)) = (old, input.get_mut("Item")) {
                        *slot = old;
                    }
                    Ok(Response::new(200, "application/x-amz-json-1.0", "{}"))
                }
            }
        }
        "GetItem" => {
            let name = table_name(input)?;
            let t = tables.get(name).ok_or_else(|| not_found(name))?;
            let key = input
                .get("Key")
                .and_then(Value::as_object)
                .ok_or_else(|| err("ValidationException", "Key is required"))?;
            if key.len() != t.key_names.len() {
                return Err(err(
                    "ValidationException",
                    "The provided key element does not match the schema",
                ));
            }
            let k = key_of(t, key)?;
            match t.items.get(&k) {
                Some(item) => ok(&json!({ "Item": item })),
                None => ok(&json!({})),
            }
        }
        other => Err(err(
            "UnknownOperationException",
            format!("mock-aws does not implement DynamoDB operation {other}"),
        )),
    }
}
