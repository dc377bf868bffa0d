//! The HTTP clients of the load connections: a raw one (pre-serialised requests, httparse)
//! and hyper's, behind one [`Conn`].

mod hyper_client;
mod raw_client;

use std::net::SocketAddr;

use anyhow::Result;
use bytes::Bytes;

pub(crate) use hyper_client::{connect, send};
use raw_client::RawConn;

use crate::pool::Entry;

/// Which HTTP client the load connections use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ClientKind {
    /// Writes each pre-serialised request in one write and parses the answer with httparse
    /// (hyper's parser): the least client CPU, so the most of the machine is left to the server.
    Raw,
    /// hyper's HTTP/1.1 client connection.
    Hyper,
}

/// A keep-alive connection of either client.
pub(crate) enum Conn {
    Raw(RawConn),
    Hyper(hyper_client::Sender),
}

impl Conn {
    /// Opens a connection of `kind` to `addr`.
    pub(crate) async fn open(addr: SocketAddr, kind: ClientKind) -> Result<Self> {
        Ok(match kind {
            ClientKind::Raw => Conn::Raw(RawConn::open(addr).await?),
            ClientKind::Hyper => Conn::Hyper(hyper_client::connect(addr).await?),
        })
    }

    /// Sends one pre-signed request and reads its answer: status and body.
    pub(crate) async fn send(&mut self, e: &Entry) -> Result<(u16, Bytes)> {
        match self {
            Conn::Raw(c) => c.send(&e.wire).await,
            Conn::Hyper(s) => hyper_client::send(s, e.request()).await,
        }
    }
}
