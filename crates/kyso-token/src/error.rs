//! Token-layer errors: typed, translatable, never carrying a PIN.

use std::path::PathBuf;

use crate::module::PinState;

kyso_pki::named_enum! {
    /// Stable machine-readable codes of [`TokenError`] (used in JSON and as
    /// translation keys).
    pub enum ErrorCode {
        /// See [`TokenError::ModuleNotFound`].
        ModuleNotFound = "module_not_found",
        /// See [`TokenError::ModuleNotAbsolute`].
        ModuleNotAbsolute = "module_not_absolute",
        /// See [`TokenError::Module32Bit`].
        Module32Bit = "module_32bit",
        /// See [`TokenError::ModuleLoad`].
        ModuleLoad = "module_load",
        /// See [`TokenError::ModuleInit`].
        ModuleInit = "module_init",
        /// See [`TokenError::TokenNotFound`].
        TokenNotFound = "token_not_found",
        /// See [`TokenError::TokenRemoved`].
        TokenRemoved = "token_removed",
        /// See [`TokenError::PinIncorrect`].
        PinIncorrect = "pin_incorrect",
        /// See [`TokenError::PinLocked`].
        PinLocked = "pin_locked",
        /// See [`TokenError::PinInvalid`].
        PinInvalid = "pin_invalid",
        /// See [`TokenError::PinRequired`].
        PinRequired = "pin_required",
        /// See [`TokenError::KeyNotFound`].
        KeyNotFound = "key_not_found",
        /// See [`TokenError::UnsupportedKey`].
        UnsupportedKey = "unsupported_key",
        /// See [`TokenError::Pkcs11`].
        Pkcs11 = "pkcs11",
    }
}

/// What went wrong in the token layer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The module file does not exist.
    #[error("PKCS#11 module not found: {path}")]
    ModuleNotFound {
        /// Path tried.
        path: PathBuf,
    },
    /// Only absolute paths are loaded (never resolved through the search path).
    #[error("PKCS#11 module path is not absolute: {path}")]
    ModuleNotAbsolute {
        /// Path given.
        path: PathBuf,
    },
    /// The module is a 32-bit library and Kyso is 64-bit.
    #[error("PKCS#11 module is 32-bit and cannot be loaded by 64-bit Kyso: {path}")]
    Module32Bit {
        /// Path tried.
        path: PathBuf,
    },
    /// The dynamic loader refused the file.
    #[error("cannot load PKCS#11 module {path}: {reason}")]
    ModuleLoad {
        /// Path tried.
        path: PathBuf,
        /// Loader message.
        reason: String,
    },
    /// C_Initialize or C_GetInfo failed.
    #[error("PKCS#11 module {path} failed to initialise: {reason}")]
    ModuleInit {
        /// Path tried.
        path: PathBuf,
        /// PKCS#11 return value.
        reason: String,
    },
    /// No token matched the label or serial.
    #[error("no token matches {0}")]
    TokenNotFound(String),
    /// The token was pulled out or its session closed.
    #[error("the token was removed")]
    TokenRemoved,
    /// C_Login said CKR_PIN_INCORRECT; `state` is the token's state after it.
    #[error("wrong PIN")]
    PinIncorrect {
        /// PIN flags read right after the failed attempt.
        state: PinState,
    },
    /// The PIN is locked (too many wrong attempts).
    #[error("the PIN is locked")]
    PinLocked,
    /// The PIN has a wrong length or characters.
    #[error("the PIN has an invalid length or characters")]
    PinInvalid,
    /// A PIN is needed and none was given.
    #[error("a PIN is required")]
    PinRequired,
    /// No private key pairs with the chosen certificate.
    #[error("no private key for this certificate on the token")]
    KeyNotFound,
    /// The key cannot be used with Kyso's algorithms.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// Any other PKCS#11 failure.
    #[error("PKCS#11 error in {function}: {code}")]
    Pkcs11 {
        /// The PKCS#11 function.
        function: String,
        /// The CKR_ name.
        code: String,
    },
}

impl TokenError {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::ModuleNotFound { .. } => ErrorCode::ModuleNotFound,
            Self::ModuleNotAbsolute { .. } => ErrorCode::ModuleNotAbsolute,
            Self::Module32Bit { .. } => ErrorCode::Module32Bit,
            Self::ModuleLoad { .. } => ErrorCode::ModuleLoad,
            Self::ModuleInit { .. } => ErrorCode::ModuleInit,
            Self::TokenNotFound(_) => ErrorCode::TokenNotFound,
            Self::TokenRemoved => ErrorCode::TokenRemoved,
            Self::PinIncorrect { .. } => ErrorCode::PinIncorrect,
            Self::PinLocked => ErrorCode::PinLocked,
            Self::PinInvalid => ErrorCode::PinInvalid,
            Self::PinRequired => ErrorCode::PinRequired,
            Self::KeyNotFound => ErrorCode::KeyNotFound,
            Self::UnsupportedKey(_) => ErrorCode::UnsupportedKey,
            Self::Pkcs11 { .. } => ErrorCode::Pkcs11,
        }
    }
}

/// Maps a cryptoki error, turning removal into [`TokenError::TokenRemoved`].
pub(crate) fn from_cryptoki(e: cryptoki::error::Error) -> TokenError {
    use cryptoki::error::{Error, RvError};
    match e {
        Error::Pkcs11(
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::SessionHandleInvalid
            | RvError::SessionClosed
            | RvError::DeviceError,
            _,
        ) => TokenError::TokenRemoved,
        Error::Pkcs11(RvError::PinLocked, _) => TokenError::PinLocked,
        Error::Pkcs11(RvError::PinLenRange | RvError::PinInvalid, _) => TokenError::PinInvalid,
        Error::Pkcs11(rv, f) => TokenError::Pkcs11 { function: format!("{f:?}"), code: format!("{rv:?}") },
        other => TokenError::Pkcs11 { function: "-".into(), code: other.to_string() },
    }
}
