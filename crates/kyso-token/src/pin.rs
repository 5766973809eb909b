//! The user PIN: a zeroizing secret that is never logged or stored.

use cryptoki::types::AuthPin;
use zeroize::Zeroizing;

/// A user PIN. Its memory is wiped on drop; `Debug` prints nothing of it.
pub struct Pin(Zeroizing<String>);

impl Pin {
    /// Wraps a PIN typed by the user (the string is moved, not copied).
    pub fn new(pin: String) -> Self {
        Self(Zeroizing::new(pin))
    }

    pub(crate) fn to_auth_pin(&self) -> AuthPin {
        AuthPin::from(self.0.as_str())
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}
