//! SHA-256 and HMAC-SHA256 of short messages, straight on the `sha2` crate's block function.
//!
//! A signature hashes a few short texts (the canonical request, the string to sign, the key
//! chain's four HMACs): about 25 blocks in all, so the per-call work of a general hasher
//! (buffering, generic finalisation, copies of its state) costs a fair share of the time. Here a
//! state is the eight chaining words and a byte count, the padding is written once into a stack
//! block (FIPS 180-4 section 5.1.1), and an HMAC key (RFC 2104) is kept as the two states after
//! its inner and outer pad blocks, so a MAC under a kept key compresses only the message and the
//! outer digest block. Long bodies still go through `sha2::Sha256` (see `payload.rs`).

use sha2::compress256;
use sha2::digest::generic_array::GenericArray;

/// SHA-256's initial hash value (FIPS 180-4 section 5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A SHA-256 state after whole 64-byte blocks.
#[derive(Clone, Copy)]
pub(crate) struct State {
    h: [u32; 8],
    /// Bytes absorbed so far (a multiple of 64).
    len: u64,
}

impl State {
    /// The state before any input.
    pub(crate) const fn new() -> Self {
        Self { h: IV, len: 0 }
    }

    fn block(&mut self, block: &[u8; 64]) {
        compress256(
            &mut self.h,
            std::slice::from_ref(GenericArray::from_slice(block)),
        );
        self.len += 64;
    }

    /// The digest of what this state absorbed followed by `data`.
    pub(crate) fn finish(self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.finish_words(data)) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    /// [`Self::finish`] as the eight chaining words.
    fn finish_words(mut self, data: &[u8]) -> [u32; 8] {
        let mut blocks = data.chunks_exact(64);
        for b in &mut blocks {
            compress256(
                &mut self.h,
                std::slice::from_ref(GenericArray::from_slice(b)),
            );
        }
        let rest = blocks.remainder();
        let bits = (self.len + data.len() as u64).wrapping_mul(8);
        let mut last = [0u8; 64];
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 0x80;
        if rest.len() >= 56 {
            self.block(&last);
            last = [0; 64];
        }
        last[56..].copy_from_slice(&bits.to_be_bytes());
        self.block(&last);
        self.h
    }

    /// The digest of what this state absorbed (one block, as after an HMAC pad) followed by
    /// a 32-byte digest given as words: the outer hash of HMAC, one block whose padding is
    /// fixed, written straight from the words.
    fn finish_digest(mut self, digest: [u32; 8]) -> [u8; 32] {
        debug_assert_eq!(self.len, 64);
        let mut last = [0u8; 64];
        for (o, w) in last.chunks_exact_mut(4).zip(digest) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        last[32] = 0x80;
        // 64 + 32 bytes, in bits.
        last[56..].copy_from_slice(&(96u64 * 8).to_be_bytes());
        self.block(&last);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.h) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    State::new().finish(data)
}

/// An HMAC-SHA256 key, as the states after its inner and outer pad blocks.
#[derive(Clone, Copy)]
pub(crate) struct HmacKey {
    inner: State,
    outer: State,
}

impl HmacKey {
    /// Keys HMAC with `key` (of any length; one longer than a block is hashed first).
    pub(crate) fn new(key: &[u8]) -> Self {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&sha256(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let pad = |byte: u8| {
            let mut block = [byte; 64];
            for (b, k) in block.iter_mut().zip(k) {
                *b ^= k;
            }
            let mut s = State::new();
            s.block(&block);
            s
        };
        Self {
            inner: pad(0x36),
            outer: pad(0x5c),
        }
    }

    /// HMAC-SHA256 of `data` under this key.
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        self.outer.finish_digest(self.inner.finish_words(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    // Agreement with the `sha2` crate's hasher and the `hmac` crate, at every length around
    // the padding boundaries (55/56/64 bytes) and past a block-sized key.
    #[test]
    fn agrees_with_sha2_and_hmac() {
        use hmac::Mac;
        let data: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for n in 0..data.len() {
            let d = &data[..n];
            assert_eq!(sha256(d), <[u8; 32]>::from(sha2::Sha256::digest(d)), "{n}");
            let key = &data[..n % 150];
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
            mac.update(d);
            let want: [u8; 32] = mac.finalize().into_bytes().into();
            assert_eq!(HmacKey::new(key).mac(d), want, "{n}");
        }
    }

    // FIPS 180-2 appendix B.1 and RFC 4231 test case 2.
    #[test]
    fn known_answers() {
        assert_eq!(
            crate::encoding::hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            crate::encoding::hex(&HmacKey::new(b"Jefe").mac(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
