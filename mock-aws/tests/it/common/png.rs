//! A small, dependency-free PNG reader for the page test: zlib inflate (RFC 1950/1951: stored,
//! fixed and dynamic Huffman blocks) and the five PNG row filters (PNG spec, section 9), for
//! 8-bit greyscale, RGB and RGBA images, enough to count a screenshot's distinct colours.

struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    bit: u32,
}

impl Bits<'_> {
    fn get(&mut self, n: u32) -> Result<u32, String> {
        let mut v = 0;
        for i in 0..n {
            let byte = *self.data.get(self.pos).ok_or("inflate: out of data")?;
            v |= u32::from((byte >> self.bit) & 1) << i;
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += 1;
            }
        }
        Ok(v)
    }
}

/// A canonical Huffman code: counts per length and symbols in code order.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Self {
        let mut counts = [0u16; 16];
        for &l in lengths {
            counts[l as usize] += 1;
        }
        counts[0] = 0;
        let mut offs = [0u16; 16];
        for i in 1..16 {
            offs[i] = offs[i - 1] + counts[i - 1];
        }
        let mut symbols = vec![0u16; lengths.len()];
        for (s, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbols[offs[l as usize] as usize] = s as u16;
                offs[l as usize] += 1;
            }
        }
        Self { counts, symbols }
    }

    fn decode(&self, b: &mut Bits<'_>) -> Result<u16, String> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= b.get(1)? as i32;
            let count = i32::from(self.counts[len]);
            if code - count < first {
                return Ok(self.symbols[(index + (code - first)) as usize]);
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        Err("inflate: bad Huffman code".to_owned())
    }
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

fn inflate_block(
    b: &mut Bits<'_>,
    out: &mut Vec<u8>,
    lit: &Huffman,
    dist: &Huffman,
) -> Result<(), String> {
    loop {
        let sym = lit.decode(b)?;
        match sym {
            0..=255 => out.push(sym as u8),
            256 => return Ok(()),
            _ => {
                let i = usize::from(sym - 257);
                let len = usize::from(*LEN_BASE.get(i).ok_or("inflate: bad length")?)
                    + b.get(u32::from(LEN_EXTRA[i]))? as usize;
                let d = usize::from(dist.decode(b)?);
                let back = usize::from(*DIST_BASE.get(d).ok_or("inflate: bad distance")?)
                    + b.get(u32::from(DIST_EXTRA[d]))? as usize;
                if back > out.len() {
                    return Err("inflate: distance too far".to_owned());
                }
                let start = out.len() - back;
                for k in 0..len {
                    out.push(out[start + k]);
                }
            }
        }
    }
}

/// Inflates a zlib stream.
pub fn zlib_inflate(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 2 {
        return Err("zlib: too short".to_owned());
    }
    let mut b = Bits {
        data: &data[2..],
        pos: 0,
        bit: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = b.get(1)?;
        match b.get(2)? {
            0 => {
                if b.bit != 0 {
                    b.bit = 0;
                    b.pos += 1;
                }
                let d = b.data;
                let p = b.pos;
                if p + 4 > d.len() {
                    return Err("inflate: stored header".to_owned());
                }
                let len = usize::from(u16::from_le_bytes([d[p], d[p + 1]]));
                let body = d.get(p + 4..p + 4 + len).ok_or("inflate: stored body")?;
                out.extend_from_slice(body);
                b.pos = p + 4 + len;
            }
            1 => {
                let mut l = [0u8; 288];
                l[..144].fill(8);
                l[144..256].fill(9);
                l[256..280].fill(7);
                l[280..].fill(8);
                inflate_block(&mut b, &mut out, &Huffman::new(&l), &Huffman::new(&[5; 30]))?;
            }
            2 => {
                let hlit = b.get(5)? as usize + 257;
                let hdist = b.get(5)? as usize + 1;
                let hclen = b.get(4)? as usize + 4;
                const ORDER: [usize; 19] = [
                    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                ];
                let mut cl = [0u8; 19];
                for &o in ORDER.iter().take(hclen) {
                    cl[o] = b.get(3)? as u8;
                }
                let clh = Huffman::new(&cl);
                let mut lengths = Vec::with_capacity(hlit + hdist);
                while lengths.len() < hlit + hdist {
                    match clh.decode(&mut b)? {
                        s @ 0..=15 => lengths.push(s as u8),
                        16 => {
                            let prev = *lengths.last().ok_or("inflate: repeat of nothing")?;
                            for _ in 0..3 + b.get(2)? {
                                lengths.push(prev);
                            }
                        }
                        17 => lengths.extend(std::iter::repeat_n(0, 3 + b.get(3)? as usize)),
                        _ => lengths.extend(std::iter::repeat_n(0, 11 + b.get(7)? as usize)),
                    }
                }
                let lit = Huffman::new(&lengths[..hlit]);
                let dist = Huffman::new(&lengths[hlit..]);
                inflate_block(&mut b, &mut out, &lit, &dist)?;
            }
            _ => return Err("inflate: reserved block type".to_owned()),
        }
        if last == 1 {
            return Ok(out);
        }
    }
}

/// The number of distinct pixel values (up to `limit`) of an 8-bit greyscale, RGB or RGBA PNG,
/// and its size.
pub fn distinct_colours(png: &[u8], limit: usize) -> Result<(u32, u32, usize), String> {
    if png.len() < 33 || &png[..8] != b"\x89PNG\r\n\x1a\n" || &png[12..16] != b"IHDR" {
        return Err("not a PNG".to_owned());
    }
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    let (w, h) = (be(16), be(20));
    let (depth, colour, interlace) = (png[24], png[25], png[28]);
    let channels = match colour {
        0 => 1,
        2 => 3,
        6 => 4,
        _ => return Err(format!("colour type {colour} not supported")),
    };
    if depth != 8 || interlace != 0 {
        return Err(format!(
            "bit depth {depth} / interlace {interlace} not supported"
        ));
    }
    let mut idat = Vec::new();
    let mut at = 8;
    while at + 12 <= png.len() {
        let len = be(at) as usize;
        let kind = &png[at + 4..at + 8];
        if kind == b"IDAT" {
            idat.extend_from_slice(png.get(at + 8..at + 8 + len).ok_or("truncated IDAT")?);
        }
        at += 12 + len;
    }
    let raw = zlib_inflate(&idat)?;
    let stride = w as usize * channels;
    if raw.len() < (stride + 1) * h as usize {
        return Err("image data too short".to_owned());
    }
    let mut prev = vec![0u8; stride];
    let mut row = vec![0u8; stride];
    let mut seen = std::collections::HashSet::new();
    for y in 0..h as usize {
        let line = &raw[y * (stride + 1)..(y + 1) * (stride + 1)];
        let filter = line[0];
        for x in 0..stride {
            let a = if x >= channels { row[x - channels] } else { 0 };
            let b = prev[x];
            let c = if x >= channels { prev[x - channels] } else { 0 };
            let v = line[1 + x];
            row[x] = match filter {
                0 => v,
                1 => v.wrapping_add(a),
                2 => v.wrapping_add(b),
                3 => v.wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    let pred = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    v.wrapping_add(pred)
                }
                f => return Err(format!("bad filter {f}")),
            };
        }
        for px in row.chunks(channels) {
            if seen.len() < limit {
                seen.insert(px.to_vec());
            }
        }
        std::mem::swap(&mut prev, &mut row);
    }
    Ok((w, h, seen.len()))
}

