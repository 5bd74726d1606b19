//! `report-helper`: the pure core of the report helper for victims of image abuse.
//!
//! It takes bytes and returns small values; reading files, decoding, the DOM and the network live
//! at the edges. `wasm.rs` is the only file that knows about JavaScript: the hashing module's
//! boundary. The report module's boundary is `report-wasm/`.

pub mod digest;
pub mod image_info;
pub mod orientation;
pub mod pdq;
#[cfg(feature = "png")]
pub mod png_writer;
pub mod redact;
pub mod report;
pub mod video;
pub mod vpdq;

#[cfg(all(target_arch = "wasm32", feature = "wasm-exports"))]
mod wasm;

pub use digest::{Algorithms, DigestValue, Digests, StreamDigester};
pub use image_info::{image_info, ImageFormat, ImageInfo};
pub use orientation::Orientation;
pub use pdq::{hash_pixels, PdqHash, PdqSize, PixelLayout};
#[cfg(feature = "png")]
pub use png_writer::{encode_png, PngError};
pub use redact::{redact, Rect, RedactError};
