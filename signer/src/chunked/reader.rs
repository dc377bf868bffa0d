//! A [`std::io::Read`] adapter over the decoder.

use super::*;

/// A [`std::io::Read`] over the decoded data of an `aws-chunked` body read from `inner`:
/// an error of the decoder is an [`std::io::ErrorKind::InvalidData`] error wrapping the
/// [`ChunkedError`]; the end of `inner` before the end of the body is an error too.
#[derive(Debug)]
pub struct DecodingReader<R> {
    inner: R,
    decoder: ChunkedDecoder,
    buf: Vec<u8>,
    pos: usize,
    input: Vec<u8>,
}

impl<R: std::io::Read> DecodingReader<R> {
    /// Wraps `inner`.
    pub fn new(inner: R, decoder: ChunkedDecoder) -> Self {
        Self {
            inner,
            decoder,
            buf: Vec::new(),
            pos: 0,
            input: vec![0; 64 * 1024],
        }
    }

    /// The decoder (for its summary once reading returned 0).
    pub fn decoder(&self) -> &ChunkedDecoder {
        &self.decoder
    }
}

impl<R: std::io::Read> std::io::Read for DecodingReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
        let invalid = |e: ChunkedError| std::io::Error::new(std::io::ErrorKind::InvalidData, e);
        while self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.decoder.is_done() {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            if n == 0 {
                self.decoder.finish().map_err(invalid)?;
                return Ok(0);
            }
            self.decoder
                .push(&self.input[..n], &mut self.buf)
                .map_err(invalid)?;
        }
        let n = dst.len().min(self.buf.len() - self.pos);
        dst[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
