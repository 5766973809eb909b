//! Loading PKCS#11 modules and reading slots, tokens and PIN state
//! (PKCS#11 v2.40 §5.4 C_GetSlotInfo / C_GetTokenInfo).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::slot::Slot;
use serde::Serialize;

use crate::discovery::{ModuleCandidate, ModuleSource};
use crate::error::{TokenError, from_cryptoki};

/// A loaded, initialised PKCS#11 module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) ctx: Pkcs11,
    path: PathBuf,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module").field("path", &self.path).finish()
    }
}

/// Modules stay loaded for the life of the process: C_Initialize may be
/// called only once per process, and finalising one handle would break the
/// others.
fn registry() -> &'static Mutex<HashMap<PathBuf, Module>> {
    static REG: OnceLock<Mutex<HashMap<PathBuf, Module>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Word size of a shared library, read from its header (ELF, PE, Mach-O).
fn library_bits(path: &Path) -> Option<u8> {
    let mut head = [0u8; 4096];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    let head = &head[..n];
    if head.len() >= 5 && head[..4] == [0x7f, b'E', b'L', b'F'] {
        return match head[4] {
            1 => Some(32),
            2 => Some(64),
            _ => None,
        };
    }
    if head.len() >= 0x40 && head[..2] == *b"MZ" {
        let off = u32::from_le_bytes([head[0x3c], head[0x3d], head[0x3e], head[0x3f]]) as usize;
        if head.len() >= off + 6 && head[off..off + 4] == *b"PE\0\0" {
            return match u16::from_le_bytes([head[off + 4], head[off + 5]]) {
                0x014c | 0x01c4 => Some(32),
                0x8664 | 0xaa64 => Some(64),
                _ => None,
            };
        }
    }
    if head.len() >= 4 {
        match u32::from_le_bytes([head[0], head[1], head[2], head[3]]) {
            0xfeed_face => return Some(32),
            0xfeed_facf => return Some(64),
            _ => {}
        }
    }
    None
}

/// Loads and initialises the module at `path` (or returns the one already
/// loaded). The path must be absolute.
pub fn load_module(path: &Path) -> Result<Module, TokenError> {
    if !path.is_absolute() {
        return Err(TokenError::ModuleNotAbsolute { path: path.to_owned() });
    }
    if !path.is_file() {
        return Err(TokenError::ModuleNotFound { path: path.to_owned() });
    }
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mut reg = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = reg.get(&key) {
        return Ok(m.clone());
    }
    if library_bits(path) == Some(32) && cfg!(target_pointer_width = "64") {
        return Err(TokenError::Module32Bit { path: path.to_owned() });
    }
    let ctx = Pkcs11::new(path).map_err(|e| {
        let reason = match e {
            cryptoki::error::Error::LibraryLoading(le) => le.to_string(),
            other => other.to_string(),
        };
        if reason.contains("ELFCLASS32") || reason.contains("193") && cfg!(windows) {
            TokenError::Module32Bit { path: path.to_owned() }
        } else {
            TokenError::ModuleLoad { path: path.to_owned(), reason }
        }
    })?;
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => {}
        Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::CryptokiAlreadyInitialized, _)) => {}
        Err(e) => return Err(TokenError::ModuleInit { path: path.to_owned(), reason: e.to_string() }),
    }
    let m = Module { ctx, path: path.to_owned() };
    reg.insert(key, m.clone());
    Ok(m)
}

/// PIN flags of a token (PKCS#11 v2.40 §5.4, CK_TOKEN_INFO flags).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PinState {
    /// CKF_USER_PIN_INITIALIZED.
    pub initialized: bool,
    /// CKF_USER_PIN_COUNT_LOW: at least one wrong PIN since the last success.
    pub count_low: bool,
    /// CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token.
    pub final_try: bool,
    /// CKF_USER_PIN_LOCKED.
    pub locked: bool,
    /// CKF_USER_PIN_TO_BE_CHANGED.
    pub to_be_changed: bool,
}

impl PinState {
    pub(crate) fn from_info(info: &cryptoki::slot::TokenInfo) -> Self {
        Self {
            initialized: info.user_pin_initialized(),
            count_low: info.user_pin_count_low(),
            final_try: info.user_pin_final_try(),
            locked: info.user_pin_locked(),
            to_be_changed: info.user_pin_to_be_changed(),
        }
    }
}

/// A token in a slot.
#[derive(Clone, Debug, Serialize)]
pub struct TokenReport {
    /// Token label.
    pub label: String,
    /// Manufacturer.
    pub manufacturer: String,
    /// Model.
    pub model: String,
    /// Serial number.
    pub serial: String,
    /// PIN flags.
    pub pin: PinState,
    /// CKF_PROTECTED_AUTHENTICATION_PATH: a PIN pad asks for the PIN.
    pub protected_authentication_path: bool,
    /// CKF_LOGIN_REQUIRED.
    pub login_required: bool,
    /// CKF_TOKEN_INITIALIZED.
    pub initialized: bool,
}

/// A slot and the token in it, if any.
#[derive(Clone, Debug, Serialize)]
pub struct SlotReport {
    /// PKCS#11 slot id.
    pub slot_id: u64,
    /// Slot description (usually the reader name).
    pub description: String,
    /// Whether a token is present.
    pub token_present: bool,
    /// Whether the device is removable.
    pub removable: bool,
    /// The token, when present and readable.
    pub token: Option<TokenReport>,
    /// Error reading the token, when present but unreadable.
    pub error: Option<String>,
}

