//! The messages of the e-office plugin protocol (docs/e-office-bridge.md):
//! one JSON text frame in, one JSON text frame out, field names exactly as
//! the web pages use them.

use serde::{Deserialize, Serialize};

use kyso_core::Role;

/// An endpoint: the path of `wss://127.0.0.1:8987/<Endpoint>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The leader approves: personal signature, approver preset.
    SignApproved,
    /// The clerk issues: organisation signature, number and date.
    SignIssued,
    /// An appendix: number on the appendix.
    SignAppendix,
    /// An electronic copy.
    SignCopy,
    /// A received document, signed on arrival (invisible signature).
    SignIncome,
    /// A plain signature of the file's type.
    SignFile,
    /// A plain PDF signature.
    SignPdf,
    /// A plain Office signature.
    SignOffice,
    /// Verify a PDF and answer a summary.
    VerifyPdf,
    /// Verify an Office file and answer a summary.
    VerifyOffice,
    /// The certificate's facts (with consent).
    GetCertInfo,
    /// Sign a hash (off).
    SignMsg,
    /// Sign XML (off).
    SignXml,
    /// Sign a server challenge (off).
    Auth,
}

impl Endpoint {
    /// Every endpoint served.
    pub const ALL: [Self; 14] = [
        Self::SignApproved,
        Self::SignIssued,
        Self::SignAppendix,
        Self::SignCopy,
        Self::SignIncome,
        Self::SignFile,
        Self::SignPdf,
        Self::SignOffice,
        Self::VerifyPdf,
        Self::VerifyOffice,
        Self::GetCertInfo,
        Self::SignMsg,
        Self::SignXml,
        Self::Auth,
    ];

    /// Its path name (`SignPDF`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::SignApproved => "SignApproved",
            Self::SignIssued => "SignIssued",
            Self::SignAppendix => "SignAppendix",
            Self::SignCopy => "SignCopy",
            Self::SignIncome => "SignIncome",
            Self::SignFile => "SignFile",
            Self::SignPdf => "SignPDF",
            Self::SignOffice => "SignOffice",
            Self::VerifyPdf => "VerifyPDF",
            Self::VerifyOffice => "VerifyOffice",
            Self::GetCertInfo => "GetCertInfo",
            Self::SignMsg => "SignMsg",
            Self::SignXml => "SignXML",
            Self::Auth => "Auth",
        }
    }

    /// The endpoint at `path` (`/SignPDF`, a query string ignored).
    pub fn from_path(path: &str) -> Option<Self> {
        let name = path.trim_start_matches('/').split(['?', '#']).next().unwrap_or("");
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// The NĐ 30/2020 role preset a signing endpoint uses.
    pub fn role(self) -> Option<Role> {
        match self {
            Self::SignApproved => Some(Role::Approver),
            Self::SignIssued => Some(Role::Issuer),
            Self::SignAppendix => Some(Role::Appendix),
            Self::SignCopy => Some(Role::Copy),
            _ => None,
        }
    }

    /// Whether it signs a downloaded file and uploads the result.
    pub fn signs_file(self) -> bool {
        matches!(
            self,
            Self::SignApproved
                | Self::SignIssued
                | Self::SignAppendix
                | Self::SignCopy
                | Self::SignIncome
                | Self::SignFile
                | Self::SignPdf
                | Self::SignOffice
        )
    }

    /// Whether it verifies a downloaded file.
    pub fn verifies(self) -> bool {
        matches!(self, Self::VerifyPdf | Self::VerifyOffice)
    }

    /// Off unless turned on (blind signing: weakness 3 of the protocol
    /// notes).
    pub fn off_by_default(self) -> bool {
        matches!(self, Self::SignMsg | Self::SignXml | Self::Auth)
    }
}

/// `{"Key": …, "Value": …}` of `MetaData`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct MetaItem {
    /// The form field's name.
    #[serde(rename = "Key", default)]
    pub key: String,
    /// Its value.
    #[serde(rename = "Value", default)]
    pub value: String,
}

/// A file request (`SignApproved`, `SignPDF`, `VerifyPDF`, …).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct FileRequest {
    /// Where the signed file is POSTed (query string kept).
    #[serde(rename = "FileUploadHandler")]
    pub file_upload_handler: String,
    /// Sent as a `Cookie` to the origin's host.
    #[serde(rename = "SessionId")]
    pub session_id: String,
    /// Sent as `Authorization: Bearer` to the origin's host.
    #[serde(rename = "JWTToken")]
    pub jwt_token: String,
    /// The file's URL (`""`: the person picks a local file; not served
    /// headless).
    #[serde(rename = "FileName")]
    pub file_name: String,
    /// Extra form fields of the upload.
    #[serde(rename = "MetaData")]
    pub meta_data: Vec<MetaItem>,
    /// Number and symbol (`123/BCY-CTSBMTT`).
    #[serde(rename = "DocNumber")]
    pub doc_number: String,
    /// Issue date, ISO 8601 (`2026-11-29` or a date-time).
    #[serde(rename = "IssuedDate")]
    pub issued_date: String,
}

