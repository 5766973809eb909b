//! Times of a report in the user's local time zone.

use super::*;

/// An RFC 3339 time of a report, in the user's time zone as people write
/// it: `29/11/2026 20:40:05 (GMT+7)` in Vietnamese, `2026-11-29 20:40:05
/// (GMT+7)` in English. Text that is not such a time is returned as is.
pub fn local_time(t: &Translator, rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(at) => format_at(t, at, local_zone::offset_at(at.unix_timestamp())),
        Err(_) => rfc3339.to_owned(),
    }
}

/// `at` at the UTC offset `offset`, in the layout of [`local_time`].
pub(super) fn format_at(t: &Translator, at: time::OffsetDateTime, offset: time::UtcOffset) -> String {
    let d = at.to_offset(offset);
    let (h, m, _) = offset.as_hms();
    let zone = match (h, m.unsigned_abs()) {
        (h, 0) => format!("GMT{h:+}"),
        (h, m) => format!("GMT{}{}:{m:02}", if offset.is_negative() { '-' } else { '+' }, h.unsigned_abs()),
    };
    let (y, mo, day) = (d.year(), u8::from(d.month()), d.day());
    let clock = format!("{:02}:{:02}:{:02}", d.hour(), d.minute(), d.second());
    match t.lang() {
        kyso_i18n::Lang::Vi => format!("{day:02}/{mo:02}/{y} {clock} ({zone})"),
        _ => format!("{y}-{mo:02}-{day:02} {clock} ({zone})"),
    }
}

/// The system's UTC offset at an instant, read from the time zone database
/// (RFC 8536 TZif: `$TZ`, else `/etc/localtime`). Where there is none
/// (Windows, a bare container), Vietnam's +07:00 — Kyso's users' zone,
/// without daylight saving since 1975.
pub(super) mod local_zone {
    use std::sync::OnceLock;

    /// Vietnam (Asia/Ho_Chi_Minh).
    const VIETNAM: i32 = 7 * 3600;

    /// Transitions (UTC seconds, offset after it) and the offset before
    /// the first.
    pub(in crate::screen::verify) struct Zone {
        pub(in crate::screen::verify) initial: i32,
        pub(in crate::screen::verify) transitions: Vec<(i64, i32)>,
    }

    pub(in crate::screen::verify) fn offset_at(unix: i64) -> time::UtcOffset {
        static ZONE: OnceLock<Option<Zone>> = OnceLock::new();
        let secs = match ZONE.get_or_init(load) {
            Some(z) => match z.transitions.iter().rev().find(|(at, _)| *at <= unix) {
                Some((_, off)) => *off,
                None => z.initial,
            },
            None => VIETNAM,
        };
        time::UtcOffset::from_whole_seconds(secs).unwrap_or(time::UtcOffset::UTC)
    }

    fn load() -> Option<Zone> {
        let path = match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => {
                let tz = tz.trim_start_matches(':');
                if tz.starts_with('/') {
                    std::path::PathBuf::from(tz)
                } else if tz.split('/').all(|p| !p.is_empty() && p != "..") {
                    std::path::Path::new("/usr/share/zoneinfo").join(tz)
                } else {
                    return None;
                }
            }
            _ => std::path::PathBuf::from("/etc/localtime"),
        };
        parse(&std::fs::read(path).ok()?)
    }

    fn be32(b: &[u8], at: usize) -> Option<u32> {
        Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
    }

    /// RFC 8536 §3: the header, then the version 1 data block (32-bit
    /// times); version 2 and later repeat the data with 64-bit times
    /// after it, which is used when present.
    pub(in crate::screen::verify) fn parse(b: &[u8]) -> Option<Zone> {
        if b.get(..4)? != b"TZif" {
            return None;
        }
        let counts = |at: usize| -> Option<[usize; 6]> {
            let mut c = [0usize; 6];
            for (i, v) in c.iter_mut().enumerate() {
                *v = usize::try_from(be32(b, at.checked_add(20)?.checked_add(i.checked_mul(4)?)?)?).ok()?;
            }
            Some(c)
        };
        // [isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt]
        let v1 = counts(0)?;
        let block_len = |c: [usize; 6], time: usize| -> Option<usize> {
            let [isut, isstd, leap, times, types, chars] = c;
            times
                .checked_mul(time.checked_add(1)?)?
                .checked_add(types.checked_mul(6)?)?
                .checked_add(chars)?
                .checked_add(leap.checked_mul(time.checked_add(4)?)?)?
                .checked_add(isstd)?
                .checked_add(isut)
        };
        let (c, data, time) = if b.get(4).is_some_and(|v| *v >= b'2') {
            let second = 44usize.checked_add(block_len(v1, 4)?)?;
            if b.get(second..second.checked_add(4)?)? != b"TZif" {
                return None;
            }
            (counts(second)?, second.checked_add(44)?, 8usize)
        } else {
            (v1, 44usize, 4usize)
        };
        let [_, _, _, times, types, _] = c;
        if types == 0 {
            return None;
        }
        let idx_at = data.checked_add(times.checked_mul(time)?)?;
        let types_at = idx_at.checked_add(times)?;
        let utoff = |ty: usize| -> Option<i32> {
            let at = types_at.checked_add(ty.checked_mul(6)?)?;
            Some(i32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
        };
        let mut transitions = Vec::with_capacity(times.min(4096));
        for i in 0..times {
            let at = data.checked_add(i.checked_mul(time)?)?;
            let when = if time == 8 {
                i64::from_be_bytes(b.get(at..at.checked_add(8)?)?.try_into().ok()?)
            } else {
                i64::from(i32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?))
            };
            let ty = usize::from(*b.get(idx_at.checked_add(i)?)?);
            if ty >= types {
                return None;
            }
            transitions.push((when, utoff(ty)?));
        }
        // RFC 8536 §3.2: local time before the first transition is the
        // first time type.
        Some(Zone { initial: utoff(0)?, transitions })
    }
}
