//! Stream filters needed to read cross-reference and object streams:
//! FlateDecode (ISO 32000-2 §7.4.4) with PNG and TIFF-2 predictors (§7.4.4.4).

#![deny(clippy::arithmetic_side_effects, clippy::as_conversions)]

use std::io::Read;

use crate::object::{Dict, Object};

const MAX_DECODED: u64 = 256 << 20;

/// Decodes `raw` through the stream's filters.
pub fn decode(dict: &Dict, raw: Vec<u8>) -> Result<Vec<u8>, String> {
    let filters: Vec<Vec<u8>> = match dict.get("Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a.iter().filter_map(|o| o.as_name().map(<[u8]>::to_vec)).collect(),
        Some(_) => return Err("bad /Filter".into()),
    };
    let params: Vec<Option<&Dict>> = match dict.get("DecodeParms") {
        Some(Object::Dict(d)) => vec![Some(d)],
        Some(Object::Array(a)) => a.iter().map(Object::as_dict).collect(),
        _ => Vec::new(),
    };
    let mut data = raw;
    for (i, f) in filters.iter().enumerate() {
        match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let mut out = Vec::new();
                flate2::read::ZlibDecoder::new(data.as_slice())
                    .take(MAX_DECODED)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("FlateDecode: {e}"))?;
                data = match params.get(i).copied().flatten() {
                    Some(p) => predict(p, out)?,
                    None => out,
                };
            }
            other => return Err(format!("unsupported filter {}", String::from_utf8_lossy(other))),
        }
    }
    Ok(data)
}

fn predict(p: &Dict, data: Vec<u8>) -> Result<Vec<u8>, String> {
    let pred = p.get("Predictor").and_then(Object::as_int).unwrap_or(1);
    if pred < 10 {
        return if pred <= 1 { Ok(data) } else { Err(format!("predictor {pred} unsupported")) };
    }
    // §7.4.4.4 Table 10: Colors, BitsPerComponent, Columns; each clamped so
    // that the products below stay far from overflow.
    let param = |key: &str, default: i64, max: usize| -> usize {
        let v = p.get(key).and_then(Object::as_int).unwrap_or(default);
        usize::try_from(v).unwrap_or(1).clamp(1, max)
    };
    let colors = param("Colors", 1, 32);
    let bpc = param("BitsPerComponent", 8, 16);
    let columns = param("Columns", 1, 1 << 20);
    let bits = colors.checked_mul(bpc).ok_or("predictor parameters")?;
    let bpp = bits.div_ceil(8);
    let row = bits.checked_mul(columns).ok_or("predictor parameters")?.div_ceil(8);
    let stride = row.checked_add(1).ok_or("predictor parameters")?;
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    // PNG prediction (RFC 2083 §6): each row starts with its filter type.
    for chunk in data.chunks_exact(stride) {
        let Some((&tag, src)) = chunk.split_first() else { break };
        let mut cur = vec![0u8; row];
        for (i, &x) in src.iter().enumerate() {
            let left = i.checked_sub(bpp);
            let a = left.and_then(|j| cur.get(j)).copied().unwrap_or(0);
            let b = prev.get(i).copied().unwrap_or(0);
            let c = left.and_then(|j| prev.get(j)).copied().unwrap_or(0);
            let predicted = match tag {
                0 => 0,
                1 => a,
                2 => b,
                3 => average(a, b),
                4 => paeth(a, b, c),
                _ => return Err(format!("PNG filter type {tag}")),
            };
            if let Some(slot) = cur.get_mut(i) {
                *slot = x.wrapping_add(predicted);
            }
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

/// PNG Average: floor((a + b) / 2), computed without overflow.
fn average(a: u8, b: u8) -> u8 {
    (a & b).wrapping_add((a ^ b) >> 1)
}

/// PNG Paeth predictor (RFC 2083 §6.6), in i16 where no sum can overflow.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (ia, ib, ic) = (i16::from(a), i16::from(b), i16::from(c));
    let pa = ib.wrapping_sub(ic).wrapping_abs();
    let pb = ia.wrapping_sub(ic).wrapping_abs();
    let pc = ia.wrapping_add(ib).wrapping_sub(ic).wrapping_sub(ic).wrapping_abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