/// The reply to a file request.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileReply {
    /// 0 success, else a code of [`status`].
    #[serde(rename = "Status")]
    pub status: i32,
    /// What happened, in Vietnamese.
    #[serde(rename = "Message")]
    pub message: String,
    /// The signed file's name (as the handler answered it, else ours).
    #[serde(rename = "FileName")]
    pub file_name: String,
    /// The handler's opaque `FileServer`.
    #[serde(rename = "FileServer")]
    pub file_server: String,
    /// The document number.
    #[serde(rename = "DocumentNumber")]
    pub document_number: String,
    /// The document date.
    #[serde(rename = "DocumentDate")]
    pub document_date: String,
}

/// The status codes of our replies (the protocol only fixes 0 = success;
/// clients show `Message`). Documented in docs/e-office-bridge.md.
pub mod status {
    /// Success.
    pub const OK: i32 = 0;
    /// A failure without a more precise code.
    pub const FAILED: i32 = 1;
    /// The page's origin is not approved.
    pub const ORIGIN_REFUSED: i32 = 2;
    /// The person declined.
    pub const DECLINED: i32 = 3;
    /// A URL was refused by the network rules.
    pub const URL_REFUSED: i32 = 4;
    /// The file could not be downloaded.
    pub const DOWNLOAD_FAILED: i32 = 5;
    /// The file is larger than allowed.
    pub const TOO_LARGE: i32 = 6;
    /// The upload failed or the handler refused the file.
    pub const UPLOAD_FAILED: i32 = 7;
    /// Signing (or verification) failed.
    pub const SIGN_FAILED: i32 = 8;
    /// The request is not valid JSON of the endpoint.
    pub const MALFORMED: i32 = 9;
    /// No such endpoint.
    pub const UNKNOWN_ENDPOINT: i32 = 10;
    /// The endpoint is turned off.
    pub const DISABLED: i32 = 11;
    /// The document did not verify (VerifyPDF/VerifyOffice).
    pub const NOT_VALID: i32 = 12;
}

/// The upload handler's answer: `Status` true/false (some send 0/1 or a
/// string), the rest copied to the page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct HandlerReply {
    #[serde(rename = "Status")]
    pub status: serde_json::Value,
    #[serde(rename = "Message")]
    pub message: Option<serde_json::Value>,
    #[serde(rename = "FileName")]
    pub file_name: Option<serde_json::Value>,
    #[serde(rename = "FileServer")]
    pub file_server: Option<serde_json::Value>,
    #[serde(rename = "DocumentNumber")]
    pub document_number: Option<serde_json::Value>,
    #[serde(rename = "DocumentDate")]
    pub document_date: Option<serde_json::Value>,
}

/// A JSON value as the page's string: strings as they are, anything else
/// (some handlers put JSON in `FileServer`) as its JSON text.
pub(crate) fn text_of(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

impl HandlerReply {
    /// Whether the handler said it stored the file (`Status: true`).
    pub fn ok(&self) -> bool {
        match &self.status {
            serde_json::Value::Bool(b) => *b,
            // Only `true` (or the string "true"): a number is ambiguous
            // between the handler's 1 = true and the page's 0 = success.
            serde_json::Value::String(s) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_and_fields() {
        assert_eq!(Endpoint::from_path("/SignPDF"), Some(Endpoint::SignPdf));
        assert_eq!(Endpoint::from_path("/VerifyOffice?x=1"), Some(Endpoint::VerifyOffice));
        assert_eq!(Endpoint::from_path("/signpdf"), None);
        assert_eq!(Endpoint::from_path("/Config"), None);
        let r: FileRequest = serde_json::from_str(
            r#"{"FileUploadHandler":"https://a/u?id=1","SessionId":"s","FileName":"https://a/f.pdf",
                "MetaData":[{"Key":"k","Value":"v"}],"DocNumber":"12/QĐ","IssuedDate":"2026-11-29"}"#,
        )
        .expect("parse");
        assert_eq!(r.meta_data, vec![MetaItem { key: "k".into(), value: "v".into() }]);
        assert_eq!(r.doc_number, "12/QĐ");
        let reply = serde_json::to_value(FileReply { status: 0, ..Default::default() }).expect("json");
        for k in ["Status", "Message", "FileName", "FileServer", "DocumentNumber", "DocumentDate"] {
            assert!(reply.get(k).is_some(), "{k}");
        }
        let h: HandlerReply = serde_json::from_str(r#"{"Status":true,"FileServer":{"id":7}}"#).expect("h");
        assert!(h.ok());
        assert_eq!(text_of(&h.file_server), r#"{"id":7}"#);
        let h: HandlerReply = serde_json::from_str(r#"{"Status":false,"Message":"no"}"#).expect("h");
        assert!(!h.ok());
    }
}
