//! One translation of every value the front ends show: the verification
//! report's vocabulary (kyso-pki), certificate warnings, token errors and
//! the signing errors of kyso-core and the format libraries. The CLI and
//! the desktop app both call [`Localize`]; the keys live here only.

use kyso_pki::precheck::Unchecked;
use kyso_pki::report::{
    Coverage, Indication, Integrity, ModificationLevel, Modifications, Revocation, SignatureKind, SubIndication,
    Warning, WarningCode,
};
use kyso_pki::timestamp::TimestampTrust;
use kyso_pki::{CertWarning, ChainStatus, SignerError};
use kyso_token::{ErrorCode, ModuleSource, TokenError};

use crate::Translator;

/// A message kept untranslated until it is shown (a key, its arguments and
/// a further message appended, e.g. a PIN warning after "Wrong PIN"), so
/// that results computed on a worker thread follow a language toggle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// The message key.
    pub key: &'static str,
    /// Its arguments.
    pub args: Vec<(&'static str, String)>,
    /// A further message appended after a space.
    pub suffix: Option<&'static str>,
    /// Arguments that are messages themselves, translated with this one.
    pub nested: Vec<(&'static str, Message)>,
}

impl Message {
    /// A message without arguments.
    pub fn new(key: &'static str) -> Self {
        Self { key, args: Vec::new(), suffix: None, nested: Vec::new() }
    }

    /// Adds an argument.
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    /// Adds an argument that is a message itself (translated when this
    /// one is).
    pub fn arg_message(mut self, name: &'static str, value: Message) -> Self {
        self.nested.push((name, value));
        self
    }

    /// The translated text.
    pub fn render(&self, t: &Translator) -> String {
        let nested: Vec<(&str, String)> = self.nested.iter().map(|(k, m)| (*k, m.render(t))).collect();
        let args: Vec<(&str, &str)> = self.args.iter().chain(nested.iter()).map(|(k, v)| (*k, v.as_str())).collect();
        let main = t.tr_args(self.key, &args);
        match self.suffix {
            Some(s) => format!("{main} {}", t.tr(s)),
            None => main,
        }
    }
}

/// A value the interface shows in words.
pub trait Localize {
    /// The message (key and arguments), translated later.
    fn message(&self) -> Message;

    /// The text in `t`'s language.
    fn localize(&self, t: &Translator) -> String {
        self.message().render(t)
    }
}

/// The message of each variant of a closed vocabulary, spelled out so
/// that every key can be found in the sources.
macro_rules! by_key {
    ($($ty:ident { $($(#[$m:meta])* $variant:ident => $key:literal,)+ })+) => {
        $(impl Localize for $ty {
            fn message(&self) -> Message {
                Message::new(match self {
                    $(Self::$variant => $key,)+
                })
            }
        })+
    };
}

by_key! {
    CertWarning {
        // These keys keep the JSON spelling.
        Expired => "warn-expired",
        NotYetValid => "warn-not_yet_valid",
        NoSigningKeyUsage => "warn-no_signing_key_usage",
        IsCa => "warn-is_ca",
    }
    ModuleSource {
        Explicit => "source-explicit",
        Environment => "source-environment",
        Configured => "source-configured",
        WellKnown => "source-well_known",
        P11Kit => "source-p11kit",
    }
    Indication {
        TotalPassed => "ind-total-passed",
        Indeterminate => "ind-indeterminate",
        TotalFailed => "ind-total-failed",
    }
    SubIndication {
        FormatFailure => "sub-format-failure",
        HashFailure => "sub-hash-failure",
        SigCryptoFailure => "sub-sig-crypto-failure",
        SigConstraintsFailure => "sub-sig-constraints-failure",
        ModifiedAfterSigning => "sub-modified-after-signing",
        Revoked => "sub-revoked",
        RevokedNoPoe => "sub-revoked-no-poe",
        TryLater => "sub-try-later",
        OutOfBoundsNoPoe => "sub-out-of-bounds-no-poe",
        NoCertificateChainFound => "sub-no-certificate-chain-found",
        NoSigningCertificateFound => "sub-no-signing-certificate-found",
        CryptoConstraintsFailureNoPoe => "sub-crypto-constraints-failure-no-poe",
        ChainConstraintsFailure => "sub-chain-constraints-failure",
    }
    Integrity {
        Intact => "integrity-intact",
        Broken => "integrity-broken",
        Unknown => "integrity-unknown",
    }
    Coverage {
        WholeFile => "coverage-whole-file",
        WholeRevision => "coverage-whole-revision",
        WholePackage => "coverage-whole-package",
        Partial => "coverage-partial",
        Anomaly => "coverage-anomaly",
    }
    Modifications {
        None => "modifications-none",
        Allowed => "modifications-allowed",
        Disallowed => "modifications-disallowed",
    }
    ModificationLevel {
        None => "modlevel-none",
        LtaUpdates => "modlevel-lta-updates",
        FormFilling => "modlevel-form-filling",
        Annotations => "modlevel-annotations",
        Other => "modlevel-other",
    }
    Revocation {
        Good => "revocation-good",
        Revoked => "revocation-revoked",
        RevokedAfterSigning => "revocation-revoked-after-signing",
        RevokedNoPoe => "revocation-revoked-no-poe",
        NotChecked => "revocation-not-checked",
    }
    ChainStatus {
        Valid => "chain-valid",
        NoChainFound => "chain-no-chain-found",
        BadSignature => "chain-bad-signature",
        NotCa => "chain-not-ca",
        UnsupportedAlgorithm => "chain-unsupported-algorithm",
        ConstraintViolation => "chain-constraint-violation",
        OutOfValidity => "chain-out-of-validity",
    }
    SignatureKind {
        Signature => "sigkind-signature",
        DocumentTimestamp => "sigkind-document-timestamp",
    }
    TimestampTrust {
        Trusted => "timestamp-trust-trusted",
        Untrusted => "timestamp-trust-untrusted",
        Invalid => "timestamp-trust-invalid",
    }
    WarningCode {
        ValidatedAtTimestampTime => "warn-validated-at-timestamp-time",
        RevocationFetchedOnline => "warn-revocation-fetched-online",
        RevocationNotChecked => "warn-revocation-not-checked",
        SignerUnknown => "warn-signer-unknown",
        SignatureTimestampInvalid => "warn-signature-timestamp-invalid",
        SignatureTimestampUntrusted => "warn-signature-timestamp-untrusted",
        DocumentTimestampInvalid => "warn-document-timestamp-invalid",
        DocumentTimestampUntrusted => "warn-document-timestamp-untrusted",
        VriTimestampInvalid => "warn-vri-timestamp-invalid",
        VriTimestampUntrusted => "warn-vri-timestamp-untrusted",
        TimestampRevocationNotChecked => "warn-timestamp-revocation-not-checked",
        SigDictNotIndirect => "warn-sig-dict-not-indirect",
        SigDictNotAtOffset => "warn-sig-dict-not-at-offset",
        ByteRangeInvalid => "warn-byte-range-invalid",
        CmsInvalid => "warn-cms-invalid",
        TstinfoInvalid => "warn-tstinfo-invalid",
        DetachedWithEcontent => "warn-detached-with-econtent",
        ClaimedTimeAfterPoe => "warn-claimed-time-after-poe",
        SignerCertificateIgnored => "warn-signer-certificate-ignored",
        NoSigningCertificateAttribute => "warn-no-signing-certificate-attribute",
        XrefRepaired => "warn-xref-repaired",
        XrefDefect => "warn-xref-defect",
        ZipComment => "warn-zip-comment",
        OriginInvalid => "warn-origin-invalid",
        SignaturePartContentType => "warn-signature-part-content-type",
        XmlMalformed => "warn-xml-malformed",
        NotAnXmlSignature => "warn-not-an-xml-signature",
        TooManyIds => "warn-too-many-ids",
        DuplicateId => "warn-duplicate-id",
        SignedInfoMissing => "warn-signed-info-missing",
        UnsupportedCanonicalization => "warn-unsupported-canonicalization",
        UnsupportedSignatureMethod => "warn-unsupported-signature-method",
        SignatureValueMissing => "warn-signature-value-missing",
        NoReferences => "warn-no-references",
        TooManyReferences => "warn-too-many-references",
        UnsupportedReference => "warn-unsupported-reference",
        UnsupportedTransform => "warn-unsupported-transform",
        NoPackageManifest => "warn-no-package-manifest",
        WeakAlgorithmSha1 => "warn-weak-algorithm-sha1",
        ManifestReferenceRepeated => "warn-manifest-reference-repeated",
        PartUnreferenced => "warn-part-unreferenced",
        UnsignedMetadata => "warn-unsigned-metadata",
        UnsignedViewSettings => "warn-unsigned-view-settings",
        UnsignedCustomXml => "warn-unsigned-custom-xml",
    }
    ErrorCode {
        ModuleNotFound => "err-module-not-found",
        ModuleNotAbsolute => "err-module-not-absolute",
        Module32Bit => "err-module-32bit",
        ModuleLoad => "err-module-load",
        ModuleInit => "err-module-init",
        TokenNotFound => "err-token-not-found",
        TokenRemoved => "err-token-removed",
        PinIncorrect => "err-pin-incorrect",
        PinLocked => "err-pin-locked",
        PinInvalid => "err-pin-invalid",
        PinRequired => "err-pin-required",
        KeyNotFound => "err-key-not-found",
        UnsupportedKey => "err-unsupported-key",
        Pkcs11 => "err-pkcs11",
    }
}

impl Localize for Unchecked {
    fn message(&self) -> Message {
        match self {
            Self::IssuerUnknown => Message::new("unchecked-issuer-unknown"),
            Self::Offline => Message::new("unchecked-offline"),
            Self::NoUsableCrl => Message::new("unchecked-no-usable-crl"),
            Self::FetchFailed(e) => Message::new("unchecked-fetch-failed").arg("detail", e.clone()),
        }
    }
}

impl Localize for Warning {
    /// The code's message; the detail is technical and stays in the JSON.
    fn message(&self) -> Message {
        self.code.message()
    }
}

impl Localize for TokenError {
    fn message(&self) -> Message {
        let text = self.code().message();
        match self {
            Self::ModuleNotFound { path } | Self::ModuleNotAbsolute { path } | Self::Module32Bit { path } => {
                text.arg("path", path.display().to_string())
            }
            Self::ModuleLoad { path, reason } | Self::ModuleInit { path, reason } => {
                text.arg("path", path.display().to_string()).arg("reason", reason.clone())
            }
            Self::TokenNotFound(token) => text.arg("token", token.clone()),
            Self::PinIncorrect { state } => Message {
                suffix: if state.final_try {
                    Some("pin-final-try")
                } else if state.count_low {
                    Some("pin-count-low")
                } else {
                    None
                },
                ..text
            },
            Self::UnsupportedKey(detail) => text.arg("detail", detail.clone()),
            Self::Pkcs11 { function, code } => text.arg("function", function.clone()).arg("code", code.clone()),
            _ => text,
        }
    }
}

impl Localize for kyso_pdf::SignError {
    fn message(&self) -> Message {
        use kyso_pdf::{PdfError, SignError as E};
        match self {
            E::OutputExists(p) => Message::new("gui-output-exists").arg("path", p.display().to_string()),
            E::SameFile => Message::new("err-same-file"),
            E::Io { path, source } => {
                Message::new("err-io").arg("path", path.display().to_string()).arg("detail", source.to_string())
            }
            E::Pdf(PdfError::Io(io)) => Message::new("err-io").arg("path", "PDF").arg("detail", io.to_string()),
            E::Pdf(PdfError::Encrypted) | E::Encrypted => Message::new("err-pdf-encrypted"),
            E::Pdf(other) => Message::new("err-pdf-malformed").arg("detail", other.to_string()),
            E::DocMdpForbids => Message::new("err-docmdp-forbids"),
            E::CertifyNotFirst => Message::new("err-certify-not-first"),
            E::FieldNotEmpty(f) => Message::new("err-field-not-empty").arg("field", f.clone()),
            E::FieldTakesNoWidgets(f) => Message::new("err-field-takes-no-widgets").arg("field", f.clone()),
            E::NoSuchPage { page, count } => {
                Message::new("err-no-such-page").arg("page", page.to_string()).arg("count", count.to_string())
            }
            E::Timestamp(e) => Message::new("err-timestamp").arg("detail", e.to_string()),
            E::Signer(SignerError::TokenRemoved) => Message::new("err-token-removed"),
            E::NoRevocationData => Message::new("err-no-revocation-data"),
            other => Message::new("err-signer").arg("detail", other.to_string()),
        }
    }
}

impl Localize for kyso_ooxml::OoxmlError {
    fn message(&self) -> Message {
        use kyso_ooxml::OoxmlError as E;
        match self {
            E::OutputExists(p) => Message::new("gui-output-exists").arg("path", p.clone()),
            E::Io(io) => Message::new("err-io").arg("path", "OOXML").arg("detail", io.to_string()),
            E::Timestamp(d) => Message::new("err-timestamp").arg("detail", d.clone()),
            E::Signer(SignerError::TokenRemoved) => Message::new("err-token-removed"),
            E::Signer(other) => Message::new("err-signer").arg("detail", other.to_string()),
            E::UnsupportedAlgorithm(d) => Message::new("err-ooxml-algorithm").arg("detail", d.clone()),
            other => Message::new("err-ooxml-malformed").arg("detail", other.to_string()),
        }
    }
}

impl Localize for kyso_pdf::presets::PresetError {
    fn message(&self) -> Message {
        use kyso_pdf::presets::PresetError as E;
        match self {
            E::Appearance(a) => Message::new("err-image").arg("detail", a.to_string()),
            E::Missing(opt) => Message::new("err-preset-missing").arg("option", *opt),
            E::RectOffPage => Message::new("err-rect-off-page"),
            E::NoSuchPage { page, count } => {
                Message::new("err-no-such-page").arg("page", page.to_string()).arg("count", count.to_string())
            }
            other => Message::new("err-pdf-malformed").arg("detail", other.to_string()),
        }
    }
}

/// The translation key of a role's name (`role-name-…`), for every front
/// end.
pub fn role_key(role: kyso_core::Role) -> &'static str {
    match role {
        kyso_core::Role::Approver => "role-name-approver",
        kyso_core::Role::Issuer => "role-name-issuer",
        kyso_core::Role::Appendix => "role-name-appendix",
        kyso_core::Role::Copy => "role-name-copy",
    }
}

impl Localize for kyso_core::Error {
    fn message(&self) -> Message {
        use kyso_core::Error as E;
        let io = |path: &std::path::Path, e: &std::io::Error| {
            Message::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string())
        };
        match self {
            E::Io { path, source } | E::Image { path, source } => io(path, source),
            E::Token(e) => e.message(),
            E::NoToken => Message::new("tokens-none"),
            E::CertificateRefused(w) => w.message(),
            E::Unusable(_) => Message::new("gui-cert-unusable"),
            E::Revoked(_) => Message::new("err-cert-revoked"),
            E::RevocationUnchecked(why) => {
                Message::new("gui-revocation-unchecked").arg_message("detail", why.message())
            }
            E::Unreadable(e) => Message::new("err-pdf-malformed").arg("detail", e.to_string()),
            E::Placement(e) => e.message(),
            E::NotForOffice(what) => Message::new("err-ooxml-option").arg("option", format!("{what:?}").to_lowercase()),
            E::LevelNotForOffice(l) => Message::new("err-ooxml-option").arg("option", l.name()),
            E::SameFile => Message::new("err-same-file"),
            E::OutputExists(p) => Message::new("gui-output-exists").arg("path", p.display().to_string()),
            E::Pdf(e) => e.message(),
            E::LongTerm(e) => Message::new("gui-long-term-failed").arg("detail", e.to_string()),
            E::Office(e) => e.message(),
            E::CertificateNotFound => Message::new("err-cert-not-found"),
            E::CertificateAmbiguous(list) => Message::new("err-cert-several").arg("list", list.join("; ")),
            E::UnsupportedKey(detail) => Message::new("err-unsupported-key").arg("detail", detail.clone()),
            E::PasswordRequired => Message::new("err-p12-password-needed"),
            E::Pkcs12(kyso_pki::P12Error::WrongPassword) => Message::new("err-p12-password"),
            E::Pkcs12(kyso_pki::P12Error::Io(e)) => {
                Message::new("err-io").arg("path", "PKCS#12").arg("detail", e.to_string())
            }
            E::Pkcs12(kyso_pki::P12Error::Malformed(d) | kyso_pki::P12Error::UnsupportedEncryption(d)) => {
                Message::new("err-p12-invalid").arg("detail", d.clone())
            }
            E::Pkcs12(kyso_pki::P12Error::NoKeyPair) => Message::new("err-p12-no-key"),
            E::Pkcs12(kyso_pki::P12Error::UnsupportedKey(k)) => {
                Message::new("err-unsupported-key").arg("detail", k.clone())
            }
            E::Pkcs12(e) => Message::new("err-p12-invalid").arg("detail", e.to_string()),
            E::Declined => Message::new("err-declined"),
            E::RoleMismatch { role, needed, .. } => {
                let key = match needed {
                    kyso_core::CertKind::Organization => "err-role-needs-organization",
                    _ => "err-role-needs-personal",
                };
                Message::new(key).arg_message("role", Message::new(role_key(*role)))
            }
            other => Message::new("err-signer").arg("detail", other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lang;

    fn keys<T: Localize>(all: &[T]) -> Vec<String> {
        all.iter().map(|v| v.message().key.to_owned()).collect()
    }

    #[test]
    fn every_report_value_has_a_message_in_both_languages() {
        let mut all = Vec::new();
        all.extend(keys(Indication::ALL));
        all.extend(keys(SubIndication::ALL));
        all.extend(keys(Integrity::ALL));
        all.extend(keys(Coverage::ALL));
        all.extend(keys(Modifications::ALL));
        all.extend(keys(ModificationLevel::ALL));
        all.extend(keys(Revocation::ALL));
        all.extend(keys(ChainStatus::ALL));
        all.extend(keys(SignatureKind::ALL));
        all.extend(keys(TimestampTrust::ALL));
        all.extend(keys(WarningCode::ALL));
        all.extend(keys(CertWarning::ALL));
        all.extend(keys(ErrorCode::ALL));
        all.extend(keys(ModuleSource::ALL));
        for lang in [Lang::Vi, Lang::En] {
            let t = Translator::new(lang);
            let missing: Vec<&String> = all.iter().filter(|k| !t.has(k)).collect();
            assert!(missing.is_empty(), "{lang:?}: no message for {missing:?}");
        }
    }

    #[test]
    fn token_errors_are_translated_with_their_arguments() {
        let vi = Translator::new(Lang::Vi);
        let en = Translator::new(Lang::En);
        let errors = [
            TokenError::ModuleNotFound { path: "/x.so".into() },
            TokenError::ModuleNotAbsolute { path: "x.so".into() },
            TokenError::Module32Bit { path: "/x.so".into() },
            TokenError::ModuleLoad { path: "/x.so".into(), reason: "bad ELF".into() },
            TokenError::ModuleInit { path: "/x.so".into(), reason: "CKR_GENERAL_ERROR".into() },
            TokenError::TokenNotFound("abc".into()),
            TokenError::TokenRemoved,
            TokenError::PinIncorrect { state: kyso_token::PinState::default() },
            TokenError::PinLocked,
            TokenError::PinInvalid,
            TokenError::PinRequired,
            TokenError::KeyNotFound,
            TokenError::UnsupportedKey("dsa".into()),
            TokenError::Pkcs11 { function: "C_Sign".into(), code: "CKR_X".into() },
        ];
        for e in &errors {
            for t in [&vi, &en] {
                let s = e.localize(t);
                assert!(t.has(e.message().key), "{:?}", e.code());
                assert!(!s.contains('{') && !s.starts_with("err-"), "{s}");
            }
        }
        let s = errors[3].localize(&en);
        assert!(s.contains("/x.so") && s.contains("bad ELF"), "{s}");
        let wrong = TokenError::PinIncorrect { state: kyso_token::PinState { final_try: true, ..Default::default() } };
        assert_eq!(wrong.message().key, "err-pin-incorrect");
        assert_eq!(wrong.localize(&en), format!("{} {}", en.tr("err-pin-incorrect"), en.tr("pin-final-try")));
    }

    #[test]
    fn warnings_say_their_code_and_keep_the_detail_out() {
        let en = Translator::new(Lang::En);
        let w = Warning::with(WarningCode::SignatureTimestampUntrusted, "no_chain_to_trust_anchor");
        assert_eq!(w.to_string(), "signature_timestamp_untrusted: no_chain_to_trust_anchor");
        assert_eq!(w.localize(&en), en.tr("warn-signature-timestamp-untrusted"));
        assert_eq!(CertWarning::NotYetValid.localize(&en), en.tr("warn-not_yet_valid"));
        assert_eq!(Coverage::WholeFile.localize(&en), en.tr("coverage-whole-file"));
        assert_eq!(SubIndication::NoCertificateChainFound.message().key, "sub-no-certificate-chain-found");
        for why in [Unchecked::IssuerUnknown, Unchecked::Offline, Unchecked::NoUsableCrl] {
            for t in [&en, &Translator::new(Lang::Vi)] {
                assert!(t.has(why.message().key), "{why:?}");
                let s = kyso_core::Error::RevocationUnchecked(why.clone()).localize(t);
                assert!(s.contains(&why.localize(t)) && !s.contains('{'), "{s}");
            }
        }
        let s = Unchecked::FetchFailed("OCSP: connection refused".into()).localize(&en);
        assert!(s.contains("OCSP: connection refused") && s != "unchecked-fetch-failed", "{s}");
        let s = kyso_pdf::SignError::NoSuchPage { page: 9, count: 2 }.localize(&en);
        assert!(s.contains('9') && s.contains('2') && !s.contains('{'), "{s}");
    }

    /// The core's errors as the desktop app and the e-office pages show
    /// them: their own words, never the library's English Display.
    #[test]
    fn core_errors_are_told_in_their_own_words() {
        use kyso_core::{CertKind, Error as E, Role};
        let errors = [
            E::CertificateNotFound,
            E::CertificateAmbiguous(vec!["Nguyễn Văn A (01)".into(), "Trần Thị B (02)".into()]),
            E::UnsupportedKey("dsa".into()),
            E::PasswordRequired,
            E::Pkcs12(kyso_pki::P12Error::WrongPassword),
            E::Pkcs12(kyso_pki::P12Error::Malformed("bad".into())),
            E::Pkcs12(kyso_pki::P12Error::NoKeyPair),
            E::Declined,
            E::RoleMismatch { role: Role::Issuer, needed: CertKind::Organization, found: CertKind::Personal },
            E::RoleMismatch { role: Role::Approver, needed: CertKind::Personal, found: CertKind::Organization },
        ];
        for lang in [Lang::Vi, Lang::En] {
            let t = Translator::new(lang);
            for e in &errors {
                let m = e.message();
                assert!(t.has(m.key) && m.key != "err-signer", "{e:?}: {}", m.key);
                let s = e.localize(&t);
                assert!(!s.contains('{') && !s.contains(&e.to_string()), "{lang:?} {e:?}: {s}");
            }
            let s = errors[1].localize(&t);
            assert!(s.contains("Nguyễn Văn A (01)") && s.contains("Trần Thị B (02)"), "{s}");
            let s = errors[8].localize(&t);
            assert!(s.contains(&t.tr("role-name-issuer")), "{s}");
        }
    }
}
