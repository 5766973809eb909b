//! A small BER reader: walks tag-length-value elements and turns BER
//! (indefinite lengths, constructed strings — what Java tools write for
//! CMS) into DER (X.690 §8.1.3, §8.7, §10.1) so the strict `der` types can
//! read it. Bounded depth; never panics on bad input.

/// One element: tag bytes, content, whole encoding.
#[derive(Clone, Debug)]
pub struct Tlv<'a> {
    /// Identifier octets.
    pub tag: &'a [u8],
    /// Content octets (for definite lengths).
    pub content: &'a [u8],
    /// The whole element.
    pub raw: &'a [u8],
}

const MAX_DEPTH: usize = 48;

/// Reads the identifier and length at the start of `buf`:
/// (tag length, header length, content length or None if indefinite).
fn header(buf: &[u8]) -> Option<(usize, usize, Option<usize>)> {
    let first = *buf.first()?;
    let mut i = 1;
    if first & 0x1f == 0x1f {
        while *buf.get(i)? & 0x80 != 0 {
            i += 1;
            if i > 6 {
                return None;
            }
        }
        i += 1;
    }
    let tag_len = i;
    let l = *buf.get(i)?;
    i += 1;
    let len = if l < 0x80 {
        Some(l as usize)
    } else if l == 0x80 {
        None
    } else {
        let n = (l & 0x7f) as usize;
        if n > 4 {
            return None;
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = (v << 8) | *buf.get(i)? as usize;
            i += 1;
        }
        Some(v)
    };
    Some((tag_len, i, len))
}

/// Splits DER content into its elements (definite lengths only).
pub fn elements(buf: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    let mut rest = buf;
    while !rest.is_empty() {
        let (tl, hl, len) = header(rest)?;
        let len = len?;
        let end = hl.checked_add(len)?;
        let raw = rest.get(..end)?;
        out.push(Tlv { tag: &rest[..tl], content: &raw[hl..], raw });
        rest = &rest[end..];
    }
    Some(out)
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Converts one BER element at the start of `buf` to DER; returns the DER
/// and the number of input bytes consumed.
pub fn to_der(buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    convert(buf, 0)
}

fn convert(buf: &[u8], depth: usize) -> Option<(Vec<u8>, usize)> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (tl, hl, len) = header(buf)?;
    let tag = &buf[..tl];
    let constructed = buf[0] & 0x20 != 0;
    if !constructed {
        let len = len?;
        let end = hl.checked_add(len)?;
        return Some((buf.get(..end)?.to_vec(), end));
    }
    // Constructed: convert the children.
    let mut children = Vec::new();
    let mut pos = hl;
    match len {
        Some(len) => {
            let end = hl.checked_add(len)?;
            if end > buf.len() {
                return None;
            }
            while pos < end {
                let (c, used) = convert(&buf[pos..end], depth + 1)?;
                children.push(c);
                pos += used;
            }
        }
        None => loop {
            if buf.get(pos..pos + 2)? == [0, 0] {
                pos += 2;
                break;
            }
            let (c, used) = convert(&buf[pos..], depth + 1)?;
            children.push(c);
            pos += used;
        },
    }
    let mut out = Vec::new();
    // Constructed OCTET/BIT STRING → primitive (DER forbids the constructed form).
    if tl == 1 && (buf[0] == 0x24 || buf[0] == 0x23) {
        let mut content = Vec::new();
        for (i, c) in children.iter().enumerate() {
            let (_, chl, _) = header(c)?;
            let body = &c[chl..];
            // Only the first BIT STRING chunk keeps its unused-bits octet.
            content.extend_from_slice(if buf[0] == 0x23 && i > 0 { body.get(1..)? } else { body });
        }
        out.push(buf[0] & !0x20);
        push_len(&mut out, content.len());
        out.extend_from_slice(&content);
        return Some((out, pos));
    }
    let body: Vec<u8> = children.concat();
    out.extend_from_slice(tag);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    Some((out, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_and_constructed_strings_become_der() {
        // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
        let ber = [0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0];
        let (der, used) = to_der(&ber).unwrap();
        assert_eq!(used, ber.len());
        assert_eq!(der, [0x30, 0x05, 0x04, 0x03, b'a', b'b', b'c']);
        assert!(to_der(&[0x30, 0x80, 0x04]).is_none());
        assert!(to_der(&[0x30; 200]).is_none());
    }
}