#[cfg(test)]
mod tests {
    use super::distinct_colours;
    use sigv4_signer::internal::base64_decode;

    // Made by Python's zlib and struct (an independent encoder): a 32x32 image of one colour,
    // and a 64x64 image of five colours in a repeating pattern.
    const BLANK: &str = "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAJ0lEQVR42u3NMQ0AAAwDoH7177gqdiwBA6THIhAIBAKBQCAQCL4EA2nzVAHugHRRAAAAAElFTkSuQmCC";
    const FIVE: &str = "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAAdElEQVR42u3TIQ7AQAhFwa+rq3v/o3AruqabrKomGdxzhDDprOmqSue6n3E5cukjhx5+Z+Y+z5eTAawMxBBDDDHEEEMMMcQQQwwxxBBDDDHEEEMMMcQQQwwxxBBDDDHEEEMMMcQQQwwxxBBDDDHEEEMM8X++1DjQ4ue6IZUAAAAASUVORK5CYII=";

    #[test]
    fn counts_the_colours_of_pngs_made_elsewhere() {
        let blank = base64_decode(BLANK).unwrap();
        assert_eq!(distinct_colours(&blank, 100), Ok((32, 32, 1)));
        let five = base64_decode(FIVE).unwrap();
        assert_eq!(distinct_colours(&five, 100), Ok((64, 64, 5)));
        assert!(distinct_colours(b"not a png at all, clearly not", 10).is_err());
    }
}
