//! The verdict cards of the verification screen: the overall banner, one
//! card per signature, and the trust section the settings screen shows.

use super::*;
use iced::widget::column;

pub(super) fn banner<'a>(label: String, tone: Tone, size: u32) -> Element<'a, Message> {
    let (bg, fg) = tone.colors();
    container(text(label).size(size).font(BOLD))
        .padding([6, 12])
        .width(Fill)
        .style(move |_| container::Style { background: Some(bg.into()), text_color: Some(fg), ..Default::default() })
        .into()
}

pub(super) fn card_view<'a>(c: Card, action: Option<Element<'a, Message>>) -> Element<'a, Message> {
    let mut col = column![banner(format!("{} — {}", c.title, c.verdict), c.tone, 16)].spacing(4);
    for r in c.rows {
        let value = text(r.value);
        let value = if r.alert { value.style(crate::theme::text_danger).font(BOLD) } else { value };
        col = col.push(row![text(r.label).width(220), value].spacing(8));
    }
    for d in c.details {
        col = col.push(row![text("").width(220), text(format!("• {d}")).size(13)].spacing(8));
    }
    for w in c.warnings {
        col = col.push(text(format!("▲ {w}")).style(crate::theme::text_warning));
    }
    if let Some(a) = action {
        col = col.push(a);
    }
    container(col.padding([0, 0])).padding(8).width(Fill).style(container::bordered_box).into()
}

pub(super) fn card(t: &Translator, i: usize, s: &SignatureReport) -> Card {
    let none = || "—".to_owned();
    let when = |v: &Option<String>| v.as_deref().map(|x| local_time(t, x));
    let mut rows = Vec::new();
    let mut push = |key: &str, value: String, alert: bool| rows.push(Row { label: t.tr(key), value, alert });
    // A signer the signature does not bind is never named.
    let unknown = s.kind == SignatureKind::Signature && s.signer_subject.is_none();
    let signer = if unknown { t.tr("verify-signer-unknown") } else { s.signer.clone().unwrap_or_else(none) };
    push("verify-signer", signer, unknown);
    if let Some(o) = &s.organization {
        push("verify-organization", o.clone(), false);
    }
    push("verify-issuer", s.issuer.clone().unwrap_or_else(none), false);
    push("verify-signing-time", when(&s.signing_time).unwrap_or_else(none), false);
    let untrusted = s.timestamp.is_some() && s.timestamp_trust != Some(TimestampTrust::Trusted);
    let stamp = match when(&s.timestamp) {
        Some(ts) if untrusted => format!("{ts} ({})", t.tr("verify-timestamp-untrusted")),
        Some(ts) => ts,
        None => t.tr("verify-none"),
    };
    push("verify-timestamp", stamp, untrusted);
    push("verify-poe-time", when(&s.poe_time).unwrap_or_else(|| t.tr("verify-none")), false);
    let (integrity, integrity_alert) = integrity_text(t, s);
    push("verify-integrity", integrity, integrity_alert);
    push("verify-coverage", s.coverage.localize(t), s.coverage == Coverage::Anomaly);
    if let Some([k, n]) = s.revision {
        push(
            "verify-revision",
            t.tr_args("verify-revision-of", &[("k", &k.to_string()), ("n", &n.to_string())]),
            false,
        );
    }
    push("verify-modifications", s.modifications.localize(t), s.modifications == Modifications::Disallowed);
    push("verify-chain", s.chain.localize(t), s.chain != kyso_pki::ChainStatus::Valid);
    // The anchor the path ended at, and whether Kyso shipped it.
    if s.chain == kyso_pki::ChainStatus::Valid
        && let Some(anchor) = s.chain_path.last()
    {
        let shipped = kyso_core::shipped_certificates().iter().find(|c| anchor.contains(&format!("CN={}", c.name)));
        let value = match shipped {
            Some(c) => t.tr_args("verify-anchor-shipped", &[("name", c.name)]),
            None => anchor.clone(),
        };
        push("verify-anchor", value, false);
    }
    push(
        "verify-revocation",
        s.revocation.localize(t),
        matches!(s.revocation, Revocation::Revoked | Revocation::RevokedNoPoe),
    );
    if let (Some(a), Some(b)) = (&s.cert_not_before, &s.cert_not_after) {
        let (a, b) = (local_time(t, a), local_time(t, b));
        push("cert-validity", t.tr_args("cert-validity-range", &[("from", &a), ("to", &b)]), false);
    }
    let mut warnings: Vec<String> = s.warnings.iter().map(|w| warning_message(t, w)).collect();
    if s.sub_indication == Some(SubIndication::NoCertificateChainFound) {
        warnings.push(t.tr("verify-signer-untrusted-hint"));
    }
    Card {
        tone: Tone::of(s.indication),
        title: format!("{} {} — {}", t.tr("verify-signature"), i + 1, s.field),
        verdict: verdict_text(t, s.indication, s.sub_indication),
        rows,
        // Every change after signing in the person's language (the
        // technical detail stays in the JSON report); the English
        // `modification_details` never reach the screen.
        details: s.changes.iter().map(|c| t.change(c.kind, c.page, c.rect, c.allowed)).collect(),
        warnings,
    }
}

