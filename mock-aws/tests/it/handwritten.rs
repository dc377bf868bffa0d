//! The flows of AWS's Python signing samples: a hand-written SigV4 signer
//! (`tests/handwritten_signer.py`, standard library only) doing Kinesis PutRecord, DynamoDB
//! CreateTable, EC2 DescribeRegions with header auth and IAM CreateUser with query auth, against
//! a real `mock-aws`. Every request must be accepted.

use crate::common;

#[test]
fn hand_written_signer_kinesis_dynamodb_ec2_header_auth_iam_query_auth() {
    let server = common::Server::start(&[]);
    let stdout = common::run_python_script(
        common::Tool::Python,
        "handwritten_signer.py",
        &server,
        "hand-written signer flow",
    );
    for what in [
        "Kinesis CreateStream: accepted",
        "Kinesis PutRecord: accepted",
        "DynamoDB CreateTable: accepted",
        "EC2 DescribeRegions (header auth): accepted",
        "IAM CreateUser (query auth): accepted",
    ] {
        assert!(stdout.contains(what), "{what} missing from:\n{stdout}");
    }
    // The server's own record: five accepted, one (the deliberate wrong secret) rejected.
    let v = common::Conn::open(&server.addr)
        .send("GET", "/_mock-aws/verdicts", &[], b"")
        .json();
    assert_eq!(v["accepted"], 5, "{v}");
    assert_eq!(v["rejected"], 1, "{v}");
    let ops: Vec<_> = v["verdicts"]
        .as_array()
        .expect("verdicts")
        .iter()
        .filter(|x| x["outcome"] == "accepted")
        .map(|x| {
            format!(
                "{} {}",
                x["service"].as_str().unwrap_or(""),
                x["operation"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            "kinesis CreateStream",
            "kinesis PutRecord",
            "dynamodb CreateTable",
            "ec2 DescribeRegions",
            "iam CreateUser"
        ]
    );
}
