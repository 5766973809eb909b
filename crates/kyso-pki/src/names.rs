//! Closed vocabularies with one spelling each: the name a report, the JSON
//! and the journal use is written once, next to the variant, and serde
//! writes exactly that name (no serde round trip needed to get it).

/// Declares a fieldless enum whose variants each have one name:
/// `name()`/`as_str()`, `ALL`, `Display`, `FromStr` and `Serialize` (as
/// the name) all come from the `= "name"` written after each variant.
///
/// ```
/// kyso_pki::named_enum! {
///     /// A colour.
///     pub enum Colour {
///         /// Red.
///         Red = "red",
///         /// Dark blue.
///         DarkBlue = "dark_blue",
///     }
/// }
/// assert_eq!(Colour::DarkBlue.name(), "dark_blue");
/// assert_eq!("red".parse::<Colour>(), Ok(Colour::Red));
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The name reports, JSON and the journal use.
            pub const fn name(self) -> &'static str {
                match self {
                    $( Self::$variant => $text ),+
                }
            }

            /// The same as [`Self::name`].
            pub const fn as_str(self) -> &'static str {
                self.name()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                Self::ALL.iter().copied().find(|v| v.name() == s).ok_or(())
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}