/// The verdict in words: the indication, then what the sub-indication
/// (ETSI EN 319 102-1 §5.1.3) means — never the raw code.
pub fn verdict_text(t: &Translator, i: Indication, sub: Option<SubIndication>) -> String {
    match sub {
        Some(code) => format!("{} — {}", i.localize(t), code.localize(t)),
        None => i.localize(t),
    }
}

/// A warning in words (its code's message; the technical detail stays in
/// the JSON report), never an English sentence of the library.
pub(super) fn warning_message(t: &Translator, w: &Warning) -> String {
    w.localize(t)
}

/// How many disallowed changes the integrity line names before "and N more".
pub(super) const INTEGRITY_CHANGES: usize = 3;

/// Integrity as what it means (issue 18): the byte ranges' hash (ISO
/// 32000-2 §12.8.1) can hold while the file was changed in a later
/// revision (§7.5.6) in a way that is not allowed — say both.
pub(super) fn integrity_text(t: &Translator, s: &SignatureReport) -> (String, bool) {
    if s.integrity == Integrity::Broken {
        return (t.tr("verify-integrity-broken"), true);
    }
    if s.integrity != Integrity::Intact {
        return (s.integrity.localize(t), true);
    }
    let bad: Vec<String> =
        s.changes.iter().filter(|c| !c.allowed).map(|c| t.change(c.kind, c.page, c.rect, c.allowed)).collect();
    let modified =
        s.modifications == Modifications::Disallowed || s.sub_indication == Some(SubIndication::ModifiedAfterSigning);
    if modified {
        let mut list: Vec<String> = bad.iter().take(INTEGRITY_CHANGES).cloned().collect();
        if bad.len() > INTEGRITY_CHANGES {
            let more = (bad.len() - INTEGRITY_CHANGES).to_string();
            list.push(t.tr_args("verify-more-changes", &[("n", &more)]));
        }
        if list.is_empty() {
            list.push(s.modifications.localize(t));
        }
        return (t.tr_args("verify-integrity-intact-modified", &[("changes", &list.join("; "))]), true);
    }
    if s.changes.is_empty() {
        (t.tr("verify-integrity-intact-only"), false)
    } else {
        (t.tr("verify-integrity-intact-allowed"), false)
    }
}

/// The message for a report's file-level error, if it has one that the
/// screen does not already say ("no signature" is shown as such).
pub(super) fn error_key(report: &PdfReport) -> Option<&'static str> {
    match report.error.as_deref() {
        None => None,
        Some(_) if report.signatures.is_empty() && report.error.as_deref() == Some("no signature") => None,
        Some(_) => Some("verify-error-unreadable"),
    }
}

/// The trust section of the settings screen (issue 18): the certificates
/// Kyso ships, each with its SHA-256 pin, validity and role, and the
/// switch of the shipped anchors (the `shipped_anchors` setting, read by
/// [`run`] and `kyso-cli`).
pub fn shipped_trust_section<'a, M: Clone + 'a>(
    t: &Translator,
    on: bool,
    toggle: impl Fn(bool) -> M + 'a,
) -> Element<'a, M> {
    use iced::widget::checkbox;
    let state = t.tr(if on { "trust-enabled" } else { "trust-disabled" });
    let mut col = column![
        text(t.tr("gui-shipped-title")).size(16).font(BOLD),
        checkbox(on).label(t.tr("gui-shipped-toggle")).on_toggle(toggle),
        text(t.tr("gui-shipped-hint")).size(13).style(crate::theme::text_muted),
    ]
    .spacing(6);
    for c in kyso_core::shipped_certificates() {
        let Some(cert) = c.certificate() else { continue };
        let info = kyso_pki::CertInfo::from_certificate(&cert.cert, std::time::SystemTime::now());
        let role = match c.role {
            kyso_core::ShippedRole::Anchor => t.tr_args("gui-shipped-role-anchor", &[("state", &state)]),
            kyso_core::ShippedRole::Intermediate => t.tr("gui-shipped-role-intermediate"),
        };
        let (from, to) = (local_time(t, &info.not_before), local_time(t, &info.not_after));
        let used = on || c.role == kyso_core::ShippedRole::Intermediate;
        let role = text(role).size(13);
        col = col.push(
            column![
                text(c.name).font(BOLD),
                if used { role.style(crate::theme::text_success) } else { role.style(crate::theme::text_muted) },
                text(t.tr_args("gui-shipped-validity", &[("from", &from), ("to", &to)])).size(13),
                text(t.tr_args("gui-shipped-pin", &[("sha256", c.sha256)])).size(12).font(iced::Font::MONOSPACE),
            ]
            .spacing(2),
        );
    }
    col.into()
}
