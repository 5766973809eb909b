//! Searching the journal the way a clerk types: without diacritics and in
//! any case. "nguyen van" finds "Nguyễn Văn", "dang" finds "Đặng".

use crate::Record;

/// Vietnamese (and common Latin) letters with their marks, grouped by the
/// base letter they fold to. Precomposed forms only; combining marks
/// (U+0300–U+036F) are dropped separately, so decomposed text folds alike.
const FOLDS: &[(char, &str)] = &[
    ('a', "àáảãạăằắẳẵặâầấẩẫậäåāą"),
    ('e', "èéẻẽẹêềếểễệëēęě"),
    ('i', "ìíỉĩịîïī"),
    ('o', "òóỏõọôồốổỗộơờớởỡợöøō"),
    ('u', "ùúủũụưừứửữựûüūů"),
    ('y', "ỳýỷỹỵÿ"),
    ('d', "đ"),
    ('c', "çč"),
    ('n', "ñň"),
    ('s', "šś"),
    ('z', "žź"),
];

/// One character folded: lower case, without marks; `None` for a
/// combining mark (dropped).
fn fold_char(c: char) -> Option<char> {
    if ('\u{0300}'..='\u{036f}').contains(&c) {
        return None;
    }
    // Lower case first: Đ → đ, Ễ → ễ (single-char mappings for these).
    let lower = c.to_lowercase().next().unwrap_or(c);
    if lower.is_ascii() {
        return Some(lower);
    }
    Some(FOLDS.iter().find(|(_, marked)| marked.contains(lower)).map_or(lower, |(base, _)| *base))
}

/// `s` in lower case without diacritics (đ/Đ fold to d), whitespace runs
/// made single spaces.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if let Some(f) = fold_char(c) {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(f);
        }
    }
    out
}

impl Record {
    /// Whether the record's signer, files, outcome, role, error code or
    /// time contain `query`, compared folded ([`fold`]): every word of the
    /// query must appear in one of them (an empty query matches all).
    pub fn matches(&self, query: &str) -> bool {
        let query = fold(query);
        if query.is_empty() {
            return true;
        }
        let e = &self.entry;
        let fields = [
            e.signer_subject.as_deref(),
            e.input_path.as_deref(),
            e.output_path.as_deref(),
            Some(e.outcome.as_str()),
            e.role.as_deref(),
            e.error_code.as_deref(),
            e.token_label.as_deref(),
            Some(self.time_local.as_str()),
        ];
        let haystack: Vec<String> = fields.into_iter().flatten().map(fold).collect();
        // The phrase as typed, else each word somewhere.
        haystack.iter().any(|h| h.contains(&query)) || query.split(' ').all(|w| haystack.iter().any(|h| h.contains(w)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_folds_to_plain_letters() {
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
        assert_eq!(fold("ĐẶNG Thị Đào"), "dang thi dao");
        assert_eq!(fold("Sở Thông tin và Truyền thông  tỉnh Bắc Ninh"), "so thong tin va truyen thong tinh bac ninh");
        assert_eq!(fold("Ủy ban nhân dân Quỳnh Lưu"), "uy ban nhan dan quynh luu");
        // Decomposed input (e + combining circumflex + combining tilde).
        assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguyen");
        assert_eq!(fold(""), "");
    }

    fn record(signer: &str, file: &str) -> Record {
        Record {
            id: 1,
            time_utc: "2026-11-29T13:40:05Z".into(),
            time_local: "2026-11-29T20:40:05+07:00".into(),
            kyso_version: "0.1.0".into(),
            entry: crate::Entry {
                action: "sign".into(),
                signer_subject: Some(format!("CN={signer}, O=UBND")),
                input_path: Some(file.into()),
                outcome: "ok".into(),
                ..Default::default()
            },
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn search_ignores_diacritics_and_case() {
        let r = record("Nguyễn Văn Đức", "/home/vt/Tài liệu/Tờ trình.pdf");
        for q in ["nguyen van", "NGUYỄN VĂN", "van duc", "duc nguyen", "to trinh", "tai lieu", "", "  "] {
            assert!(r.matches(q), "{q:?} should match");
        }
        for q in ["tran", "nguyen thi", "cong van"] {
            assert!(!r.matches(q), "{q:?} should not match");
        }
    }
}
