//! Local time zone parsing and formatting.

use super::*;
use crate::screen::verify::clock::{format_at, local_zone};

#[test]
fn times_are_shown_in_the_local_zone_the_vietnamese_way() {
    let at = time::OffsetDateTime::from_unix_timestamp(1_795_959_605).unwrap(); // 2026-11-29T13:40:05Z
    let plus7 = time::UtcOffset::from_hms(7, 0, 0).unwrap();
    let vi = Translator::new(Lang::Vi);
    let en = Translator::new(Lang::En);
    assert_eq!(format_at(&vi, at, plus7), "29/11/2026 20:40:05 (GMT+7)");
    assert_eq!(format_at(&en, at, plus7), "2026-11-29 20:40:05 (GMT+7)");
    let india = time::UtcOffset::from_hms(5, 30, 0).unwrap();
    assert_eq!(format_at(&vi, at, india), "29/11/2026 19:10:05 (GMT+5:30)");
    let west = time::UtcOffset::from_hms(-3, -30, 0).unwrap();
    assert_eq!(format_at(&en, at, west), "2026-11-29 10:10:05 (GMT-3:30)");
    assert_eq!(format_at(&en, at, time::UtcOffset::UTC), "2026-11-29 13:40:05 (GMT+0)");
    // Not a time: shown as it is; a time: never with its "Z".
    assert_eq!(local_time(&vi, "2025-01-01"), "2025-01-01");
    let shown = local_time(&vi, "2026-11-29T13:40:05Z");
    assert!(shown.contains("/11/2026") && shown.contains("(GMT") && !shown.ends_with('Z'), "{shown}");
}

/// A TZif file (RFC 8536) as the system keeps it: version 2, one
/// transition from +08:00 to +07:00 at 1975-06-13 (as Asia/Ho_Chi_Minh).
#[test]
fn the_zone_file_gives_the_offset_at_each_instant() {
    fn header(version: u8, times: u32, types: u32, chars: u32) -> Vec<u8> {
        let mut h = b"TZif".to_vec();
        h.push(version);
        h.extend([0u8; 15]);
        for c in [0u32, 0, 0, times, types, chars] {
            h.extend(c.to_be_bytes());
        }
        h
    }
    let switch: i64 = 171_820_800; // 1975-06-13T00:00:00Z
    let mut f = header(b'2', 1, 2, 8);
    f.extend((switch as i32).to_be_bytes());
    f.push(1);
    for (off, idx) in [(8 * 3600i32, 0u8), (7 * 3600, 4)] {
        f.extend(off.to_be_bytes());
        f.extend([0, idx]);
    }
    f.extend(b"+08\0+07\0");
    f.extend(header(b'2', 1, 2, 8));
    f.extend(switch.to_be_bytes());
    f.push(1);
    for (off, idx) in [(8 * 3600i32, 0u8), (7 * 3600, 4)] {
        f.extend(off.to_be_bytes());
        f.extend([0, idx]);
    }
    f.extend(b"+08\0+07\0");
    f.extend(b"\n<+07>-7\n");
    let z = local_zone::parse(&f).expect("parses");
    assert_eq!(z.initial, 8 * 3600);
    assert_eq!(z.transitions, vec![(switch, 7 * 3600)]);
    // Truncated or foreign data is refused, never a panic.
    for cut in 0..f.len() {
        let _ = local_zone::parse(&f[..cut]);
    }
    assert!(local_zone::parse(b"not a zone file at all, just text......................").is_none());
    let mut bad = f.clone();
    // The version 2 block's type index (after the 25 bytes of the
    // version 1 block, its header and one 8-byte time): a type that
    // does not exist.
    bad[44 + 25 + 44 + 8] = 9;
    assert!(local_zone::parse(&bad).is_none());
}
