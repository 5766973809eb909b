//! Stream filters needed to read cross-reference and object streams:
//! FlateDecode (ISO 32000-2 §7.4.4) with PNG and TIFF-2 predictors (§7.4.4.4).

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
    let colors = p.get("Colors").and_then(Object::as_int).unwrap_or(1).clamp(1, 32) as usize;
    let bpc = p.get("BitsPerComponent").and_then(Object::as_int).unwrap_or(8).clamp(1, 16) as usize;
    let columns = p.get("Columns").and_then(Object::as_int).unwrap_or(1).clamp(1, 1 << 20) as usize;
    let bpp = (colors * bpc).div_ceil(8);
    let row = (colors * bpc * columns).div_ceil(8);
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() < row + 1 {
            break;
        }
        let (tag, src) = (chunk[0], &chunk[1..]);
        let mut cur = src.to_vec();
        for i in 0..row {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match tag {
                0 => src[i],
                1 => src[i].wrapping_add(a),
                2 => src[i].wrapping_add(b),
                3 => src[i].wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => {
                    let pa = (i16::from(b) - i16::from(c)).abs();
                    let pb = (i16::from(a) - i16::from(c)).abs();
                    let pc = (i16::from(a) + i16::from(b) - 2 * i16::from(c)).abs();
                    let pr = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    src[i].wrapping_add(pr)
                }
                _ => return Err(format!("PNG filter type {tag}")),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}
