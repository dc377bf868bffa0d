//! The raw client: each request written pre-serialised in one write, the answer parsed with
//! httparse (hyper's parser), so the client costs the least CPU of the machine it shares with
//! the server.

use std::net::SocketAddr;

use anyhow::{bail, Result};
use bytes::Bytes;

/// HTTP/1.1 over one TCP connection, one request in flight; answers must carry
/// `Content-Length` (mock-aws's always do).
pub(crate) struct RawConn {
    stream: tokio::net::TcpStream,
    buf: bytes::BytesMut,
}

impl RawConn {
    pub(crate) async fn open(addr: SocketAddr) -> Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream,
            buf: bytes::BytesMut::with_capacity(16 * 1024),
        })
    }

    async fn fill(&mut self) -> Result<()> {
        use tokio::io::AsyncReadExt as _;
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(16 * 1024);
        }
        if self.stream.read_buf(&mut self.buf).await? == 0 {
            bail!("the server closed the connection");
        }
        Ok(())
    }

    pub(crate) async fn send(&mut self, wire: &[u8]) -> Result<(u16, Bytes)> {
        use tokio::io::AsyncWriteExt as _;
        self.stream.write_all(wire).await?;
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            let head = match resp.parse(&self.buf)? {
                httparse::Status::Complete(n) => {
                    let len = resp
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok());
                    Some((n, resp.code.unwrap_or(0), len))
                }
                httparse::Status::Partial => None,
            };
            match head {
                Some((n, status, Some(len))) => {
                    let len: usize = len;
                    while self.buf.len() < n + len {
                        self.fill().await?;
                    }
                    let msg = self.buf.split_to(n + len).freeze();
                    return Ok((status, msg.slice(n..)));
                }
                Some((_, status, None)) => bail!("answer {status} without Content-Length"),
                None => self.fill().await?,
            }
        }
    }
}