/// Library information (C_GetInfo).
#[derive(Clone, Debug, Serialize)]
pub struct LibraryInfo {
    /// Manufacturer.
    pub manufacturer: String,
    /// Description.
    pub description: String,
    /// Library version.
    pub version: String,
    /// Cryptoki version implemented.
    pub cryptoki_version: String,
}

/// What was found for one module candidate.
#[derive(Clone, Debug, Serialize)]
pub struct ModuleReport {
    /// Module path.
    pub path: PathBuf,
    /// Why it was tried.
    pub source: ModuleSource,
    /// Vendor when known.
    pub vendor: Option<&'static str>,
    /// Loaded or not.
    pub loaded: bool,
    /// Why it failed to load.
    #[serde(skip)]
    pub error: Option<TokenError>,
    /// Library information.
    pub library: Option<LibraryInfo>,
    /// Slots.
    pub slots: Vec<SlotReport>,
}

impl Module {
    /// The module's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Library information.
    pub fn info(&self) -> Result<LibraryInfo, TokenError> {
        let i = self.ctx.get_library_info().map_err(from_cryptoki)?;
        Ok(LibraryInfo {
            manufacturer: i.manufacturer_id().trim().to_owned(),
            description: i.library_description().trim().to_owned(),
            version: i.library_version().to_string(),
            cryptoki_version: i.cryptoki_version().to_string(),
        })
    }

    /// Reads all slots and tokens. Cheap enough to poll every ~2 s for
    /// hot-plug (no sessions are opened; modules without
    /// C_WaitForSlotEvent are polled the same way).
    pub fn slots(&self) -> Result<Vec<SlotReport>, TokenError> {
        let slots = self.ctx.get_all_slots().map_err(from_cryptoki)?;
        Ok(slots.into_iter().map(|s| self.slot_report(s)).collect())
    }

    fn slot_report(&self, slot: Slot) -> SlotReport {
        let (description, token_present, removable) = match self.ctx.get_slot_info(slot) {
            Ok(i) => (i.slot_description().trim().to_owned(), i.token_present(), i.removable_device()),
            Err(_) => (String::new(), false, false),
        };
        let (token, error) = if token_present {
            match self.token_report(slot) {
                Ok(t) => (Some(t), None),
                Err(e) => (None, Some(e.to_string())),
            }
        } else {
            (None, None)
        };
        SlotReport { slot_id: slot.id(), description, token_present, removable, token, error }
    }

    pub(crate) fn token_report(&self, slot: Slot) -> Result<TokenReport, TokenError> {
        let i = self.ctx.get_token_info(slot).map_err(from_cryptoki)?;
        Ok(TokenReport {
            label: i.label().trim().to_owned(),
            manufacturer: i.manufacturer_id().trim().to_owned(),
            model: i.model().trim().to_owned(),
            serial: i.serial_number().trim().to_owned(),
            pin: PinState::from_info(&i),
            protected_authentication_path: i.protected_authentication_path(),
            login_required: i.login_required(),
            initialized: i.token_initialized(),
        })
    }

    /// Slots holding a token whose label or serial equals `wanted` (or all
    /// slots with a token when `wanted` is `None`).
    pub fn find_tokens(&self, wanted: Option<&str>) -> Result<Vec<(Slot, TokenReport)>, TokenError> {
        let mut out = Vec::new();
        for slot in self.ctx.get_slots_with_token().map_err(from_cryptoki)? {
            let Ok(t) = self.token_report(slot) else { continue };
            if wanted.is_none_or(|w| t.label == w || t.serial == w) {
                out.push((slot, t));
            }
        }
        Ok(out)
    }
}

/// Tries every candidate; one failing module never stops the others.
pub fn scan(candidates: &[ModuleCandidate]) -> Vec<ModuleReport> {
    candidates
        .iter()
        .map(|c| {
            let mut report = ModuleReport {
                path: c.path.clone(),
                source: c.source,
                vendor: c.vendor,
                loaded: false,
                error: None,
                library: None,
                slots: Vec::new(),
            };
            match load_module(&c.path) {
                Ok(m) => {
                    report.loaded = true;
                    report.library = m.info().ok();
                    match m.slots() {
                        Ok(s) => report.slots = s,
                        Err(e) => report.error = Some(e),
                    }
                }
                Err(e) => report.error = Some(e),
            }
            report
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_word_size_from_headers() {
        let dir = std::env::temp_dir().join(format!("kyso-bits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let elf32 = dir.join("m32.so");
        std::fs::write(&elf32, [0x7f, b'E', b'L', b'F', 1, 1, 1, 0]).unwrap();
        assert_eq!(library_bits(&elf32), Some(32));
        let mut pe = vec![0u8; 0x100];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x84..0x86].copy_from_slice(&0x014cu16.to_le_bytes());
        let pe32 = dir.join("m32.dll");
        std::fs::write(&pe32, &pe).unwrap();
        assert_eq!(library_bits(&pe32), Some(32));
        if cfg!(target_pointer_width = "64") {
            assert!(matches!(load_module(&elf32), Err(TokenError::Module32Bit { .. })));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn relative_and_missing_paths_are_refused() {
        assert!(matches!(load_module(Path::new("libsofthsm2.so")), Err(TokenError::ModuleNotAbsolute { .. })));
        assert!(matches!(load_module(Path::new("/nonexistent/x.so")), Err(TokenError::ModuleNotFound { .. })));
    }
}
