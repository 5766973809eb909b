//! The settings kept in `config.json` (load/save) and the trust store of
//! the data directory.

use super::*;

/// The interface theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Light.
    #[default]
    Light,
    /// Dark.
    Dark,
}

/// What a file given by the file manager ("Open with Kyso") is opened for,
/// once the user asked for it to be remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpenAction {
    /// Check its signatures.
    Verify,
    /// Sign it.
    Sign,
}

/// How many recent files are kept.
pub const RECENT_MAX: usize = 10;

/// The saved settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `vi` or `en`.
    pub lang: String,
    /// Light or dark.
    pub theme: ThemeChoice,
    /// The RFC 3161 server for B-T.
    pub tsa: String,
    /// PKCS#11 modules to try before the well-known locations.
    pub modules: Vec<PathBuf>,
    /// The role the signing screen starts with (`none`, `approver`,
    /// `issuer`, `appendix`, `copy`).
    pub default_role: String,
    /// The word added to a signed copy's name: `NAME.<suffix>.pdf`.
    pub output_suffix: String,
    /// Where signed copies go; `None`: beside the original.
    pub output_dir: Option<PathBuf>,
    /// Signature and seal images remembered per certificate (by SHA-256).
    pub images: BTreeMap<String, CertImages>,
    /// Verify with revocation from the file and the cache only.
    pub offline_verify: bool,
    /// HTTP proxy for the TSA, OCSP and CRL servers
    /// (`http://[user:password@]host:port`); empty: the environment's
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    pub proxy: String,
    /// Trust the roots shipped with Kyso (RootCA chuyên dùng Chính phủ G2,
    /// Vietnam National Root CA); the key `shipped_anchors`
    /// (`kyso_core::SHIPPED_ANCHORS_KEY`), which `kyso-cli` reads too.
    pub shipped_anchors: bool,
    /// Files opened lately, newest first (at most [`RECENT_MAX`]).
    pub recent: Vec<PathBuf>,
    /// What `kyso FILE` does without asking; `None`: ask.
    pub open_with: Option<OpenAction>,
    /// The window's last size (logical pixels), restored at start when it
    /// still fits the screen.
    pub window: Option<[u32; 2]>,
    /// Where the window was left (screen pixels), restored when the
    /// window still lies wholly on the screen there.
    pub window_at: Option<[i32; 2]>,
    /// The e-office bridge (`wss://127.0.0.1:8987`, screen "Ký từ hệ thống
    /// điện tử") runs while Kyso does; off until the person turns it on.
    pub bridge: bool,
    /// The web pages (origins) the person allowed to use the bridge;
    /// revocable on the bridge's screen.
    pub bridge_origins: Vec<String>,
}

/// The images a certificate's holder signs with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CertImages {
    /// The certificate's holder (for the settings list).
    pub subject: String,
    /// Handwritten signature (approver).
    pub signature: Option<PathBuf>,
    /// Organisation seal (issuer).
    pub seal: Option<PathBuf>,
}

/// The default word of a signed copy's name.
pub const OUTPUT_SUFFIX: &str = "signed";

impl Default for Config {
    fn default() -> Self {
        Self {
            lang: Lang::default().code().into(),
            theme: ThemeChoice::Light,
            tsa: kyso_pki::tsp::VGCA_TSA.into(),
            modules: Vec::new(),
            default_role: "none".into(),
            output_suffix: OUTPUT_SUFFIX.into(),
            output_dir: None,
            images: BTreeMap::new(),
            offline_verify: false,
            proxy: String::new(),
            shipped_anchors: true,
            recent: Vec::new(),
            open_with: None,
            window: None,
            window_at: None,
            bridge: false,
            bridge_origins: Vec::new(),
        }
    }
}

impl Config {
    /// The proxy in force, when one is set.
    pub fn proxy(&self) -> Option<String> {
        Some(self.proxy.trim().to_owned()).filter(|p| !p.is_empty())
    }

    /// The language.
    pub fn language(&self) -> Lang {
        Lang::parse(&self.lang).unwrap_or_default()
    }

    /// Where the signed copy of `input` goes: `NAME.<suffix>.EXT` beside it,
    /// or in the chosen folder.
    pub fn output_for(&self, input: &Path) -> PathBuf {
        let suffix = match self.output_suffix.trim().trim_matches('.') {
            "" => OUTPUT_SUFFIX,
            s => s,
        };
        let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let name = match input.extension() {
            Some(ext) => format!("{stem}.{suffix}.{}", ext.to_string_lossy()),
            None => format!("{stem}.{suffix}"),
        };
        match &self.output_dir {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join(name),
            _ => input.with_file_name(name),
        }
    }

    /// Puts `file` first in the recent files; `false` when it already was.
    pub fn remember_recent(&mut self, file: &Path) -> bool {
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
        if self.recent.first() == Some(&file) {
            return false;
        }
        self.recent.retain(|p| *p != file);
        self.recent.insert(0, file);
        self.recent.truncate(RECENT_MAX);
        true
    }

    /// Where the settings of the data directory `data_dir` live.
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("config.json")
    }

    /// Reads `path`; a missing or unreadable file gives the defaults.
    pub fn load(path: &Path) -> Self {
        std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    /// Writes to `path` through a temporary file (blocking).
    pub fn save(&self, path: &Path) -> Result<(), Text> {
        let data = serde_json::to_vec_pretty(self)
            .map_err(|e| Text::new("err-io").arg("path", path.display().to_string()).arg("detail", e.to_string()))?;
        crate::screen::write_file(path, &data)
    }
}

/// Imports every certificate of `files` into the trust store of
/// `data_dir` (blocking); a Vietnamese root name without its pin is refused.
pub fn import_anchors(data_dir: &Path, files: &[PathBuf]) -> Result<Vec<kyso_pki::store::AnchorInfo>, Text> {
    let store = kyso_pki::store::AnchorStore::in_data_dir(data_dir);
    let mut added = Vec::new();
    for f in files {
        let bytes = std::fs::read(f)
            .map_err(|e| Text::new("err-io").arg("path", f.display().to_string()).arg("detail", e.to_string()))?;
        let certs = kyso_pki::load_certificates(&bytes);
        if certs.is_empty() {
            return Err(Text::new("trust-not-a-certificate").arg("path", f.display().to_string()));
        }
        for c in certs {
            added.push(store.add(&c).map_err(|e| match e {
                kyso_pki::store::StoreError::PinMismatch { subject, sha256 } => {
                    Text::new("trust-pin-mismatch").arg("subject", subject).arg("sha256", sha256)
                }
                kyso_pki::store::StoreError::Io { path, source } => {
                    Text::new("err-io").arg("path", path.display().to_string()).arg("detail", source.to_string())
                }
            })?);
        }
    }
    Ok(added)
}

/// Removes an anchor from the trust store of `data_dir` (blocking).
pub fn remove_anchor(data_dir: &Path, sha256: &str) -> Result<(), Text> {
    kyso_pki::store::AnchorStore::in_data_dir(data_dir)
        .remove(sha256)
        .map(|_| ())
        .map_err(|e| Text::new("err-io").arg("path", sha256.to_owned()).arg("detail", e.to_string()))
}

/// The anchors imported here or with `kyso-cli trust add` (data directory
/// `trust/`).
pub fn stored_anchors(data_dir: &Path) -> Vec<kyso_pki::CertDer> {
    kyso_pki::store::AnchorStore::in_data_dir(data_dir).list()
}
